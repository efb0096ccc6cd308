/**
 * bench/engine: the stream engine's throughput on Nexmark q5, q7 and q11 (issue 4), each next to a
 * hand-written single-purpose loop computing the identical result (asserted) and an RxJS implementation
 * of the in-order variant. See bench/README.md, section "engine".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { q11HandLoop, q11Line, q5HandLoop, q5Line, q7HandLoop, q7Line } from "./lib/nexmark-hand-loops.mjs";
import { q11Rxjs, q5Rxjs, q7Rxjs } from "./lib/nexmark-rxjs.mjs";
import { round, summarize } from "./lib/stats.mjs";

/**
 * Types only: the bench loads the built package (`--dist`, default dist/index.js), whose API is src/index.ts's.
 * @typedef {typeof import("../src/index.ts")} Sluice
 * @typedef {import("../src/index.ts").NexmarkOptions} NexmarkOptions
 * @typedef {import("../src/index.ts").StartOptions} StartOptions
 * @typedef {import("../src/index.ts").NexmarkGenerator} NexmarkGenerator
 * @typedef {"q5" | "q7" | "q11"} Query
 * @typedef {{ events: number, rounds: number, queries: Query[], seed: number, eventsPerSecond: number, batchSize: number | undefined, rxjs: boolean, dist: string, checkpointKeys: number }} Options
 * @typedef {{ lines: string[], late: number, ambiguous?: number }} HandResult
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: npm run bench -- engine [--events N] [--rounds N] [--queries q5,q7,q11] [--seed N]
  [--events-per-second N] [--batch-size N] [--no-rxjs] [--checkpoint-keys N (0: skip)] [--dist PATH/index.js]`;

/** Window sizes of the queries (Nexmark's), ms. */
const Q5 = { size: 10_000, slide: 2_000 };
const Q7 = { size: 10_000 };
const Q11 = { gap: 10_000 };
const OUT_OF_ORDERNESS = 4_000;

/**
 * @param {string[]} args
 * @returns {Options | undefined} undefined after --help
 */
function parseArgs(args) {
  /** @type {Options} */
  const options = { events: 5_000_000, rounds: 2, queries: ["q5", "q7", "q11"], seed: 42, eventsPerSecond: 10_000, batchSize: undefined, rxjs: true, dist: path.join(ROOT, "dist/index.js"), checkpointKeys: 1_000_000 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new RangeError(`engine: ${arg} needs a value\n${USAGE}`);
      return v;
    };
    /**
     * @param {string} name
     * @param {number} min
     */
    const int = (name, min) => {
      const v = Number(value());
      if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`engine: ${name} must be an integer ≥ ${min}\n${USAGE}`);
      return v;
    };
    if (arg === "--events") options.events = int(arg, 1);
    else if (arg === "--rounds") options.rounds = int(arg, 1);
    else if (arg === "--seed") options.seed = int(arg, 0);
    else if (arg === "--events-per-second") options.eventsPerSecond = int(arg, 1);
    else if (arg === "--batch-size") options.batchSize = int(arg, 1);
    else if (arg === "--no-rxjs") options.rxjs = false;
    else if (arg === "--checkpoint-keys") options.checkpointKeys = int(arg, 0);
    else if (arg === "--dist") options.dist = path.resolve(value());
    else if (arg === "--queries") {
      options.queries = [];
      for (const q of value().split(",")) {
        if (q !== "q5" && q !== "q7" && q !== "q11") throw new RangeError(`engine: unknown query ${q}\n${USAGE}`);
        options.queries.push(q);
      }
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return undefined;
    } else throw new RangeError(`engine: unknown argument ${arg}\n${USAGE}`);
  }
  return options;
}

/**
 * The Sluice pipelines; each returns the canonical (sorted) result lines.
 * @param {Sluice} sluice
 * @returns {Record<Query, (config: NexmarkOptions, start: StartOptions) => Promise<string[]>>}
 */
