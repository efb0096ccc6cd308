/**
 * HBase RPC framing: preamble, connection header, requests and responses, and the incremental frame
 * decoder on a byte stream cut anywhere (property-based), with its limits and rejections.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HBaseFramingError } from "../../src/hbase/wire/errors.js";
import { pb } from "../../src/hbase/wire/hbase-protos.js";
import {
  decodeConnectionHeader,
  type DecodedUnit,
  encodeConnectionHeader,
  encodePreamble,
  encodeRequest,
  encodeResponse,
  FrameDecoder,
  parseRequest,
  parseResponse,
  readVarint32,
  varintSize,
} from "../../src/hbase/wire/rpc-framing.js";

const b = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const int32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, n, false);
  return out;
};

function frames(units: DecodedUnit[]): Uint8Array[] {
  return units.flatMap((u) => (u.kind === "frame" ? [u.payload] : []));
}

describe("hbase rpc framing", () => {
  it("writes the preamble HBas 0x00 0x50", () => {
    expect([...encodePreamble()]).toEqual([0x48, 0x42, 0x61, 0x73, 0x00, 0x50]);
  });

  it("writes the connection header as int32 length + undelimited protobuf", () => {
    const bytes = encodeConnectionHeader({ user_info: { effective_user: "me" }, service_name: "MasterService" });
    const len = new DataView(bytes.buffer).getInt32(0, false);
    expect(len).toBe(bytes.length - 4);
    expect(decodeConnectionHeader(bytes.subarray(4))).toEqual({ user_info: { effective_user: "me" }, service_name: "MasterService" });
    expect(() => decodeConnectionHeader(Uint8Array.of(0x0a, 0x02, 0x12, 0x00))).toThrow(HBaseFramingError); // user_info without effective_user
  });

  it("frames a request as int32 total | varint header | varint param", () => {
    const param = pb.GetRequest.encode({ region: { type: 1, value: b("r") }, get: { row: b("x") } });
    const bytes = encodeRequest({ call_id: 3, method_name: "Get" }, param);
    const total = new DataView(bytes.buffer).getInt32(0, false);
    expect(total).toBe(bytes.length - 4);
    const [hlen, hpos] = readVarint32(bytes, 4, "h");
    expect(pb.RequestHeader.decode(bytes.subarray(hpos, hpos + hlen))).toEqual({ call_id: 3, method_name: "Get", request_param: true });
    const parsed = parseRequest(bytes.subarray(4));
    expect(parsed.header.call_id).toBe(3);
    expect(parsed.param).toEqual(param);
    expect(parsed.cellBlock).toBeUndefined();
  });

  it("frames responses with a body, or with an exception and no body", () => {
    const ok = parseResponse(encodeResponse(9, { body: b("hello") }).subarray(4));
    expect(ok.header).toEqual({ call_id: 9 });
    expect(ok.body).toEqual(b("hello"));
    const bad = parseResponse(encodeResponse(10, { exception: { exception_class_name: "java.io.IOException", do_not_retry: true } }).subarray(4));
    expect(bad.header.exception).toEqual({ exception_class_name: "java.io.IOException", do_not_retry: true });
    expect(bad.body).toBeUndefined();
    // an empty response message still travels as a zero-length delimited body
    expect(parseResponse(encodeResponse(11, { body: new Uint8Array() }).subarray(4)).body).toEqual(new Uint8Array());
  });

  it("carries a cell block after the param when the header says so, and refuses stray bytes", () => {
    const h = pb.RequestHeader.encode({ call_id: 1, method_name: "Multi", request_param: true, cell_block_meta: { length: 3 } });
    const payload = concat(Uint8Array.of(h.length), h, Uint8Array.of(1), Uint8Array.of(7), Uint8Array.of(1, 2, 3));
    expect(parseRequest(payload).cellBlock).toEqual(Uint8Array.of(1, 2, 3));
    expect(() => parseRequest(concat(payload, Uint8Array.of(4)))).toThrow(/cell block is 4 bytes/);
    const plain = encodeRequest({ call_id: 1, method_name: "Get" }, b("p")).subarray(4);
    expect(() => parseRequest(concat(plain, Uint8Array.of(0)))).toThrow(/unexpected bytes/);
  });

  it("refuses garbage headers and lengths that overrun the frame", () => {
    expect(() => parseRequest(new Uint8Array())).toThrow(HBaseFramingError);
    expect(() => parseRequest(Uint8Array.of(0x7f, 1, 2))).toThrow(/overruns/);
    expect(() => parseRequest(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01))).toThrow(/varint/);
    expect(() => parseRequest(Uint8Array.of(0x02, 0xff, 0xff))).toThrow(/bad request header/);
    expect(() => parseRequest(Uint8Array.of(0x00))).toThrow(/without a call id/);
    const h = pb.RequestHeader.encode({ call_id: 1, request_param: true });
    expect(() => parseRequest(concat(Uint8Array.of(h.length), h, Uint8Array.of(9, 1)))).toThrow(/param of 9 bytes overruns/);
    expect(() => parseResponse(Uint8Array.of(0x00))).toThrow(/without a call id/);
  });

  it("computes varint sizes like protobuf", () => {
    for (const n of [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 31 - 1]) {
      const size = varintSize(n);
      expect(size).toBe(n < 128 ? 1 : n < 16384 ? 2 : n < 2 ** 21 ? 3 : n < 2 ** 28 ? 4 : 5);
    }
  });

  describe("FrameDecoder", () => {
    const stream = (calls: Array<[number, Uint8Array]>) =>
      concat(encodePreamble(), encodeConnectionHeader({ user_info: { effective_user: "u" }, service_name: "ClientService" }), ...calls.map(([id, p]) => encodeRequest({ call_id: id, method_name: "Get" }, p)));

    it("decodes the same units however the stream is split (property)", () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat({ max: 0x7fffffff }), fc.uint8Array({ maxLength: 300 })), { maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          (calls, cutSeeds) => {
            const bytes = stream(calls);
            const cuts = [...new Set(cutSeeds.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
            const decoder = new FrameDecoder({ expectPreamble: true });
            const units: DecodedUnit[] = [];
            let prev = 0;
            for (const cut of [...cuts, bytes.length]) {
              units.push(...decoder.push(bytes.subarray(prev, cut)));
              prev = cut;
            }
            expect(units[0]).toEqual({ kind: "preamble", version: 0, authCode: 0x50 });
            const fs = frames(units);
            expect(fs.length).toBe(calls.length + 1);
            expect(decodeConnectionHeader(fs[0]!).service_name).toBe("ClientService");
            fs.slice(1).forEach((f, i) => {
              const req = parseRequest(f);
              expect(req.header.call_id).toBe(calls[i]![0]);
              expect(Buffer.from(req.param!)).toEqual(Buffer.from(calls[i]![1]));
            });
            expect(decoder.pendingBytes).toBe(0);
          },
        ),
        { numRuns: 300 },
      );
    });

    it("decodes a stream split at every single byte boundary, and fed byte by byte", () => {
      const bytes = stream([
        [1, b("first")],
        [2, new Uint8Array(200).fill(7)],
        [3, new Uint8Array()],
      ]);
      const expected = frames(new FrameDecoder({ expectPreamble: true }).push(bytes));
      expect(expected.length).toBe(4);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const d = new FrameDecoder({ expectPreamble: true });
        const got = frames([...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))]);
        expect(got).toEqual(expected);
      }
      const d = new FrameDecoder({ expectPreamble: true });
      const oneByOne: DecodedUnit[] = [];
      for (const byte of bytes) oneByOne.push(...d.push(Uint8Array.of(byte)));
      expect(frames(oneByOne)).toEqual(expected);
    });

    it("gives several frames from one chunk, and an empty frame", () => {
      const d = new FrameDecoder();
      const fs = frames(d.push(concat(int32(2), Uint8Array.of(1, 2), int32(0), int32(1), Uint8Array.of(3), int32(5))));
      expect(fs).toEqual([Uint8Array.of(1, 2), new Uint8Array(), Uint8Array.of(3)]);
      expect(d.pendingBytes).toBe(0); // the length is consumed; its payload is awaited
      expect(frames(d.push(Uint8Array.of(1, 2, 3, 4, 5)))).toEqual([Uint8Array.of(1, 2, 3, 4, 5)]);
    });

    it("rejects a negative length, an oversized length, and stays failed", () => {
      const neg = new FrameDecoder();
      expect(() => neg.push(int32(-1))).toThrow(/negative frame length/);
      expect(() => neg.push(int32(1))).toThrow(/negative frame length/);
      const big = new FrameDecoder({ maxFrameSize: 1024 });
      expect(() => big.push(int32(1025))).toThrow(/exceeds the maximum of 1024/);
      expect(new FrameDecoder({ maxFrameSize: 1024 }).push(concat(int32(1024), new Uint8Array(1024))).length).toBe(1);
      expect(() => new FrameDecoder().push(int32(0x7fffffff))).toThrow(HBaseFramingError); // default 256 MiB
    });

    it("rejects a wrong preamble at its first wrong byte, a wrong version and a wrong auth code", () => {
      expect(() => new FrameDecoder({ expectPreamble: true }).push(b("G"))).toThrow(/wrong preamble/);
      expect(() => new FrameDecoder({ expectPreamble: true }).push(b("HBaX"))).toThrow(/wrong preamble/);
      expect(() => new FrameDecoder({ expectPreamble: true }).push(b("GET / HTTP/1.1\r\n"))).toThrow(/wrong preamble/);
      expect(new FrameDecoder({ expectPreamble: true }).push(b("HBa"))).toEqual([]);
      expect(() => new FrameDecoder({ expectPreamble: true }).push(concat(b("HBas"), Uint8Array.of(1, 0x50)))).toThrow(/RPC version 1/);
      expect(() => new FrameDecoder({ expectPreamble: true }).push(concat(b("HBas"), Uint8Array.of(0, 0x51)))).toThrow(/authentication code 0x51/);
      expect(new FrameDecoder({ expectPreamble: true, acceptedAuthCodes: [0x51] }).push(concat(b("HBas"), Uint8Array.of(0, 0x51)))).toEqual([
        { kind: "preamble", version: 0, authCode: 0x51 },
      ]);
    });

    it("never throws anything but HBaseFramingError on random bytes (property)", () => {
      fc.assert(
        fc.property(fc.boolean(), fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (preamble, chunks) => {
          const d = new FrameDecoder({ expectPreamble: preamble, maxFrameSize: 4096 });
          try {
            for (const c of chunks) for (const u of d.push(c)) if (u.kind === "frame" && !preamble) parseRequest(u.payload);
          } catch (e) {
            expect(e).toBeInstanceOf(HBaseFramingError);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
