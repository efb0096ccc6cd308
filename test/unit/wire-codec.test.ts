import { describe, expect, it } from "vitest";
import { makeMessage } from "../../src/protocol/header.js";
import type { JupyterMessage } from "../../src/protocol/message.js";
import { createSigner } from "../../src/protocol/signer.js";
import { decode, DELIMITER, encode, encodeForSocket } from "../../src/protocol/wire-codec.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (frame: Uint8Array): string => new TextDecoder().decode(frame);

const signer = createSigner("hmac-sha256", "secret-key");
const unsigned = createSigner("hmac-sha256", "");
const sender = { session: "sess-1", username: "alice" };

// A message serialized by jupyter_client's Session (key "secret-key"), routed through identity "client-1".
const JUPYTER_FRAMES = [
  "client-1",
  "<IDS|MSG>",
  "eb84157594ab6a186bb3a9bd00dda26ab37ce270ae0fa2fa4f5ca531276b7c14",
  '{"msg_id": "m-1", "msg_type": "execute_request", "session": "sess-1", "username": "alice", "date": "2024-01-01T00:00:00.000000Z", "version": "5.3"}',
  "{}",
  "{}",
  '{"code": "1+1", "silent": false}',
].map(bytes);

function sample(): JupyterMessage {
  const parent = makeMessage("execute_request", { code: "1+1" }, sender);
  return makeMessage("execute_reply", { status: "ok", execution_count: 1, text: "héllo ✓" }, sender, parent, {
    identities: [bytes("router-id"), new Uint8Array([0, 1, 2, 255])],
    metadata: { started: "now" },
    buffers: [new Uint8Array([9, 8, 7]), new Uint8Array(0)],
  });
}

/** Frames of a valid signed message with one frame replaced (signature recomputed over the new frames). */
function signedWith(part: "header" | "parent" | "metadata" | "content", replacement: string): Uint8Array[] {
  // Without identities: [delimiter, signature, header, parent_header, metadata, content, ...buffers].
  const frames = encode(sample(), signer, []);
  frames[{ header: 2, parent: 3, metadata: 4, content: 5 }[part]] = bytes(replacement);
  frames[1] = bytes(signer.sign(frames.slice(2, 6)));
  return frames;
}

function reasonOf(frames: Uint8Array[], using = signer): string {
  const result = decode(frames, using);
  if (result.ok) throw new Error("expected decode to fail");
  return result.reason;
}

