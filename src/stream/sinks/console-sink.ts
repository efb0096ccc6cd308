/** consoleSink(): prints each record (in a notebook, to the cell that started the job). */
import type { Sink } from "../api/sink.js";
import { inspect } from "node:util";

/** Prints each record on its own line, optionally with a prefix. @example `stream.to(consoleSink("bids"))` */
export function consoleSink<T>(prefix?: string): Sink<T> {
  return {
    description: prefix === undefined ? "console" : `console ${prefix}`,
    write(records) {
      for (const r of records) {
        const text = typeof r === "string" ? r : inspect(r, { depth: 4, breakLength: 120 });
        console.log(prefix === undefined ? text : `${prefix}> ${text}`);
      }
    },
  };
}
