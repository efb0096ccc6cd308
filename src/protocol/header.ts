import { randomUUID } from "node:crypto";
import { PROTOCOL_VERSION, type JsonObject, type JupyterMessage, type MessageHeader } from "./message.js";

/** Who is sending: the kernel's session id and user name, fixed for a kernel's lifetime. */
export interface SenderIdentity {
  session: string;
  username: string;
}

/** Builds a fresh header for `msgType`. */
export function makeHeader(msgType: string, sender: SenderIdentity): MessageHeader {
  return {
    msg_id: randomUUID(),
    session: sender.session,
    username: sender.username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/**
 * Builds a message answering (or caused by) `parent`. Replies on shell/control/stdin route back to the
 * parent's identities; iopub messages carry no routing identities of the requester (the transport adds
 * the topic).
 */
export function makeMessage<C extends JsonObject>(
  msgType: string,
  content: C,
  sender: SenderIdentity,
  parent?: JupyterMessage,
  options: { identities?: Uint8Array[]; metadata?: JsonObject; buffers?: Uint8Array[] } = {},
): JupyterMessage<C> {
  return {
    identities: options.identities ?? [],
    header: makeHeader(msgType, sender),
    parent_header: parent ? parent.header : {},
    metadata: options.metadata ?? {},
    content,
    buffers: options.buffers ?? [],
  };
}
