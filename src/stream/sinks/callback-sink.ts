/** callback(fn): a sink that calls a function with each batch of records (charts and displays use it). */
import type { Sink } from "../api/sink.js";

/**
 * Calls `fn` with the records of each batch; a returned promise holds the job until it settles.
 * @example `stream.to(callback((rows) => chart.update(rows)))`
 */
export function callback<T>(fn: (records: readonly T[]) => void | Promise<void>, description = "callback"): Sink<T> {
  if (typeof fn !== "function") throw new TypeError(`callback() takes a function, got ${typeof fn}`);
  return { description, write: (records) => fn(records) };
}
