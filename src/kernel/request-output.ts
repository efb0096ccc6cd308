/**
 * The output of one request: every message it publishes carries that request as its parent, so
 * frontends attribute it to the right cell — also output produced after the request finished
 * (timers, promises). Stream text is coalesced: consecutive writes to the same stream become one
 * message, flushed before any other output, before the reply, on the next turn of the event loop, and
 * — so that a long synchronous loop shows its progress as it goes — once text has waited 50 ms.
 */
import type { Channel, JsonObject, JupyterMessage, MimeBundle } from "../protocol/message.js";
import type { CellOutput } from "./interpreter.js";

/** How a RequestOutput sends: publish on iopub, ask on stdin. */
export interface OutputChannels {
  publish(msgType: string, content: JsonObject, parent: JupyterMessage): void;
  /** The execute_request running now, or the last one (display updates are sent under it). */
  latestExecute(): JupyterMessage | undefined;
  /** Sends an input_request and resolves with the input_reply's value. */
  requestInput(prompt: string, password: boolean, parent: JupyterMessage): Promise<string>;
}

/** A stream write larger than this is sent at once instead of waiting for the next tick. */
const FLUSH_BYTES = 64 * 1024;
/** Buffered text older than this is sent with the next write, even if the event loop is blocked. */
const FLUSH_AFTER_MS = 50;

export class RequestOutput implements CellOutput {
  private pending: { name: "stdout" | "stderr"; text: string; since: number } | undefined;
  private flushScheduled = false;

  constructor(
    private readonly channels: OutputChannels,
    readonly parent: JupyterMessage,
    private readonly executionCount: number,
    private readonly allowStdin: boolean,
    private readonly silent: boolean = false,
  ) {}

  stream(name: "stdout" | "stderr", text: string): void {
    if (this.silent || text.length === 0) return;
    if (this.pending && this.pending.name !== name) this.flush();
    if (this.pending) this.pending.text += text;
    else this.pending = { name, text, since: performance.now() };
    if (this.pending.text.length >= FLUSH_BYTES || performance.now() - this.pending.since >= FLUSH_AFTER_MS) {
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Sends buffered stream text now. */
  flush(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.channels.publish("stream", { name: pending.name, text: pending.text }, this.parent);
  }

  private publish(msgType: string, content: JsonObject): void {
    if (this.silent) return;
    this.flush();
    this.channels.publish(msgType, content, this.parent);
  }

  displayData(data: MimeBundle, metadata: JsonObject = {}, transient: { display_id?: string } = {}): void {
    this.publish("display_data", { data, metadata, transient });
  }

  /**
   * An update targets its display by id wherever that display is, so it is sent under the execute
   * request running now (or the last one), as ipykernel does for updates from background threads:
   * headless clients (nbclient, nbconvert) only read the messages of the cell they are running, and
   * apply an update to the display's own cell from there; JupyterLab updates displays by id across cells.
   */
  updateDisplayData(data: MimeBundle, metadata: JsonObject | undefined, transient: { display_id: string }): void {
    if (this.silent) return;
    this.flush();
    const parent = this.channels.latestExecute() ?? this.parent;
    this.channels.publish("update_display_data", { data, metadata: metadata ?? {}, transient }, parent);
  }

  clearOutput(wait: boolean): void {
    this.publish("clear_output", { wait });
  }

  executeResult(data: MimeBundle, metadata: JsonObject = {}): void {
    this.publish("execute_result", { execution_count: this.executionCount, data, metadata });
  }

  error(ename: string, evalue: string, traceback: string[]): void {
    this.publish("error", { ename, evalue, traceback });
  }

  async input(prompt: string, password: boolean): Promise<string> {
    if (!this.allowStdin) {
      throw new Error("input is not available here: the frontend does not allow stdin for this request (allow_stdin is false)");
    }
    this.flush();
    return this.channels.requestInput(prompt, password, this.parent);
  }
}
