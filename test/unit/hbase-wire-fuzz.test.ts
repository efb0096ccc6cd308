/**
 * Fuzzing the RPC server: random bytes, wrong preambles, oversized and negative lengths, random frames
 * after a good handshake, unknown services and connections dropped mid-frame, sent from many
 * connections while a good client keeps calling. The server must answer the good client throughout,
 * close only the bad connections, and never crash. All traffic is on 127.0.0.1 and bounded.
 */
import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pb, RegionSpecifierType } from "../../src/hbase/wire/hbase-protos.js";
import { RpcConnection } from "../../src/hbase/wire/rpc-connection.js";
import { encodeConnectionHeader, encodePreamble, encodeRequest } from "../../src/hbase/wire/rpc-framing.js";
import { RpcServer, typedService } from "../../src/hbase/wire/rpc-server.js";

const b = (s: string) => new TextEncoder().encode(s);
const int32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, n, false);
  return out;
};
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const handshake = (service = "ClientService") => cat(encodePreamble(), encodeConnectionHeader({ user_info: { effective_user: "fuzz" }, service_name: service }));
const region = { type: RegionSpecifierType.REGION_NAME, value: b("t,,1") };

/** One hostile input: a list of chunks written in order, and whether to cut the socket afterwards. */
const hostile: fc.Arbitrary<{ chunks: Uint8Array[]; abort: boolean }> = fc.record({
  abort: fc.boolean(),
  chunks: fc.oneof(
    // random bytes from the start
    fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 4 }),
    // a wrong or partial preamble
    fc.constantFrom(b("HBas\x01\x50"), b("HBas\x00\x51"), b("GET / HTTP/1.1\r\n\r\n"), b("HBa"), b("HBas")).map((x) => [x]),
    // good preamble, then a random connection header frame
    fc.uint8Array({ maxLength: 40 }).map((x) => [encodePreamble(), int32(x.length), x]),
    // unknown service
    fc.string({ maxLength: 20 }).map((s) => [handshake(`X${s}`)]),
    // good handshake, then oversized / negative / garbage lengths
    fc.oneof(fc.integer({ min: 257 * 1024 * 1024, max: 0x7fffffff }), fc.integer({ min: -0x80000000, max: -1 })).map((n) => [handshake(), int32(n), b("xx")]),
    // good handshake, then random frames (valid lengths, random payloads)
    fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 5 }).map((ps) => [handshake(), ...ps.flatMap((p) => [int32(p.length), p])]),
    // good handshake, then a valid request header with a random param (handler must answer an exception)
    fc.tuple(fc.nat({ max: 1000 }), fc.uint8Array({ maxLength: 60 }), fc.constantFrom("Get", "Mutate", "Nope", "")).map(([id, p, m]) => [handshake(), encodeRequest({ call_id: id, method_name: m }, p)]),
    // a request cut mid-frame
    fc.nat({ max: 30 }).map((k) => {
      const req = encodeRequest({ call_id: 1, method_name: "Get" }, pb.GetRequest.encode({ region, get: { row: b("cut") } }));
      return [handshake(), req.subarray(0, Math.min(k, req.length - 1))];
    }),
  ),
});

function sendHostile(port: number, input: { chunks: Uint8Array[]; abort: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve();
    };
    const timer = setTimeout(done, 300); // bounded: give the server a moment to answer or close
    s.on("error", done);
    s.on("close", done);
    s.on("data", () => {});
    s.once("connect", () => {
      for (const c of input.chunks) s.write(c);
      if (input.abort) setTimeout(done, 5);
    });
  });
}

describe("hbase rpc server under fuzzing", () => {
  let server: RpcServer;
  const protocolErrors: Error[] = [];

  beforeAll(async () => {
    server = await RpcServer.start({
      services: {
        ClientService: typedService("ClientService", {
          Get: (req) => ({ result: { cell: [{ row: req.get.row, family: b("f"), qualifier: b("q"), value: b("ok") }] } }),
        }),
      },
      handshakeTimeoutMs: 1000,
      onProtocolError: (e) => void protocolErrors.push(e),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("keeps serving a good client while 300 hostile connections come and go", async () => {
    // sampled first: a long synchronous stretch after connecting would starve the good handshake
    const inputs = fc.sample(hostile, { numRuns: 300, seed: 20261124 });
    const good = await RpcConnection.connect({ host: "127.0.0.1", port: server.port, service: "ClientService", callTimeoutMs: 5000 });
    let goodCalls = 0;
    let stop = false;
    const goodLoop = (async () => {
      while (!stop) {
        const res = await good.call("Get", { region, get: { row: b(`g${goodCalls}`) } });
        expect(new TextDecoder().decode(res.result!.cell![0]!.row)).toBe(`g${goodCalls}`);
        goodCalls++;
      }
    })();
    goodLoop.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
    for (let i = 0; i < inputs.length; i += 25) {
      await Promise.all(inputs.slice(i, i + 25).map((input) => sendHostile(server.port, input)));
    }
    stop = true;
    await goodLoop;
    expect(goodCalls).toBeGreaterThan(10);
    expect(good.closed).toBe(false);
    expect(protocolErrors.length).toBeGreaterThan(50);
    // a new good client still gets in, and only the good connections remain
    const late = await RpcConnection.connect({ host: "127.0.0.1", port: server.port, service: "ClientService" });
    expect((await late.call("Get", { region, get: { row: b("late") } })).result?.cell?.length).toBe(1);
    await new Promise((r) => setTimeout(r, 1200)); // lingering hostile sockets hit the handshake timeout
    expect(server.connectionCount).toBe(2);
    await late.close();
    await good.close();
  });

  it("closes a connection that never completes its handshake", async () => {
    const s = net.connect(server.port, "127.0.0.1");
    const closed = new Promise<number>((resolve) => {
      const t0 = Date.now();
      s.on("close", () => resolve(Date.now() - t0));
      s.on("error", () => {});
    });
    s.write(b("HB"));
    expect(await closed).toBeLessThan(2000);
  });
});