function sluiceQueries(sluice) {
  const { from, nexmark, tumbling, sliding, session, maxBy, count, collect } = sluice;
  /** @param {NexmarkOptions} config */
  const bids = (config) =>
    from(nexmark(config))
      .filter((e) => e.kind === "bid")
      .withTimestamps((b) => b.dateTime, { outOfOrderness: OUT_OF_ORDERNESS });
  /**
   * @param {import("../src/index.ts").DataStream<string>} stream
   * @param {StartOptions} start
   */
  const run = async (stream, start) => {
    /** @type {import("../src/index.ts").CollectSink<string>} */
    const out = collect();
    await stream.to(out).start(start).done;
    return [...out.records].sort();
  };
  return {
    q7: (config, start) =>
      run(
        bids(config)
          .keyBy(() => 0)
          .window(tumbling(Q7.size))
          .aggregate(maxBy((b) => b.price), (top, w) => q7Line(w.start, w.end, top)),
        start,
      ),
    q5: (config, start) =>
      run(
        bids(config)
          .keyBy((b) => b.auction)
          .window(sliding(Q5.size, Q5.slide))
          .aggregate(count(), (n, w) => ({ auction: w.key, count: n, start: w.start, end: w.end }))
          .keyBy((r) => r.end)
          .window(tumbling(Q5.slide))
          .aggregate(maxBy((r) => r.count), (top, w) => q5Line(top[0].start, top[0].end, top[0].count, top.map((r) => r.auction))),
        start,
      ),
    q11: (config, start) =>
      run(
        bids(config)
          .keyBy((b) => b.bidder)
          .window(session(Q11.gap))
          .aggregate(count(), (n, w) => q11Line(w.key, w.start, w.end, n)),
        start,
      ),
  };
}

/** @type {Record<Query, (gen: NexmarkGenerator, events: number) => HandResult>} */
const HAND = {
  q7: (gen, events) => q7HandLoop(gen, events, { ...Q7, outOfOrderness: OUT_OF_ORDERNESS }),
  q5: (gen, events) => q5HandLoop(gen, events, { ...Q5, outOfOrderness: OUT_OF_ORDERNESS }),
  q11: (gen, events) => q11HandLoop(gen, events, { ...Q11, outOfOrderness: OUT_OF_ORDERNESS }),
};
/** @type {Record<Query, (gen: NexmarkGenerator, events: number) => Promise<string[]>>} */
const RXJS = {
  q7: (gen, events) => q7Rxjs(gen, events, Q7),
  q5: (gen, events) => q5Rxjs(gen, events, Q5),
  q11: (gen, events) => q11Rxjs(gen, events, Q11),
};
/** @type {Record<Query, string>} */
const DESCRIPTIONS = {
  q5: "hot items: bids per auction, sliding 10 s / 2 s, then the auction(s) with the most bids per window",
  q7: "highest bid(s) per tumbling 10 s window",
  q11: "bids per bidder per session window (10 s gap)",
};

/**
 * Throws, showing the first differences, unless both sorted line lists are equal.
 * @param {Query} query
 * @param {string} what
 * @param {readonly string[]} actual
 * @param {readonly string[]} expected
 */
function assertSameLines(query, what, actual, expected) {
  if (actual.length === expected.length && actual.every((line, i) => line === expected[i])) return;
  const want = new Set(expected);
  const got = new Set(actual);
  const missing = expected.filter((l) => !got.has(l)).slice(0, 5);
  const extra = actual.filter((l) => !want.has(l)).slice(0, 5);
  throw new Error(
    `engine ${query}: ${what} differ (${actual.length} vs ${expected.length} results)\n` +
      `  missing: ${missing.join(" | ") || "-"}\n  unexpected: ${extra.join(" | ") || "-"}`,
  );
}

/**
 * @template T
 * @param {() => T | Promise<T>} fn
 * @returns {Promise<{ ms: number, value: T }>}
 */
async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** @param {number} eventsPerSecond */
const fmt = (eventsPerSecond) => `${(eventsPerSecond / 1000).toFixed(0).padStart(6)}k events/s`;

