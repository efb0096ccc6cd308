/**
 * The kernel side of Jupyter comms: the registry of comm targets and open comms, the routing of the
 * frontend's `comm_open` / `comm_msg` / `comm_close`, and the `comm_info` listing. It knows nothing
 * of sockets: messages leave through the `send` function given at construction, which the kernel
 * binds to iopub with the current request as parent. Cells reach it through the resolver in
 * src/display/comms.ts (see {@link CommManager.install}).
 *
 * Behaviour follows ipykernel: a `comm_open` for an unknown target is answered with a `comm_close`
 * for that id; messages for unknown comm ids are dropped with a log line; a target handler that
 * throws gets its comm closed. Errors thrown by cell callbacks never propagate into the kernel.
 */
import { randomUUID } from "node:crypto";
import type { JsonObject } from "../protocol/message.js";
import {
  setCommBackendResolver,
  type Comm,
  type CommBackend,
  type CommCloseCallback,
  type CommMsgCallback,
  type CommTargetHandler,
} from "../display/comms.js";
import type { CommAccess } from "./request-context.js";

/** The iopub message types a comm manager sends. */
export type CommMessageType = "comm_open" | "comm_msg" | "comm_close";

/** Sends one comm message to the frontend (the kernel publishes it on iopub). */
export type CommSend = (msgType: CommMessageType, content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]) => void;

/** Optional wiring of a {@link CommManager}. */
export interface CommManagerOptions {
  /** The kernel log (never cell output). Default: a `[sluice]` line on process.stderr. */
  log?: (message: string) => void;
  /**
   * Shows an error thrown by a cell's comm callback to the user. Default: writes `context` and the
   * stack to process.stderr, which inside the kernel is the output of the request being handled.
   * The error is also written to `log`.
   */
  reportError?: (error: unknown, context: string) => void;
}

