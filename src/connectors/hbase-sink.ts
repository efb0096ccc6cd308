/**
 * The HBase sink: records become mutations written through a buffered mutator, flushed by rows, bytes
 * and interval (the Flink HBase connector's sink.buffer-flush options), before every checkpoint completes
 * and when the job ends. Within a buffer, mutations of one row keep their order, so the last mutation of
 * a row wins. Exactly once: a restore replays the records after the checkpoint, and with deterministic
 * row keys and cell timestamps (e.g. the window's end − 1) the replayed puts overwrite the same cells
 * with the same values, so the table ends equal to a run without failure.
 */
import type { BufferedMutator, BufferedMutatorOptions, Mutation, Put, Table } from "../hbase/table.js";
import type { Sink } from "../stream/api/sink.js";
import { createBufferedMutator } from "../hbase/buffered-mutator.js";

/** Options of {@link hbaseSink}. */
export interface HBaseSinkOptions<T> {
  /** The mutation (a put, or `{ kind: "delete", ... }`) a record becomes; undefined writes nothing. */
  toMutation: (record: T) => Put | Mutation | undefined;
  /** Flush when this many mutations are buffered (default 1,000, as Flink's sink.buffer-flush.max-rows). */
  maxRows?: number;
  /** Flush when the buffered mutations reach this many bytes (default 2 MiB). */
  maxBytes?: number;
  /** Flush at least this often, ms (default 1,000; 0 disables). */
  flushIntervalMs?: number;
}

/**
 * Writes each record's mutation to `table`.
 * @example
 * ```ts
 * counts.to(hbaseSink(conn.table("bid_counts"), {
 *   toMutation: (w) => ({ row: `${w.key}/${w.start}`, timestamp: w.end - 1,
 *     cells: [{ family: "d", qualifier: "count", value: codecs.int64.encode(w.value) }] }),
 * }))
 * ```
 */
export function hbaseSink<T>(table: Table, options: HBaseSinkOptions<T>): Sink<T> {
  if (table === null || typeof table !== "object" || typeof table.putMany !== "function") {
    throw new TypeError("hbaseSink() takes a table: connection.table(name)");
  }
  if (options === null || typeof options !== "object" || typeof options.toMutation !== "function") {
    throw new TypeError("hbaseSink() needs options { toMutation: (record) => put }");
  }
  const mutatorOptions: BufferedMutatorOptions = { maxRows: options.maxRows ?? 1_000 };
  if (options.maxBytes !== undefined) mutatorOptions.maxBytes = options.maxBytes;
  if (options.flushIntervalMs !== undefined) mutatorOptions.flushIntervalMs = options.flushIntervalMs;
  const { toMutation } = options;
  // One buffered mutator per run: a sink object outlives its job when the job is restarted
  // (`job.restart()` runs the same plan again), and a closed mutator takes no more writes.
  let mutator: BufferedMutator | undefined;
  const current = (): BufferedMutator => (mutator ??= createBufferedMutator(table, mutatorOptions));
  return {
    description: `hbase ${table.name.namespace}:${table.name.name}`,
    open() {
      current();
    },
    async write(records) {
      const mutations: Mutation[] = [];
      for (const record of records) {
        const m = toMutation(record);
        if (m === undefined) continue;
        mutations.push("kind" in m ? m : { kind: "put", ...m });
      }
      if (mutations.length > 0) await current().mutate(mutations);
    },
    flush: () => mutator?.flush(),
    async close() {
      const closing = mutator;
      mutator = undefined;
      await closing?.close();
    },
  };
}
