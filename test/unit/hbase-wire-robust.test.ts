/**
 * The native HBase client (src/hbase/backends/wire) when ZooKeeper goes away, and its nonces:
 * - real Apache ZooKeeper (test/support/zookeeper.mjs, a short tick so that sessions can be short) cut
 *   off from the client by a TCP proxy until the quorum expires the client's session, and stopped and
 *   started again with its data wiped; the local endpoint moves to another port meanwhile. Calls on
 *   cached locations keep working, calls that need ZooKeeper wait and then fail naming the quorum, the
 *   client renews its session, follows the endpoint, and loses nothing acknowledged.
 * - increments and appends carry HBase's nonce group + nonce, the same bytes on a retry: a region
 *   server written here (a real RpcServer on a real socket, registered in ZooKeeper) that keeps nonces
 *   and swallows the first answer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { WireConnection } from "../../src/hbase/backends/wire/wire-connection.js";
import type { WireConnectOptions } from "../../src/hbase/backends/wire/wire-options.js";
import { connectZooKeeper, registerMaster, registerMetaRegionServer } from "../../src/hbase/discovery/index.js";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import type { Connection } from "../../src/hbase/table.js";
import { encodeRegionInfoCell, encodeServerCell, INFO_FAMILY, regionName, REGIONINFO_QUALIFIER, SERVER_QUALIFIER } from "../../src/hbase/wire/meta-row.js";
import { MutationType, pb, type MutateRequest } from "../../src/hbase/wire/hbase-protos.js";
import { RpcServer, typedService } from "../../src/hbase/wire/rpc-server.js";
import { encodeMaster, encodeMetaRegionServer } from "../../src/hbase/wire/zk-envelope.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";
import { TcpProxy, waitUntil } from "../support/tcp-proxy.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ROWS = ["a", "c", "h", "m", "q", "x"];

let zk: ZooKeeperServer;
const cleanups: Array<() => Promise<void> | void> = [];
let rootSeq = 0;

beforeAll(async () => {
  // a short tick: ZooKeeper grants sessions of 2 to 20 ticks (1 to 10 s here)
  zk = await startZooKeeper({ tickTimeMs: 500 });
});
afterAll(async () => {
  await zk?.stop();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


interface Setup {
  store: Connection;
  endpoint: LocalEndpoint;
  root: string;
  /** Stops the endpoint (if running) and starts it again on another port. */
  restart(): Promise<LocalEndpoint>;
}

