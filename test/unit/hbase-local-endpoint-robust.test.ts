/**
 * The local endpoint's robustness (issue 5):
 * - it registers again in ZooKeeper after losing its own session, against a real Apache ZooKeeper
 *   (test/support/zookeeper.mjs, a short tick): the session expired by the quorum while a TCP proxy
 *   cuts the endpoint off, and refused by a ZooKeeper restarted without its data; a client connecting
 *   afterwards (`connect({ zookeeper })`) finds it again; stop() ends the renewal loop.
 * - nonce deduplication of INCREMENT / APPEND: the same Mutate request bytes sent twice over a raw
 *   RpcConnection apply once (one after the other and at the same time), different or absent nonces
 *   apply each time; and NonceRegistry's rules (failures leave no entry, entries expire).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { connectZooKeeper, readMetaRegionServer } from "../../src/hbase/discovery/index.js";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/hbase/local-endpoint/index.js";
import { NonceRegistry } from "../../src/hbase/local-endpoint/nonce-registry.js";
import type { Connection } from "../../src/hbase/table.js";
import { MutationType, pb, RegionSpecifierType, type MutateRequest } from "../../src/hbase/wire/hbase-protos.js";
import { META_REGION_NAME, metaSearchKey, metaStopKey } from "../../src/hbase/wire/meta-row.js";
import { RpcConnection } from "../../src/hbase/wire/rpc-connection.js";
import { decodeMaster, decodeMetaRegionServer } from "../../src/hbase/wire/zk-envelope.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";
import { TcpProxy, waitUntil } from "../support/tcp-proxy.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

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


/** An embedded store with table "t" (family d) split at "m". */
async function store(): Promise<Connection> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-endpoint-robust-"));
  const s = await connect({ path: dir });
  cleanups.push(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await s.admin.createTable("t", { families: ["d"], splitKeys: [enc.encode("m")] });
  return s;
}

async function endpointOn(connection: Connection, quorum: string, root: string, sessionTimeoutMs: number): Promise<LocalEndpoint> {
  const endpoint = await startLocalEndpoint({ connection, zookeeper: quorum, root, sessionTimeoutMs });
  cleanups.push(() => endpoint.stop());
  return endpoint;
}

/** A session on the real ZooKeeper (not through any proxy) watching `<root>/meta-region-server`. */
async function observe(root: string) {
  const observer = await connectZooKeeper({ quorum: zk.connectString, root });
  cleanups.push(() => observer.close());
  return observer.watch("meta-region-server");
}

/** A fresh wire client finds the endpoint through ZooKeeper and reads a row written to the store. */
async function clientReads(root: string, row: string): Promise<string | undefined> {
  const client = await connect({ zookeeper: zk.connectString, root, connectTimeoutMs: 5_000, retries: 50, retryPauseMs: 20 });
  try {
    return (await client.table("t").get(row))?.get("d:v", "string");
  } finally {
    await client.close();
  }
}

