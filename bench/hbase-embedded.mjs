/**
 * The embedded HBase-model store (`connect({ path })`, built to dist/) on its default storage engine
 * (LMDB) against that raw engine doing the equivalent work, side by side in one run:
 *
 * - batched puts: `putMany` of ROWS_PER_BATCH rows × CELLS_PER_ROW cells, cells/s; the raw engine writes
 *   the same number of key/value pairs of the same sizes in batches of the same size;
 * - single puts: `put` of one cell awaited one by one, puts/s; raw: `db.put` awaited one by one;
 * - scan: a full table scan (every row, every cell), rows/s; raw: a full iteration with `nextv`;
 * - get latency: `get` of a random existing row, µs; raw: reading that row's key range.
 *
 * The same run also measures the store on its other engine (LevelDB, classic-level) and that raw
 * engine (chained and array batches), printed as readable lines only, to back the engine choice in
 * src/hbase/backends/embedded/README.md. Raw LMDB writes as the store's engine does: one synchronous
 * write transaction per batch (`transactionSync`), no fsync (`noSync`, as LevelDB's default write).
 *
 * Every figure is the median of several rounds (Sluice and the raw engine interleaved, alternating
 * which goes first). Prints readable lines, then LAST one JSON line per figure:
 * {"bench":"hbase-embedded","case":"…","value":N,"unit":"…","baseline":"raw-engine","baseline_value":N,"ratio":N}
 * ratio > 1 means Sluice is better (throughput ÷ baseline throughput; baseline latency ÷ Sluice latency).
 *
 * Usage: npm run bench -- hbase-embedded [--rows N] [--rounds N] [--no-other]
 * (`--no-other`: only the store on its default engine and that raw engine.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ClassicLevel } from "classic-level";
import { round, summarize } from "./lib/stats.mjs";

/**
 * One contender: the same four operations on its own directory.
 * @typedef {object} Store
 * @property {string} label
 * @property {string[]} [cases] the cases it takes part in (default ALL_CASES)
 * @property {(first: number) => Promise<void>} writeBatch writes rows first … first + ROWS_PER_BATCH − 1
 * @property {(i: number) => Promise<void>} putOne
 * @property {() => Promise<{ rows: number, cells: number }>} scanAll
 * @property {(i: number) => Promise<void>} getRow
 * @property {() => Promise<void>} [settle] waits for background work of the writes (not timed)
 * @property {() => Promise<void>} close
 */
/** @typedef {(dir: string) => Promise<Store>} StoreFactory */
/** @typedef {{ batched_puts: number, single_puts: number, scan: number, get: number }} CaseFigures */
/** @typedef {keyof CaseFigures} CaseKey */

const BENCH = "hbase-embedded";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROWS_PER_BATCH = 1_000;
const CELLS_PER_ROW = 4;
const VALUE_LENGTH = 16;
/** Single puts and gets per contender per repetition; REPS repetitions per round. */
const SINGLE_PUTS = 500;
const GETS = 500;
const REPS = 4;
const TABLE = "bench";
const FAMILY = "d";
const QUALIFIERS = Array.from({ length: CELLS_PER_ROW }, (_, i) => `q${i}`);
/**
 * Raw scans read this many entries per `nextv`, with a 1 MiB `highWaterMarkBytes` (classic-level's
 * default of 16 KiB cuts every `nextv` short at a few hundred entries): the fastest settings tried.
 */
const RAW_NEXTV = 1_000;
const RAW_HIGH_WATER_MARK_BYTES = 1024 * 1024;

/**
 * @param {string[]} args
 * @returns {{ rows: number, rounds: number, other: boolean }}
 */
