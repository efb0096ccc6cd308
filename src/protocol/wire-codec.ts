/**
 * The Jupyter wire format: a message as ZeroMQ frames
 * `[...identities, "<IDS|MSG>", signature, header, parent_header, metadata, content, ...buffers]`.
 */
import type { JsonObject, JupyterMessage, MessageHeader } from "./message.js";
import type { Signer } from "./signer.js";

/** The frame separating routing identities from the message. */
export const DELIMITER = "<IDS|MSG>";

const DELIMITER_BYTES = Buffer.from(DELIMITER, "latin1");

/** Frames after the delimiter that every message has: signature + the four JSON frames. */
const FIXED_FRAMES = 5;

/** The result of {@link decode}: the message, or why the frames are not one. */
export type DecodeResult =
  | {
      ok: true;
      message: JupyterMessage;
      /** The signature as received (latin-1 decoded); `""` when unsigned. */
      signature: string;
    }
  | { ok: false; reason: string };

/** A frame as handed to ZeroMQ: bytes, or a string that ZeroMQ sends as UTF-8. */
export type WireFrame = Uint8Array | string;

/**
 * Frames for `message` as handed to a ZeroMQ socket: the delimiter, signature and four JSON frames are
 * strings (ZeroMQ sends them as UTF-8, in memory it owns), identities and buffers are the message's
 * bytes. `identities` replaces the message's own (e.g. an iopub topic).
 *
 * @throws {TypeError} when a part cannot be serialized to JSON (e.g. a BigInt or a cycle).
 */
export function encodeForSocket(
  message: JupyterMessage,
  signer: Signer,
  identities: readonly Uint8Array[] = message.identities,
): WireFrame[] {
  const header = jsonText(message.header, "header");
  const parent = jsonText(message.parent_header, "parent_header");
  const metadata = jsonText(message.metadata, "metadata");
  const content = jsonText(message.content, "content");
  const frames: WireFrame[] = [];
  for (const identity of identities) frames.push(identity);
  frames.push(DELIMITER, signer.sign([header, parent, metadata, content]), header, parent, metadata, content);
  for (const buffer of message.buffers) frames.push(buffer);
  return frames;
}

/**
 * Frames for `message` as bytes: its identities (or `identities` when given), the delimiter, the
 * signature and the four JSON frames, then the binary buffers.
 *
 * @throws {TypeError} when a part cannot be serialized to JSON (e.g. a BigInt or a cycle).
 */
export function encode(
  message: JupyterMessage,
  signer: Signer,
  identities: readonly Uint8Array[] = message.identities,
): Uint8Array[] {
  return encodeForSocket(message, signer, identities).map((frame) =>
    typeof frame === "string" ? Buffer.from(frame, "utf8") : frame,
  );
}

function jsonText(value: unknown, part: string): string {
  const text = JSON.stringify(value);
  if (typeof text !== "string") throw new TypeError(`encode: message ${part} is not JSON-serializable`);
  return text;
}

function isDelimiter(frame: Uint8Array): boolean {
  return frame.byteLength === DELIMITER_BYTES.length && DELIMITER_BYTES.equals(frame);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a JSON frame that must hold an object; returns a reason string on failure. */
function parseObject(frame: Uint8Array, part: string): JsonObject | string {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(frame));
  } catch (error) {
    return error instanceof SyntaxError ? `${part} is not valid JSON` : `${part} is not valid UTF-8`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `${part} is not a JSON object`;
  }
  return value as JsonObject;
}

/**
 * Decodes and verifies frames received from a socket. Never throws: malformed frames, a missing or
 * wrong signature (when the signer has a key) or an invalid header give `{ ok: false, reason }`.
 * JSON is parsed only after the signature checks out.
 */
export function decode(frames: readonly Uint8Array[], signer: Signer): DecodeResult {
  let delimiter = -1;
  for (let i = 0; i < frames.length; i++) {
    if (isDelimiter(frames[i]!)) {
      delimiter = i;
      break;
    }
  }
  if (delimiter < 0) return { ok: false, reason: `no ${DELIMITER} delimiter frame` };
  if (frames.length - delimiter - 1 < FIXED_FRAMES) {
    return {
      ok: false,
      reason: `too few frames after ${DELIMITER}: ${frames.length - delimiter - 1}, need ${FIXED_FRAMES}`,
    };
  }
  const signatureFrame = frames[delimiter + 1]!;
  const signed = [frames[delimiter + 2]!, frames[delimiter + 3]!, frames[delimiter + 4]!, frames[delimiter + 5]!];
  if (signer.enabled) {
    if (signatureFrame.byteLength === 0) return { ok: false, reason: "missing signature" };
    if (!signer.verify(signatureFrame, signed)) return { ok: false, reason: "bad signature" };
  }

  const header = parseObject(signed[0], "header");
  if (typeof header === "string") return { ok: false, reason: header };
  if (typeof header.msg_id !== "string" || header.msg_id === "") {
    return { ok: false, reason: "header has no msg_id string" };
  }
  if (typeof header.msg_type !== "string" || header.msg_type === "") {
    return { ok: false, reason: "header has no msg_type string" };
  }
  const parent = parseObject(signed[1], "parent_header");
  if (typeof parent === "string") return { ok: false, reason: parent };
  const metadata = parseObject(signed[2], "metadata");
  if (typeof metadata === "string") return { ok: false, reason: metadata };
  const content = parseObject(signed[3], "content");
  if (typeof content === "string") return { ok: false, reason: content };

  return {
    ok: true,
    signature: Buffer.from(signatureFrame.buffer, signatureFrame.byteOffset, signatureFrame.byteLength).toString("latin1"),
    message: {
      identities: frames.slice(0, delimiter),
      header: header as unknown as MessageHeader,
      parent_header: parent as MessageHeader | Record<string, never>,
      metadata,
      content,
      buffers: frames.slice(delimiter + FIXED_FRAMES + 1),
    },
  };
}
