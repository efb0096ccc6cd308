/**
 * Jupyter messaging protocol 5.3: the decoded message shape shared by every layer.
 * Nothing here knows about TypeScript, ZeroMQ or the kernel's handlers.
 */

/** Protocol version this implementation speaks. */
export const PROTOCOL_VERSION = "5.3";

/** The sockets a kernel serves. Heartbeat is not a message channel and is absent here. */
export type Channel = "shell" | "control" | "stdin" | "iopub";

/** A message header (`header` and, when set, `parent_header`). */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  /** ISO 8601 timestamp. */
  date: string;
  msg_type: string;
  version: string;
  /** Subshell id (protocol 5.5 clients may send it; echoed back in parents). */
  subshell_id?: string | null;
}

/** JSON object content. */
export type JsonObject = { [key: string]: unknown };

/** A decoded Jupyter message. */
export interface JupyterMessage<C extends JsonObject = JsonObject> {
  /** ZeroMQ routing identities that preceded the `<IDS|MSG>` delimiter. Empty for iopub topics we send. */
  identities: Uint8Array[];
  header: MessageHeader;
  /** The header of the request this message answers, or `{}`. */
  parent_header: MessageHeader | Record<string, never>;
  metadata: JsonObject;
  content: C;
  /** Extra binary buffers after the content frame. */
  buffers: Uint8Array[];
}

/** A mime bundle: mime type to data (string for text mimes, JSON for JSON mimes). */
export type MimeBundle = { [mime: string]: unknown };
