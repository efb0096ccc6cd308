/**
 * The HBase RPC client connection against the RPC server over real localhost TCP: pipelined calls
 * answered out of order, timeouts, server exceptions with HBase class names, unknown methods and
 * services, connection loss, clean close.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HBaseCallTimeoutError, HBaseConnectionError, HBaseExceptions, HBaseRemoteError } from "../../src/hbase/wire/errors.js";
import { CellType, pb, RegionSpecifierType } from "../../src/hbase/wire/hbase-protos.js";
import { RpcConnection } from "../../src/hbase/wire/rpc-connection.js";
import { encodeConnectionHeader, encodePreamble, encodeRequest, FrameDecoder, parseResponse } from "../../src/hbase/wire/rpc-framing.js";
import { type RpcCallContext, RpcServer, type RpcServiceHandlers, typedService } from "../../src/hbase/wire/rpc-server.js";

const b = (s: string) => new TextEncoder().encode(s);
const text = (u: Uint8Array | undefined) => new TextDecoder().decode(u);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(services: RpcServiceHandlers, extra: Partial<Parameters<typeof RpcServer.start>[0]> = {}) {
  const server = await RpcServer.start({ services, ...extra });
  cleanups.push(() => server.close());
  return server;
}

async function connect<S extends "ClientService" | "MasterService">(server: RpcServer, service: S, callTimeoutMs?: number) {
  const c = await RpcConnection.connect({ host: "127.0.0.1", port: server.port, service, user: "tester", ...(callTimeoutMs ? { callTimeoutMs } : {}) });
  cleanups.push(() => c.close());
  return c;
}

const region = { type: RegionSpecifierType.REGION_NAME, value: b("t,,1.00000000000000000000000000000000.") };

/** A ClientService whose Get answers the row back after `row`'s number of milliseconds (if numeric). */
function echoService(seen: RpcCallContext[] = []) {
  return typedService("ClientService", {
    async Get(req, ctx) {
      seen.push(ctx);
      const row = text(req.get.row);
      const delay = Number(row.split(":")[1] ?? 0);
      if (delay) await sleep(delay);
      if (row.startsWith("nsre")) {
        throw new HBaseRemoteError({ className: HBaseExceptions.NotServingRegionException, doNotRetry: false }, `region ${text(req.region.value)} is not online`);
      }
      if (row.startsWith("boom")) throw new Error("plain failure");
      return { result: { cell: [{ row: req.get.row, family: b("f"), qualifier: b("q"), timestamp: 5n, cell_type: CellType.PUT, value: b(`v-${row}`) }] } };
    },
    Mutate(req) {
      return { processed: req.condition === undefined };
    },
  });
}

