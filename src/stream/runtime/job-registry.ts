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

/** Records a started job and tells the listeners (a listener's error never affects the job). */
export function registerJob(job: Job): void {
  const r = registry();
  r.jobs.push(job);
  for (const listener of r.listeners) {
    try {
      listener(job);
    } catch {
      // A display failing must not fail the job.
    }
  }
}

/** Jobs started in this process, oldest first. */
export function registeredJobs(): readonly Job[] {
  return [...registry().jobs];
}

/** Listens for started jobs; returns the function that stops listening. */
export function onJobStart(listener: JobListener): () => void {
  const r = registry();
  r.listeners.add(listener);
  return () => void r.listeners.delete(listener);
}