/**
 * The cost of checkpointing every second with `keys` keys of window state: a keyed count in a one-hour
 * tumbling window over 5 records per key (so every key holds state until the end), run without and with
 * `checkpoint: { every: 1000 }` into a temporary directory — full snapshots every time
 * (`incremental: false`) and incremental ones (the default: deltas of the keys changed since the last
 * checkpoint; new bases materialised in the background from the stored chain; writes in the background
 * while the job goes on); the ratio is the throughput with
 * checkpoints over the throughput without (target ≥ 0.95, i.e. ≤ 5 % cost). The first `keys` records
 * create every key; the rest visit the hottest `hot` share of the keys round-robin (stride 7919): with
 * `hot` 1 every key changes every second (the worst case for deltas: each holds nearly all state), with
 * 0.05 a second's records touch 5 % of the keys (state mostly at rest, the case deltas are for).
 * @param {Sluice} sluice
 * @param {number} keys
 * @param {number} rounds
 * @param {number} hot
 */
async function checkpointCost(sluice, keys, rounds, hot) {
  const records = keys * 5;
  const hotKeys = Math.max(1, Math.round(keys * hot));
  /** @returns {Generator<{ k: number, ts: number }>} */
  function* generate() {
    for (let i = 0; i < records; i++) yield { k: i < keys ? (i * 7919) % keys : (i * 7919) % hotKeys, ts: i };
  }
  // One result per (key, hour window) holding records.
  let expectedResults = 0;
  {
    const seen = new Map();
    for (const r of generate()) {
      const w = Math.floor(r.ts / 3_600_000);
      let marks = seen.get(w);
      if (marks === undefined) seen.set(w, (marks = new Uint8Array(keys)));
      if (marks[r.k] === 0) {
        marks[r.k] = 1;
        expectedResults++;
      }
    }
  }
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-bench-ckpt-"));
  /** @param {"none" | "full" | "incremental"} mode */
  const run = async (mode) => {
    const storage = path.join(dir, `run-${Math.random().toString(36).slice(2)}`);
    const checkpoint = mode !== "none";
    const t0 = performance.now();
    // Results are counted, not kept: the process keeps every job it started (the job registry), and
    // 1M kept results per run would make each later run pay for the earlier runs' garbage.
    let results = 0;
    const job = sluice
      .from(sluice.fromIterable(() => generate()))
      .withTimestamps((r) => r.ts)
      .keyBy((r) => r.k)
      .window(sluice.tumbling(3_600_000))
      .aggregate(sluice.count())
      .to(sluice.callback((rs) => void (results += rs.length)))
      .start(checkpoint ? { batchSize: 5_000, checkpoint: { every: 1_000, storage, retain: 1, incremental: mode === "incremental" } } : { batchSize: 5_000 });
    // Sizes and durations of every checkpoint (the metrics show the last one).
    /** @type {{ bytes: number, ms: number }[]} */
    const taken = [];
    let seen = 0;
    while (job.status === "running") {
      await new Promise((r) => setTimeout(r, 50));
      const last = job.metrics().lastCheckpoint;
      if (last !== undefined && last.id !== seen) {
        seen = last.id;
        taken.push({ bytes: last.bytes, ms: last.durationMs });
      }
    }
    await job.done;
    const ms = performance.now() - t0;
    if (results !== expectedResults) throw new Error(`checkpoint cost (${mode}): ${results} window results, expected ${expectedResults} (one per key and window)`);
    const last = job.metrics().lastCheckpoint;
    const total = taken.reduce((n, c) => n + c.ms, 0);
    return { ms, checkpoints: last?.id ?? 0, bytes: last?.bytes ?? 0, checkpointMs: last?.durationMs ?? 0, meanMs: taken.length === 0 ? 0 : total / taken.length, meanBytes: taken.length === 0 ? 0 : taken.reduce((n, c) => n + c.bytes, 0) / taken.length };
  };
  console.log(`\ncheckpoint cost: a keyed count over ${keys.toLocaleString("en")} keys (${records.toLocaleString("en")} records, state kept to the end, after the first ${keys.toLocaleString("en")} records ${Math.round(hot * 100)} % of the keys hot), checkpoints every 1 s vs none`);
  /** @type {number[]} */
  const without = [];
  /** @type {number[]} */
  const withCheckpoints = [];
  /** @type {number[]} */
  const withFull = [];
  /** @param {{ ms: number, checkpoints: number, meanMs: number, meanBytes: number }} b */
  const describe = (b) => `${fmt((records / b.ms) * 1000)} (${b.checkpoints} checkpoints, mean ${(b.meanBytes / 1e6).toFixed(1)} MB in ${b.meanMs.toFixed(0)} ms)`;
  try {
    for (let r = 0; r < rounds; r++) {
      const a = await run("none");
      const f = await run("full");
      const b = await run("incremental");
      without.push(a.ms);
      withFull.push(f.ms);
      withCheckpoints.push(b.ms);
      console.log(`  round ${r + 1}: none ${fmt((records / a.ms) * 1000)}   full every 1 s ${describe(f)}   incremental every 1 s ${describe(b)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const plain = (records / summarize(without).median) * 1000;
  const checkpointed = (records / summarize(withCheckpoints).median) * 1000;
  const fullRate = (records / summarize(withFull).median) * 1000;
  const ratio = checkpointed / plain;
  console.log(`  median: ${(100 * (1 - fullRate / plain)).toFixed(1)} % slower with full checkpoints, ${(100 * (1 - ratio)).toFixed(1)} % with incremental ones (target ≤ 5 %: ${ratio >= 0.95 ? "met" : "NOT met"})`);
  const name = hot === 1 ? "checkpoint_every_1s_events_per_s" : `checkpoint_every_1s_hot${Math.round(hot * 100)}pct_events_per_s`;
  return { bench: "engine", case: name, value: round(checkpointed, 0), unit: "events/s", baseline: "raw-engine", baseline_value: round(plain, 0), ratio: round(ratio) };
}

/**
 * The main thread's CPU time so far, ms (Linux: its /proc task entry; undefined elsewhere). Node 20 has
 * no per-thread CPU clock, and `process.cpuUsage()` counts the worker threads too.
 * @returns {Promise<number | undefined>}
 */
async function mainThreadCpuMs() {
  try {
    const { readFile } = await import("node:fs/promises");
    const stat = await readFile(`/proc/${process.pid}/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100/s)
  } catch {
    return undefined;
  }
}

/**
 * {@link timed}, plus the main thread's CPU time and the whole process's (all threads) during the run.
 * @template T
 * @param {() => Promise<T>} fn
 */
async function timedWithCpu(fn) {
  const main0 = await mainThreadCpuMs();
  const cpu0 = process.cpuUsage();
  const t = await timed(fn);
  const main1 = await mainThreadCpuMs();
  const cpu = process.cpuUsage(cpu0);
  return { ...t, mainCpuMs: main0 === undefined || main1 === undefined ? undefined : main1 - main0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * The CPU line of a parallelism case: the main thread's CPU per event and all threads' CPU, medians.
 * @param {{ mainCpuMs: number | undefined, cpuMs: number }[]} serial
 * @param {{ mainCpuMs: number | undefined, cpuMs: number }[]} parallel
 * @param {number} events
 */
function cpuLine(serial, parallel, events) {
  /** @param {{ mainCpuMs: number | undefined, cpuMs: number }[]} runs */
  const main = (runs) => (runs.some((r) => r.mainCpuMs === undefined) ? "n/a" : `${((summarize(runs.map((r) => r.mainCpuMs ?? 0)).median * 1e6) / events).toFixed(0)} ns/event`);
  /** @param {{ mainCpuMs: number | undefined, cpuMs: number }[]} runs */
  const all = (runs) => `${(summarize(runs.map((r) => r.cpuMs)).median / 1000).toFixed(2)} s`;
  return `  CPU (medians): main thread ${main(serial)} at parallelism 1, ${main(parallel)} at 2; all threads ${all(serial)} at 1, ${all(parallel)} at 2`;
}

/**
 * Keyed operators on worker threads: q5 with `parallelism: 2` next to parallelism 1 (results asserted
 * equal). Its result function calls `q5Line`, shipped to the workers as a capture. Its two keyed windows
 * are linked by the keyed exchange (the first's workers send their results straight to the second's).
 * @param {ReturnType<typeof sluiceQueries>} queries
 * @param {NexmarkOptions} config
 * @param {StartOptions} start
 * @param {number} events
 * @param {number} rounds
 */
async function parallelCase(queries, config, start, events, rounds) {
  console.log(`\nq5 with parallelism 2 (keyed windows on 2 worker threads) vs parallelism 1`);
  return parallelRounds("q5", "q5_parallelism_2_events_per_s", events, rounds, (parallel) =>
    queries.q5(config, parallel ? { ...start, parallelism: 2, captures: { q5Line } } : start),
  );
}

/**
 * The rounds of a parallelism case: `run(false)` (parallelism 1) and `run(true)` (parallelism 2) one
 * after the other, results asserted equal, rates and CPU printed; the figure's JSON object.
 * @param {Query} query the query named in an assertion's message
 * @param {string} figure the JSON line's case
 * @param {number} events
 * @param {number} rounds
 * @param {(parallel: boolean) => Promise<string[]>} run
 */
async function parallelRounds(query, figure, events, rounds, run) {
  /** @type {number[]} */
  const serial = [];
  /** @type {number[]} */
  const parallel = [];
  /** @type {{ mainCpuMs: number | undefined, cpuMs: number }[][]} */
  const cpu = [[], []];
  for (let r = 0; r < rounds; r++) {
    const a = await timedWithCpu(() => run(false));
    const b = await timedWithCpu(() => run(true));
    assertSameLines(query, "parallelism 2 and parallelism 1 results", b.value, a.value);
    serial.push(a.ms);
    parallel.push(b.ms);
    cpu[0]?.push(a);
    cpu[1]?.push(b);
    console.log(`  round ${r + 1}: parallelism 1 ${fmt((events / a.ms) * 1000)}   parallelism 2 ${fmt((events / b.ms) * 1000)}   (${a.value.length} results, equal)`);
  }
  const one = (events / summarize(serial).median) * 1000;
  const two = (events / summarize(parallel).median) * 1000;
  console.log(`  median: parallelism 2 ${fmt(two)} → ${(two / one).toFixed(2)}× parallelism 1`);
  console.log(cpuLine(cpu[0] ?? [], cpu[1] ?? [], events));
  console.log(`  the machine now: 2 threads spinning at once run ${(await spinSpeedUp()).toFixed(2)}× as fast as 1 (the most any parallelism 2 can gain)`);
  return { bench: "engine", case: figure, value: round(two, 0), unit: "events/s", baseline: "raw-engine", baseline_value: round(one, 0), ratio: round(two / one) };
}

/**
 * How much faster two threads doing the same CPU-bound work at once finish than one after the other
 * (2 on two free cores, 1 on one): what a shared machine offers parallelism right now.
 */
async function spinSpeedUp() {
  const { Worker } = await import("node:worker_threads");
  const code = `let h = 0; for (let i = 0; i < 1e8; i++) h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) | 0; require("node:worker_threads").parentPort.postMessage(h);`;
  /** @param {number} n */
  const spin = async (n) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, () => new Promise((resolve, reject) => {
        const w = new Worker(code, { eval: true });
        w.once("message", () => void w.terminate().then(resolve, reject));
        w.once("error", reject);
      })),
    );
    return performance.now() - t0;
  };
  const one = await spin(1);
  const two = await spin(2);
  return (2 * one) / two;
}

