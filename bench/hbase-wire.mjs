/**
 * HBase over the wire: Sluice's native client (`connect({ zookeeper, root })`) against the local
 * HBase-compatible endpoint, side by side in one run with
 *
 * - `embedded`: the embedded store called directly in this process (`connect({ path })`), the path the
 *   wire adds its overhead to;
 * - `hbase-rpc-client` (npm, the only other HBase client for Node) against the same endpoint: `mput`,
 *   a full-table `getScanner().each`, `get`.
 *
 * The endpoint runs in a child process (as a server would: its work does not share this event loop)
 * over its own embedded store, in `--compat 1` because hbase-rpc-client locates regions with
 * closest_row_before. ZooKeeper is a real Apache ZooKeeper (test/support/zookeeper.mjs).
 *
 * Cases (each contender writes its own table, ROWS rows × 4 cells of 16-byte values, fresh each round):
 * - `batched_puts`: batches of 1,000 rows (putMany / mput), cells/s;
 * - `scan`: a full scan of the table, rows/s (each client's default caching: Sluice's batchSize,
 *   hbase-rpc-client's 100 rows per call);
 * - `get_p50`: get of a random existing row, awaited one by one, median µs.
 *
 * Every figure is the median over rounds, contenders interleaved with the order alternating. Prints
 * readable lines, then LAST one JSON line per figure and baseline:
 * {"bench":"hbase-wire","case":"…","value":N,"unit":"…","baseline":"hbase-rpc-client"|"embedded","baseline_value":N,"ratio":N}
 * ratio > 1 means Sluice's wire client is better (throughput ÷ baseline's; baseline latency ÷ Sluice's).
 *
 * Usage: npm run bench -- hbase-wire [--rows N] [--rounds N] [--gets N] [--in-process]
 * (`--in-process` serves the endpoint from this process instead of a child.)
 */
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { round, summarize } from "./lib/stats.mjs";

const BENCH = "hbase-wire";
const HERE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(HERE), "..");
const ROWS_PER_BATCH = 1_000;
const CELLS_PER_ROW = 4;
const VALUE_LENGTH = 16;
const FAMILY = "d";
const QUALIFIERS = Array.from({ length: CELLS_PER_ROW }, (_, i) => `q${i}`);
const ZK_ROOT = "/hbase-bench";

/** @typedef {{ connect: typeof import("../src/hbase/connect.ts").connect }} ConnectModule */
/** @typedef {{ startLocalEndpoint: typeof import("../src/hbase/local-endpoint/index.ts").startLocalEndpoint }} EndpointModule */

/** @returns {Promise<ConnectModule>} */
const loadConnect = () => import(pathToFileURL(path.join(ROOT, "dist/hbase/connect.js")).href);
/** @returns {Promise<EndpointModule>} */
const loadEndpoint = () => import(pathToFileURL(path.join(ROOT, "dist/hbase/local-endpoint/index.js")).href);

/** @param {number} i */
const rowKey = (i) => `row${String(i).padStart(8, "0")}`;
/**
 * @param {number} i
 * @param {number} q
 */
const valueOf = (i, q) => `v${String(i).padStart(10, "0")}-q${q}--`.slice(0, VALUE_LENGTH);

/**
 * @param {string[]} args
 */
