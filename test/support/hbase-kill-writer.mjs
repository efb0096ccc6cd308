#!/usr/bin/env node
/**
 * The child process of the kill -9 durability test (test/unit/hbase-durability.test.ts): opens the
 * embedded store of the BUILT package in a directory, creates the test table when it is missing, then
 * writes atomic units from several concurrent workers until it is killed:
 *
 * - `batch`: one putMany of several rows spread over the table's regions (one LevelDB batch), with
 *   kilobytes of padding per row so that memtable flushes and compactions run during the rounds;
 * - `mutate`: a mutateRow on a shared "slot" row: puts of three cells (two families) carrying the unit
 *   id, a marker column for the unit, and column deletes of the previous unit's marker;
 * - `cas`: a checkAndMutate on a shared slot row advancing a version column by one (with two cells
 *   naming the unit);
 * - `incr`: increments of shared counters by one.
 *
 * Protocol on stdout (written with fs.writeSync, unbuffered, one line each):
 *   `ready <json>`                              once the store is open and the slots' state read;
 *   `begin <unit> <kind> <json details>`        before a unit's call is made;
 *   `ack <unit>`                                after the unit's promise resolved;
 *   `fail <unit> <message>`                     when a unit's promise rejected (the test fails on it).
 * With `--stop-on-stdin-end`, the child stops issuing units when stdin ends, waits for the units in
 * flight, closes the store and exits 0 (the clean path).
 *
 * Usage: node hbase-kill-writer.mjs <data dir> <round> <seed> [--stop-on-stdin-end]
 */