/** Rounds of integer hashing per bid in the heavy keyed case (~15 µs of keyed work per record). */
const HEAVY_ROUNDS = 10_000;

/**
 * Keyed work on one bid for the heavy case: `rounds` steps of a 32-bit integer mix of its price
 * (deterministic; stands for a costly per-record aggregate).
 * @param {number} price
 * @param {number} rounds
 */
function heavyMix(price, rounds) {
  let h = price | 0;
  for (let i = 0; i < rounds; i++) h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) | 0;
  return h;
}

/**
 * Keyed operators on worker threads where the keyed work dominates: bids per bidder in tumbling 10 s
 * windows with a user aggregate doing {@link HEAVY_ROUNDS} rounds of hashing per bid (its records are
 * shipped, not pre-aggregated), parallelism 2 next to parallelism 1 (results asserted equal).
 * @param {Sluice} sluice
 * @param {NexmarkOptions} config
 * @param {StartOptions} start
 * @param {number} events
 * @param {number} rounds
 */
async function heavyParallelCase(sluice, config, start, events, rounds) {
  const { from, nexmark, tumbling, aggregate, collect } = sluice;
  console.log(`\nheavy keyed work (${HEAVY_ROUNDS} hash rounds per bid, per bidder, tumbling 10 s) with parallelism 2 vs parallelism 1, ${events.toLocaleString("en")} events`);
  /** @param {StartOptions} options */
  const run = async (options) => {
    /** @type {import("../src/index.ts").CollectSink<string>} */
    const out = collect();
    await from(nexmark(config))
      .filter((e) => e.kind === "bid")
      .withTimestamps((b) => b.dateTime, { outOfOrderness: OUT_OF_ORDERNESS })
      .keyBy((b) => b.bidder)
      .window(tumbling(Q7.size))
      .aggregate(
        aggregate({ create: () => 0, add: (acc, b) => (acc + heavyMix(b.price, HEAVY_ROUNDS)) | 0, merge: (a, b) => (a + b) | 0, result: (h) => h }),
        (h, w) => `${w.key} ${w.start} ${h}`,
      )
      .to(out)
      .start(options).done;
    return [...out.records].sort();
  };
  return parallelRounds("q7", "heavy_keyed_parallelism_2_events_per_s", events, rounds, (parallel) =>
    run(parallel ? { ...start, parallelism: 2, captures: { heavyMix, HEAVY_ROUNDS } } : start),
  );
}