/** What a comm needs from its manager. */
interface CommPort {
  send(comm: ManagedComm, data: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void;
  close(comm: ManagedComm, data: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkData(value: unknown, what: string): JsonObject {
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw new TypeError(`${what} must be a plain JSON object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
  return value;
}

function checkBuffers(value: unknown, what: string): Uint8Array[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array of Uint8Array`);
  value.forEach((buffer, i) => {
    if (!(buffer instanceof Uint8Array)) throw new TypeError(`${what}[${i}] must be a Uint8Array, got ${typeof buffer}`);
  });
  return value as Uint8Array[];
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${what} must be a non-empty string, got ${JSON.stringify(value) ?? typeof value}`);
  return value;
}

/** A comm as the manager keeps it. */
class ManagedComm implements Comm {
  private isClosed = false;
  readonly msgCallbacks = new Set<CommMsgCallback>();
  readonly closeCallbacks = new Set<CommCloseCallback>();

  constructor(
    readonly id: string,
    readonly targetName: string,
    private readonly port: CommPort,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Marks the comm closed; returns false if it already was. */
  markClosed(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    return true;
  }

  send(data?: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): void {
    if (this.isClosed) throw new Error(`comm ${this.id} (target "${this.targetName}") is closed: cannot send`);
    this.port.send(this, checkData(data, "comm data"), checkData(metadata, "comm metadata"), checkBuffers(buffers, "comm buffers"));
  }

  close(data?: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): void {
    if (this.isClosed) return;
    this.port.close(this, checkData(data, "comm close data"), checkData(metadata, "comm close metadata"), checkBuffers(buffers, "comm close buffers"));
  }

  onMsg(callback: CommMsgCallback): () => void {
    if (typeof callback !== "function") throw new TypeError("comm.onMsg needs a function");
    this.msgCallbacks.add(callback);
    return () => void this.msgCallbacks.delete(callback);
  }

  onClose(callback: CommCloseCallback): () => void {
    if (typeof callback !== "function") throw new TypeError("comm.onClose needs a function");
    this.closeCallbacks.add(callback);
    return () => void this.closeCallbacks.delete(callback);
  }
}

/** Comm targets and open comms of one kernel. */
export class CommManager implements CommAccess, CommBackend {
  private readonly targets = new Map<string, CommTargetHandler>();
  private readonly comms = new Map<string, ManagedComm>();
  private readonly log: (message: string) => void;
  private readonly reportError: (error: unknown, context: string) => void;
  private readonly port: CommPort = {
    send: (comm, data, metadata, buffers) => this.send("comm_msg", { comm_id: comm.id, data }, metadata, buffers),
    close: (comm, data, metadata, buffers) => {
      comm.markClosed();
      this.comms.delete(comm.id);
      try {
        this.send("comm_close", { comm_id: comm.id, data }, metadata, buffers);
      } finally {
        this.runCloseCallbacks(comm, data, buffers, metadata);
      }
    },
  };

  /**
   * @param send publishes a comm message to the frontend (bound by the kernel to iopub).
   * @param options kernel log and error reporting.
   */
  constructor(
    private readonly send: CommSend,
    options: CommManagerOptions = {},
  ) {
    if (typeof send !== "function") throw new TypeError("CommManager needs a send function");
    this.log = options.log ?? ((message) => void process.stderr.write(`[sluice] ${message}\n`));
    this.reportError =
      options.reportError ?? ((error, context) => void process.stderr.write(`${context}\n${describe(error)}\n`));
  }

  /** Makes this manager the backend of the cell-facing `comms` object (src/display/comms.ts). */
  install(): void {
    setCommBackendResolver(() => this);
  }

  // ---- cell-facing (CommBackend) ----

  registerTarget(name: string, handler: CommTargetHandler): void {
    checkName(name, "comm target name");
    if (typeof handler !== "function") throw new TypeError(`comm target "${name}" needs a handler function`);
    this.targets.set(name, handler);
  }

  unregisterTarget(name: string): boolean {
    return this.targets.delete(name);
  }

  open(target: string, data?: JsonObject, metadata?: JsonObject, buffers?: Uint8Array[]): Comm {
    checkName(target, "comm target name");
    const openData = checkData(data, "comm open data");
    const openMetadata = checkData(metadata, "comm open metadata");
    const openBuffers = checkBuffers(buffers, "comm open buffers");
    const comm = new ManagedComm(randomUUID().replace(/-/g, ""), target, this.port);
    this.comms.set(comm.id, comm);
    try {
      this.send("comm_open", { comm_id: comm.id, target_name: target, data: openData }, openMetadata, openBuffers);
    } catch (error) {
      comm.markClosed();
      this.comms.delete(comm.id);
      throw error;
    }
    return comm;
  }

  // ---- kernel-facing (CommAccess) ----

  /** A `comm_open` from the frontend: creates the comm and calls its target's handler. */
  handleOpen(content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void {
    const id = content["comm_id"];
    const target = content["target_name"];
    if (typeof id !== "string" || id.length === 0) {
      this.log(`comm_open without a comm_id (got ${JSON.stringify(id) ?? typeof id}): ignored`);
      return;
    }
    if (this.comms.has(id)) {
      this.log(`comm_open for comm ${id}, which is already open: ignored`);
      return;
    }
    const handler = typeof target === "string" ? this.targets.get(target) : undefined;
    if (typeof target !== "string" || !handler) {
      this.log(`comm_open for unknown target ${JSON.stringify(target) ?? typeof target}: closing comm ${id}`);
      this.send("comm_close", { comm_id: id, data: {} }, {}, []);
      return;
    }
    const comm = new ManagedComm(id, target, this.port);
    this.comms.set(id, comm);
    const data = isJsonObject(content["data"]) ? content["data"] : {};
    this.invoke(`comm target "${target}" failed to open comm ${id}`, () => handler(comm, data, buffers, metadata ?? {}), () => comm.close());
  }

  /** A `comm_msg` from the frontend: runs the comm's message callbacks. */
  handleMsg(content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void {
    const comm = this.find(content, "comm_msg");
    if (!comm) return;
    const data = isJsonObject(content["data"]) ? content["data"] : {};
    for (const callback of [...comm.msgCallbacks]) {
      this.invoke(`message handler of comm ${comm.id} (target "${comm.targetName}") failed`, () => callback(data, buffers, metadata ?? {}));
    }
  }

  /** A `comm_close` from the frontend: forgets the comm and runs its close callbacks. */
  handleClose(content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void {
    const comm = this.find(content, "comm_close");
    if (!comm) return;
    comm.markClosed();
    this.comms.delete(comm.id);
    const data = isJsonObject(content["data"]) ? content["data"] : {};
    this.runCloseCallbacks(comm, data, buffers, metadata ?? {});
  }

  /** The open comms for `comm_info_reply`, only those of `targetName` when it is given. */
  info(targetName?: string): { [commId: string]: { target_name: string } } {
    const result: { [commId: string]: { target_name: string } } = {};
    for (const comm of this.comms.values()) {
      if (!targetName || comm.targetName === targetName) result[comm.id] = { target_name: comm.targetName };
    }
    return result;
  }

  private find(content: JsonObject, msgType: string): ManagedComm | undefined {
    const id = content["comm_id"];
    const comm = typeof id === "string" ? this.comms.get(id) : undefined;
    if (!comm) this.log(`${msgType} for unknown comm id ${JSON.stringify(id) ?? typeof id}: ignored`);
    return comm;
  }

  private runCloseCallbacks(comm: ManagedComm, data: JsonObject, buffers: Uint8Array[], metadata: JsonObject): void {
    const callbacks = [...comm.closeCallbacks];
    comm.closeCallbacks.clear();
    comm.msgCallbacks.clear();
    for (const callback of callbacks) {
      this.invoke(`close handler of comm ${comm.id} (target "${comm.targetName}") failed`, () => callback(data, buffers, metadata));
    }
  }

  /** Runs a cell callback; a throw or a rejected promise is reported, then `onFailure` runs. */
  private invoke(context: string, fn: () => unknown, onFailure?: () => void): void {
    const fail = (error: unknown): void => {
      this.report(error, context);
      if (onFailure) {
        try {
          onFailure();
        } catch (cleanupError) {
          this.report(cleanupError, `${context}; cleaning up failed too`);
        }
      }
    };
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      fail(error);
      return;
    }
    if (result instanceof Promise) result.catch(fail);
  }

  private report(error: unknown, context: string): void {
    this.log(`${context}: ${describe(error)}`);
    try {
      this.reportError(error, context);
    } catch (reportFailure) {
      this.log(`could not report the error to the cell: ${describe(reportFailure)}`);
    }
  }
}
