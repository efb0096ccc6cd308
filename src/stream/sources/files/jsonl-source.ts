/** JSON Lines files as a source: one JSON value per line; blank lines are ignored. */
import type { Source } from "../source.js";
import { BadRecord } from "./bad-line-error.js";
import { lineFramer } from "./record-file-reader.js";
import { checkFileSourceOptions, TextFileSource, type FileSourceOptions } from "./text-file-source.js";

/** Options of {@link jsonl}. */
export type JsonlOptions = FileSourceOptions;

/**
 * A source of the JSON values of a JSON Lines file, bounded or tailing a growing file. `T` is the
 * record type the lines are asserted to have (not checked).
 *
 * @example
 * ```ts
 * const clicks = jsonl<{ user: string; ts: number }>("clicks.jsonl", { tail: true, onBadLine: "skip" });
 * ```
 */
export function jsonl<T = Record<string, unknown>>(path: string, options: JsonlOptions = {}): Source<T> {
  checkFileSourceOptions("jsonl", path, options);
  return new TextFileSource<T>(path, {
    name: "jsonl",
    framer: () => lineFramer,
    parser: async () => (text) => {
      if (text.trim().length === 0) return undefined;
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new BadRecord(`JSON parse error: ${(error as Error).message}`);
      }
    },
  }, options);
}