describe("hbase rpc client and server over TCP", () => {
  it("answers a typed Get, and the server sees the connection header and call details", async () => {
    const seen: RpcCallContext[] = [];
    const server = await startServer({ ClientService: echoService(seen) });
    const c = await connect(server, "ClientService");
    const res = await c.call("Get", { region, get: { row: b("r1") } }, { priority: 200 });
    expect(text(res.result?.cell?.[0]?.value)).toBe("v-r1");
    expect(res.result?.cell?.[0]?.timestamp).toBe(5n);
    expect(seen[0]!.connection.service).toBe("ClientService");
    expect(seen[0]!.connection.user).toBe("tester");
    expect(seen[0]!.method).toBe("Get");
    expect(seen[0]!.priority).toBe(200);
    expect(seen[0]!.timeoutMs).toBe(60_000);
    expect(await c.call("Mutate", { region, mutation: { row: b("r") } })).toEqual({ processed: true });
    expect(server.connectionCount).toBe(1);
  });

  it("pipelines calls on one connection and matches out-of-order answers by call id", async () => {
    const server = await startServer({ ClientService: echoService() });
    const c = await connect(server, "ClientService");
    const delays = [120, 10, 80, 0, 50, 30, 100, 5];
    const order: string[] = [];
    const calls = delays.map((d, i) =>
      c.call("Get", { region, get: { row: b(`row${i}:${d}`) } }).then((r) => {
        order.push(`row${i}`);
        return text(r.result!.cell![0]!.value);
      }),
    );
    expect(c.pendingCalls).toBe(delays.length);
    const values = await Promise.all(calls);
    expect(values).toEqual(delays.map((d, i) => `v-row${i}:${d}`));
    expect(order).not.toEqual(delays.map((_, i) => `row${i}`)); // answered out of order
    expect(order[0]).toBe("row3");
    expect(c.pendingCalls).toBe(0);
  });

  it("times a call out without disturbing the others; a late answer is dropped", async () => {
    const server = await startServer({ ClientService: echoService() });
    const c = await connect(server, "ClientService");
    const slow = c.call("Get", { region, get: { row: b("slow:300") } }, { timeoutMs: 50 });
    const fast = c.call("Get", { region, get: { row: b("fast") } });
    await expect(slow).rejects.toBeInstanceOf(HBaseCallTimeoutError);
    await expect(slow).rejects.toThrow(/timed out after 50 ms/);
    expect(text((await fast).result!.cell![0]!.value)).toBe("v-fast");
    await sleep(350); // the late answer arrives and is ignored
    expect(c.closed).toBe(false);
    expect(text((await c.call("Get", { region, get: { row: b("after") } })).result!.cell![0]!.value)).toBe("v-after");
  });

  it("surfaces server exceptions as HBaseRemoteError with the class name and doNotRetry", async () => {
    const server = await startServer({ ClientService: echoService() });
    const c = await connect(server, "ClientService");
    const e1 = await c.call("Get", { region, get: { row: b("nsre") } }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(HBaseRemoteError);
    expect((e1 as HBaseRemoteError).className).toBe("org.apache.hadoop.hbase.NotServingRegionException");
    expect((e1 as HBaseRemoteError).simpleClassName).toBe("NotServingRegionException");
    expect((e1 as HBaseRemoteError).doNotRetry).toBe(false);
    expect((e1 as Error).message).toContain("is not online");
    const e2 = (await c.call("Get", { region, get: { row: b("boom") } }).catch((e: unknown) => e)) as HBaseRemoteError;
    expect(e2.className).toBe("java.io.IOException");
    expect(e2.message).toContain("plain failure");
    // a method the service lacks
    const e3 = (await c.call("Scan", { scanner_id: 1n }).catch((e: unknown) => e)) as HBaseRemoteError;
    expect(e3.className).toBe("org.apache.hadoop.hbase.exceptions.UnknownProtocolException");
    expect(e3.doNotRetry).toBe(true);
    const e4 = (await c.callRaw("NoSuchMethod", new Uint8Array()).catch((e: unknown) => e)) as HBaseRemoteError;
    expect(e4.className).toBe(HBaseExceptions.UnknownProtocolException);
    // a param that is not the method's request
    const e5 = (await c.callRaw("Get", Uint8Array.of(0x0a, 0x00)).catch((e: unknown) => e)) as HBaseRemoteError;
    expect(e5.className).toBe(HBaseExceptions.DoNotRetryIOException);
    expect(e5.doNotRetry).toBe(true);
    // the connection survives all of it
    expect((await c.call("Get", { region, get: { row: b("ok") } })).result?.cell?.length).toBe(1);
  });

  it("can answer unknown methods with HBase's own class name", async () => {
    const server = await startServer({ ClientService: echoService() }, { unknownMethodException: "java.lang.UnsupportedOperationException" });
    const c = await connect(server, "ClientService");
    const e = (await c.callRaw("Nope", new Uint8Array()).catch((x: unknown) => x)) as HBaseRemoteError;
    expect(e.className).toBe("java.lang.UnsupportedOperationException");
  });

  it("refuses a connection to an unknown service with a fatal UnknownServiceException", async () => {
    const server = await startServer({ ClientService: echoService() });
    const c = await RpcConnection.connect({ host: "127.0.0.1", port: server.port, service: "MasterService" });
    cleanups.push(() => c.close());
    const err = await c.call("GetTableNames", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HBaseConnectionError);
    expect((err as Error).message).toMatch(/UnknownServiceException/);
    expect(c.closed).toBe(true);
    await expect(c.call("GetTableNames", {})).rejects.toBeInstanceOf(HBaseConnectionError);
  });

  it("fails every pending call with a clear error when the connection is lost", async () => {
    const server = await startServer({ ClientService: echoService() });
    const c = await connect(server, "ClientService");
    const lost = new Promise<Error | undefined>((resolve) => c.onClose(resolve));
    const pending = [1, 2, 3].map((i) => c.call("Get", { region, get: { row: b(`p${i}:5000`) } }).catch((e: unknown) => e));
    await sleep(50);
    await server.close(); // the server goes away mid-call
    const errors = await Promise.all(pending);
    for (const e of errors) {
      expect(e).toBeInstanceOf(HBaseConnectionError);
      expect((e as Error).message).toMatch(/connection to 127\.0\.0\.1:\d+ lost/);
    }
    expect(await lost).toBeInstanceOf(HBaseConnectionError);
    expect(c.closed).toBe(true);
    await expect(c.call("Get", { region, get: { row: b("x") } })).rejects.toThrow(/lost/);
  });

  it("closes cleanly: pending calls fail as closed, later calls fail at once, close twice is fine", async () => {
    const server = await startServer({ ClientService: echoService() });
    const c = await connect(server, "ClientService");
    const closedWith = new Promise<Error | undefined>((resolve) => c.onClose(resolve));
    const pending = c.call("Get", { region, get: { row: b("x:2000") } }).catch((e: unknown) => e);
    await sleep(20);
    await c.close();
    await c.close();
    expect(await pending).toBeInstanceOf(HBaseConnectionError);
    expect(((await pending) as Error).message).toMatch(/closed/);
    expect(await closedWith).toBeUndefined();
    await expect(c.call("Get", { region, get: { row: b("y") } })).rejects.toThrow(/closed/);
    await sleep(50);
    expect(server.connectionCount).toBe(0);
  });

  it("reports a refused connection as HBaseConnectionError", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(RpcConnection.connect({ host: "127.0.0.1", port, service: "ClientService" })).rejects.toThrow(/cannot connect to 127\.0\.0\.1:\d+ \(ClientService\)/);
  });

  it("fails the connection when the server sends garbage", async () => {
    const raw = net.createServer((s) => {
      s.once("data", () => s.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff)));
      s.on("error", () => {});
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => raw.close(() => r())));
    const c = await RpcConnection.connect({ host: "127.0.0.1", port: (raw.address() as net.AddressInfo).port, service: "ClientService" });
    const err = await c.callRaw("Get", new Uint8Array()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HBaseConnectionError);
    expect((err as Error).message).toMatch(/protocol error from .*negative frame length/);
  });

  it("serves MasterService and ClientService side by side; the server closes with clients attached", async () => {
    const server = await startServer({
      ClientService: echoService(),
      MasterService: typedService("MasterService", {
        GetTableNames: () => ({ table_names: [{ namespace: b("default"), qualifier: b("t1") }] }),
      }),
    });
    const m = await connect(server, "MasterService");
    const cl = await connect(server, "ClientService");
    expect(text((await m.call("GetTableNames", {})).table_names?.[0]?.qualifier)).toBe("t1");
    expect((await cl.call("Get", { region, get: { row: b("z") } })).result?.cell?.length).toBe(1);
    await server.close();
    await sleep(20);
    expect(m.closed && cl.closed).toBe(true);
  });

  it("pauses a connection past its in-flight limit and still answers every call", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const server = await startServer(
      {
        ClientService: typedService("ClientService", {
          async Get(req) {
            concurrent++;
            maxConcurrent = Math.max(maxConcurrent, concurrent);
            await sleep(20);
            concurrent--;
            return { result: { cell: [{ row: req.get.row }] } };
          },
        }),
      },
      { maxInFlightPerConnection: 2 },
    );
    const c = await connect(server, "ClientService");
    const rows = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const res = await Promise.all(rows.map((r) => c.call("Get", { region, get: { row: b(r) } })));
    expect(res.map((x) => text(x.result!.cell![0]!.row))).toEqual(rows);
    expect(maxConcurrent).toBe(2);
  });

  it("closes a connection that sends a frame over the server's maximum, and only that one", async () => {
    const server = await startServer({ ClientService: echoService() }, { maxFrameSize: 1024 });
    const big = await connect(server, "ClientService");
    const small = await connect(server, "ClientService");
    const err = await big.call("Get", { region, get: { row: new Uint8Array(2000) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HBaseConnectionError);
    expect(big.closed).toBe(true);
    expect((await small.call("Get", { region, get: { row: b("fine") } })).result?.cell?.length).toBe(1);
  });

  it("stops reading from a client that does not read its answers, and catches up when it does", async () => {
    let handled = 0;
    const big = new Uint8Array(512 * 1024);
    const server = await startServer({ ClientService: { Get: () => (handled++, big) } });
    const sock = net.connect(server.port, "127.0.0.1");
    cleanups.push(async () => void sock.destroy());
    await new Promise((r) => sock.once("connect", r));
    sock.pause(); // read nothing for now
    sock.write(encodePreamble());
    sock.write(encodeConnectionHeader({ user_info: { effective_user: "slow" }, service_name: "ClientService" }));
    const n = 150;
    for (let i = 0; i < n; i++) sock.write(encodeRequest({ call_id: i, method_name: "Get" }, new Uint8Array(32 * 1024)));
    await sleep(400);
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThan(n); // the server stopped taking calls while its answers piled up
    const decoder = new FrameDecoder({ maxFrameSize: 1024 * 1024 });
    const ids = new Set<number>();
    const all = new Promise<void>((resolve) =>
      sock.on("data", (d) => {
        for (const u of decoder.push(d)) if (u.kind === "frame") ids.add(parseResponse(u.payload).header.call_id!);
        if (ids.size === n) resolve();
      }),
    );
    sock.resume();
    await all;
    expect(handled).toBe(n);
  });

  it("speaks the raw protocol a hand-written client sends (bytes on a plain socket)", async () => {
    const server = await startServer({ ClientService: echoService() });
    const sock = net.connect(server.port, "127.0.0.1");
    cleanups.push(async () => void sock.destroy());
    const decoder = new FrameDecoder();
    const got = new Promise<Uint8Array>((resolve) => sock.on("data", (d) => decoder.push(d).forEach((u) => u.kind === "frame" && resolve(u.payload))));
    await new Promise((r) => sock.once("connect", r));
    sock.write(encodePreamble());
    sock.write(encodeConnectionHeader({ user_info: { effective_user: "raw" }, service_name: "ClientService" }));
    sock.write(encodeRequest({ call_id: 77, method_name: "Get" }, pb.GetRequest.encode({ region, get: { row: b("raw") } })));
    const res = parseResponse(await got);
    expect(res.header.call_id).toBe(77);
    expect(text(pb.GetResponse.decode(res.body!).result!.cell![0]!.value)).toBe("v-raw");
  });
});
