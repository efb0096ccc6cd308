/**
 * What a request handler is given: the decoded request, ways to answer it, and the kernel state it
 * may use. Handlers never see sockets or framing.
 */
import type { JsonObject, JupyterMessage } from "../protocol/message.js";
import type { Interpreter, CellOutput } from "./interpreter.js";
import type { RequestOutput } from "./request-output.js";

/** Optional capabilities an interpreter may offer beyond the port. */
export interface InterpreterExtras {
  /** Prepares heavy machinery (language service) while the kernel is idle. */
  warmUp?(): void;
  /** Runs `fn` with output attributed to `output` (comm handlers). */
  runWithOutput?<T>(output: CellOutput, label: string, fn: () => T): T;
}

/** History operations handlers need (implemented by HistoryStore). */
export interface HistoryAccess {
  record(line: number, input: string): void;
  tail(n: number, unique?: boolean): [number, number, string][];
  range(session: number, start: number, stop: number): [number, number, string][];
  search(pattern: string, n?: number, unique?: boolean): [number, number, string][];
}

/** Comm routing handlers need (implemented by CommManager). */
export interface CommAccess {
  handleOpen(content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void;
  handleMsg(content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void;
  handleClose(content: JsonObject, metadata: JsonObject, buffers: Uint8Array[]): void;
  info(targetName?: string): { [commId: string]: { target_name: string } };
}

/** Kernel state shared by handlers. */
export interface KernelRuntime {
  readonly interpreter: Interpreter & InterpreterExtras;
  readonly history: HistoryAccess | undefined;
  readonly comms: CommAccess | undefined;
  /** The last execution count used. */
  executionCount: number;
  /** True when the transport turns interrupt_request into SIGINT itself. */
  readonly interruptsViaSignal: boolean;
  /** Output publisher for a request. */
  createOutput(parent: JupyterMessage, executionCount: number, allowStdin: boolean, silent: boolean): RequestOutput;
  /** After an error with stop_on_error: execute requests already queued will be answered "aborted". */
  abortQueuedExecutes(): Promise<void>;
  /** Whether this request was marked aborted (and forgets the mark). */
  takeAborted(message: JupyterMessage): boolean;
  /** Whether an interrupt arrived for this request before it started (and forgets the mark). */
  takeInterrupted(message: JupyterMessage): boolean;
  /** Interrupts the running cell, or the execute the user is waiting for (see KernelCore.interrupt). */
  interrupt(): void;
  /** Stops the kernel after the reply was sent. */
  shutdown(restart: boolean): Promise<void>;
  /** Kernel log (never cell output). */
  log(message: string): void;
}

/** One request being handled. */
export interface RequestContext {
  readonly channel: "shell" | "control";
  readonly message: JupyterMessage;
  readonly kernel: KernelRuntime;
  /** Sends `<type>_reply` (derived from the request type) with this content to the requester. */
  reply(content: JsonObject, metadata?: JsonObject): void;
  /** Publishes on iopub with this request as parent. */
  publish(msgType: string, content: JsonObject): void;
}

/** A handler for one msg_type. */
export type RequestHandler = (context: RequestContext) => Promise<void> | void;
