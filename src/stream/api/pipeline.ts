/**
 * A pipeline under construction: the plan nodes its streams created and the sinks attached so far.
 * Streams built from one `from()` share a pipeline; `union` joins pipelines. `start()` hands the plan
 * to the runtime through the executor the package entry injected (the API never imports the runtime).
 */
import type { Plan, PlanNode } from "./graph.js";
import type { Job, StartOptions } from "./job.js";

/** Runs a plan (the runtime's `startJob`). */
export type Executor = (plan: Plan, options: StartOptions) => Job;

type SinkNode = Extract<PlanNode, { kind: "sink" }>;

/** The shared state of a pipeline's streams. */
export class Pipeline {
  /** Node ids are unique across pipelines, so pipelines joined by union never clash. */
  private static nextId = 1;
  private sinks: SinkNode[] = [];
  private merged: Pipeline | undefined;

  constructor(private readonly executor: Executor) {}

  /** The pipeline this one was merged into (by union), or itself. */
  resolve(): Pipeline {
    let p: Pipeline = this;
    while (p.merged !== undefined) p = p.merged;
    return p;
  }

  /** A fresh node id. */
  newId(): number {
    return Pipeline.nextId++;
  }

  /** Joins `other` into this pipeline: one job will run the sinks of both. */
  absorb(other: Pipeline): Pipeline {
    const self = this.resolve();
    const them = other.resolve();
    if (self === them) return self;
    self.sinks.push(...them.sinks);
    them.sinks = [];
    them.merged = self;
    return self;
  }

  addSink(node: SinkNode): void {
    this.resolve().sinks.push(node);
  }

  /** The plan of every sink attached so far. */
  plan(): Plan {
    return { sinks: [...this.resolve().sinks] };
  }

  /**
   * Starts every sink attached to this pipeline as one job, running in the background of the event
   * loop. @example `const job = stream.from(fromArray([1, 2, 3])).map((x) => x * 2).to(sink).start();`
   */
  start(options: StartOptions = {}): Job {
    const plan = this.plan();
    if (plan.sinks.length === 0) throw new Error("the pipeline has no sink: end a stream with .to(sink) (or .collect()) before start()");
    return this.executor(plan, options);
  }
}
