/**
 * HBase RPC framing (0.96+ protocol, the same on 1.x and 2.x):
 *
 * - once, client → server: the preamble `"HBas" | version 0 | auth 0x50 (SIMPLE)`, then
 *   `int32 BE length | ConnectionHeader` (the header is not varint-delimited);
 * - request: `int32 BE total | varint len | RequestHeader | varint len | param [| cell block]`;
 * - response: `int32 BE total | varint len | ResponseHeader | varint len | body [| cell block]`, the body
 *   left out when the header carries an ExceptionResponse.
 *
 * `FrameDecoder` cuts a TCP byte stream into those frames incrementally (frames split across chunks,
 * several frames in one chunk) and rejects what is not HBase RPC with `HBaseFramingError`.
 */
import { HBaseFramingError } from "./errors.js";
import { type ConnectionHeader, type ExceptionResponse, pb, ProtobufCodecError, type RequestHeader, type ResponseHeader } from "./hbase-protos.js";

/** "HBas". */
export const RPC_MAGIC = Uint8Array.of(0x48, 0x42, 0x61, 0x73);
/** The only RPC version there is (0.96 and later). */
export const RPC_VERSION = 0;
/** Authentication codes of the preamble's last byte. */
export const AuthCode = { SIMPLE: 0x50, KERBEROS: 0x51, DIGEST: 0x52 } as const;
/** HBase's default `hbase.ipc.max.request.size` (256 MiB): the default largest frame accepted. */
export const DEFAULT_MAX_FRAME_SIZE = 256 * 1024 * 1024;
/** The call id of a response to no call: HBase answers fatal connection errors with call id -1. */
export const CONNECTION_CALL_ID = 0xffffffff;

/** The 6-byte connection preamble. */
export function encodePreamble(authCode: number = AuthCode.SIMPLE): Uint8Array {
  return Uint8Array.of(...RPC_MAGIC, RPC_VERSION, authCode);
}

// ---------------------------------------------------------------------------------------------------
// Varints and int32

/** Bytes a varint32 of `n` takes. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

/** Reads a varint32 length at `pos`: [value, next position]; throws on a truncated or overlong varint. */
export function readVarint32(bytes: Uint8Array, pos: number, what: string): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= bytes.length) throw new HBaseFramingError(`truncated varint length of the ${what}`);
    const b = bytes[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) {
      if (value > 0x7fffffff) throw new HBaseFramingError(`varint length of the ${what} too large: ${value}`);
      return [value, pos];
    }
    shift += 7;
  }
  throw new HBaseFramingError(`malformed varint length of the ${what}`);
}

function writeInt32(out: Uint8Array, pos: number, n: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setInt32(pos, n, false);
}

