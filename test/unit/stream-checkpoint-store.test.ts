import { mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DirectoryCheckpointStore } from "../../src/stream/checkpoint/directory-checkpoint-store.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/stream/checkpoint/snapshot-codec.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-chk-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("directory checkpoint store", () => {
  it("stores complete checkpoints, lists them oldest first, keeps the newest N", async () => {
    const store = new DirectoryCheckpointStore(dir, 2);
    expect(await store.latest()).toBeUndefined();
    for (const id of [1, 2, 3]) await store.write({ id, kind: "checkpoint", pipeline: "p" }, bytes(id, id));
    const list = await store.list();
    expect(list.map((c) => c.id)).toEqual([2, 3]);
    expect(list[1]).toMatchObject({ id: 3, kind: "checkpoint", bytes: 2, pipeline: "p" });
    expect(await store.read((await store.latest())!)).toEqual(bytes(3, 3));
    expect((await readdir(dir)).sort()).toEqual(["chk-2", "chk-3"]);
  });

  it("ignores a checkpoint whose metadata was never written (a crash mid-write), and removes it later", async () => {
    const store = new DirectoryCheckpointStore(dir, 3);
    await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1));
    await mkdir(path.join(dir, "chk-2"));
    await writeFile(path.join(dir, "chk-2", "state.bin"), bytes(9, 9, 9));
    expect((await store.latest())?.id).toBe(1);
    await store.write({ id: 3, kind: "checkpoint", pipeline: "p" }, bytes(3));
    expect((await readdir(dir)).sort()).toEqual(["chk-1", "chk-3"]);
  });

  it("keeps savepoints apart from retention, refuses duplicate names, deletes them by name", async () => {
    const store = new DirectoryCheckpointStore(dir, 1);
    await store.write({ id: 1, kind: "savepoint", name: "before-upgrade", pipeline: "p" }, bytes(1));
    for (const id of [2, 3]) await store.write({ id, kind: "checkpoint", pipeline: "p" }, bytes(id));
    expect((await store.list()).map((c) => `${c.kind}:${c.id}`)).toEqual(["savepoint:1", "checkpoint:3"]);
    await expect(store.write({ id: 4, kind: "savepoint", name: "before-upgrade", pipeline: "p" }, bytes(4))).rejects.toThrow(
      'a savepoint named "before-upgrade" exists already',
    );
    await expect(store.write({ id: 4, kind: "savepoint", name: "../escape", pipeline: "p" }, bytes(4))).rejects.toThrow("a savepoint name is");
    await store.deleteSavepoint("before-upgrade");
    await expect(store.deleteSavepoint("before-upgrade")).rejects.toThrow('no savepoint named "before-upgrade"');
  });

  it("detects damaged state", async () => {
    const store = new DirectoryCheckpointStore(dir);
    const info = await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1, 2, 3));
    await writeFile(path.join(dir, "chk-1", "state.bin"), bytes(1));
    await expect(store.read(info)).rejects.toThrow("is damaged: 1 bytes of state, its metadata says 3");
  });
});

describe("snapshot codec", () => {
  it("round-trips plain data, Maps, Sets, bigints and typed arrays", () => {
    const snapshot = { n: 1, big: 2n ** 70n, m: new Map([["k", new Set([1, 2])]]), b: bytes(1, 2), inf: -Infinity, nested: [{ a: null }] };
    expect(decodeSnapshot(encodeSnapshot(snapshot))).toEqual(snapshot);
  });

  it("refuses state that is not data, and bytes that are not a checkpoint", () => {
    expect(() => encodeSnapshot({ f: () => 1 })).toThrow("the job's state cannot be stored in a checkpoint");
    expect(() => decodeSnapshot(bytes(1, 2, 3))).toThrow("not a Sluice checkpoint");
  });
});
