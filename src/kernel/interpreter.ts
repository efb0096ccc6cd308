/**
 * The port between the kernel (protocol work: counts, replies, busy/idle, queues) and a language
 * implementation (the TypeScript evaluator). Hooks take decoded values and publish output through the
 * {@link CellOutput} they are given; none of them sees sockets or raw messages.
 */
import type { JsonObject, MimeBundle } from "../protocol/message.js";

/** Output of one request, addressed to that request's parent header by the kernel. */
export interface CellOutput {
  /** A `stream` message (stdout/stderr text). */
  stream(name: "stdout" | "stderr", text: string): void;
  /** A `display_data` message; `transient.display_id` makes it updatable. */
  displayData(data: MimeBundle, metadata?: JsonObject, transient?: { display_id?: string }): void;
  /** An `update_display_data` message for an existing display id. */
  updateDisplayData(data: MimeBundle, metadata: JsonObject | undefined, transient: { display_id: string }): void;
  /** A `clear_output` message. */
  clearOutput(wait: boolean): void;
  /** An `execute_result` carrying the cell's execution count. */
  executeResult(data: MimeBundle, metadata?: JsonObject): void;
  /** An `error` message (the reply's error content is returned from execute separately). */
  error(ename: string, evalue: string, traceback: string[]): void;
  /** Asks the frontend for a line of input over stdin. Rejects when stdin is not allowed. */
  input(prompt: string, password: boolean): Promise<string>;
}

/** What an execute_request asks for, decoded. */
export interface ExecuteRequest {
  code: string;
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
  stopOnError: boolean;
  userExpressions: Record<string, string>;
  /** The execution count this request will be known by (already incremented when storeHistory). */
  executionCount: number;
}

/** A payload entry in execute_reply (e.g. the pager). */
export type ExecutePayload = { source: "page"; data: MimeBundle; start: number } | JsonObject;

/** An error outcome of a request. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type ExecuteOutcome =
  | { status: "ok"; payload?: ExecutePayload[]; userExpressions?: JsonObject }
  | ({ status: "error" } & ErrorContent);

export interface CompleteResult {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  metadata: JsonObject;
}

export interface InspectResult {
  found: boolean;
  data: MimeBundle;
  metadata: JsonObject;
}

export type IsCompleteResult =
  | { status: "complete" }
  | { status: "incomplete"; indent: string }
  | { status: "invalid" }
  | { status: "unknown" };

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  codemirror_mode: string | JsonObject;
  pygments_lexer?: string;
  nbconvert_exporter?: string;
}

export interface KernelInfo {
  implementation: string;
  implementation_version: string;
  language_info: LanguageInfo;
  banner: string;
  help_links: { text: string; url: string }[];
}

/** A language implementation the kernel dispatches to. */
export interface Interpreter {
  kernelInfo(): KernelInfo;
  /** Runs a cell. Output goes to `output`; the outcome becomes the execute_reply. */
  execute(request: ExecuteRequest, output: CellOutput): Promise<ExecuteOutcome>;
  complete(code: string, cursorPos: number): Promise<CompleteResult>;
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult>;
  isComplete(code: string): Promise<IsCompleteResult>;
  /** Stops the running cell (pending await or, via SIGINT, synchronous code). Idempotent. */
  interrupt(): void;
  /** Releases resources: timers, language service, open handles. */
  shutdown(restart: boolean): Promise<void>;
}
