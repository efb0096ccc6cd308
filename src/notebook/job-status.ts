/**
 * A live status display for every job a cell starts (inside the kernel): name, state, records in/out,
 * events per second, watermark and event-time lag, the last checkpoint, and the error of a failed job —
 * updated in place twice a second while the job runs, and a last time when it ends. In a plain Node
 * script nothing is shown.
 */
import type { Job, JobMetrics } from "../stream/api/job.js";
import type { DisplayHandle } from "../display/display-api.js";
import { display } from "../display/display-api.js";
import { currentDisplaySink } from "../display/display-sink.js";
import { onJobStart, registeredJobs } from "../stream/runtime/job-registry.js";
import { onKernelShutdown } from "../display/shutdown-hooks.js";

/** How often a running job's display is refreshed, ms. */
export const STATUS_INTERVAL_MS = 500;

const INSTALLED = Symbol.for("sluice.notebook.jobStatus");

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function watermarkText(m: JobMetrics): string {
  if (m.watermark === -Infinity) return "no watermark yet";
  if (m.watermark === Infinity) return "end of input";
  const lag = m.eventTimeLag === undefined ? "" : `, lag ${(m.eventTimeLag / 1000).toFixed(1)} s`;
  return `watermark ${time(m.watermark)}${lag}`;
}

const COLORS: Record<string, string> = { running: "#1f77b4", finished: "#2ca02c", stopped: "#7f7f7f", cancelled: "#7f7f7f", failed: "#d62728" };

/** The mime bundle of a job's status now. */
export function jobStatusBundle(job: Job, now: number = Date.now()): Record<string, string> {
  const m = job.metrics();
  const seconds = Math.max(0.001, (now - m.startedAt) / 1000);
  const rate = Math.round(m.recordsIn / seconds);
  const checkpoint =
    m.lastCheckpoint === undefined
      ? ""
      : `checkpoint ${m.lastCheckpoint.id} ${((now - m.lastCheckpoint.completedAt) / 1000).toFixed(1)} s ago (${m.lastCheckpoint.bytes} bytes)`;
  const parts = [`${m.recordsIn.toLocaleString("en-US")} in`, `${m.recordsOut.toLocaleString("en-US")} out`, `${rate.toLocaleString("en-US")} records/s`, watermarkText(m)];
  if (checkpoint) parts.push(checkpoint);
  const progress = m.progress;
  if (progress !== undefined && progress.total > 0) {
    const percent = Math.floor((100 * progress.done) / progress.total);
    parts.push(`${percent} % of ${progress.total.toLocaleString("en-US")} ${progress.unit}`);
  }
  const bar =
    progress !== undefined && progress.total > 0
      ? ` <progress value="${progress.done}" max="${progress.total}" style="vertical-align: middle"></progress>`
      : "";
  const error = job.error === undefined ? "" : job.error.message;
  const text = `job ${job.name}: ${job.status} — ${parts.join(", ")}${error ? `\nerror: ${error}` : ""}`;
  const color = COLORS[job.status] ?? "#000";
  const html =
    `<div class="sluice-job" style="font-family: monospace">` +
    `<b>${escape(job.name)}</b> <span style="color: ${color}">${job.status}</span>${bar} — ${escape(parts.join(" · "))}` +
    (error ? `<pre style="color: #d62728; margin: 4px 0 0 0">${escape(error)}</pre>` : "") +
    `</div>`;
  return { "text/html": html, "text/plain": text };
}

/** Shows `job`'s status under the current cell and keeps it up to date until the job ends. */
export function showJobStatus(job: Job): DisplayHandle | undefined {
  if (currentDisplaySink() === undefined) return undefined;
  const handle = display(jobStatusBundle(job), { raw: true });
  const refresh = () => handle.update(jobStatusBundle(job), { raw: true });
  const timer = setInterval(refresh, STATUS_INTERVAL_MS);
  timer.unref();
  job.done.then(
    () => {
      clearInterval(timer);
      refresh();
    },
    () => {
      clearInterval(timer);
      refresh();
    },
  );
  return handle;
}

/**
 * Stops every running job gracefully: a final checkpoint where the job has checkpoint storage, then
 * stop (sinks flushed). What the kernel does on shutdown and restart.
 */
export async function stopJobsWithCheckpoint(): Promise<void> {
  await Promise.all(
    registeredJobs()
      .filter((job) => job.status === "running")
      .map(async (job) => {
        await job.checkpoint().catch(() => undefined); // no storage, or the job ended meanwhile
        await job.stop();
      }),
  );
}

/**
 * Shows a live status for every job started from now on, and stops running jobs (with a final
 * checkpoint) when the kernel shuts down or restarts. Once per process.
 */
export function installJobStatusDisplays(): void {
  const holder = globalThis as Record<symbol, boolean | undefined>;
  if (holder[INSTALLED] === true) return;
  holder[INSTALLED] = true;
  onJobStart((job) => void showJobStatus(job));
  onKernelShutdown(stopJobsWithCheckpoint);
}
