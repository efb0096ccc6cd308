/**
 * Output tags name side outputs (Flink's `OutputTag`): late records of a window, records without a valid
 * timestamp, or anything a user function sends aside. The type parameter is the side output's record type.
 */

/** A typed side-output name. */
export class OutputTag<T> {
  /** Phantom member carrying the record type (never set). */
  declare readonly __type?: T;

  constructor(readonly name: string) {
    if (typeof name !== "string" || name.length === 0) throw new TypeError("an OutputTag needs a non-empty name");
  }

  toString(): string {
    return `OutputTag(${this.name})`;
  }
}