describe("wire codec", () => {
  it("round-trips a message with identities and buffers", () => {
    const message = sample();
    const frames = encode(message, signer);
    expect(frames.length).toBe(2 + 2 + 4 + 2);
    expect(text(frames[2]!)).toBe(DELIMITER);
    expect(text(frames[3]!)).toBe(signer.sign(frames.slice(4, 8)));

    const result = decode(frames, signer);
    if (!result.ok) throw new Error(result.reason);
    expect(result.signature).toBe(text(frames[3]!));
    expect(result.message.header).toEqual(message.header);
    expect(result.message.parent_header).toEqual(message.parent_header);
    expect(result.message.metadata).toEqual(message.metadata);
    expect(result.message.content).toEqual(message.content);
    expect(result.message.identities.map((frame) => [...frame])).toEqual(message.identities.map((frame) => [...frame]));
    expect(result.message.buffers.map((frame) => [...frame])).toEqual([[9, 8, 7], []]);
  });

  it("hands ZeroMQ the JSON frames as strings, byte-for-byte what encode gives", () => {
    const message = sample();
    const forSocket = encodeForSocket(message, signer);
    expect(forSocket.slice(2, 8).every((frame) => typeof frame === "string")).toBe(true);
    expect(forSocket[0]).toBe(message.identities[0]);
    expect(forSocket[8]).toBe(message.buffers[0]);
    const asBytes = forSocket.map((frame) => (typeof frame === "string" ? bytes(frame) : frame));
    const decoded = decode(asBytes, signer);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message.content).toEqual(message.content);
  });

  it("uses explicit identities (an iopub topic) instead of the message's", () => {
    const frames = encode(sample(), signer, [bytes("kernel.sess-1.execute_reply")]);
    expect(text(frames[0]!)).toBe("kernel.sess-1.execute_reply");
    expect(text(frames[1]!)).toBe(DELIMITER);
  });

  it("decodes what jupyter_client sends", () => {
    const result = decode(JUPYTER_FRAMES, signer);
    if (!result.ok) throw new Error(result.reason);
    expect(result.message.header.msg_type).toBe("execute_request");
    expect(result.message.content).toEqual({ code: "1+1", silent: false });
    expect(result.message.parent_header).toEqual({});
    expect(result.message.identities.map(text)).toEqual(["client-1"]);
    expect(result.message.buffers).toEqual([]);
  });

  it("signs with an empty signature and accepts unsigned messages when there is no key", () => {
    const frames = encode(sample(), unsigned);
    expect(frames[3]!.byteLength).toBe(0);
    expect(decode(frames, unsigned).ok).toBe(true);
    expect(decode(JUPYTER_FRAMES, unsigned).ok).toBe(true);
  });

  it("refuses a message that is not JSON-serializable when encoding", () => {
    const message = sample();
    message.content = { big: 1n };
    expect(() => encode(message, signer)).toThrow(TypeError);
    const undefinedContent = sample();
    (undefinedContent as { content: unknown }).content = undefined;
    expect(() => encode(undefinedContent, signer)).toThrow(/content is not JSON-serializable/);
  });

  it("reports garbage shapes without throwing", () => {
    expect(reasonOf([])).toMatch(/no <IDS\|MSG> delimiter/);
    expect(reasonOf([bytes("a"), bytes("b")])).toMatch(/no <IDS\|MSG> delimiter/);
    expect(reasonOf(JUPYTER_FRAMES.slice(0, 6))).toMatch(/too few frames after <IDS\|MSG>: 4, need 5/);
    expect(reasonOf([bytes(DELIMITER)])).toMatch(/too few frames/);
  });

  it("refuses missing, wrong and unverifiable signatures when a key is set", () => {
    const missing = [...JUPYTER_FRAMES];
    missing[2] = new Uint8Array(0);
    expect(reasonOf(missing)).toBe("missing signature");
    expect(reasonOf(JUPYTER_FRAMES, createSigner("hmac-sha256", "wrong-key"))).toBe("bad signature");
    const tampered = [...JUPYTER_FRAMES];
    tampered[6] = bytes('{"code": "evil()", "silent": false}');
    expect(reasonOf(tampered)).toBe("bad signature");
  });

  it("checks the signature before parsing JSON", () => {
    const frames = encode(sample(), signer, []);
    frames[2] = bytes("{not json");
    // Unverifiable bad JSON reports the signature, not the JSON.
    expect(reasonOf(frames)).toBe("bad signature");
  });

  it("refuses bad JSON, non-objects and headers without msg_id/msg_type", () => {
    expect(reasonOf(signedWith("header", "{not json"))).toBe("header is not valid JSON");
    expect(reasonOf(signedWith("header", "[1,2]"))).toBe("header is not a JSON object");
    expect(reasonOf(signedWith("header", "null"))).toBe("header is not a JSON object");
    expect(reasonOf(signedWith("header", '{"msg_type":"x"}'))).toBe("header has no msg_id string");
    expect(reasonOf(signedWith("header", '{"msg_id":"1"}'))).toBe("header has no msg_type string");
    expect(reasonOf(signedWith("header", '{"msg_id":1,"msg_type":"x"}'))).toBe("header has no msg_id string");
    expect(reasonOf(signedWith("parent", '"parent"'))).toBe("parent_header is not a JSON object");
    expect(reasonOf(signedWith("metadata", "42"))).toBe("metadata is not a JSON object");
    expect(reasonOf(signedWith("content", ""))).toBe("content is not valid JSON");
    const invalidUtf8 = encode(sample(), signer, []);
    invalidUtf8[5] = new Uint8Array([0x7b, 0xff, 0x7d]);
    invalidUtf8[1] = bytes(signer.sign(invalidUtf8.slice(2, 6)));
    expect(reasonOf(invalidUtf8)).toBe("content is not valid UTF-8");
  });

  it("never throws on random frames", () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = [bytes(DELIMITER), bytes("{}"), bytes("{"), bytes('{"msg_id":"a","msg_type":"b"}'), new Uint8Array(0)];
    for (let i = 0; i < 2000; i++) {
      const frames: Uint8Array[] = [];
      const count = random(10);
      for (let j = 0; j < count; j++) {
        frames.push(random(3) === 0 ? pieces[random(pieces.length)]! : Uint8Array.from({ length: random(40) }, () => random(256)));
      }
      for (const using of [signer, unsigned]) {
        const result = decode(frames, using);
        if (!result.ok) expect(result.reason).toMatch(/\S/);
      }
    }
  });
});
