/**
 * The ZooKeeper session wrapper (src/hbase/discovery) against a real Apache ZooKeeper
 * (test/support/zookeeper.mjs: Debian's libzookeeper-java on 127.0.0.1, started once for the file).
 * Each test works under its own root, so they do not see each other's znodes.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  connectZooKeeper,
  ZNodeExistsError,
  ZNodeMissingError,
  ZooKeeperSessionEndedError,
  ZooKeeperTimeoutError,
  ZooKeeperUnreachableError,
  type ZNode,
  type ZooKeeperSession,
} from "../../src/hbase/discovery/index.js";
import { freePort } from "../support/free-port.mjs";
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

/** A fresh root per test: `/sluice-test-<hex>/hbase`. */
function freshRoot(): string {
  return `/sluice-test-${randomBytes(4).toString("hex")}/hbase`;
}

async function open(root: string, options: { operationTimeoutMs?: number } = {}): Promise<ZooKeeperSession> {
  const session = await connectZooKeeper({ quorum: zk.connectString, root, sessionTimeoutMs: 6_000, connectTimeoutMs: 5_000, ...options });
  sessions.push(session);
  return session;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const textOf = (node: ZNode | null): string | null => (node === null ? null : new TextDecoder().decode(node.data));

describe("ZooKeeper session (real ZooKeeper)", () => {
  it("works under its root as a chroot: relative paths, full paths, and the same znodes seen from /", async () => {
    const root = freshRoot();
    const session = await open(root);
    expect(session.root).toBe(root);
    expect(session.fullPath("master")).toBe(`${root}/master`);
    expect(session.fullPath("/master")).toBe(`${root}/master`);
    expect(session.fullPath("")).toBe(root);
    expect(session.sessionId).toBeGreaterThan(0n);
    expect(session.sessionTimeoutMs).toBe(6_000);

    // The root does not exist yet: creating below it needs parents (or ensureRoot).
    await expect(session.create("a", bytes("x"))).rejects.toThrow(`cannot create ${root}/a: its parent does not exist`);
    await session.ensureRoot();
    await session.ensureRoot(); // idempotent
    expect(await session.create("a", bytes("one"))).toBe("/a");

    const top = await open("/");
    const seen = await top.get(`${root}/a`);
    expect(textOf(seen)).toBe("one");
    expect(seen.path).toBe(`${root}/a`);
    expect(await top.children(root)).toEqual(["a"]);

    // A chroot suffix on the quorum is the root.
    const viaSuffix = await connectZooKeeper({ quorum: `${zk.connectString}${root}`, connectTimeoutMs: 5_000 });
    sessions.push(viaSuffix);
    expect(viaSuffix.root).toBe(root);
    expect(textOf(await viaSuffix.get("a"))).toBe("one");
  });

  it("creates, reads, sets, lists and deletes, with typed errors", async () => {
    const session = await open(freshRoot());
    await session.create("tables/t1/regions", bytes("r"), { parents: true });
    const node = await session.get("tables/t1/regions");
    expect(node).toMatchObject({ path: "/tables/t1/regions", fullPath: `${session.root}/tables/t1/regions` });
    expect(textOf(node)).toBe("r");
    expect(node.stat).toMatchObject({ version: 0, dataLength: 1, numChildren: 0, ephemeralOwner: 0n });

    // Empty data reads back as zero bytes.
    await session.create("empty");
    expect((await session.get("empty")).data).toEqual(new Uint8Array(0));

    const stat = await session.set("tables/t1/regions", bytes("r2"));
    expect(stat.version).toBe(1);
    expect(stat.mzxid).toBeGreaterThan(node.stat.mzxid);
    expect(textOf(await session.get("tables/t1/regions"))).toBe("r2");
    await expect(session.set("tables/t1/regions", bytes("r3"), 0)).rejects.toThrow("version mismatch");

    await expect(session.create("tables/t1/regions")).rejects.toBeInstanceOf(ZNodeExistsError);
    expect(await session.children("tables")).toEqual(["t1"]);
    await expect(session.delete("tables/t1")).rejects.toThrow("the znode has children");

    await session.delete("tables/t1/regions");
    expect(await session.exists("tables/t1/regions")).toBeNull();
    const missing = session.get("tables/t1/regions");
    await expect(missing).rejects.toBeInstanceOf(ZNodeMissingError);
    await expect(missing).rejects.toThrow(`no znode ${session.root}/tables/t1/regions in ZooKeeper at ${zk.connectString}`);
    await expect(session.delete("tables/t1/regions")).rejects.toBeInstanceOf(ZNodeMissingError);
    await session.delete("tables/t1/regions", { ifExists: true });

    expect(() => session.fullPath("a/../b")).toThrow("bad znode path");
    expect(() => session.fullPath("a//b")).toThrow("bad znode path");
  });

  it("watches a znode: creation, data changes and deletion as events and as an async iterator", async () => {
    const writer = await open(freshRoot());
    await writer.ensureRoot();
    const reader = await open(writer.root);

    const watch = await reader.watch("meta-region-server");
    expect(watch.current).toBeNull();
    const events: (string | null)[] = [];
    watch.on("change", (node) => events.push(textOf(node)));
    const iterated: (string | null)[] = [];
    const iterating = (async () => {
      for await (const node of watch) {
        iterated.push(textOf(node));
        if (iterated.length === 5) break;
      }
    })();

    let next = watch.nextChange();
    await writer.create("meta-region-server", bytes("rs1"));
    expect(textOf(await next)).toBe("rs1");
    next = watch.nextChange();
    await writer.set("meta-region-server", bytes("rs2"));
    expect(textOf(await next)).toBe("rs2");
    next = watch.nextChange();
    await writer.delete("meta-region-server");
    expect(await next).toBeNull();
    next = watch.nextChange();
    await writer.create("meta-region-server", bytes("rs3"));
    expect(textOf(await next)).toBe("rs3");
    expect(textOf(watch.current)).toBe("rs3");

    await iterating;
    expect(iterated).toEqual([null, "rs1", "rs2", null, "rs3"]);
    expect(events).toEqual(["rs1", "rs2", null, "rs3"]);

    watch.close();
    expect(watch.ended).toBe(true);
    await expect(watch.nextChange()).rejects.toThrow("has ended");
  });

  it("a watch of an existing znode starts with its data; closing the session ends the iterator", async () => {
    const session = await open(freshRoot());
    await session.create("master", bytes("m1"), { parents: true });
    const watch = await session.watch("master");
    expect(textOf(watch.current)).toBe("m1");
    const seen: (string | null)[] = [];
    const done = (async () => {
      for await (const node of watch) seen.push(textOf(node));
    })();
    await session.close();
    await done;
    expect(seen).toEqual(["m1"]);
    expect(watch.ended).toBe(true);
  });

  it("an ephemeral znode vanishes as soon as its session is closed", async () => {
    const owner = await open(freshRoot());
    const observer = await open(owner.root);
    expect(await owner.createEphemeral("master", bytes("here"))).toBe("/master"); // creates the root too
    const stat = await observer.exists("master");
    expect(stat?.ephemeralOwner).toBe(owner.sessionId);

    const watch = await observer.watch("master");
    expect(textOf(watch.current)).toBe("here");
    const gone = watch.nextChange();
    const started = performance.now();
    await owner.close();
    expect(await gone).toBeNull();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2_000); // far below the 6 s session timeout
    expect(await observer.exists("master")).toBeNull();

    // The closed session refuses further calls with a clear error; close() is idempotent.
    expect(owner.ended).toBe(true);
    await expect(owner.get("master")).rejects.toBeInstanceOf(ZooKeeperSessionEndedError);
    await expect(owner.get("master")).rejects.toThrow(`the ZooKeeper session with ${zk.connectString} is closed`);
    await owner.close();
  });

  it("an unreachable quorum (a closed port) fails within the connect timeout", async () => {
    const port = await freePort(); // nothing listens there
    const started = performance.now();
    const attempt = connectZooKeeper({ quorum: `127.0.0.1:${port}`, connectTimeoutMs: 1_500 });
    await expect(attempt).rejects.toBeInstanceOf(ZooKeeperUnreachableError);
    await expect(attempt).rejects.toThrow(`cannot reach ZooKeeper at 127.0.0.1:${port} within 1500 ms (is ZooKeeper running there?)`);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(3_000);
  });

  it("a server that accepts connections but never answers is retried, then reported unreachable", async () => {
    // What a ZooKeeper that is still starting can do; node-zookeeper-client alone would wait forever.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = performance.now();
      await expect(connectZooKeeper({ quorum: `127.0.0.1:${port}`, connectTimeoutMs: 4_000 })).rejects.toThrow(
        `cannot reach ZooKeeper at 127.0.0.1:${port} within 4000 ms`,
      );
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(sockets.length).toBeGreaterThanOrEqual(2); // the stalled handshake was dropped and tried again
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("rejects bad quorums and roots up front", async () => {
    await expect(connectZooKeeper({ quorum: "" })).rejects.toThrow("quorum is empty");
    await expect(connectZooKeeper({ quorum: "localhost" })).rejects.toThrow('bad server "localhost"');
    await expect(connectZooKeeper({ quorum: zk.connectString, root: "hbase" })).rejects.toThrow('must start with "/"');
    await expect(connectZooKeeper({ quorum: `${zk.connectString}/a`, root: "/b" })).rejects.toThrow("disagree");
  });
});

describe("ZooKeeper session when the server goes away (its own ZooKeeper)", () => {
  it("survives a server restart within the session timeout: same session, ephemeral znode kept, watch goes on", async () => {
    const own = await startZooKeeper();
    const opened: ZooKeeperSession[] = [];
    try {
      const connect = async () => {
        const s = await connectZooKeeper({ quorum: own.connectString, sessionTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
        opened.push(s);
        return s;
      };
      const endpoint = await connect();
      const client = await connect();
      await endpoint.createEphemeral("master", bytes("m1"));
      const watch = await client.watch("master");
      const id = endpoint.sessionId;

      const down = Promise.all([endpoint, client].map((s) => new Promise<void>((resolve) => s.once("disconnected", () => resolve()))));
      await own.stopProcess();
      await down;
      const back = Promise.all([endpoint, client].map((s) => new Promise<void>((resolve) => s.once("reconnected", () => resolve()))));
      await own.restart();
      await back;

      expect(endpoint.sessionId).toBe(id);
      expect((await client.exists("master"))?.ephemeralOwner).toBe(id);
      const next = watch.nextChange();
      await endpoint.set("master", bytes("m2"));
      expect(textOf(await next)).toBe("m2");
      const gone = watch.nextChange();
      await endpoint.close();
      expect(await gone).toBeNull();
    } finally {
      await Promise.all(opened.map((s) => s.close()));
      await own.stop();
    }
  });

  it("reports the disconnect, and a call times out within the operation timeout", async () => {
    const own = await startZooKeeper();
    let session: ZooKeeperSession | undefined;
    try {
      session = await connectZooKeeper({ quorum: own.connectString, root: "/hbase", sessionTimeoutMs: 6_000, operationTimeoutMs: 1_000 });
      await session.ensureRoot();
      const disconnected = new Promise<void>((resolve) => session!.once("disconnected", () => resolve()));
      await own.stop();
      await disconnected;
      const started = performance.now();
      await expect(session.get("master")).rejects.toBeInstanceOf(ZooKeeperTimeoutError);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      const closing = performance.now();
      await session?.close(); // the server is gone: close gives up after 1 s
      expect(performance.now() - closing).toBeLessThan(2_000);
      await own.stop();
    }
  });
});