/** Concatenates length-delimited parts behind an int32 total: `int32 | varint|a | varint|b | rest`. */
function frame(delimited: Uint8Array[], rest?: Uint8Array): Uint8Array {
  let total = rest?.length ?? 0;
  for (const part of delimited) total += varintSize(part.length) + part.length;
  const out = new Uint8Array(4 + total);
  writeInt32(out, 0, total);
  let pos = 4;
  for (const part of delimited) {
    pos = writeVarint(out, pos, part.length);
    out.set(part, pos);
    pos += part.length;
  }
  if (rest) out.set(rest, pos);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Connection header

/** `int32 length | ConnectionHeader`, sent once after the preamble. */
export function encodeConnectionHeader(header: ConnectionHeader): Uint8Array {
  const body = pb.ConnectionHeader.encode(header);
  const out = new Uint8Array(4 + body.length);
  writeInt32(out, 0, body.length);
  out.set(body, 4);
  return out;
}

/** Decodes the connection header frame's payload (what `FrameDecoder` gives after the preamble). */
export function decodeConnectionHeader(payload: Uint8Array): ConnectionHeader {
  try {
    return pb.ConnectionHeader.decode(payload);
  } catch (e) {
    throw new HBaseFramingError(`bad connection header: ${describe(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Requests and responses

export interface RequestFrame {
  header: RequestHeader;
  /** The request message's bytes (when `header.request_param`). */
  param?: Uint8Array;
  /** Bytes after the param, when `header.cell_block_meta` says a cell block follows. */
  cellBlock?: Uint8Array;
}

export interface ResponseFrame {
  header: ResponseHeader;
  /** The response message's bytes (absent on an exception). */
  body?: Uint8Array;
  cellBlock?: Uint8Array;
}

/** A whole request, int32 total included. `header.request_param` is set from `param`. */
export function encodeRequest(header: RequestHeader, param?: Uint8Array): Uint8Array {
  const h = pb.RequestHeader.encode({ ...header, request_param: param !== undefined });
  return frame(param === undefined ? [h] : [h, param]);
}

/**
 * The bytes of a response with a body that come before the body (int32 total, the header, the body's
 * varint length): followed by the body's `bodyLength` bytes, the same bytes as {@link encodeResponse}
 * without copying the body.
 */
export function encodeResponseHead(callId: number, bodyLength: number): Uint8Array {
  const h = pb.ResponseHeader.encode({ call_id: callId });
  const total = varintSize(h.length) + h.length + varintSize(bodyLength) + bodyLength;
  const out = new Uint8Array(4 + varintSize(h.length) + h.length + varintSize(bodyLength));
  writeInt32(out, 0, total);
  let pos = writeVarint(out, 4, h.length);
  out.set(h, pos);
  pos += h.length;
  writeVarint(out, pos, bodyLength);
  return out;
}

/** A whole response, int32 total included: with a body, or with an exception and no body. */
export function encodeResponse(callId: number, result: { body: Uint8Array } | { exception: ExceptionResponse }): Uint8Array {
  if ("exception" in result) return frame([pb.ResponseHeader.encode({ call_id: callId, exception: result.exception })]);
  return frame([pb.ResponseHeader.encode({ call_id: callId }), result.body]);
}

/** Parses a request frame's payload (without its int32 total). Throws `HBaseFramingError` on garbage. */
export function parseRequest(payload: Uint8Array): RequestFrame {
  const [hlen, hpos] = readVarint32(payload, 0, "request header");
  if (hpos + hlen > payload.length) throw new HBaseFramingError(`request header of ${hlen} bytes overruns its frame of ${payload.length}`);
  let header: RequestHeader;
  try {
    header = pb.RequestHeader.decode(payload.subarray(hpos, hpos + hlen));
  } catch (e) {
    throw new HBaseFramingError(`bad request header: ${describe(e)}`);
  }
  if (header.call_id === undefined) throw new HBaseFramingError("request header without a call id");
  let pos = hpos + hlen;
  const out: RequestFrame = { header };
  if (header.request_param) {
    const [plen, ppos] = readVarint32(payload, pos, "request param");
    if (ppos + plen > payload.length) throw new HBaseFramingError(`request param of ${plen} bytes overruns its frame`);
    out.param = payload.subarray(ppos, ppos + plen);
    pos = ppos + plen;
  }
  rest(out, header.cell_block_meta?.length, payload, pos, "request");
  return out;
}

/** Parses a response frame's payload (without its int32 total). Throws `HBaseFramingError` on garbage. */
export function parseResponse(payload: Uint8Array): ResponseFrame {
  const [hlen, hpos] = readVarint32(payload, 0, "response header");
  if (hpos + hlen > payload.length) throw new HBaseFramingError(`response header of ${hlen} bytes overruns its frame of ${payload.length}`);
  let header: ResponseHeader;
  try {
    header = pb.ResponseHeader.decode(payload.subarray(hpos, hpos + hlen));
  } catch (e) {
    throw new HBaseFramingError(`bad response header: ${describe(e)}`);
  }
  if (header.call_id === undefined) throw new HBaseFramingError("response header without a call id");
  let pos = hpos + hlen;
  const out: ResponseFrame = { header };
  if (!header.exception && pos < payload.length) {
    const [blen, bpos] = readVarint32(payload, pos, "response body");
    if (bpos + blen > payload.length) throw new HBaseFramingError(`response body of ${blen} bytes overruns its frame`);
    out.body = payload.subarray(bpos, bpos + blen);
    pos = bpos + blen;
  }
  rest(out, header.cell_block_meta?.length, payload, pos, "response");
  return out;
}

function rest(out: { cellBlock?: Uint8Array }, cellBlockLength: number | undefined, payload: Uint8Array, pos: number, what: string): void {
  const left = payload.length - pos;
  if (cellBlockLength !== undefined) {
    if (left !== cellBlockLength) throw new HBaseFramingError(`${what} cell block is ${left} bytes, header says ${cellBlockLength}`);
    out.cellBlock = payload.subarray(pos);
  } else if (left !== 0) {
    throw new HBaseFramingError(`${left} unexpected bytes at the end of a ${what}`);
  }
}

function describe(e: unknown): string {
  if (e instanceof ProtobufCodecError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------------
// Incremental decoding of a byte stream

export interface FrameDecoderOptions {
  /** Largest frame payload accepted (default 256 MiB, HBase's `hbase.ipc.max.request.size`). */
  maxFrameSize?: number;
  /** The stream starts with the 6-byte preamble (a server reading a client). Default false. */
  expectPreamble?: boolean;
  /** Auth codes accepted in the preamble (default: SIMPLE only). */
  acceptedAuthCodes?: readonly number[];
}

export type DecodedUnit =
  | { kind: "preamble"; version: number; authCode: number }
  /** One int32-length-prefixed frame's payload (the connection header, a request or a response). */
  | { kind: "frame"; payload: Uint8Array };

/**
 * Cuts a byte stream into the preamble and int32-length-prefixed frames. `push` returns every unit
 * completed by the chunk; it throws `HBaseFramingError` on a wrong preamble (as soon as a wrong byte
 * arrives), a negative or oversized length, after which the decoder stays failed (close the connection).
 */
export class FrameDecoder {
  private readonly maxFrameSize: number;
  private readonly acceptedAuthCodes: readonly number[];
  private needPreamble: boolean;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private frameLength: number | undefined;
  private failure: HBaseFramingError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.needPreamble = options.expectPreamble ?? false;
    this.acceptedAuthCodes = options.acceptedAuthCodes ?? [AuthCode.SIMPLE];
  }

  /** Bytes received and not yet part of a complete unit. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): DecodedUnit[] {
    if (this.failure) throw this.failure;
    try {
      return this.decode(chunk);
    } catch (e) {
      this.failure = e instanceof HBaseFramingError ? e : new HBaseFramingError(String(e));
      this.chunks = [];
      this.buffered = 0;
      throw this.failure;
    }
  }

  private decode(chunk: Uint8Array): DecodedUnit[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: DecodedUnit[] = [];
    for (;;) {
      if (this.needPreamble) {
        this.checkMagicPrefix();
        if (this.buffered < 6) return out;
        const p = this.take(6);
        if (p[4] !== RPC_VERSION) throw new HBaseFramingError(`unsupported RPC version ${p[4]} in the preamble`);
        if (!this.acceptedAuthCodes.includes(p[5]!)) throw new HBaseFramingError(`unsupported authentication code 0x${p[5]!.toString(16)} in the preamble`);
        this.needPreamble = false;
        out.push({ kind: "preamble", version: p[4]!, authCode: p[5]! });
        continue;
      }
      if (this.frameLength === undefined) {
        if (this.buffered < 4) return out;
        const b = this.take(4);
        const length = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, false);
        if (length < 0) throw new HBaseFramingError(`negative frame length ${length}`);
        if (length > this.maxFrameSize) throw new HBaseFramingError(`frame of ${length} bytes exceeds the maximum of ${this.maxFrameSize}`);
        this.frameLength = length;
      }
      if (this.buffered < this.frameLength) return out;
      const payload = this.take(this.frameLength);
      this.frameLength = undefined;
      out.push({ kind: "frame", payload });
    }
  }

  /** Fails on the first byte that differs from "HBas", before the whole preamble is in. */
  private checkMagicPrefix(): void {
    let i = 0;
    for (const c of this.chunks) {
      for (let j = 0; j < c.length && i < RPC_MAGIC.length; j++, i++) {
        if (c[j] !== RPC_MAGIC[i]) throw new HBaseFramingError("wrong preamble: not an HBase RPC client (expected \"HBas\")");
      }
      if (i >= RPC_MAGIC.length) return;
    }
  }

  /** Removes and returns the next n buffered bytes (n ≤ buffered). */
  private take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let pos = 0;
    while (pos < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - pos);
      out.set(c.subarray(0, k), pos);
      pos += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }
}