function options(args) {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: "string", default: "100000" },
      rounds: { type: "string", default: "3" },
      "no-other": { type: "boolean", default: false },
    },
    strict: true,
  });
  /**
   * @param {"rows" | "rounds"} name
   * @param {number} min
   */
  const count = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(values[name])}`);
    return n;
  };
  const rows = count("rows", ROWS_PER_BATCH);
  if (rows % ROWS_PER_BATCH !== 0) throw new Error(`--rows must be a multiple of ${ROWS_PER_BATCH}`);
  return { rows, rounds: count("rounds", 1), other: !values["no-other"] };
}

/** @param {number} i */
const rowKey = (i) => `row${String(i).padStart(8, "0")}`;
/**
 * A value of VALUE_LENGTH ASCII bytes that differs per cell.
 * @param {number} i
 * @param {number} q
 */
const valueOf = (i, q) => `v${q}-${String(i).padStart(VALUE_LENGTH - 4, "0")}`.slice(0, VALUE_LENGTH);

/**
 * Deterministic pseudo-random row numbers (xorshift), the same for every contender.
 * @param {number} n
 * @param {number} rows
 * @returns {number[]}
 */
function randomRows(n, rows, seed = 0x9e3779b9) {
  let x = seed >>> 0;
  /** @type {number[]} */
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x % rows;
  }
  return out;
}

/**
 * Raw keys of the same length as the store's encoded cell keys (1 + 4 table id + row + 2 + family + 2 +
 * qualifier + 2 + 8 timestamp + 1 type): `t0001/row…/d/q0/` then 8 timestamp bytes and a type byte,
 * built per write as a raw user would.
 */
const RAW_KEY_PAD = "12345678p";
/**
 * @param {number} i
 * @param {number} q
 */
const rawKey = (i, q) => Buffer.from(`t0001${rowKey(i)}\u0000\u0000${FAMILY}\u0000\u0000${QUALIFIERS[q]}\u0000\u0000${RAW_KEY_PAD}`, "latin1");
/** @param {number} i */
const rawSingleKey = (i) => Buffer.from(`t0001single${rowKey(i)}\u0000\u0000${FAMILY}\u0000\u0000${QUALIFIERS[0]}\u0000\u0000${RAW_KEY_PAD}`, "latin1");
/** @param {number} i */
const rawRowStart = (i) => Buffer.from(`t0001${rowKey(i)}\u0000\u0000`, "latin1");
/** @param {number} i */
const rawRowEnd = (i) => Buffer.from(`t0001${rowKey(i)}\u0000\u0001`, "latin1");

// ---------------------------------------------------------------------------------------------------
// Contenders. Each exposes the same four operations on its own directory.

/**
 * The store on `engine` (undefined: its default engine), labelled `label`.
 * @param {string} dir
 * @param {string} label
 * @param {"lmdb" | "leveldb" | undefined} engine
 * @returns {Promise<Store>}
 */
async function sluiceStore(dir, label, engine) {
  // Types only from src/: the bench loads the built module.
  /** @type {{ connect: typeof import("../src/hbase/connect.ts").connect }} */
  const { connect } = await import(pathToFileURL(path.join(ROOT, "dist/hbase/connect.js")).href);
  const connection = await connect({ path: dir, ...(engine === undefined ? {} : { engine }) });
  await connection.admin.createTable(TABLE, { families: [FAMILY] });
  const table = connection.table(TABLE);
  return {
    label,
    async writeBatch(first) {
      /** @type {import("../src/hbase/table.ts").Put[]} */
      const puts = new Array(ROWS_PER_BATCH);
      for (let r = 0; r < ROWS_PER_BATCH; r++) {
        const i = first + r;
        /** @type {import("../src/hbase/table.ts").Put["cells"][number][]} */
        const cells = new Array(CELLS_PER_ROW);
        for (let q = 0; q < CELLS_PER_ROW; q++) cells[q] = { family: FAMILY, qualifier: QUALIFIERS[q], value: valueOf(i, q) };
        puts[r] = { row: rowKey(i), cells };
      }
      await table.putMany(puts);
    },
    async putOne(i) {
      await table.put({ row: `single${rowKey(i)}`, cells: [{ family: FAMILY, qualifier: QUALIFIERS[0], value: valueOf(i, 0) }] });
    },
    async scanAll() {
      let rows = 0;
      let cells = 0;
      for await (const result of table.scan()) {
        rows++;
        cells += result.cells.length;
      }
      return { rows, cells };
    },
    async getRow(i) {
      const result = await table.get(rowKey(i));
      if (result === undefined || result.cells.length !== CELLS_PER_ROW) throw new Error(`${label}: row ${rowKey(i)} not found whole`);
    },
    /** Waits for a compaction the writes started in the background (not timed: reads are measured alone). */
    async settle() {
      if (typeof connection.admin.compact === "function") await connection.admin.compact(TABLE);
    },
    close: () => connection.close(),
  };
}

/**
 * The fastest way classic-level writes a batch: chained batch or array of operations (see README).
 * @param {string} dir
 * @param {boolean} chained
 * @returns {Promise<Store>}
 */
async function levelStore(dir, chained) {
  /** @type {ClassicLevel<Uint8Array, Uint8Array>} */
  const db = new ClassicLevel(dir, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  return {
    label: chained ? "leveldb-chained" : "leveldb",
    // The array-batch variant only shows the write paths; reads are the same engine work.
    cases: chained ? ALL_CASES : ["batched_puts", "single_puts"],
    async writeBatch(first) {
      if (chained) {
        const batch = db.batch();
        for (let r = 0; r < ROWS_PER_BATCH; r++) {
          for (let q = 0; q < CELLS_PER_ROW; q++) batch.put(rawKey(first + r, q), Buffer.from(valueOf(first + r, q), "latin1"));
        }
        await batch.write();
      } else {
        /** @type {{ type: "put", key: Uint8Array, value: Uint8Array }[]} */
        const ops = [];
        for (let r = 0; r < ROWS_PER_BATCH; r++) {
          for (let q = 0; q < CELLS_PER_ROW; q++) ops.push({ type: "put", key: rawKey(first + r, q), value: Buffer.from(valueOf(first + r, q), "latin1") });
        }
        await db.batch(ops);
      }
    },
    async putOne(i) {
      if (chained) await db.put(rawSingleKey(i), Buffer.from(valueOf(i, 0), "latin1"));
      else await db.batch([{ type: "put", key: rawSingleKey(i), value: Buffer.from(valueOf(i, 0), "latin1") }]);
    },
    async scanAll() {
      // A row is the run of entries sharing the key's row part (equivalent of the store's row assembly).
      const iterator = db.iterator({ highWaterMarkBytes: RAW_HIGH_WATER_MARK_BYTES });
      let rows = 0;
      let cells = 0;
      let lastRow = -1;
      try {
        for (;;) {
          const entries = await iterator.nextv(RAW_NEXTV);
          if (entries.length === 0) break;
          for (const [key] of entries) {
            cells++;
            const row = key[14] * 256 + key[15]; // last two digits of the row number: changes with every row
            if (row !== lastRow) {
              rows++;
              lastRow = row;
            }
          }
        }
      } finally {
        await iterator.close();
      }
      return { rows, cells };
    },
    async getRow(i) {
      const entries = await db.iterator({ gte: rawRowStart(i), lt: rawRowEnd(i) }).all();
      if (entries.length !== CELLS_PER_ROW) throw new Error(`leveldb: row ${rowKey(i)} not found whole`);
    },
    close: () => db.close(),
  };
}

/**
 * @param {string} dir
 * @returns {Promise<Store>}
 */
async function lmdbStore(dir) {
  const { open } = await import("lmdb");
  // Default durability (each commit flushed) would make awaited single puts fsync-bound; LevelDB's
  // default write is not fsynced either (both survive kill -9, neither a power cut). noSync matches it.
  // Synchronous write transactions, as the store's LMDB engine writes (faster than
  // lmdb-js's asynchronous batching for awaited writes, and as fast for batches).
  /** @type {import("lmdb").RootDatabase<Uint8Array, Uint8Array>} */
  const db = open({ path: dir, keyEncoding: "binary", encoding: "binary", noSync: true, compression: false, cache: false });
  return {
    label: "lmdb",
    async writeBatch(first) {
      db.transactionSync(() => {
        for (let r = 0; r < ROWS_PER_BATCH; r++) {
          for (let q = 0; q < CELLS_PER_ROW; q++) db.putSync(rawKey(first + r, q), Buffer.from(valueOf(first + r, q), "latin1"));
        }
      });
    },
    async putOne(i) {
      db.transactionSync(() => db.putSync(rawSingleKey(i), Buffer.from(valueOf(i, 0), "latin1")));
    },
    async scanAll() {
      let rows = 0;
      let cells = 0;
      let lastRow = -1;
      for (const { key } of db.getRange()) {
        cells++;
        const row = key[14] * 256 + key[15];
        if (row !== lastRow) {
          rows++;
          lastRow = row;
        }
      }
      return { rows, cells };
    },
    async getRow(i) {
      let n = 0;
      for (const _entry of db.getRange({ start: rawRowStart(i), end: rawRowEnd(i) })) n++;
      if (n !== CELLS_PER_ROW) throw new Error(`lmdb: row ${rowKey(i)} not found whole`);
    },
    close: () => db.close(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Measurements: each returns one round's figure for one contender.

/**
 * @param {Store} store
 * @param {number} rows
 */
async function timeWrites(store, rows) {
  const start = performance.now();
  for (let first = 0; first < rows; first += ROWS_PER_BATCH) await store.writeBatch(first);
  const seconds = (performance.now() - start) / 1000;
  return (rows * CELLS_PER_ROW) / seconds;
}

/**
 * @param {Store} store
 * @param {number} repetition
 */
async function timeSinglePuts(store, repetition) {
  const start = performance.now();
  for (let i = 0; i < SINGLE_PUTS; i++) await store.putOne(repetition * SINGLE_PUTS + i);
  return SINGLE_PUTS / ((performance.now() - start) / 1000);
}

/**
 * @param {Store} store
 * @param {number} rows
 */
async function timeScan(store, rows) {
  const start = performance.now();
  const seen = await store.scanAll();
  const seconds = (performance.now() - start) / 1000;
  // Single puts live in the same table/db under "single…", after the rows: count only the bench rows.
  if (seen.rows < rows) throw new Error(`${store.label}: the scan saw ${seen.rows} rows, expected at least ${rows}`);
  return rows / seconds;
}

/**
 * @param {Store} store
 * @param {number} rows
 * @param {number} repetition
 */
async function timeGets(store, rows, repetition) {
  const picks = randomRows(GETS, rows, 0x9e3779b9 + repetition);
  /** @type {number[]} */
  const samples = [];
  for (const i of picks) {
    const start = performance.now();
    await store.getRow(i);
    samples.push((performance.now() - start) * 1000);
  }
  return summarize(samples).median;
}

const ALL_CASES = ["batched_puts", "scan", "get", "single_puts"];
/** Full scans per contender per round. */
const SCANS_PER_ROUND = 2;

/**
 * Runs `rounds` rounds. In each, every contender gets a fresh directory and writes the table (batched
 * puts); then each read case runs contender after contender, alternating the order between repetitions
 * and rounds, so that load from elsewhere on the machine falls on all of them alike. Returns, per
 * contender label, the figures of each case.
 * @param {StoreFactory[]} factories
 * @param {number} rows
 * @param {number} rounds
 * @param {string} root
 * @returns {Promise<Map<string, Partial<Record<CaseKey, number[]>>>>}
 */
async function runRounds(factories, rows, rounds, root) {
  /** @type {Map<string, Partial<Record<CaseKey, number[]>>>} */
  const figures = new Map();
  /**
   * @param {string} label
   * @param {CaseKey} name
   * @param {number} value
   */
  const record = (label, name, value) => {
    let cases = figures.get(label);
    if (cases === undefined) figures.set(label, (cases = {}));
    (cases[name] ??= []).push(value);
  };
  for (let r = 0; r < rounds; r++) {
    /** @type {{ dir: string, store: Store }[]} */
    const stores = [];
    try {
      for (const factory of factories) {
        const dir = await mkdtemp(path.join(root, "db-"));
        stores.push({ dir, store: await factory(dir) });
      }
      let flip = r % 2 === 1;
      /**
       * @param {CaseKey} name
       * @param {(store: Store) => Promise<number>} measure
       */
      const each = async (name, measure) => {
        const order = flip ? [...stores].reverse() : stores;
        flip = !flip;
        for (const { store } of order) {
          if ((store.cases ?? ALL_CASES).includes(name)) record(store.label, name, await measure(store));
        }
      };
      await each("batched_puts", (store) => timeWrites(store, rows));
      for (const { store } of stores) await store.settle?.();
      for (let i = 0; i < SCANS_PER_ROUND; i++) await each("scan", (store) => timeScan(store, rows));
      for (let i = 0; i < REPS; i++) await each("get", (store) => timeGets(store, rows, r * REPS + i));
      for (let i = 0; i < REPS; i++) await each("single_puts", (store) => timeSinglePuts(store, r * REPS + i));
    } finally {
      for (const { dir, store } of stores) {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      }
    }
    process.stdout.write(`  round ${r + 1}/${rounds} done\n`);
  }
  return figures;
}

/** @param {number[]} values */
const median = (values) => summarize(values).median;
/** @type {{ name: string, unit: string, higherIsBetter: boolean, what: string, source?: CaseKey }[]} */
const CASES = [
  { name: "batched_puts", unit: "cells/s", higherIsBetter: true, what: `putMany of ${ROWS_PER_BATCH} rows × ${CELLS_PER_ROW} cells` },
  { name: "single_puts", unit: "puts/s", higherIsBetter: true, what: "put of one cell, awaited one by one" },
  { name: "scan", unit: "rows/s", higherIsBetter: true, what: `full scan, ${CELLS_PER_ROW} cells a row` },
  { name: "get_median", unit: "µs", higherIsBetter: false, what: "get of a random existing row", source: "get" },
];

/**
 * @param {number} value
 * @param {string} unit
 */
function fmt(value, unit) {
  return unit === "µs" ? `${round(value, 1)} µs` : `${Math.round(value).toLocaleString("en-US")} ${unit}`;
}

/** @param {string[]} args */
export default async function main(args) {
  const { rows, rounds, other } = options(args);
  /** @type {{ DEFAULT_STORAGE_ENGINE: "lmdb" | "leveldb" }} */
  const { DEFAULT_STORAGE_ENGINE: engine } = await import(pathToFileURL(path.join(ROOT, "dist/hbase/backends/embedded/open-storage-engine.js")).href);
  const otherEngine = engine === "lmdb" ? "leveldb" : "lmdb";
  const root = await mkdtemp(path.join(tmpdir(), "sluice-bench-hbase-"));
  const started = performance.now();
  try {
    console.log(
      `${BENCH}: ${rows.toLocaleString("en-US")} rows × ${CELLS_PER_ROW} cells (${VALUE_LENGTH}-byte values), ${rounds} rounds, medians; ` +
        `the store on its default engine (${engine})${other ? `, and on ${otherEngine}` : ""}`,
    );
    /** @type {Record<"lmdb" | "leveldb", StoreFactory[]>} */
    const raws = {
      lmdb: [lmdbStore],
      leveldb: [(dir) => levelStore(dir, true), (dir) => levelStore(dir, false)],
    };
    /** @type {StoreFactory[]} */
    const factories = [(dir) => sluiceStore(dir, "sluice", undefined), ...raws[engine]];
    if (other) factories.push((dir) => sluiceStore(dir, `sluice-${otherEngine}`, otherEngine), ...raws[otherEngine]);
    const figures = await runRounds(factories, rows, rounds, root);
    const medians = new Map([...figures].map(([label, cases]) => [label, Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, median(v)]))]));
    /** @param {string} label */
    const mediansOf = (label) => {
      const m = medians.get(label);
      if (m === undefined) throw new Error(`${BENCH}: no figures for ${label}`);
      return m;
    };
    /**
     * The raw figures of an engine: LevelDB's faster write path (chained vs array batch), reads as the chained store.
     * @param {"lmdb" | "leveldb"} kind
     * @returns {Record<string, number>}
     */
    const rawOf = (kind) => {
      if (kind === "lmdb") return mediansOf("lmdb");
      const chained = mediansOf("leveldb-chained");
      const array = mediansOf("leveldb");
      return {
        batched_puts: Math.max(chained.batched_puts, array.batched_puts),
        single_puts: Math.max(chained.single_puts, array.single_puts),
        scan: chained.scan,
        get: chained.get,
      };
    };
    const sluice = mediansOf("sluice");
    const raw = rawOf(engine);
    console.log("");
    console.log(`${"case".padEnd(14)} ${`sluice (${engine})`.padStart(18)} ${`raw ${engine}`.padStart(18)} ${"ratio".padStart(7)}  what`);
    const json = [];
    for (const c of CASES) {
      const key = c.source ?? c.name;
      const value = sluice[key];
      const base = raw[key];
      const ratio = c.higherIsBetter ? value / base : base / value;
      console.log(`${c.name.padEnd(14)} ${fmt(value, c.unit).padStart(18)} ${fmt(base, c.unit).padStart(18)} ${round(ratio, 2).toFixed(2).padStart(7)}  ${c.what}`);
      json.push({ bench: BENCH, case: c.name, value: round(value, 1), unit: c.unit, baseline: "raw-engine", baseline_value: round(base, 1), ratio: round(ratio, 3) });
    }
    const targets = [
      [`batched puts ≥ 80 % of raw`, sluice.batched_puts >= 0.8 * raw.batched_puts],
      [`scan ≥ 80 % of raw`, sluice.scan >= 0.8 * raw.scan],
      [`batched puts ≥ 300k cells/s`, sluice.batched_puts >= 300_000],
    ];
    console.log(`targets: ${targets.map(([what, met]) => `${what}: ${met ? "met" : "NOT met"}`).join("; ")}`);
    if (other) {
      const o = mediansOf(`sluice-${otherEngine}`);
      const oRaw = rawOf(otherEngine);
      console.log("");
      console.log(`engine comparison (readable only: the store on each engine, and each raw engine on the same keys and values):`);
      console.log(`${"case".padEnd(14)} ${`sluice (${engine})`.padStart(18)} ${`sluice (${otherEngine})`.padStart(18)} ${`raw ${engine}`.padStart(18)} ${`raw ${otherEngine}`.padStart(18)}`);
      for (const c of CASES) {
        const key = c.source ?? c.name;
        console.log(
          `${c.name.padEnd(14)} ${fmt(sluice[key], c.unit).padStart(18)} ${fmt(o[key], c.unit).padStart(18)} ${fmt(raw[key], c.unit).padStart(18)} ${fmt(oRaw[key], c.unit).padStart(18)}`,
        );
      }
      {
        const chained = mediansOf("leveldb-chained");
        const array = mediansOf("leveldb");
        console.log(
          `raw leveldb writes: chained batch ${fmt(chained.batched_puts, "cells/s")}, array batch ${fmt(array.batched_puts, "cells/s")}; ` +
            `single put ${fmt(chained.single_puts, "puts/s")}, batch of one ${fmt(array.single_puts, "puts/s")}`,
        );
      }
    }
    console.log(`(${round((performance.now() - started) / 1000, 1)} s)`);
    for (const line of json) console.log(JSON.stringify(line));
    return 0;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
