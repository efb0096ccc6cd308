#!/usr/bin/env node
/**
 * The child of the crash test in test/unit/connectors-hbase-checkpoints.test.ts: opens the embedded
 * store of the BUILT package (`dist/hbase/connect.js`) in a directory and writes large checkpoints of
 * one job through an HBase checkpoint store, one after another, until it is killed (SIGKILL).
 *
 * The store module is given as a path (the test passes the current source, transpiled), so the test
 * does not depend on when `dist/` was last built; it must export `hbaseCheckpointStore`.
 *
 * Protocol on stdout (fs.writeSync, unbuffered, one line each):
 *   `ready`                 once the store is open;
 *   `data <id> <rows>`      after a putMany of chunk rows of checkpoint <id> resolved;
 *   `committed <id>`        after the store's write of checkpoint <id> resolved;
 *   `fail <message>`        when a write rejected (then the child exits 1).
 *
 * Usage: node hbase-checkpoint-writer.mjs <data dir> <store module> <job> <first id> <state bytes> <chunk bytes>
 */
import { writeSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The script's path (for spawning it). */
export const CHECKPOINT_WRITER = fileURLToPath(import.meta.url);

/**
 * The state of checkpoint `id` (the test recomputes it): `bytes` bytes of a pattern depending on the id.
 * @param {number} id
 * @param {number} bytes
 * @returns {Uint8Array}
 */
export function checkpointState(id, bytes) {
  const state = new Uint8Array(bytes);
  let x = (id * 2654435761) >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    state[i] = x & 0xff;
  }
  return state;
}

/** @param {string} line */
function emit(line) {
  writeSync(1, `${line}\n`);
}

/**
 * The table with its putMany reporting each batch of chunk rows (row keys `<job>/d/<id16>/...`).
 * @param {import("../../src/hbase/table.ts").Table} table
 * @returns {import("../../src/hbase/table.ts").Table}
 */
function reportingTable(table) {
  const decoder = new TextDecoder();
  return new Proxy(table, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== "putMany") return typeof value === "function" ? value.bind(target) : value;
      /** @param {readonly import("../../src/hbase/table.ts").Put[]} puts */
      return async (puts) => {
        await target.putMany(puts);
        const first = puts[0];
        if (first === undefined) return;
        const row = typeof first.row === "string" ? first.row : decoder.decode(/** @type {Uint8Array} */ (first.row));
        const match = /\/d\/(\d{16})\//.exec(row);
        if (match !== null) emit(`data ${Number(match[1])} ${puts.length}`);
      };
    },
  });
}

async function main() {
  const [dataDir, storeModule, job, firstId, stateBytes, chunkBytes] = process.argv.slice(2);
  if (dataDir === undefined || storeModule === undefined || job === undefined || chunkBytes === undefined) {
    throw new Error("usage: hbase-checkpoint-writer.mjs <data dir> <store module> <job> <first id> <state bytes> <chunk bytes>");
  }
  /** @type {{ connect: typeof import("../../src/hbase/connect.ts").connect }} */
  const { connect } = await import(pathToFileURL(path.join(REPO_ROOT, "dist", "hbase", "connect.js")).href);
  /** @type {{ hbaseCheckpointStore: typeof import("../../src/connectors/hbase-checkpoint-store.ts").hbaseCheckpointStore }} */
  const { hbaseCheckpointStore } = await import(pathToFileURL(path.resolve(storeModule)).href);
  const conn = await connect({ path: dataDir });
  /** @type {import("../../src/hbase/table.ts").Connection} */
  const reporting = {
    admin: conn.admin,
    table: (name) => reportingTable(conn.table(name)),
    bufferedMutator: (name, options) => conn.bufferedMutator(name, options),
    close: () => conn.close(),
  };
  const store = hbaseCheckpointStore(reporting, { job, retain: 2, chunkBytes: Number(chunkBytes) });
  emit("ready");
  for (let id = Number(firstId); ; id++) {
    try {
      await store.write({ id, kind: "checkpoint", pipeline: "writer" }, checkpointState(id, Number(stateBytes)));
    } catch (error) {
      emit(`fail ${error instanceof Error ? error.message : String(error)}`.replace(/\n/g, " "));
      process.exit(1);
    }
    emit(`committed ${id}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    emit(`fail ${error instanceof Error ? error.stack ?? error.message : String(error)}`.replace(/\n/g, " "));
    process.exit(1);
  });
}
