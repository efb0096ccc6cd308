/**
 * The buffered mutator's write plan (put/delete waves per row). Its behaviour on a table — flushing by
 * rows, bytes and interval, close, order, errors, backpressure — is tested on every backend by the
 * shared suite (hbase-table-suite.ts, "buffered mutator").
 */
import { describe, expect, it } from "vitest";
import { planWaves } from "../../src/hbase/mutation-batch-writer.js";
import type { Mutation } from "../../src/hbase/table.js";

const put = (row: string, value = "v", timestamp?: number): Mutation => ({
  kind: "put",
  row,
  cells: [{ family: "d", qualifier: "q", value, ...(timestamp === undefined ? {} : { timestamp }) }],
});

describe("buffered mutator: write plan", () => {
  it("plans one put batch without deletes, and put/delete waves per row otherwise", () => {
    const puts = [put("a"), put("b"), put("a")];
    expect(planWaves(puts)).toEqual([{ kind: "put", indexes: [0, 1, 2] }]);
    const del = (row: string): Mutation => ({ kind: "delete", row });
    expect(planWaves([put("a"), del("a"), put("b"), put("a"), del("b"), del("b"), put("c")])).toEqual([
      { kind: "put", indexes: [0, 2, 6] },
      { kind: "delete", indexes: [1, 4] },
      { kind: "put", indexes: [3] },
      { kind: "delete", indexes: [5] },
    ]);
    expect(planWaves([])).toEqual([]);
  });
});
