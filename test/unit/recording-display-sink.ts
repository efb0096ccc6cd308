/** A real DisplaySink that records what it is asked to send (shared by the display, chart and job-status tests). */
import type { DisplaySink } from "../../src/display/display-sink.js";
import type { JsonObject, MimeBundle } from "../../src/protocol/message.js";

/** One output message a sink was asked to send. */
export type DisplayCall =
  | { kind: "display"; data: MimeBundle; metadata: JsonObject | undefined; id: string | undefined }
  | { kind: "update"; data: MimeBundle; metadata: JsonObject | undefined; id: string }
  | { kind: "clear"; wait: boolean };

/** Records display_data / update_display_data / clear_output calls. */
export class RecordingDisplaySink implements DisplaySink {
  readonly calls: DisplayCall[] = [];
  displayData(data: MimeBundle, metadata?: JsonObject, transient?: { display_id?: string }): void {
    this.calls.push({ kind: "display", data, metadata, id: transient?.display_id });
  }
  updateDisplayData(data: MimeBundle, metadata: JsonObject | undefined, transient: { display_id: string }): void {
    this.calls.push({ kind: "update", data, metadata, id: transient.display_id });
  }
  clearOutput(wait: boolean): void {
    this.calls.push({ kind: "clear", wait });
  }
  /** The last call; throws when nothing was sent. */
  last(): DisplayCall {
    const call = this.calls.at(-1);
    if (!call) throw new Error("nothing was sent");
    return call;
  }
}
