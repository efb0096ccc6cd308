#!/usr/bin/env node
/**
 * The child process of test/unit/stream-kill-restore.test.ts: a plain Node script on the BUILT package
 * that runs a windowed Nexmark job (q7-like: the highest bid per 1 s window; q5-like: bids per auction
 * in sliding 2 s / 1 s windows) into a table of the embedded HBase store.
 *
 *   node engine-kill-job.mjs <hbase dir> <table> reference
 *   node engine-kill-job.mjs <hbase dir> <table> checkpointed <checkpoint dir>
 *
 * "reference" runs without checkpoints; "checkpointed" checkpoints every 200 ms and restores from the
 * latest checkpoint on start. Prints "checkpoint <id>" as checkpoints complete and "done" at the end
 * (written with fs.writeSync, so a parent sees them even if this process is killed right after).
 */
import { writeSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Events of the job (bounded, deterministic for the seed). */
export const JOB_EVENTS = { seed: 11, maxEvents: 2_000_000, eventsPerSecond: 50_000 };
export const JOB_FAMILY = "c";

/** @param {string} line */
function say(line) {
  writeSync(1, `${line}\n`);
}

async function main() {
  const [dataDir, tableName, mode, checkpointDir] = process.argv.slice(2);
  if (!dataDir || !tableName || (mode !== "reference" && mode !== "checkpointed") || (mode === "checkpointed" && !checkpointDir)) {
    throw new Error("usage: engine-kill-job.mjs <hbase dir> <table> reference | checkpointed <checkpoint dir>");
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
  /** @type {typeof import("../../src/index.js")} */
  const sluice = await import(pathToFileURL(path.join(root, "dist", "index.js")).href);
  const { connect, from, nexmark, tumbling, sliding, count, maxBy, hbaseSink, codecs } = sluice;
  const hbase = await connect({ path: dataDir });
  if (!(await hbase.admin.tableExists(tableName))) await hbase.admin.createTable(tableName, { families: [JOB_FAMILY] });
  const table = hbase.table(tableName);
  /** @returns {import("../../src/index.js").DataStream<import("../../src/index.js").Bid>} */
  const bids = () =>
    from(nexmark(JOB_EVENTS))
      .filter(/** @returns {e is import("../../src/index.js").Bid} */ (e) => e.kind === "bid")
      .withTimestamps((b) => b.dateTime, { outOfOrderness: 4_000 });
  const highest = bids()
    .keyBy(() => "all")
    .window(tumbling(1_000))
    .aggregate(maxBy((/** @type {import("../../src/index.js").Bid} */ b) => b.price), (top, w) => ({
      row: `q7/${w.start}`,
      timestamp: w.end - 1,
      cells: [{ family: JOB_FAMILY, qualifier: "price", value: codecs.int64.encode(BigInt(top[0]?.price ?? 0)) }],
    }));
  const hot = bids()
    .keyBy((b) => b.auction)
    .window(sliding(2_000, 1_000))
    .aggregate(count(), (n, w) => ({
      row: `q5/${String(w.key).padStart(8, "0")}/${w.start}`,
      timestamp: w.end - 1,
      cells: [{ family: JOB_FAMILY, qualifier: "bids", value: codecs.int64.encode(BigInt(n)) }],
    }));
  /** @type {import("../../src/index.js").StartOptions} */
  const options = { name: `kill-restore ${mode}`, batchSize: 500 };
  if (mode === "checkpointed") Object.assign(options, { checkpoint: { every: 200, storage: checkpointDir }, restore: "latest" });
  const job = highest.union(hot).to(hbaseSink(table, { toMutation: (m) => m })).start(options);
  let reported = 0;
  const watch = setInterval(() => {
    const id = job.metrics().lastCheckpoint?.id ?? 0;
    if (id > reported) {
      reported = id;
      say(`checkpoint ${id}`);
    }
  }, 5);
  try {
    await job.done;
  } finally {
    clearInterval(watch);
  }
  await hbase.close();
  say("done");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
