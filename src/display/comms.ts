/**
 * The cell-facing comm API (Jupyter comms: a bidirectional channel between kernel code and a frontend
 * object such as a widget). Cells register targets the frontend can open comms to, or open comms to
 * frontend targets themselves. This module never imports the kernel: it reaches the kernel's comm
 * manager through a resolver the kernel installs on `globalThis`, so in a plain Node script (no
 * kernel) every operation throws {@link CommsUnavailableError}.
 */
import type { JsonObject } from "../protocol/message.js";

/** Receives a `comm_msg` from the frontend: its `data`, binary buffers and message metadata. */
export type CommMsgCallback = (data: JsonObject, buffers: Uint8Array[], metadata: JsonObject) => void; // may be async: a rejected promise is reported like a throw

/** Receives the `data` (and buffers, metadata) of the `comm_close` that closed the comm. */
export type CommCloseCallback = (data: JsonObject, buffers: Uint8Array[], metadata: JsonObject) => void; // may be async: a rejected promise is reported like a throw

/** One open comm, whichever side opened it. */
export interface Comm {
  /** The comm id shared with the frontend. */
  readonly id: string;
  /** The target the comm was opened to. */
  readonly targetName: string;
  /** True once either side closed the comm. */
  readonly closed: boolean;
  /**
   * Sends a `comm_msg` to the frontend.
   * @throws Error when the comm is closed.
   */
  send(data?: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): void;
  /** Sends `comm_close` to the frontend and runs the close callbacks; does nothing if already closed. */
  close(data?: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): void;
  /** Adds a callback for messages from the frontend. Returns a function that removes it. */
  onMsg(callback: CommMsgCallback): () => void;
  /**
   * Adds a callback run once when the comm closes, from either side (for a close from the kernel
   * side it gets the data passed to `close`). Returns a function that removes it.
   */
  onClose(callback: CommCloseCallback): () => void;
}

/**
 * Called when the frontend opens a comm to a registered target, with the new comm and the
 * `comm_open`'s data, buffers and metadata. If it throws (or its promise rejects) the comm is closed.
 */
export type CommTargetHandler = (
  comm: Comm,
  openData: JsonObject,
  buffers: Uint8Array[],
  metadata: JsonObject,
) => void; // may be async: a rejected promise is reported like a throw

/** The comm operations cells use; the kernel's comm manager implements it. */
export interface CommBackend {
  /** Registers (or replaces) the handler for comms the frontend opens to `name`. */
  registerTarget(name: string, handler: CommTargetHandler): void;
  /** Removes a target; returns whether it was registered. Comms already open stay open. */
  unregisterTarget(name: string): boolean;
  /** Opens a comm to the frontend target `target` (sends `comm_open`). */
  open(target: string, data?: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): Comm;
}

/** The `comms` object cells use. */
export interface Comms {
  /** Registers (or replaces) the handler for comms the frontend opens to `name`. */
  registerTarget(name: string, handler: CommTargetHandler): void;
  /** Removes a target; returns whether it was registered. Comms already open stay open. */
  unregisterTarget(name: string): boolean;
  /** Opens a comm from the kernel to the frontend target `target`. */
  open(target: string, data?: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): Comm;
}

/** Thrown when comms are used outside a running Sluice kernel. */
export class CommsUnavailableError extends Error {
  override readonly name = "CommsUnavailableError";
}

const BACKEND_KEY = Symbol.for("sluice.comms.backend");

type Resolver = () => CommBackend | undefined;

/** Installs the function that finds the kernel's comm backend (called once by the kernel). */
export function setCommBackendResolver(resolver: Resolver | undefined): void {
  (globalThis as Record<symbol, unknown>)[BACKEND_KEY] = resolver;
}

/** The kernel's comm backend, or undefined outside a kernel (plain Node scripts). */
export function currentCommBackend(): CommBackend | undefined {
  const resolver = (globalThis as Record<symbol, unknown>)[BACKEND_KEY] as Resolver | undefined;
  return resolver?.();
}

function backend(operation: string): CommBackend {
  const found = currentCommBackend();
  if (!found) {
    throw new CommsUnavailableError(
      `comms.${operation}() needs a running Sluice kernel: there is no frontend to talk to here (plain Node script?)`,
    );
  }
  return found;
}

/** Jupyter comms from cell code: register targets for the frontend, or open comms to it. */
export const comms: Comms = {
  registerTarget(name, handler) {
    backend("registerTarget").registerTarget(name, handler);
  },
  unregisterTarget(name) {
    return backend("unregisterTarget").unregisterTarget(name);
  },
  open(target, data, metadata, buffers) {
    return backend("open").open(target, data, metadata, buffers);
  },
};
