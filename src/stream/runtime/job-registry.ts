/**
 * Every job started in this process (shared through a global symbol, so copies of the package loaded
 * twice see one registry): listed by `jobs()`, stopped by `jobs.stopAll()`, and announced to listeners
 * (the notebook layer shows a live status display for each).
 */
import type { Job } from "../api/job.js";

/** Called with each job as it starts. */
export type JobListener = (job: Job) => void;

interface Registry {
  readonly jobs: Job[];
  readonly listeners: Set<JobListener>;
}

const KEY = Symbol.for("sluice.stream.jobRegistry");

function registry(): Registry {
  const holder = globalThis as Record<symbol, Registry | undefined>;
  return (holder[KEY] ??= { jobs: [], listeners: new Set() });
}

/**
 * Ended jobs kept for `jobs()`: the newest this many. A job holds its plan (sources, operators, sinks
 * with whatever they collected), so a long-lived kernel must not keep every job it ever ran.
 */
export const MAX_ENDED_JOBS = 50;

/** Drops the oldest ended jobs beyond {@link MAX_ENDED_JOBS}; running jobs always stay. */
function pruneEnded(r: Registry): void {
  let ended = 0;
  for (const j of r.jobs) if (j.status !== "running") ended++;
  if (ended <= MAX_ENDED_JOBS) return;
  let drop = ended - MAX_ENDED_JOBS;
  const kept = r.jobs.filter((j) => {
    if (drop > 0 && j.status !== "running") {
      drop--;
      return false;
    }
    return true;
  });
  r.jobs.splice(0, r.jobs.length, ...kept);
}

/** Records a started job and tells the listeners (a listener's error never affects the job). */
export function registerJob(job: Job): void {
  const r = registry();
  pruneEnded(r);
  r.jobs.push(job);
  for (const listener of r.listeners) {
    try {
      listener(job);
    } catch {
      // A display failing must not fail the job.
    }
  }
}

/** Running jobs and the newest {@link MAX_ENDED_JOBS} ended ones started in this process, oldest first. */
export function registeredJobs(): readonly Job[] {
  return [...registry().jobs];
}

/** Listens for started jobs; returns the function that stops listening. */
export function onJobStart(listener: JobListener): () => void {
  const r = registry();
  r.listeners.add(listener);
  return () => void r.listeners.delete(listener);
}
