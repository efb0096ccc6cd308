/**
 * HBase's discovery znodes (`meta-region-server`, `master`) read, watched and registered through a real
 * Apache ZooKeeper (test/support/zookeeper.mjs). The payloads are opaque bytes here: their envelope is
 * another module's job.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  connectZooKeeper,
  MASTER_ZNODE,
  readMaster,
  readMetaRegionServer,
  registerMaster,
  registerMetaRegionServer,
  watchHBaseZNode,
  ZNodeExistsError,
  ZNodeMissingError,
  type ZooKeeperSession,
} from "../../src/hbase/discovery/index.js";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

let zk: ZooKeeperServer;
const sessions: ZooKeeperSession[] = [];

beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(async () => {
  await zk?.stop();
});
afterEach(async (context) => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  if (context.task.result?.state === "fail" && zk) {
    console.error(`ZooKeeper output (last 4 KiB):\n${zk.output().slice(-4096)}`);
  }
});

async function open(root: string): Promise<ZooKeeperSession> {
  const session = await connectZooKeeper({ quorum: zk.connectString, root, sessionTimeoutMs: 6_000, connectTimeoutMs: 5_000 });
  sessions.push(session);
  return session;
}

const freshRoot = (): string => `/sluice-test-${randomBytes(4).toString("hex")}/hbase`;
/** Stand-ins for envelopes: any bytes, including 0xFF and NUL, must travel unchanged. */
const envelope = (tag: number): Uint8Array => Uint8Array.from([0xff, 0, 0, 0, 4, tag, 0, 0, 0, 0x50, 0x42, 0x55, 0x46, 0x0a, 0x00]);

describe("HBase znodes (real ZooKeeper)", () => {
  it("a missing meta-region-server or master asks whether HBase is running", async () => {
    const client = await open(freshRoot()); // the root does not even exist
    const meta = readMetaRegionServer(client);
    await expect(meta).rejects.toBeInstanceOf(ZNodeMissingError);
    await expect(meta).rejects.toThrow(`is HBase running? no ${client.root}/meta-region-server in ZooKeeper at ${zk.connectString}`);
    await expect(readMaster(client)).rejects.toThrow(`is HBase running? no ${client.root}/master`);

    await client.ensureRoot(); // the root alone is not enough
    await expect(readMetaRegionServer(client)).rejects.toThrow(`is HBase running? no ${client.root}/meta-region-server`);
  });

  it("registers both znodes as ephemeral with the bytes given; clients read them; close removes them", async () => {
    const endpoint = await open(freshRoot());
    const client = await open(endpoint.root);
    await registerMetaRegionServer(endpoint, envelope(1)); // creates the root
    await registerMaster(endpoint, envelope(2));
    expect(await readMetaRegionServer(client)).toEqual(envelope(1));
    expect(await readMaster(client)).toEqual(envelope(2));
    expect((await client.exists(MASTER_ZNODE))?.ephemeralOwner).toBe(endpoint.sessionId);

    // Registering again from the same session replaces the bytes (a server restart on a new port).
    await registerMetaRegionServer(endpoint, envelope(3));
    expect(await readMetaRegionServer(client)).toEqual(envelope(3));

    await endpoint.close();
    await expect(readMetaRegionServer(client)).rejects.toThrow("is HBase running?");
    await expect(readMaster(client)).rejects.toThrow("is HBase running?");
  });

  it("refuses a znode held by another live session, unless told to replace it", async () => {
    const first = await open(freshRoot());
    const second = await open(first.root);
    await registerMaster(first, envelope(1));

    const refused = registerMaster(second, envelope(2));
    await expect(refused).rejects.toBeInstanceOf(ZNodeExistsError);
    await expect(refused).rejects.toThrow(`${first.root}/master is held by session 0x${first.sessionId.toString(16)}`);

    await registerMaster(second, envelope(2), { replace: true });
    expect(await readMaster(first)).toEqual(envelope(2));
    expect((await first.exists(MASTER_ZNODE))?.ephemeralOwner).toBe(second.sessionId);
    await first.close(); // the replaced owner going away leaves the new registration alone
    const observer = await open(second.root);
    expect(await readMaster(observer)).toEqual(envelope(2));
  });

  it("a client watching meta-region-server sees it appear, move and disappear", async () => {
    const client = await open(freshRoot());
    const watch = await watchHBaseZNode(client, "meta-region-server");
    expect(watch.current).toBeNull(); // no HBase yet: not an error for a watcher

    const endpoint = await open(client.root);
    let next = watch.nextChange();
    await registerMetaRegionServer(endpoint, envelope(1));
    expect((await next)?.data).toEqual(envelope(1));
    next = watch.nextChange();
    await registerMetaRegionServer(endpoint, envelope(2));
    expect((await next)?.data).toEqual(envelope(2));
    await endpoint.close();
    expect(await watch.waitFor((node) => node === null, 5_000)).toBeNull();
    await expect(watch.waitFor((node) => node !== null, 200)).rejects.toThrow("no matching state within 200 ms");
    watch.close();
    await expect(watch.waitFor((node) => node !== null)).rejects.toThrow("has ended");
  });
});