/** An embedded store with table "t" (family d) split at "g" and "p", served by a local endpoint on `zk`. */
async function setupEndpoint(): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-wire-robust-"));
  const store = await connect({ path: dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.admin.createTable("t", { families: ["d"], splitKeys: [enc.encode("g"), enc.encode("p")] });
  const root = `/hbase-robust-${process.pid}-${++rootSeq}`;
  let endpoint = await startLocalEndpoint({ connection: store, zookeeper: zk.connectString, root });
  cleanups.push(() => endpoint.stop());
  const s: Setup = {
    store,
    endpoint,
    root,
    async restart() {
      await endpoint.stop();
      endpoint = await startLocalEndpoint({ connection: store, zookeeper: zk.connectString, root, replaceZNodes: true });
      s.endpoint = endpoint;
      return endpoint;
    },
  };
  return s;
}

async function openWire(options: WireConnectOptions): Promise<WireConnection> {
  const wire = await WireConnection.open(options);
  cleanups.push(() => wire.close());
  return wire;
}

async function errorOf(promise: Promise<unknown>): Promise<Error | undefined> {
  return promise.then(
    () => undefined,
    (e: Error) => e,
  );
}

async function valueOf(store: Connection, row: string, qualifier: string): Promise<string | undefined> {
  return (await store.table("t").get(row))?.get(`d:${qualifier}`, "string");
}

describe("the wire client when ZooKeeper goes away", () => {
  it("keeps working on cached locations while cut off, renews its expired session, and follows the endpoint that moved meanwhile", async () => {
    const s = await setupEndpoint();
    const proxy = await TcpProxy.start(zk.port);
    cleanups.push(() => proxy.close());
    const quorum = `127.0.0.1:${proxy.port}`;
    const common = { zookeeper: quorum, root: s.root, zookeeperSessionTimeoutMs: 5_000, connectTimeoutMs: 2_000, retries: 1_000, retryPauseMs: 20 };
    const wire = await openWire({ ...common, operationTimeoutMs: 120_000 });
    const short = await openWire({ ...common, operationTimeoutMs: 1_500 });
    const table = wire.table("t");
    await table.putMany(ROWS.map((row) => ({ row, cells: [{ family: "d", qualifier: "v", value: `1-${row}` }] })));
    expect((await short.table("t").getMany(ROWS)).map((r) => r?.get("d:v", "string"))).toEqual(ROWS.map((row) => `1-${row}`));

    // a session of the same timeout through the proxy, whose ephemeral znode shows when the quorum expires them
    const probe = await connectZooKeeper({ quorum, root: s.root, sessionTimeoutMs: 5_000 });
    cleanups.push(() => probe.close());
    await probe.createEphemeral("probe");
    const observer = await connectZooKeeper({ quorum: zk.connectString, root: s.root });
    cleanups.push(() => observer.close());
    const probeWatch = await observer.watch("probe");
    expect(probeWatch.current).not.toBeNull();

    proxy.cut();
    await waitUntil("the client to see ZooKeeper gone", () => wire.zookeeper.state !== "connected" && short.zookeeper.state !== "connected");
    // cached locations and healthy connections need no ZooKeeper
    await table.putMany(ROWS.map((row) => ({ row, cells: [{ family: "d", qualifier: "v", value: `2-${row}` }] })));
    expect((await table.getMany(ROWS)).map((r) => r?.get("d:v", "string"))).toEqual(ROWS.map((row) => `2-${row}`));
    expect(await table.increment("counter", "d", "n", 2n)).toBe(2n);
    expect((await short.table("t").get("h"))?.get("d:v", "string")).toBe("2-h");

    // the endpoint moves while the client cannot see ZooKeeper: calls that need it wait, then fail naming the quorum
    const before = s.endpoint.port;
    await s.restart();
    expect(s.endpoint.port).not.toBe(before);
    const error = await errorOf(short.table("t").get("a"));
    expect(error?.name).toBe("WireRetriesExhaustedError");
    expect(error?.message).toMatch(/^table t, row a: gave up after \d+ attempts? in \d+ ms; last error: cannot find where hbase:meta is served: /);
    expect(error?.message).toContain(quorum);

    // the same calls with time to wait complete once ZooKeeper is back
    const pendingPuts = table.putMany(ROWS.map((row) => ({ row, cells: [{ family: "d", qualifier: "v", value: `3-${row}` }] })));
    const pendingIncrement = table.increment("counter", "d", "n", 3n);
    await probeWatch.waitFor((node) => node === null, 60_000); // the quorum expired the sessions cut off
    proxy.restore();
    await pendingPuts;
    expect(await pendingIncrement).toBe(5n);
    expect(wire.zookeeper).toMatchObject({ state: "connected", sessions: 2, lastLoss: "expired" });

    // nothing acknowledged is lost, and the client works on the moved endpoint
    for (const row of ROWS) expect(await valueOf(s.store, row, "v")).toBe(`3-${row}`);
    await table.put({ row: "after", cells: [{ family: "d", qualifier: "v", value: "4" }] });
    expect(await valueOf(s.store, "after", "v")).toBe("4");
    await waitUntil("the short-timeout connection's new session", () => short.zookeeper.state === "connected");
    expect((await short.table("t").get("after"))?.get("d:v", "string")).toBe("4");
    expect((await wire.admin.listTables()).map((t) => t.name)).toContain("t"); // the master moved too
  }, 180_000);

  it("renews a session that a ZooKeeper restarted without its data refuses, and waits for HBase to register again", async () => {
    const s = await setupEndpoint();
    const wire = await openWire({
      zookeeper: zk.connectString,
      root: s.root,
      zookeeperSessionTimeoutMs: 2_000,
      connectTimeoutMs: 2_000,
      retries: 1_000,
      retryPauseMs: 20,
      operationTimeoutMs: 120_000,
    });
    const short = await openWire({ zookeeper: zk.connectString, root: s.root, connectTimeoutMs: 2_000, retries: 1_000, retryPauseMs: 20, operationTimeoutMs: 1_500 });
    const table = wire.table("t");
    await table.putMany(ROWS.map((row) => ({ row, cells: [{ family: "d", qualifier: "v", value: `1-${row}` }] })));
    expect((await short.table("t").get("q"))?.get("d:v", "string")).toBe("1-q");

    await zk.stopProcess();
    await waitUntil("the client to see ZooKeeper gone", () => wire.zookeeper.state !== "connected");
    // while ZooKeeper is down, cached locations keep working
    await table.put({ row: "m", cells: [{ family: "d", qualifier: "v", value: "2-m" }] });
    expect((await table.get("m"))?.get("d:v", "string")).toBe("2-m");
    // the endpoint goes: a call that needs ZooKeeper fails naming it
    await s.endpoint.stop();
    const error = await errorOf(short.table("t").get("q"));
    expect(error?.message).toMatch(/last error: cannot find where hbase:meta is served: ZooKeeper at 127\.0\.0\.1:\d+ has been unreachable for \d+ ms$/);
    expect(error?.message).toContain(zk.connectString);

    // ZooKeeper comes back empty: it refuses the old sessions (it has seen fewer transactions than they
    // have), so the client gives its session up after twice the timeout and makes a new one
    const pending = table.putMany(ROWS.map((row) => ({ row, cells: [{ family: "d", qualifier: "v", value: `3-${row}` }] })));
    rmSync(zk.dataDir, { recursive: true, force: true });
    await zk.restart();
    await waitUntil("a new session", () => wire.zookeeper.state === "connected" && wire.zookeeper.sessions === 2, 90_000);
    expect(wire.zookeeper.lastLoss).toBe("no contact");
    // HBase registers again (restarted here; the endpoint re-registering on its own is covered in hbase-local-endpoint-robust.test.ts)
    await s.restart();
    await pending;
    for (const row of ROWS) expect(await valueOf(s.store, row, "v")).toBe(`3-${row}`);
    expect(await table.increment("counter", "d", "n", 7n)).toBe(7n);
  }, 180_000);
});

// -------------------------------------------------------------------------------------------------
// Nonces

/**
 * A one-region "cluster" for table t (family d): hbase:meta, GetTableDescriptors, and Mutate for
 * increment / append / put on an in-memory map, remembering (nonce group, nonce) → answer. Every Mutate
 * request's bytes are kept; the first Mutate with a nonce is applied but never answered (a lost answer).
 */
async function nonceServer(root: string) {
  const values = new Map<string, Uint8Array>();
  const answered = new Map<string, Uint8Array>();
  const requests: Uint8Array[] = [];
  let swallowed = false;
  const tableName = { namespace: enc.encode("default"), qualifier: enc.encode("t") };
  let port = 0;
  const server = await RpcServer.start({
    services: {
      ClientService: {
        ...typedService("ClientService", {
          Scan: () => {
            const info = { region_id: 1, table_name: tableName, start_key: new Uint8Array(), end_key: new Uint8Array() };
            const row = regionName(tableName, new Uint8Array(), 1);
            return {
              results: [
                {
                  cell: [
                    { row, family: INFO_FAMILY, qualifier: REGIONINFO_QUALIFIER, timestamp: 1, value: encodeRegionInfoCell(info) },
                    { row, family: INFO_FAMILY, qualifier: SERVER_QUALIFIER, timestamp: 1, value: encodeServerCell("127.0.0.1", port) },
                  ],
                },
              ],
              more_results: false,
            };
          },
        }),
        Mutate: async (param: Uint8Array) => {
          requests.push(param.slice());
          const request = pb.MutateRequest.decode(param);
          const m = request.mutation;
          const key = request.nonce_group !== undefined && m.nonce !== undefined ? `${request.nonce_group}/${m.nonce}` : undefined;
          const seen = key === undefined ? undefined : answered.get(key);
          if (seen !== undefined) return seen;
          const column = m.column_value?.[0];
          const qv = column?.qualifier_value?.[0];
          const cellKey = `${dec.decode(m.row)}/${dec.decode(column?.family)}:${dec.decode(qv?.qualifier)}`;
          let value = qv?.value ?? new Uint8Array();
          if (m.mutate_type === MutationType.INCREMENT) {
            const old = values.get(cellKey);
            const sum = (old === undefined ? 0n : Buffer.from(old).readBigInt64BE(0)) + Buffer.from(value).readBigInt64BE(0);
            value = new Uint8Array(8);
            Buffer.from(value.buffer).writeBigInt64BE(sum, 0);
          } else if (m.mutate_type === MutationType.APPEND) {
            value = new Uint8Array([...(values.get(cellKey) ?? []), ...value]);
          }
          values.set(cellKey, value);
          const answer = pb.MutateResponse.encode({ result: { cell: [{ row: m.row, family: column?.family, qualifier: qv?.qualifier, timestamp: 1, value }] } });
          if (key !== undefined) answered.set(key, answer);
          if (key !== undefined && !swallowed) {
            swallowed = true;
            return new Promise<Uint8Array>(() => undefined); // applied, but the answer never comes
          }
          return answer;
        },
      },
      MasterService: typedService("MasterService", {
        GetTableDescriptors: () => ({ table_schema: [{ table_name: tableName, column_families: [{ name: enc.encode("d") }] }] }),
      }),
    },
  });
  port = server.port;
  const session = await connectZooKeeper({ quorum: zk.connectString, root });
  const serverName = { host_name: "127.0.0.1", port, start_code: 1 };
  await registerMetaRegionServer(session, encodeMetaRegionServer({ server: serverName }, "nonce-test"));
  await registerMaster(session, encodeMaster({ master: serverName }, "nonce-test"));
  cleanups.push(async () => {
    await session.close();
    await server.close();
  });
  return { requests, values };
}

describe("nonces of increment and append", () => {
  it("sends the connection's nonce group and one nonce per operation, the same bytes on a retry", async () => {
    const root = `/hbase-nonce-${process.pid}-${++rootSeq}`;
    const server = await nonceServer(root);
    const wire = await openWire({ zookeeper: zk.connectString, root, callTimeoutMs: 2_000, retries: 5, retryPauseMs: 20 });
    const other = await openWire({ zookeeper: zk.connectString, root });
    expect(wire.nonceGroup).not.toBe(other.nonceGroup);
    const table = wire.table("t");
    /** The Mutate requests (bytes, then decoded) `run` sent; all the same bytes (a retry resends the request). */
    const sent = async <T>(run: () => Promise<T>): Promise<{ result: T; count: number; request: MutateRequest }> => {
      const from = server.requests.length;
      const result = await run();
      const mine = server.requests.slice(from);
      expect(mine.length).toBeGreaterThan(0);
      for (const bytes of mine) expect(Buffer.from(bytes).equals(Buffer.from(mine[0]!))).toBe(true);
      return { result, count: mine.length, request: pb.MutateRequest.decode(mine[0]!) };
    };

    // the first answer is lost: the increment is retried with the same request, and applied once
    const first = await sent(() => table.increment("r", "d", "n", 5n));
    expect(first.result).toBe(5n);
    expect(first.count).toBeGreaterThanOrEqual(2);
    expect(BigInt(first.request.nonce_group!)).toBe(wire.nonceGroup);
    expect(first.request.mutation.mutate_type).toBe(MutationType.INCREMENT);
    expect(first.request.mutation.nonce).toBeDefined();
    expect(BigInt(first.request.mutation.nonce!)).not.toBe(0n);

    // each operation has its own nonce, in the same group
    const second = await sent(() => table.increment("r", "d", "n", 1n));
    expect(second.result).toBe(6n);
    const append1 = await sent(() => table.append("r", "d", "s", "ab"));
    expect(dec.decode(append1.result)).toBe("ab");
    const append2 = await sent(() => table.append("r", "d", "s", "cd"));
    expect(dec.decode(append2.result)).toBe("abcd");
    const later = [second, append1, append2].map((op) => op.request);
    expect(later.map((r) => r.mutation.mutate_type)).toEqual([MutationType.INCREMENT, MutationType.APPEND, MutationType.APPEND]);
    const nonces = [first.request, ...later].map((r) => BigInt(r.mutation.nonce!));
    expect(new Set(nonces).size).toBe(4);
    for (const r of later) expect(BigInt(r.nonce_group!)).toBe(wire.nonceGroup);

    // a put is idempotent: no nonce
    const put = (await sent(() => table.put({ row: "r", cells: [{ family: "d", qualifier: "p", value: "x" }] }))).request;
    expect(put.mutation.mutate_type).toBe(MutationType.PUT);
    expect(put.nonce_group).toBeUndefined();
    expect(put.mutation.nonce).toBeUndefined();

    // another connection sends its own group
    const fromOther = await sent(() => other.table("t").increment("r", "d", "n", 1n));
    expect(fromOther.result).toBe(7n);
    expect(BigInt(fromOther.request.nonce_group!)).toBe(other.nonceGroup);
  }, 60_000);
});
