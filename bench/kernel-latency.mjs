/**
 * Kernel latency: Sluice against its baseline, Debian's ipykernel, measured side by side in one run.
 *
 * - start-up: spawn the kernel from its kernelspec argv with a fresh connection file → first
 *   kernel_info_reply (≥ 20 runs each, interleaved); in the same runs, spawn → the first `1+1` done
 *   (what a user waits for before the first cell's result);
 * - round trip: execute_request `1+1` → execute_reply AND the request's idle status (≥ 100 runs each
 *   after a warm-up, interleaved in rounds, alternating which kernel goes first).
 *
 * Prints readable lines, then LAST one JSON line per figure:
 * {"bench":"kernel-latency","case":"roundtrip_median_ms","value":…,"unit":"ms","baseline":"ipykernel",
 *  "baseline_value":…,"ratio":…} with ratio = baseline latency / Sluice latency (> 1: Sluice is faster).
 *
 * Usage: npm run bench -- kernel-latency [--startup-runs N] [--roundtrip-runs N] [--warmup N]
 *        [--kernel NAME] [--baseline NAME]
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createJupyterEnv } from "../test/support/jupyter-env.mjs";
import { ensureSluiceBuilt, prepareKernel } from "../test/support/kernelspec.mjs";
import { KernelClient } from "./lib/kernel-client.mjs";
import { round, summarize } from "./lib/stats.mjs";

const BENCH = "kernel-latency";
const CODE = "1+1";

/**
 * @typedef {{ name: string, label: string, launch: import("./lib/kernel-client.mjs").KernelLaunch }} Contender
 */

/**
 * @param {string[]} args
 */
function options(args) {
  const { values } = parseArgs({
    args,
    options: {
      "startup-runs": { type: "string", default: "20" },
      "roundtrip-runs": { type: "string", default: "200" },
      warmup: { type: "string", default: "50" },
      kernel: { type: "string", default: "sluice" },
      baseline: { type: "string", default: "python3" },
    },
    strict: true,
  });
  const count = (/** @type {string} */ name, /** @type {number} */ min) => {
    const text = /** @type {string} */ (values[/** @type {"warmup"} */ (name)]);
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  return {
    startupRuns: count("startup-runs", 1),
    roundtripRuns: count("roundtrip-runs", 1),
    warmup: count("warmup", 0),
    kernel: /** @type {string} */ (values.kernel),
    baseline: /** @type {string} */ (values.baseline),
  };
}

/** The name figures are reported under: "ipykernel" for Debian's python3 kernel. */
function labelOf(/** @type {string} */ name) {
  return name === "python3" ? "ipykernel" : name;
}

/**
 * One start-up: spawn → first kernel_info_reply, and spawn → the first `1+1` finished (reply + idle), in
 * ms. The kernel is shut down afterwards (not timed).
 * @param {Contender} contender
 * @returns {Promise<{ startup: number, firstExecute: number }>}
 */
async function startupOnce(contender) {
  const client = await KernelClient.launch(contender.launch);
  try {
    const reply = await client.request("kernel_info_request", {}, { resendMs: 1_000, timeoutMs: 60_000 });
    const startup = performance.now() - client.spawnedAt;
    if (reply.content.status !== "ok") throw new Error(`${contender.label}: kernel_info_reply status ${reply.content.status}`);
    await client.waitForIopub();
    await roundtripOnce(client, contender.label);
    return { startup, firstExecute: performance.now() - client.spawnedAt };
  } finally {
    await client.shutdown();
  }
}

/**
 * @param {Contender} contender
 * @returns {Promise<KernelClient>}  a started kernel whose iopub subscription is live
 */
async function startReady(contender) {
  const client = await KernelClient.launch(contender.launch);
  await client.request("kernel_info_request", {}, { resendMs: 1_000, timeoutMs: 60_000 });
  await client.waitForIopub();
  return client;
}

/**
 * @param {KernelClient} client
 * @param {string} label
 * @returns {Promise<number>}
 */
async function roundtripOnce(client, label) {
  const started = performance.now();
  const reply = await client.execute(CODE);
  const elapsed = performance.now() - started;
  if (reply.content.status !== "ok") {
    throw new Error(`${label}: execute ${JSON.stringify(CODE)} answered ${reply.content.status}: ${reply.content.ename}: ${reply.content.evalue}`);
  }
  return elapsed;
}

/**
 * Runs `measure` for both contenders `runs` times, alternating which goes first; returns each
 * contender's samples, keyed like the measure's result.
 * @template T
 * @template {Record<string, number>} R
 * @param {number} runs
 * @param {[T, T]} pair
 * @param {(item: T) => Promise<R>} measure
 * @param {string} what
 * @returns {Promise<[Record<keyof R, number[]>, Record<keyof R, number[]>]>}
 */
async function interleaved(runs, pair, measure, what) {
  /** @type {[Record<string, number[]>, Record<string, number[]>]} */
  const samples = [{}, {}];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const result = await measure(pair[index]);
      for (const [key, value] of Object.entries(result)) (samples[index][key] ??= []).push(value);
    }
    if (process.stderr.isTTY) process.stderr.write(`\r  ${what}: ${i + 1}/${runs}`);
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  return /** @type {[Record<keyof R, number[]>, Record<keyof R, number[]>]} */ (samples);
}