function options(args) {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: "string", default: "20000" },
      rounds: { type: "string", default: "3" },
      gets: { type: "string", default: "500" },
      "in-process": { type: "boolean", default: false },
    },
    strict: true,
  });
  /**
   * @param {"rows" | "rounds" | "gets"} name
   * @param {number} min
   */
  const count = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(values[name])}`);
    return n;
  };
  const rows = count("rows", ROWS_PER_BATCH);
  if (rows % ROWS_PER_BATCH !== 0) throw new Error(`--rows must be a multiple of ${ROWS_PER_BATCH}`);
  return { rows, rounds: count("rounds", 1), gets: count("gets", 10), inProcess: values["in-process"] === true };
}

// ---------------------------------------------------------------------------------------------------
// The endpoint: a store served over the wire, in a child process (or here with --in-process).

/**
 * @typedef {object} Served
 * @property {(table: string) => Promise<void>} createTable  on the store behind the endpoint
 * @property {() => Promise<number | undefined>} cpuMs  CPU time (user + system) the endpoint's process used so far, ms (undefined in-process)
 * @property {() => Promise<void>} stop
 */

/**
 * Serves a fresh store under ZK_ROOT. Messages to the child: `{ create: table }` → `{ created: table }`
 * (or `{ error }`), `{ stop: true }` → exits.
 * @param {string} zookeeper
 * @param {string} dir
 * @param {boolean} inProcess
 * @returns {Promise<Served>}
 */
async function serve(zookeeper, dir, inProcess) {
  if (inProcess) {
    const server = await startServing(zookeeper, dir);
    return { createTable: server.createTable, cpuMs: async () => undefined, stop: server.stop };
  }
  const child = fork(HERE, ["--serve", zookeeper, dir], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  /** @type {((message: any) => void)[]} */
  const waiting = [];
  child.on("message", (message) => waiting.shift()?.(message));
  /** @param {unknown} [request] */
  const ask = (request) =>
    new Promise((resolve, reject) => {
      const onExit = () => reject(new Error("the endpoint process exited"));
      child.once("exit", onExit);
      waiting.push((/** @type {{ error?: string }} */ message) => {
        child.off("exit", onExit);
        if (message.error !== undefined) reject(new Error(message.error));
        else resolve(message);
      });
      if (request !== undefined) child.send(/** @type {import("node:child_process").Serializable} */ (request));
    });
  await ask(); // { ready: true }
  return {
    createTable: async (table) => {
      await ask({ create: table });
    },
    cpuMs: async () => /** @type {{ cpuMs: number }} */ (await ask({ cpu: true })).cpuMs,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ stop: true });
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * @param {string} zookeeper
 * @param {string} dir
 */
async function startServing(zookeeper, dir) {
  const { connect } = await loadConnect();
  const { startLocalEndpoint } = await loadEndpoint();
  const store = await connect({ path: dir });
  const endpoint = await startLocalEndpoint({ connection: store, zookeeper, root: ZK_ROOT, compat: 1, replaceZNodes: true });
  return {
    /** @param {string} table */
    createTable: async (table) => {
      await store.admin.createTable(table, { families: [FAMILY] });
    },
    stop: async () => {
      await endpoint.stop();
      await store.close();
    },
  };
}

/** The child: serve until told to stop. */
async function childMain() {
  const [zookeeper, dir] = process.argv.slice(3);
  if (zookeeper === undefined || dir === undefined || process.send === undefined) throw new Error("hbase-wire --serve ZOOKEEPER DIR needs an IPC channel");
  const send = /** @type {(message: import("node:child_process").Serializable) => void} */ (process.send.bind(process));
  const server = await startServing(zookeeper, dir);
  process.on("message", (/** @type {{ create?: string, stop?: boolean, cpu?: boolean }} */ message) => {
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      send({ cpuMs: (user + system) / 1000 });
      return;
    }
    if (message.stop) {
      server.stop().finally(() => process.exit(0));
      return;
    }
    if (message.create !== undefined) {
      server.createTable(message.create).then(
        () => send({ created: message.create }),
        (/** @type {Error} */ error) => send({ error: error.message }),
      );
    }
  });
  send({ ready: true });
}

// ---------------------------------------------------------------------------------------------------
// Contenders: the same three operations on their own table.

/**
 * @typedef {object} Contender
 * @property {string} label
 * @property {(table: string) => Promise<void>} use  creates `table` (empty) and makes it the current one
 * @property {(first: number) => Promise<void>} writeBatch  rows first … first + ROWS_PER_BATCH − 1
 * @property {() => Promise<number>} scanAll  returns the rows seen
 * @property {(i: number) => Promise<void>} getRow
 * @property {() => Promise<void>} close
 */

/**
 * A Table API connection as a contender (the embedded store, or Sluice's wire client).
 * @param {string} label
 * @param {import("../src/hbase/table.ts").Connection} connection
 * @param {(table: string) => Promise<void>} createTable
 * @returns {Contender}
 */
function tableApiContender(label, connection, createTable) {
  /** @type {import("../src/hbase/table.ts").Table | undefined} */
  let table;
  const current = () => {
    if (table === undefined) throw new Error(`${label}: no table`);
    return table;
  };
  return {
    label,
    async use(name) {
      await createTable(name);
      table = connection.table(name);
    },
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
      await current().putMany(puts);
    },
    async scanAll() {
      let rows = 0;
      for await (const result of current().scan()) {
        if (result.cells.length !== CELLS_PER_ROW) throw new Error(`${label}: row ${new TextDecoder().decode(result.row)} has ${result.cells.length} cells`);
        rows++;
      }
      return rows;
    },
    async getRow(i) {
      const result = await current().get(rowKey(i));
      if (result === undefined || result.cells.length !== CELLS_PER_ROW) throw new Error(`${label}: row ${rowKey(i)} not found whole`);
    },
    close: () => connection.close(),
  };
}

/**
 * @typedef {object} TheirRow
 * @property {Buffer} row
 * @property {Record<string, { value: Buffer }>} cols
 */
/** @typedef {(err: unknown, res?: any) => void} Callback */
/**
 * @typedef {object} TheirScanner
 * @property {(fn: (err: unknown, row: TheirRow | null, done?: () => void) => void, end: (err: unknown) => void) => void} each
 */
/**
 * @typedef {object} TheirClient
 * @property {(table: string, rows: Array<Record<string, string>>, cb: Callback) => void} mput
 * @property {(table: string, get: unknown, cb: Callback) => void} get
 * @property {(table: string, start?: string, stop?: string) => TheirScanner} getScanner
 * @property {(event: "error", listener: (err: unknown) => void) => void} on
 * @property {{ close(): void }} zk
 * @property {Record<string, { socket?: import("node:net").Socket }>} servers
 */
/**
 * @typedef {{ (options: Record<string, unknown>): TheirClient, Get: new (row: string) => unknown }} TheirModule
 */

/**
 * @template T
 * @param {(cb: Callback) => void} fn
 * @returns {Promise<T>}
 */
const call = (fn) => new Promise((resolve, reject) => fn((err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))));

/**
 * hbase-rpc-client against the endpoint.
 * @param {string} zookeeper
 * @param {(table: string) => Promise<void>} createTable
 * @returns {Contender}
 */
function rpcClientContender(zookeeper, createTable) {
  const require = createRequire(import.meta.url);
  const hbase = /** @type {TheirModule} */ (require("hbase-rpc-client"));
  const client = hbase({ zookeeperHosts: [zookeeper], zookeeperRoot: ZK_ROOT, rpcTimeout: 30_000, callTimeout: 30_000, tcpNoDelay: true });
  client.on("error", (error) => console.error(`hbase-rpc-client error: ${String(error)}`));
  /** @type {string | undefined} */
  let table;
  const current = () => {
    if (table === undefined) throw new Error("hbase-rpc-client: no table");
    return table;
  };
  return {
    label: "hbase-rpc-client",
    async use(name) {
      await createTable(name);
      table = name;
    },
    async writeBatch(first) {
      /** @type {Array<Record<string, string>>} */
      const rows = new Array(ROWS_PER_BATCH);
      for (let r = 0; r < ROWS_PER_BATCH; r++) {
        const i = first + r;
        /** @type {Record<string, string>} */
        const row = { row: rowKey(i) };
        for (let q = 0; q < CELLS_PER_ROW; q++) row[`${FAMILY}:${QUALIFIERS[q]}`] = valueOf(i, q);
        rows[r] = row;
      }
      await call((cb) => client.mput(current(), rows, cb));
    },
    scanAll() {
      return new Promise((resolve, reject) => {
        let rows = 0;
        client.getScanner(current()).each(
          (err, row) => {
            if (err) return;
            if (row) {
              if (Object.keys(row.cols).length !== CELLS_PER_ROW) reject(new Error(`hbase-rpc-client: row ${row.row.toString()} is not whole`));
              rows++;
            }
          },
          (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(rows)),
        );
      });
    },
    async getRow(i) {
      /** @type {TheirRow | null} */
      const row = await call((cb) => client.get(current(), new hbase.Get(rowKey(i)), cb));
      if (row === null || Object.keys(row.cols).length !== CELLS_PER_ROW) throw new Error(`hbase-rpc-client: row ${rowKey(i)} not found whole`);
    },
    async close() {
      client.zk.close();
      for (const server of Object.values(client.servers)) server.socket?.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Measurements

/**
 * Deterministic pseudo-random row numbers (xorshift), the same for every contender.
 * @param {number} n
 * @param {number} rows
 * @param {number} seed
 */
function randomRows(n, rows, seed) {
  let x = seed >>> 0 || 1;
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
 * @param {Contender} c
 * @param {number} rows
 */
async function timeWrites(c, rows) {
  const start = performance.now();
  for (let first = 0; first < rows; first += ROWS_PER_BATCH) await c.writeBatch(first);
  return (rows * CELLS_PER_ROW) / ((performance.now() - start) / 1000);
}

/**
 * @param {Contender} c
 * @param {number} rows
 */
async function timeScan(c, rows) {
  const start = performance.now();
  const seen = await c.scanAll();
  const seconds = (performance.now() - start) / 1000;
  if (seen !== rows) throw new Error(`${c.label}: the scan saw ${seen} rows, expected ${rows}`);
  return rows / seconds;
}

/**
 * @param {Contender} c
 * @param {number} rows
 * @param {number} gets
 * @param {number} seed
 */
async function timeGets(c, rows, gets, seed) {
  /** @type {number[]} */
  const samples = [];
  for (const i of randomRows(gets, rows, seed)) {
    const start = performance.now();
    await c.getRow(i);
    samples.push((performance.now() - start) * 1000);
  }
  return summarize(samples).median;
}

/** @typedef {"batched_puts" | "scan" | "get_p50"} CaseKey */
/** @type {{ name: CaseKey, unit: string, higherIsBetter: boolean, what: string }[]} */
const CASES = [
  { name: "batched_puts", unit: "cells/s", higherIsBetter: true, what: `putMany / mput of ${ROWS_PER_BATCH} rows × ${CELLS_PER_ROW} cells` },
  { name: "scan", unit: "rows/s", higherIsBetter: true, what: `full scan, ${CELLS_PER_ROW} cells a row` },
  { name: "get_p50", unit: "µs", higherIsBetter: false, what: "get of a random existing row (median)" },
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
  const { rows, rounds, gets, inProcess } = options(args);
  const { startZooKeeper } = await import("../test/support/zookeeper.mjs");
  const { connect } = await loadConnect();
  const root = await mkdtemp(path.join(tmpdir(), "sluice-bench-wire-"));
  const started = performance.now();
  const zk = await startZooKeeper();
  /** @type {Contender[]} */
  const contenders = [];
  /** @type {Served | undefined} */
  let served;
  try {
    console.log(
      `${BENCH}: ${rows.toLocaleString("en-US")} rows × ${CELLS_PER_ROW} cells (${VALUE_LENGTH}-byte values), ${gets} gets, ${rounds} rounds, medians; ` +
        `endpoint (compat 1) ${inProcess ? "in this process" : "in a child process"}`,
    );
    served = await serve(zk.connectString, path.join(root, "served"), inProcess);
    const endpoint = served;
    const embedded = await connect({ path: path.join(root, "embedded") });
    contenders.push(tableApiContender("embedded", embedded, (table) => embedded.admin.createTable(table, { families: [FAMILY] }).then(() => undefined)));
    try {
      const wire = await connect({ zookeeper: zk.connectString, root: ZK_ROOT });
      contenders.push(tableApiContender("sluice-wire", wire, endpoint.createTable));
    } catch (error) {
      console.log(`Sluice's wire client is not available: ${error instanceof Error ? error.message : String(error)} — measuring the baselines only`);
    }
    contenders.push(rpcClientContender(zk.connectString, endpoint.createTable));

    /** @type {Map<string, Record<CaseKey, number[]>>} */
    const figures = new Map(contenders.map((c) => [c.label, { batched_puts: [], scan: [], get_p50: [] }]));
    /** CPU ms used per case and contender, summed over rounds: this process (client), the endpoint's (server). */
    /** @type {Map<string, Record<CaseKey, { client: number, server: number, wall: number }>>} */
    const cpu = new Map(contenders.map((c) => [c.label, { batched_puts: { client: 0, server: 0, wall: 0 }, scan: { client: 0, server: 0, wall: 0 }, get_p50: { client: 0, server: 0, wall: 0 } }]));
    /**
     * Runs one measurement, recording its figure and the CPU time both processes spent on it.
     * @param {Contender} c
     * @param {CaseKey} name
     * @param {() => Promise<number>} measure
     */
    const record = async (c, name, measure) => {
      const server0 = await endpoint.cpuMs();
      const client0 = process.cpuUsage();
      const wall0 = performance.now();
      const value = await measure();
      const wall = performance.now() - wall0;
      const client = process.cpuUsage(client0);
      const server1 = await endpoint.cpuMs();
      figures.get(c.label)?.[name].push(value);
      const used = cpu.get(c.label)?.[name];
      if (used !== undefined) {
        used.client += (client.user + client.system) / 1000;
        used.server += server0 === undefined || server1 === undefined ? 0 : server1 - server0;
        used.wall += wall;
      }
    };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? contenders : [...contenders].reverse();
      for (const c of order) await c.use(`bench_${c.label.replace(/[^a-z0-9]/g, "_")}_${r}`);
      for (const c of order) await record(c, "batched_puts", () => timeWrites(c, rows));
      for (const c of [...order].reverse()) await record(c, "scan", () => timeScan(c, rows));
      for (const c of order) await record(c, "get_p50", () => timeGets(c, rows, gets, 0x9e3779b9 + r));
      process.stdout.write(`  round ${r + 1}/${rounds} done\n`);
    }

    /** @param {string} label */
    const mediansOf = (label) => {
      const cases = figures.get(label);
      if (cases === undefined) return undefined;
      return /** @type {Record<CaseKey, number>} */ (Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, summarize(v).median])));
    };
    const embeddedM = /** @type {Record<CaseKey, number>} */ (mediansOf("embedded"));
    const rpcM = /** @type {Record<CaseKey, number>} */ (mediansOf("hbase-rpc-client"));
    const sluiceM = mediansOf("sluice-wire");
    console.log("");
    console.log(`${"case".padEnd(13)} ${"sluice wire".padStart(18)} ${"hbase-rpc-client".padStart(18)} ${"embedded".padStart(18)}  what`);
    for (const c of CASES) {
      const shown = (/** @type {Record<CaseKey, number> | undefined} */ m) => (m === undefined ? "—" : fmt(m[c.name], c.unit));
      console.log(`${c.name.padEnd(13)} ${shown(sluiceM).padStart(18)} ${shown(rpcM).padStart(18)} ${shown(embeddedM).padStart(18)}  ${c.what}`);
    }
    console.log("");
    console.log(`CPU per unit of work, summed over rounds (client = this process, server = the endpoint's process${inProcess ? ", here included in client" : ""}):`);
    for (const c of CASES) {
      const units = c.name === "batched_puts" ? (rows / ROWS_PER_BATCH) * rounds : c.name === "scan" ? (rows / ROWS_PER_BATCH) * rounds : gets * rounds;
      const per = c.name === "get_p50" ? "get" : `${ROWS_PER_BATCH} rows`;
      const parts = contenders.map((x) => {
        const u = /** @type {{ client: number, server: number, wall: number }} */ (cpu.get(x.label)?.[c.name]);
        const f = (/** @type {number} */ ms) => (c.name === "get_p50" ? `${round((ms / units) * 1000, 0)} µs` : `${round(ms / units, 1)} ms`);
        return `${x.label} wall ${f(u.wall)}, client cpu ${f(u.client)}, server cpu ${f(u.server)}`;
      });
      console.log(`  ${c.name} (per ${per}): ${parts.join("; ")}`);
    }
    /** @type {object[]} */
    const json = [];
    if (sluiceM !== undefined) {
      console.log("");
      for (const c of CASES) {
        for (const [baseline, m] of /** @type {const} */ ([["hbase-rpc-client", rpcM], ["embedded", embeddedM]])) {
          const value = sluiceM[c.name];
          const base = m[c.name];
          const ratio = c.higherIsBetter ? value / base : base / value;
          json.push({ bench: BENCH, case: c.name, value: round(value, 1), unit: c.unit, baseline, baseline_value: round(base, 1), ratio: round(ratio, 3) });
        }
      }
      const ratioOf = (/** @type {CaseKey} */ name, /** @type {Record<CaseKey, number>} */ m) => sluiceM[name] / m[name];
      const targets = [
        [`batched puts ≥ 2× hbase-rpc-client (${round(ratioOf("batched_puts", rpcM), 2)}×)`, ratioOf("batched_puts", rpcM) >= 2],
        [`scan ≥ 2× hbase-rpc-client (${round(ratioOf("scan", rpcM), 2)}×)`, ratioOf("scan", rpcM) >= 2],
        [`batched puts within 3× of embedded (${round(1 / ratioOf("batched_puts", embeddedM), 2)}× slower)`, ratioOf("batched_puts", embeddedM) >= 1 / 3],
      ];
      console.log(`targets: ${targets.map(([what, met]) => `${what}: ${met ? "met" : "NOT met"}`).join("; ")}`);
    } else {
      const base = CASES.map((c) => `${c.name} hbase-rpc-client ÷ embedded = ${round(c.higherIsBetter ? rpcM[c.name] / embeddedM[c.name] : embeddedM[c.name] / rpcM[c.name], 3)}`);
      console.log(`(no Sluice wire figures: no JSON lines) ${base.join("; ")}`);
    }
    console.log(`(${round((performance.now() - started) / 1000, 1)} s)`);
    for (const line of json) console.log(JSON.stringify(line));
    return 0;
  } finally {
    for (const c of contenders) await c.close().catch(() => undefined);
    await served?.stop().catch(() => undefined);
    await zk.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === HERE && process.argv[2] === "--serve") {
  childMain().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