import { realpathSync, writeSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { seededRandom } from "./seeded-random.mjs";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The script's path (for spawning it). */
export const KILL_WRITER = fileURLToPath(import.meta.url);

/** The table the test writes, its families and split keys (three regions). */
export const KILL_TABLE = "durability:units";
export const KILL_FAMILIES = ["a", "b"];
export const KILL_SPLIT_KEYS = ["b/3", "b/6"];
/** Shared rows of the mutate and cas units, and the counters. */
export const MUTATE_SLOTS = 3;
export const CAS_SLOTS = 2;
export const COUNTERS = 2;

/**
 * The padding cell of row `i` of batch `unit` (the checker recomputes it).
 * @param {string} unit
 * @param {number} i
 * @returns {string}
 */
export function batchPadding(unit, i) {
  const length = 2048 + 256 * i;
  return `${unit}.`.repeat(Math.ceil(length / (unit.length + 1))).slice(0, length);
}

/** @param {string} line */
function emit(line) {
  writeSync(1, `${line}\n`);
}

const decoder = new TextDecoder();
const text = (/** @type {Uint8Array} */ b) => decoder.decode(b);

async function main() {
  const [dir, roundArg, seedArg, ...flags] = process.argv.slice(2);
  if (dir === undefined || roundArg === undefined || seedArg === undefined) {
    throw new Error("usage: hbase-kill-writer.mjs <data dir> <round> <seed> [--stop-on-stdin-end]");
  }
  const round = Number(roundArg);
  const rand = seededRandom(Number(seedArg) * 7919 + round);
  /** @type {{ connect: typeof import("../../src/hbase/connect.ts").connect }} */
  const { connect } = await import(pathToFileURL(path.join(REPO_ROOT, "dist", "hbase", "connect.js")).href);
  const conn = await connect({ path: dir });
  if (!(await conn.admin.tableExists(KILL_TABLE))) {
    await conn.admin.createTable(KILL_TABLE, { families: KILL_FAMILIES, splitKeys: KILL_SPLIT_KEYS });
  }
  const table = conn.table(KILL_TABLE);

  // The slots' state as the last run left it: the markers to delete, the cas versions.
  /** @type {string[][]} */
  const markers = [];
  for (let s = 0; s < MUTATE_SLOTS; s++) {
    const row = await table.get(`m/${s}`, { columns: ["b"] });
    markers.push((row?.cells ?? []).map((c) => text(c.qualifier)).filter((q) => q.startsWith("u-")));
  }
  /** @type {number[]} */
  const versions = [];
  for (let s = 0; s < CAS_SLOTS; s++) {
    const row = await table.get(`c/${s}`, { columns: ["a:ver"] });
    const cell = row?.cells[0];
    versions.push(cell === undefined ? 0 : Number(text(cell.value)));
  }

  let stopping = false;
  if (flags.includes("--stop-on-stdin-end")) {
    process.stdin.resume();
    process.stdin.on("end", () => {
      stopping = true;
    });
  }

  let next = 0;
  const unitId = () => `r${round}u${next++}`;

  /**
   * Runs one unit: `begin` line, the call, `ack` line.
   * @param {string} unit @param {string} kind @param {unknown} details @param {() => Promise<unknown>} call
   */
  async function run(unit, kind, details, call) {
    emit(`begin ${unit} ${kind} ${JSON.stringify(details)}`);
    try {
      await call();
    } catch (error) {
      emit(`fail ${unit} ${String(error instanceof Error ? error.message : error).replace(/\n/g, " ")}`);
      throw error;
    }
    emit(`ack ${unit}`);
  }

  async function batchWorker() {
    while (!stopping) {
      const unit = unitId();
      const size = 3 + Math.floor(rand() * 8);
      // Rows b/<i>/<unit>: a batch crosses the split keys b/3 and b/6.
      const puts = Array.from({ length: size }, (_, i) => ({
        row: `b/${i}/${unit}`,
        cells: [
          { family: "a", qualifier: "unit", value: unit },
          { family: "a", qualifier: "size", value: String(size) },
          { family: "b", qualifier: "i", value: String(i) },
          // Some kilobytes per row, so that LevelDB flushes memtables and compacts while units run.
          { family: "b", qualifier: "pad", value: batchPadding(unit, i) },
        ],
      }));
      await run(unit, "batch", { size }, () => table.putMany(puts));
    }
  }

  /** @param {number} slot */
  async function mutateWorker(slot) {
    while (!stopping) {
      const unit = unitId();
      const row = `m/${slot}`;
      const previous = markers[slot];
      /** @type {import("../../src/hbase/table.ts").Mutation[]} */
      const mutations = [
        { kind: "put", row, cells: [{ family: "a", qualifier: "x", value: unit }, { family: "a", qualifier: "y", value: unit }, { family: "b", qualifier: "z", value: unit }] },
        ...previous.map((q) => ({ kind: /** @type {const} */ ("delete"), row, family: "b", qualifier: q })),
        { kind: "put", row, cells: [{ family: "b", qualifier: `u-${unit}`, value: "1" }] },
      ];
      // A delete at server time T hides versions ≤ T, so the new marker (also at T) would be hidden if
      // it shared a qualifier with a deleted one: it never does (unit ids are unique).
      await run(unit, "mutate", { slot }, () => table.mutateRow(row, mutations));
      markers[slot] = [`u-${unit}`];
    }
  }

  /** @param {number} slot */
  async function casWorker(slot) {
    while (!stopping) {
      const unit = unitId();
      const row = `c/${slot}`;
      const from = versions[slot];
      const condition = from === 0 ? { family: "a", qualifier: "ver" } : { family: "a", qualifier: "ver", value: String(from) };
      /** @type {import("../../src/hbase/table.ts").Mutation[]} */
      const mutations = [
        { kind: "put", row, cells: [{ family: "a", qualifier: "ver", value: String(from + 1) }, { family: "a", qualifier: "by", value: unit }, { family: "b", qualifier: "by", value: unit }] },
      ];
      await run(unit, "cas", { slot, version: from + 1 }, async () => {
        const applied = await table.checkAndMutate(row, condition, mutations);
        if (!applied) throw new Error(`checkAndMutate of ${row} from version ${from} was not applied: another writer?`);
      });
      versions[slot] = from + 1;
    }
  }

  async function incrementWorker() {
    while (!stopping) {
      // Several increments of the shared counters in flight at once.
      const n = 1 + Math.floor(rand() * 4);
      await Promise.all(
        Array.from({ length: n }, () => {
          const counter = Math.floor(rand() * COUNTERS);
          return run(unitId(), "incr", { counter }, () => table.increment(`i/${counter}`, "a", "n", 1n));
        }),
      );
    }
  }

  emit(`ready ${JSON.stringify({ markers, versions })}`);
  const workers = [batchWorker(), batchWorker(), incrementWorker(), incrementWorker()];
  for (let s = 0; s < MUTATE_SLOTS; s++) workers.push(mutateWorker(s));
  for (let s = 0; s < CAS_SLOTS; s++) workers.push(casWorker(s));
  await Promise.all(workers);
  await conn.close();
  emit("closed");
}

// Run as a script (the test imports this module only for its constants).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(path.resolve(process.argv[1]))).href) {
  main().catch((error) => {
    process.stderr.write(`hbase-kill-writer: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