describe("the local endpoint registers again after losing its ZooKeeper session", () => {
  it("after the quorum expired its session (cut off by a proxy), with the same envelopes; clients find it again", async () => {
    const s = await store();
    await s.table("t").put({ row: "a", cells: [{ family: "d", qualifier: "v", value: "1" }] });
    const proxy = await TcpProxy.start(zk.port);
    cleanups.push(() => proxy.close());
    const root = `/hbase-endpoint-robust-${process.pid}-${++rootSeq}`;
    const endpoint = await endpointOn(s, `127.0.0.1:${proxy.port}`, root, 4_000);
    const watch = await observe(root);
    const registered = watch.current!.data.slice();
    expect(decodeMetaRegionServer(registered).server).toMatchObject({ host_name: "127.0.0.1", port: endpoint.port });
    expect(endpoint.zookeeper).toMatchObject({ state: "registered", sessions: 1 });

    proxy.cut();
    await watch.waitFor((node) => node === null, 90_000); // the quorum expired the endpoint's session
    proxy.restore();
    const back = await watch.waitFor((node) => node !== null, 90_000);
    expect(Buffer.from(back!.data).equals(Buffer.from(registered))).toBe(true);
    await waitUntil("the endpoint's new session", () => endpoint.zookeeper.state === "registered" && endpoint.zookeeper.sessions === 2);
    expect(["expired", "no contact"]).toContain(endpoint.zookeeper.lastLoss);
    const session = await connectZooKeeper({ quorum: zk.connectString, root });
    cleanups.push(() => session.close());
    expect(decodeMaster((await session.get("master")).data).master).toMatchObject({ port: endpoint.port, start_code: BigInt(endpoint.startCode) });
    expect(await clientReads(root, "a")).toBe("1");

    // stop() removes the znodes at once
    await endpoint.stop();
    expect(endpoint.zookeeper.state).toBe("closed");
    await watch.waitFor((node) => node === null, 30_000);
    expect(await session.exists("master")).toBeNull();
  }, 240_000);

  it("after a ZooKeeper restarted without its data refused its session; stop() ends the renewal loop", async () => {
    const s = await store();
    await s.table("t").put({ row: "q", cells: [{ family: "d", qualifier: "v", value: "2" }] });
    const root = `/hbase-endpoint-robust-${process.pid}-${++rootSeq}`;
    const endpoint = await endpointOn(s, zk.connectString, root, 2_000);
    // a second endpoint whose renewal loop is stopped while ZooKeeper is down
    const other = await store();
    const otherRoot = `/hbase-endpoint-robust-${process.pid}-${++rootSeq}`;
    const stopped = await endpointOn(other, zk.connectString, otherRoot, 2_000);
    expect(await clientReads(root, "q")).toBe("2");

    await zk.stopProcess();
    rmSync(zk.dataDir, { recursive: true, force: true });
    await waitUntil("the endpoints to give their sessions up", () => endpoint.zookeeper.state === "renewing" && stopped.zookeeper.state === "renewing");
    await stopped.stop();
    expect(stopped.zookeeper.state).toBe("closed");
    await zk.restart();

    await waitUntil("the endpoint's new session", () => endpoint.zookeeper.state === "registered" && endpoint.zookeeper.sessions === 2);
    expect(endpoint.zookeeper.lastLoss).toBe("no contact");
    const session = await connectZooKeeper({ quorum: zk.connectString, root: "/" });
    cleanups.push(() => session.close());
    const meta = decodeMetaRegionServer((await session.get(`${root}/meta-region-server`)).data);
    expect(meta.server).toMatchObject({ host_name: "127.0.0.1", port: endpoint.port, start_code: BigInt(endpoint.startCode) });
    expect(await clientReads(root, "q")).toBe("2");
    // the stopped endpoint did not come back
    expect(stopped.zookeeper.sessions).toBe(1);
    expect(await session.exists(`${otherRoot}/meta-region-server`)).toBeNull();
  }, 240_000);
});

// -------------------------------------------------------------------------------------------------
// Nonces

async function rpcTo(root: string): Promise<RpcConnection<"ClientService">> {
  const session = await connectZooKeeper({ quorum: zk.connectString, root });
  cleanups.push(() => session.close());
  const meta = decodeMetaRegionServer(await readMetaRegionServer(session));
  const rpc = await RpcConnection.connect({ host: meta.server.host_name, port: meta.server.port ?? 0, service: "ClientService" });
  cleanups.push(() => rpc.close());
  return rpc;
}

/** The name of the region of table t holding `row`, by a reversed scan of hbase:meta. */
async function regionOf(rpc: RpcConnection<"ClientService">, row: string): Promise<Uint8Array> {
  const res = await rpc.call("Scan", {
    region: { type: RegionSpecifierType.REGION_NAME, value: META_REGION_NAME },
    scan: { start_row: metaSearchKey("t", enc.encode(row)), stop_row: metaStopKey("t"), reversed: true },
    number_of_rows: 1,
    close_scanner: true,
  });
  return res.results![0]!.cell![0]!.row!;
}

function incrementBytes(region: Uint8Array, row: string, amount: bigint, nonceGroup: bigint | undefined, nonce: bigint | undefined): Uint8Array {
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigInt64(0, amount);
  const request: MutateRequest = {
    region: { type: RegionSpecifierType.REGION_NAME, value: region },
    mutation: {
      row: enc.encode(row),
      mutate_type: MutationType.INCREMENT,
      column_value: [{ family: enc.encode("d"), qualifier_value: [{ qualifier: enc.encode("n"), value }] }],
      ...(nonce === undefined ? {} : { nonce }),
    },
    ...(nonceGroup === undefined ? {} : { nonce_group: nonceGroup }),
  };
  return pb.MutateRequest.encode(request);
}

function answeredValue(response: Uint8Array): bigint {
  const cell = pb.MutateResponse.decode(response).result!.cell![0]!;
  return new DataView(cell.value!.buffer, cell.value!.byteOffset, 8).getBigInt64(0);
}