/**
 * @param {string[]} args  command-line arguments after the bench name
 * @returns {Promise<number>} exit code
 */
export default async function main(args) {
  const opts = options(args);
  if (opts.kernel === "sluice" || opts.baseline === "sluice") await ensureSluiceBuilt();
  const jupyter = await createJupyterEnv();
  try {
    /** @type {Contender[]} */
    const contenders = [];
    for (const name of [opts.kernel, opts.baseline]) {
      const { spec } = await prepareKernel(jupyter, name);
      contenders.push({
        name,
        label: labelOf(name),
        launch: { argv: spec.argv, env: jupyter.env, specEnv: spec.env, runtimeDir: jupyter.env.JUPYTER_RUNTIME_DIR ?? jupyter.root, cwd: jupyter.root },
      });
    }
    const [subject, baseline] = /** @type {[Contender, Contender]} */ (contenders);
    // Measuring the baseline against itself (e.g. --kernel python3, to check the harness).
    if (subject.label === baseline.label) subject.label += " (as subject)";

    process.stderr.write(`${BENCH}: ${subject.label} vs ${baseline.label}\n`);
    const [startSubject, startBaseline] = await interleaved(opts.startupRuns, [subject, baseline], startupOnce, "start-up");

    const clients = /** @type {[KernelClient, KernelClient]} */ ([await startReady(subject), await startReady(baseline)]);
    const trip = async (/** @type {KernelClient} */ client) => ({
      roundtrip: await roundtripOnce(client, client === clients[0] ? subject.label : baseline.label),
    });
    /** @type {[{ roundtrip: number[] }, { roundtrip: number[] }]} */
    let trips;
    try {
      await interleaved(opts.warmup, clients, trip, "warm-up");
      trips = await interleaved(opts.roundtripRuns, clients, trip, "round trip");
    } finally {
      await Promise.all(clients.map((client) => client.shutdown()));
    }

    const figures = [
      { case: "startup", title: "start-up (spawn → kernel_info_reply)", subject: summarize(startSubject.startup), baseline: summarize(startBaseline.startup) },
      {
        case: "first_execute",
        title: `first cell (spawn → first ${CODE} done: reply + idle)`,
        subject: summarize(startSubject.firstExecute),
        baseline: summarize(startBaseline.firstExecute),
      },
      { case: "roundtrip", title: `round trip (execute ${CODE} → reply + idle)`, subject: summarize(trips[0].roundtrip), baseline: summarize(trips[1].roundtrip) },
    ];

    const ms = (/** @type {number} */ v) => `${round(v, 2).toFixed(2)} ms`.padStart(11);
    console.log(`${BENCH}: ${subject.label} vs ${baseline.label} (baseline); Node ${process.version}; ${opts.startupRuns} start-ups, ${opts.warmup} warm-up + ${opts.roundtripRuns} round trips each, interleaved`);
    for (const figure of figures) {
      console.log(`${figure.title}`);
      for (const [label, s] of [[subject.label, figure.subject], [baseline.label, figure.baseline]]) {
        const stats = /** @type {ReturnType<typeof summarize>} */ (s);
        console.log(`  ${String(label).padEnd(22)} median ${ms(stats.median)}   p95 ${ms(stats.p95)}   min ${ms(stats.min)}   max ${ms(stats.max)}   n=${stats.n}`);
      }
      console.log(`  ratio (baseline / ${subject.label}): median ${round(figure.baseline.median / figure.subject.median, 2)}, p95 ${round(figure.baseline.p95 / figure.subject.p95, 2)}`);
    }
    const [startup, , roundtrip] = figures;
    const verdict = (/** @type {boolean} */ ok) => (ok ? "met" : "NOT met");
    console.log(`targets: round trip median ≤ ${baseline.label} and ≤ 3 ms: ${verdict(roundtrip.subject.median <= roundtrip.baseline.median && roundtrip.subject.median <= 3)}; start-up median ≤ 500 ms: ${verdict(startup.subject.median <= 500)}`);

    for (const figure of figures) {
      for (const stat of /** @type {const} */ (["median", "p95"])) {
        console.log(
          JSON.stringify({
            bench: BENCH,
            case: `${figure.case}_${stat}_ms`,
            value: round(figure.subject[stat]),
            unit: "ms",
            baseline: baseline.label,
            baseline_value: round(figure.baseline[stat]),
            ratio: round(figure.baseline[stat] / figure.subject[stat]),
          }),
        );
      }
    }
    return 0;
  } finally {
    await jupyter.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`${BENCH}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
