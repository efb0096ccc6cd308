/**
 * The messages the ZeroMQ transport's main-thread side and its worker thread exchange
 * (over `postMessage`, so everything here survives structured clone).
 */
import type { Channel, JupyterMessage } from "../protocol/message.js";
import type { ConnectionInfo } from "../protocol/connection-file.js";

/** A channel that receives requests (every message channel except iopub). */
export type RequestChannel = Exclude<Channel, "iopub">;

/** What the worker is started with (`workerData`). */
export interface WorkerConfig {
  connection: ConnectionInfo;
  /** When true the worker also posts a `dropped` message for each refused incoming message. */
  reportDrops: boolean;
  /**
   * Shared interrupt flag (an Int32Array over a SharedArrayBuffer): the worker stores 1 at index 0 when
   * a valid interrupt_request arrives, before raising SIGINT.
   */
  interruptFlag?: Int32Array;
}

/** Main thread → worker. */
export type ToWorker =
  /** Sign, frame and send `message` on `channel`. */
  | { kind: "send"; channel: Channel; message: JupyterMessage }
  /** Flush pending sends, close every socket and end the worker. */
  | { kind: "close" };

/** Worker → main thread. */
export type FromWorker =
  /** All five sockets are bound and receiving. */
  | { kind: "ready" }
  /** Binding failed; the worker has closed its sockets and is ending. */
  | { kind: "bind-error"; error: string }
  /** A verified, decoded message (interrupt_request on control has already raised SIGINT). */
  | { kind: "message"; channel: RequestChannel; message: JupyterMessage }
  /** A refused incoming message (only with `reportDrops`). */
  | { kind: "dropped"; channel: RequestChannel; reason: string }
  /** Sockets are closed; the worker is about to end. */
  | { kind: "closed" };
