/**
 * `replay(...)`: reruns a pipeline from one of its retained checkpoints (or savepoints, or from the start)
 * into a new table, waits for it to end, and diffs what it wrote against a reference table — "what would
 * this job have written from checkpoint 7 on, and how does that differ from what it did write?", e.g.
 * after changing a filter. The checkpoint storage is only read: a replay never writes or prunes
 * checkpoints there.
 */
import type { Job, StartOptions } from "../stream/api/job.js";
import type { CheckpointInfo, CheckpointStore } from "../stream/checkpoint/checkpoint-store.js";
import { DirectoryCheckpointStore } from "../stream/checkpoint/directory-checkpoint-store.js";
import { diffTables, TableDiff, type TableDiffOptions } from "../hbase/table-diff.js";
import type { Table } from "../hbase/table.js";

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** A mime bundle (the protocol's type, reached through the diff: connectors import only stream and hbase). */
type MimeBundle = ReturnType<TableDiff["bundle"]>;

/** Something `start()`able: what `stream.to(sink)` returns (a pipeline). */
export interface Startable {
  start(options?: StartOptions): Job;
}

/**
 * Where a replay starts: "latest" (the newest checkpoint or savepoint stored), a retained checkpoint by
 * id (`list()` of the storage gives them), a savepoint by name, or "start" (from the beginning, no state).
 */
export type ReplayFrom = "latest" | "start" | { checkpoint: number } | { savepoint: string };

/** Options of {@link replay}. */
export interface ReplayOptions {
  /**
   * Builds the pipeline writing into `into`, ready to start (e.g. `(t) => counts.to(hbaseSink(t, ...))`).
   * It must have the same shape as the job that wrote the checkpoints (same operators in the same
   * order); functions inside it (filters, maps, mutations) may differ — that is what a replay checks.
   */
  pipeline: (into: Table) => Startable;
  /** The checkpoint storage of the original job: its directory or a store. Only read. */
  checkpoints: string | CheckpointStore;
  /** Where to start (default "latest"). */
  from?: ReplayFrom;
  /** The table the original job wrote. */
  reference: Table;
  /** An empty table the replay writes to (not the reference). */
  into: Table;
  /**
   * What is compared (default "time" from a checkpoint, "all" from the start):
   * - "time": cells of every row with timestamps ≥ the oldest timestamp the replay wrote. A job replayed
   *   from a checkpoint rewrites only the reference's tail; when its sink stamps cells with event time
   *   (as exactly-once sinks do, e.g. a window's end − 1), that tail is exactly the cells from there on,
   *   and rows a changed job no longer writes show as removed.
   * - "rows": every cell of the rows the replay wrote (rows it did not write are not compared).
   * - "all": whole tables.
   * A replay that wrote nothing compares nothing under "time" and "rows".
   */
  compare?: "time" | "rows" | "all";
  /** Further options of the diff (`limit`, `columns`, `maxVersions`, ...; a `timeRange` or `scope` here overrides `compare`'s). */
  diff?: TableDiffOptions;
  /** The replay job's name (default "replay of <reference>"). */
  name?: string;
  /** Records taken from a split per poll (the job's `batchSize`). */
  batchSize?: number;
}

/** What a replay did and found. */
export class ReplayResult {
  /**
   * @param diff the reference compared with the replay's table
   * @param checkpoint the checkpoint or savepoint the replay started from (undefined: from the start)
   * @param job the replay's job (ended)
   * @param compared what was compared, in words (e.g. "cells with timestamps ≥ 1704067204999")
   */
  constructor(
    readonly diff: TableDiff,
    readonly checkpoint: CheckpointInfo | undefined,
    readonly job: Job,
    readonly compared: string,
  ) {}

  /** True when the replay wrote exactly what the reference holds (in the compared scope). */
  get identical(): boolean {
    return this.diff.identical;
  }

  /** Where the replay started, in words. */
  get origin(): string {
    const c = this.checkpoint;
    if (c === undefined) return "from the start";
    return c.kind === "savepoint" ? `from savepoint "${c.name ?? ""}" (checkpoint ${c.id})` : `from checkpoint ${c.id}`;
  }

  toString(): string {
    return `replay ${this.origin}: ${this.diff.toString()}`;
  }

  /** The diff's bundle, headed by where the replay started. */
  bundle(): MimeBundle {
    const inner = this.diff.bundle();
    const heading = `replay ${this.origin}, ${this.job.metrics().recordsIn.toLocaleString("en-US")} records read; compared: ${this.compared}`;
    return {
      ...inner,
      "text/html": `<p><b>${escape(heading)}</b></p>\n${String(inner["text/html"])}`,
      "text/plain": `${heading}\n${String(inner["text/plain"])}`,
    };
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle();
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === "object" && typeof (value as Table).scan === "function" && typeof (value as Table).name === "object";
}

function sameTable(a: Table, b: Table): boolean {
  return a.name.namespace === b.name.namespace && a.name.name === b.name.name;
}

function label(table: Table): string {
  return table.name.namespace === "default" ? table.name.name : `${table.name.namespace}:${table.name.name}`;
}

/** The storage seen through a replay: reads pass through, writes are refused (nothing is written or pruned). */
function readOnly(store: CheckpointStore): CheckpointStore {
  return {
    write: () => Promise.reject(new Error("a replay does not write checkpoints into the original job's storage")),
    list: () => store.list(),
    latest: () => store.latest(),
    read: (info) => store.read(info),
    deleteSavepoint: () => Promise.reject(new Error("a replay does not delete savepoints")),
  };
}

function checkFrom(from: unknown): ReplayFrom {
  if (from === "latest" || from === "start") return from;
  if (from !== null && typeof from === "object") {
    const f = from as { checkpoint?: unknown; savepoint?: unknown };
    if (Number.isSafeInteger(f.checkpoint) && (f.checkpoint as number) >= 0) return { checkpoint: f.checkpoint as number };
    if (typeof f.savepoint === "string" && f.savepoint.length > 0) return { savepoint: f.savepoint };
  }
  throw new TypeError(`replay: from must be "latest", "start", { checkpoint: id } or { savepoint: name }, got ${JSON.stringify(from)}`);
}

async function resolveCheckpoint(store: CheckpointStore, from: Exclude<ReplayFrom, "start">, where: string): Promise<CheckpointInfo> {
  const all = await store.list();
  const retained = all.map((c) => (c.kind === "savepoint" ? `${c.id} (savepoint "${c.name ?? ""}")` : String(c.id))).join(", ") || "none";
  if (from === "latest") {
    const latest = all.at(-1);
    if (latest === undefined) throw new Error(`replay: no checkpoint in ${where} to replay from (use from: "start" to rerun from the beginning)`);
    return latest;
  }
  if ("checkpoint" in from) {
    const found = all.find((c) => c.id === from.checkpoint);
    if (found === undefined) throw new Error(`replay: no checkpoint ${from.checkpoint} in ${where} (retained: ${retained})`);
    return found;
  }
  const found = all.find((c) => c.kind === "savepoint" && c.name === from.savepoint);
  if (found === undefined) throw new Error(`replay: no savepoint named ${JSON.stringify(from.savepoint)} in ${where} (retained: ${retained})`);
  return found;
}

/** The diff options of a comparison mode; "time" reads `into` once for its oldest cell. */
async function scopeOf(compare: "time" | "rows" | "all", into: Table): Promise<{ options: TableDiffOptions; text: string }> {
  if (compare === "all") return { options: { scope: "all" }, text: "whole tables" };
  if (compare === "rows") return { options: { scope: "rowsOfOther" }, text: "the rows the replay wrote" };
  let oldest = Infinity;
  for await (const row of into.scan({ maxVersions: Number.MAX_SAFE_INTEGER })) {
    for (const cell of row.cells) if (cell.timestamp < oldest) oldest = cell.timestamp;
  }
  // Nothing written: compare the (empty) rows of the replay only.
  if (oldest === Infinity) return { options: { scope: "rowsOfOther" }, text: "nothing (the replay wrote no cell)" };
  return { options: { scope: "all", timeRange: { min: oldest } }, text: `cells with timestamps ≥ ${oldest} (the oldest the replay wrote)` };
}

/**
 * Reruns `pipeline` from a retained checkpoint into the empty table `into`, waits for the job to end
 * (the pipeline's sources must be bounded) and returns the diff of `reference` → `into`. A deterministic
 * job replayed unchanged gives an empty diff; a changed one shows the cells its change adds, removes or
 * changes. A cell ending in the result shows the diff as a table.
 * @throws TypeError for bad options; Error when `into` is not empty or is the reference, when the
 *   checkpoint does not exist (naming the retained ones), when it was written by a pipeline of another
 *   shape, or when the replay job fails (with its error as the cause).
 * @example
 * ```ts
 * const result = await replay({
 *   pipeline: (into) => counts.to(hbaseSink(into, { toMutation })),
 *   checkpoints: "./.sluice/checkpoints/counts", from: { checkpoint: 3 },
 *   reference: hbase.table("counts"), into: hbase.table("counts_replay"),
 * });
 * result   // a table of the cells added / removed / changed
 * ```
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  if (options === null || typeof options !== "object") throw new TypeError("replay() takes options { pipeline, checkpoints, reference, into, from? }");
  const { pipeline, reference, into } = options;
  if (typeof pipeline !== "function") throw new TypeError("replay: pipeline must be a function (into: Table) => pipeline ready to start()");
  if (!isTable(reference)) throw new TypeError("replay: reference must be a table: connection.table(name)");
  if (!isTable(into)) throw new TypeError("replay: into must be a table: connection.table(name)");
  if (sameTable(reference, into)) throw new Error(`replay: into must be another table than the reference (${label(reference)})`);
  const from = checkFrom(options.from ?? "latest");
  const compare = options.compare ?? (from === "start" ? "all" : "time");
  if (compare !== "time" && compare !== "rows" && compare !== "all") throw new TypeError(`replay: compare must be "time", "rows" or "all", got ${JSON.stringify(options.compare)}`);
  if (options.diff !== undefined && (options.diff === null || typeof options.diff !== "object")) throw new TypeError("replay: diff must be an object of diffTables options");
  const storage = options.checkpoints;
  let store: CheckpointStore;
  let where: string;
  if (typeof storage === "string") {
    store = new DirectoryCheckpointStore(storage);
    where = storage;
  } else if (storage !== null && typeof storage === "object" && typeof storage.list === "function" && typeof storage.read === "function") {
    store = storage;
    where = "the checkpoint storage";
  } else {
    throw new TypeError("replay: checkpoints must be the original job's checkpoint directory or store");
  }
  for await (const _ of into.scan({ limit: 1 })) {
    throw new Error(`replay: table ${label(into)} is not empty; a replay writes into an empty table (truncate it, or give another)`);
  }

  const checkpoint = from === "start" ? undefined : await resolveCheckpoint(store, from, where);
  const built = pipeline(into);
  if (built === null || typeof built !== "object" || typeof (built as Startable).start !== "function") {
    throw new TypeError("replay: pipeline(into) must return a pipeline ready to start(): end the stream with .to(sink)");
  }
  const start: StartOptions = { name: options.name ?? `replay of ${label(reference)}` };
  if (options.batchSize !== undefined) start.batchSize = options.batchSize;
  if (checkpoint !== undefined) {
    // Restore needs checkpoint storage; periodic checkpoints never come due, and writes are refused anyway.
    start.checkpoint = { every: Number.MAX_SAFE_INTEGER, storage: readOnly(store) };
    start.restore = { checkpoint: checkpoint.id };
  }
  const job = built.start(start);
  try {
    await job.done;
  } catch (error) {
    throw new Error(`replay: the replay job failed: ${(error as Error).message}`, { cause: error });
  }
  const scope = await scopeOf(compare, into);
  const diffOptions: TableDiffOptions = { ...scope.options, ...options.diff };
  const compared = options.diff?.timeRange !== undefined || options.diff?.scope !== undefined ? "as the diff options say" : scope.text;
  return new ReplayResult(await diffTables(reference, into, diffOptions), checkpoint, job, compared);
}
