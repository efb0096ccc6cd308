/**
 * Keyed state backends: a keyed process function counting per key (a value state read and written per
 * record) over N keys, on the heap and on disk (LMDB, with several cache sizes), plus the raw read
 * latency that decided the engine: a synchronous LMDB get vs an awaited classic-level (LevelDB) get of
 * the same entries. Prints events/s and heap used after each run.
 *
 *   npm run bench -- state-backend [--keys N] [--records N] [--dist PATH/index.js]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** @param {string[]} args */
function parseArgs(args) {
  const options = { keys: 1_000_000, records: 3_000_000, dist: path.join(ROOT, "dist/index.js") };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`state-backend: ${arg} needs a value`);
      return v;
    };
    if (arg === "--keys") options.keys = Number(value());
    else if (arg === "--records") options.records = Number(value());
    else if (arg === "--dist") options.dist = path.resolve(value());
    else throw new Error(`state-backend: unknown argument ${arg} (--keys N, --records N, --dist PATH)`);
  }
  for (const k of /** @type {const} */ (["keys", "records"])) {
    if (!Number.isSafeInteger(options[k]) || options[k] < 1) throw new Error(`state-backend: --${k} must be a positive integer`);
  }
  return options;
}

/** @param {number} n */
const fmt = (n) => `${(n / 1000).toFixed(0).padStart(6)}k/s`;

/** @param {string[]} args */
export default async function main(args) {
  const options = parseArgs(args);
  /** @type {typeof import("../src/index.js")} */
  const sluice = await import(pathToFileURL(options.dist).href);
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-bench-state-"));
  const { keys, records } = options;
  console.log(`state-backend: a per-key counter (value state) over ${keys.toLocaleString("en")} keys, ${records.toLocaleString("en")} records; node ${process.version}`);
  const figures = [];
  try {
    /** @param {string} label @param {import("../src/index.js").StartOptions["state"]} state */
    const run = async (label, state) => {
      globalThis.gc?.();
      const t0 = performance.now();
      const job = sluice
        .from(sluice.fromIterable(function* () {
          for (let i = 0; i < records; i++) yield (i * 7919) % keys;
        }))
        .keyBy((k) => k)
        .process({
          processElement(_k, ctx) {
            const n = ctx.state.value("n");
            n.set((n.get() ?? 0) + 1);
          },
        })
        .to(sluice.collect())
        .start({ batchSize: 5_000, ...(state === undefined ? {} : { state }) });
      await job.done;
      const ms = performance.now() - t0;
      const heap = process.memoryUsage().heapUsed;
      const rate = (records / ms) * 1000;
      console.log(`  ${label.padEnd(28)} ${fmt(rate)} records   heap used after ${(heap / 1e6).toFixed(0)} MB`);
      if (state === undefined) heapRate = rate;
      else {
        // Baseline: the same job on the heap backend (the engine without the disk option).
        figures.push({
          bench: "state-backend",
          case: `${label.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}_records_per_s`,
          value: Math.round(rate),
          unit: "records/s",
          baseline: "raw-engine",
          baseline_value: Math.round(heapRate),
          ratio: Number((rate / heapRate).toFixed(3)),
        });
      }
    };
    let heapRate = 0;
    await run("heap", undefined);
    for (const cacheKeys of [100_000, 10_000, 0]) await run(`disk, cache ${cacheKeys.toLocaleString("en")} keys`, { backend: "disk", path: path.join(dir, `disk-${cacheKeys}`), cacheKeys });

    // Raw reads of 100,000 entries: what a per-record operator would wait for.
    const n = Math.min(100_000, keys);
    const value = new Uint8Array(48);
    const { open } = await import("lmdb");
    const lmdb = open({ path: path.join(dir, "raw-lmdb"), noSync: true, encoding: "binary" });
    lmdb.transactionSync(() => {
      for (let i = 0; i < n; i++) lmdb.putSync(`k${i}`, value);
    });
    let t = performance.now();
    for (let i = 0; i < n; i++) lmdb.getBinary(`k${(i * 7919) % n}`);
    const lmdbUs = ((performance.now() - t) * 1000) / n;
    await lmdb.close();
    const { ClassicLevel } = await import("classic-level");
    /** @type {import("classic-level").ClassicLevel<string, Uint8Array>} */
    const level = new ClassicLevel(path.join(dir, "raw-level"), { valueEncoding: "view" });
    await level.open();
    const batch = level.batch();
    for (let i = 0; i < n; i++) batch.put(`k${i}`, value);
    await batch.write();
    t = performance.now();
    for (let i = 0; i < n; i++) await level.get(`k${(i * 7919) % n}`);
    const levelUs = ((performance.now() - t) * 1000) / n;
    await level.close();
    console.log(`  raw get of one of ${n.toLocaleString("en")} entries: LMDB (sync) ${lmdbUs.toFixed(2)} µs, classic-level (awaited) ${levelUs.toFixed(2)} µs`);
    figures.push({ bench: "state-backend", case: "raw_get_us", value: Number(lmdbUs.toFixed(2)), unit: "µs", baseline: "embedded", baseline_value: Number(levelUs.toFixed(2)), ratio: Number((levelUs / lmdbUs).toFixed(2)) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log("");
  for (const f of figures) console.log(JSON.stringify(f));
  return 0;
}