/** @param {string[]} args */
export default async function main(args) {
  const options = parseArgs(args);
  if (options === undefined) return 0;
  const sluice = /** @type {Sluice} */ (await import(pathToFileURL(options.dist).href));
  const queries = sluiceQueries(sluice);
  /** @type {NexmarkOptions} */
  const config = { seed: options.seed, maxEvents: options.events, eventsPerSecond: options.eventsPerSecond };
  /** @type {NexmarkOptions} */
  const inOrderConfig = { ...config, outOfOrder: false };
  const generator = sluice.nexmark(config).generator;
  const inOrderGenerator = sluice.nexmark(inOrderConfig).generator;
  const start = options.batchSize === undefined ? {} : { batchSize: options.batchSize };

  console.log(`engine: Nexmark ${options.queries.join(", ")} on ${options.events.toLocaleString("en")} events (seed ${options.seed}, ${options.eventsPerSecond} events/s of event time),`);
  console.log(`  watermark = max dateTime − ${OUT_OF_ORDERNESS / 1000} s (generator default: 10 % of events up to 4 s late); ${options.rounds} round(s), medians; node ${process.version}`);
  console.log(`  hand-loop: a single-purpose loop over the same generator (results asserted equal); rxjs: the in-order variant (outOfOrder: false)`);
  const figures = [];
  for (const q of options.queries) {
    console.log(`\n${q}: ${DESCRIPTIONS[q]}`);
    // The RxJS variant runs on in-order events: its results are checked against the hand loop on those.
    const inOrderExpected = options.rxjs ? HAND[q](inOrderGenerator, options.events).lines : undefined;
    /** @type {{ sluice: number[], hand: number[], rxjs: number[] }} */
    const samples = { sluice: [], hand: [], rxjs: [] };
    let results = 0;
    for (let r = 0; r < options.rounds; r++) {
      // Rotate who goes first (warm-up, GC pressure).
      const order = ["sluice", "hand", "rxjs"].filter((s) => s !== "rxjs" || options.rxjs);
      for (let k = 0; k < r % order.length; k++) {
        const first = order.shift();
        if (first !== undefined) order.push(first);
      }
      /** @type {string[] | undefined} */
      let sluiceLines;
      /** @type {HandResult | undefined} */
      let hand;
      for (const system of order) {
        if (system === "sluice") {
          const t = await timed(() => queries[q](config, start));
          sluiceLines = t.value;
          samples.sluice.push(t.ms);
        } else if (system === "hand") {
          const t = await timed(() => HAND[q](generator, options.events));
          hand = t.value;
          samples.hand.push(t.ms);
        } else {
          const t = await timed(() => RXJS[q](inOrderGenerator, options.events));
          samples.rxjs.push(t.ms);
          if (inOrderExpected === undefined) throw new Error(`engine ${q}: no in-order hand-loop results to check rxjs against`);
          if (r === 0) assertSameLines(q, "rxjs (in order) and hand-loop (in order) results", t.value, inOrderExpected);
        }
      }
      if (sluiceLines === undefined || hand === undefined) throw new Error(`engine ${q}: round ${r + 1} did not run both sluice and the hand loop`);
      if (hand.late !== 0) console.log(`  note: the hand loop saw ${hand.late} late bids (dropped, as the engine would with a watermark as far)`);
      if (hand.ambiguous !== undefined && hand.ambiguous > 0) {
        console.log(`  note: ${hand.ambiguous} bids touched a session exactly at its end after the hand loop fired it; the engine's periodic watermark may merge them`);
      }
      assertSameLines(q, "sluice and hand-loop results", sluiceLines, hand.lines);
      results = sluiceLines.length;
      const line = Object.entries(samples)
        .filter(([, s]) => s.length > r)
        .map(([name, s]) => `${name} ${fmt((options.events / s[r]) * 1000)}`)
        .join("   ");
      console.log(`  round ${r + 1}: ${line}   (${results} results, equal)`);
    }
    /** @param {number[]} s */
    const rate = (s) => (options.events / summarize(s).median) * 1000;
    const sluiceRate = rate(samples.sluice);
    const handRate = rate(samples.hand);
    const handRatio = sluiceRate / handRate;
    console.log(`  median: sluice ${fmt(sluiceRate)}, hand-loop ${fmt(handRate)} → ${(handRatio * 100).toFixed(1)} % of the hand loop (target ≥ 50 %: ${handRatio >= 0.5 ? "met" : "NOT met"})`);
    figures.push({ bench: "engine", case: `${q}_events_per_s`, value: round(sluiceRate, 0), unit: "events/s", baseline: "hand-loop", baseline_value: round(handRate, 0), ratio: round(handRatio) });
    if (options.rxjs) {
      const rxRate = rate(samples.rxjs);
      const rxRatio = sluiceRate / rxRate;
      console.log(`          rxjs ${fmt(rxRate)} → ${rxRatio.toFixed(2)}× RxJS (target ≥ 5×: ${rxRatio >= 5 ? "met" : "NOT met"})`);
      figures.push({ bench: "engine", case: `${q}_events_per_s`, value: round(sluiceRate, 0), unit: "events/s", baseline: "rxjs", baseline_value: round(rxRate, 0), ratio: round(rxRatio) });
    }
  }
  if (options.queries.includes("q5")) figures.push(await parallelCase(queries, config, start, options.events, options.rounds));
  // The heavy case on 1/25 of the events (its keyed work is thousands of times a count's).
  const heavyEvents = Math.max(1, Math.round(options.events / 25));
  figures.push(await heavyParallelCase(sluice, { ...config, maxEvents: heavyEvents }, start, heavyEvents, options.rounds));
  // `--rounds` rounds each (none, full, incremental interleaved; medians): on a shared machine one run
  // of each varies by ±40 %. Uniform updates, then a hot 5 %.
  if (options.checkpointKeys > 0) {
    figures.push(await checkpointCost(sluice, options.checkpointKeys, options.rounds, 1));
    figures.push(await checkpointCost(sluice, options.checkpointKeys, options.rounds, 0.05));
  }
  console.log("");
  for (const f of figures) console.log(JSON.stringify(f));
  return 0;
}