describe("nonces of INCREMENT and APPEND on the local endpoint", () => {
  it("applies the same Mutate request bytes once, and different or absent nonces each time", async () => {
    const s = await store();
    const root = `/hbase-endpoint-nonce-${process.pid}-${++rootSeq}`;
    await endpointOn(s, zk.connectString, root, 10_000);
    const rpc = await rpcTo(root);
    const region = await regionOf(rpc, "c");
    const counter = async () => s.table("t").increment("c", "d", "n", 0n);

    const once = incrementBytes(region, "c", 5n, 77n, 1001n);
    const first = await rpc.callRaw("Mutate", once);
    const repeat = await rpc.callRaw("Mutate", once);
    expect(answeredValue(first)).toBe(5n);
    expect(answeredValue(repeat)).toBe(5n); // the stored answer
    expect(await counter()).toBe(5n);

    // sent twice at once: the second waits for the first and answers its result
    const together = incrementBytes(region, "c", 10n, 77n, 1002n);
    const both = await Promise.all([rpc.callRaw("Mutate", together), rpc.callRaw("Mutate", together)]);
    expect(both.map(answeredValue)).toEqual([15n, 15n]);
    expect(await counter()).toBe(15n);

    // another nonce, another group, no nonce, nonce 0: applied each time
    await rpc.callRaw("Mutate", incrementBytes(region, "c", 1n, 77n, 1003n));
    await rpc.callRaw("Mutate", incrementBytes(region, "c", 1n, 78n, 1001n));
    const bare = incrementBytes(region, "c", 1n, undefined, undefined);
    await rpc.callRaw("Mutate", bare);
    await rpc.callRaw("Mutate", bare);
    const zero = incrementBytes(region, "c", 1n, 77n, 0n);
    await rpc.callRaw("Mutate", zero);
    await rpc.callRaw("Mutate", zero);
    expect(await counter()).toBe(21n);

    // APPEND
    const append = pb.MutateRequest.encode({
      region: { type: RegionSpecifierType.REGION_NAME, value: region },
      mutation: {
        row: enc.encode("c"),
        mutate_type: MutationType.APPEND,
        column_value: [{ family: enc.encode("d"), qualifier_value: [{ qualifier: enc.encode("s"), value: enc.encode("ab") }] }],
        nonce: 5n,
      },
      nonce_group: 77n,
    });
    const appended = pb.MutateResponse.decode(await rpc.callRaw("Mutate", append));
    const again = pb.MutateResponse.decode(await rpc.callRaw("Mutate", append));
    expect(dec.decode(appended.result!.cell![0]!.value)).toBe("ab");
    expect(dec.decode(again.result!.cell![0]!.value)).toBe("ab");
    expect((await s.table("t").get("c"))?.get("d:s", "string")).toBe("ab");

    // a failed operation (unknown family) leaves no entry: the same nonce on a good request applies
    const bad = pb.MutateRequest.encode({
      region: { type: RegionSpecifierType.REGION_NAME, value: region },
      mutation: {
        row: enc.encode("c"),
        mutate_type: MutationType.INCREMENT,
        column_value: [{ family: enc.encode("nope"), qualifier_value: [{ qualifier: enc.encode("n"), value: new Uint8Array(8) }] }],
        nonce: 2001n,
      },
      nonce_group: 77n,
    });
    await expect(rpc.callRaw("Mutate", bad)).rejects.toMatchObject({ className: "org.apache.hadoop.hbase.regionserver.NoSuchColumnFamilyException" });
    await rpc.callRaw("Mutate", incrementBytes(region, "c", 100n, 77n, 2001n));
    expect(await counter()).toBe(121n);
  }, 120_000);
});

describe("NonceRegistry", () => {
  it("keys only non-zero group and nonce", () => {
    expect(NonceRegistry.key("t", 1n, 2n)).toBeDefined();
    expect(NonceRegistry.key("t", 1n, 0n)).toBeUndefined();
    expect(NonceRegistry.key("t", 0, 2)).toBeUndefined();
    expect(NonceRegistry.key("t", undefined, 2n)).toBeUndefined();
    expect(NonceRegistry.key("t", 1n, 2n)).not.toBe(NonceRegistry.key("u", 1n, 2n));
    expect(() => new NonceRegistry(0)).toThrow(/ttlMs must be a positive number/);
  });

  it("lets a waiting repeat run itself when the first attempt fails, and forgets answers after the ttl", async () => {
    const registry = new NonceRegistry<number>(50);
    let runs = 0;
    let fail!: (e: Error) => void;
    const first = registry.run("k", () => {
      runs++;
      return new Promise<number>((_, reject) => (fail = reject));
    });
    const repeat = registry.run("k", async () => {
      runs++;
      return 2;
    });
    fail(new Error("boom"));
    await expect(first).rejects.toThrow("boom");
    expect(await repeat).toBe(2);
    expect(runs).toBe(2);
    expect(await registry.run("k", async () => 3)).toBe(2); // stored
    const finished = Date.now();
    await waitUntil("the ttl to pass", () => Date.now() > finished + 60);
    expect(await registry.run("k", async () => 4)).toBe(4);
    registry.clear();
    expect(registry.size).toBe(0);
  });
});
