/**
 * The shape the in-memory sources share: one split, a position that counts consumed items, and readers
 * opened at that count. Iterable sources also refuse to re-open a one-shot iterator (a generator object)
 * for a restore, since its items cannot be read again.
 */
import type { Source, SourceSplit, SplitPosition, SplitReader } from "./source.js";
import { checkCountPosition } from "./count-position.js";

/**
 * A single-split source whose readers `open(skip)` makes, `skip` being the restored count (0 at the start).
 */
export function singleSplitSource<T>(
  description: string,
  bounded: boolean,
  splitId: string,
  open: (skip: number) => Promise<SplitReader<T>>,
  size?: number,
): Source<T> {
  const split: SourceSplit = { id: splitId };
  return {
    description,
    bounded,
    ...(size === undefined ? {} : { size }),
    async splits() {
      return [split];
    },
    async open(requested: SourceSplit, position?: SplitPosition): Promise<SplitReader<T>> {
      if (requested.id !== split.id) throw new Error(`${description}: unknown split "${requested.id}"`);
      return open(checkCountPosition(description, position));
    },
  };
}

/**
 * Remembers whether a one-shot iterator was opened; a second open throws, naming the source and what
 * to pass instead.
 */
export function oneShotGuard(description: string, what: string, factory: string): (iterator: unknown, source: unknown) => void {
  let opened = false;
  return (iterator, source) => {
    if (iterator !== source) return;
    if (opened) {
      throw new Error(`${description}: a one-shot ${what} cannot be re-opened for a restore; pass a factory ${factory} instead`);
    }
    opened = true;
  };
}
