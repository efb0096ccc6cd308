/**
 * Aggregate functions (rule 12: createAccumulator, add, getResult, merge applied incrementally): results
 * by hand, accumulators surviving structuredClone (checkpoints), and merge agreeing with add — by hand
 * and property-based.
 */
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  aggregate,
  avg,
  count,
  distinctCount,
  max,
  maxBy,
  min,
  minBy,
  sum,
  topK,
  type AggregateFunction,
  type AvgAccumulator,
  type ExtremeByAccumulator,
  type TopKEntry,
} from "../../src/stream/aggregates/index.js";

interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly id: number;
}

const bid = (id: number, price: number, bidder = id % 3, auction = 1): Bid => ({ id, price, bidder, auction });

/** Adds every value to a fresh accumulator. */
function addAll<IN, ACC, OUT>(f: AggregateFunction<IN, ACC, OUT>, values: readonly IN[]): ACC {
  let acc = f.createAccumulator();
  for (const v of values) acc = f.add(v, acc);
  return acc;
}

const resultOf = <IN, ACC, OUT>(f: AggregateFunction<IN, ACC, OUT>, values: readonly IN[]): OUT => f.getResult(addAll(f, values));

/** merge(add-all(xs), add-all(ys)) has the result of add-all(xs ++ ys). */
function mergeAgrees<IN, ACC, OUT>(f: AggregateFunction<IN, ACC, OUT>, xs: readonly IN[], ys: readonly IN[]): void {
  expect(f.getResult(f.merge(addAll(f, xs), addAll(f, ys)))).toEqual(resultOf(f, [...xs, ...ys]));
}

/** The accumulator survives structuredClone: adding more to the clone gives the same as to the original. */
function cloneAgrees<IN, ACC, OUT>(f: AggregateFunction<IN, ACC, OUT>, xs: readonly IN[], ys: readonly IN[]): void {
  const original = addAll(f, xs);
  let copy = structuredClone(original);
  expect(f.getResult(copy)).toEqual(f.getResult(original));
  for (const y of ys) copy = f.add(y, copy);
  expect(f.getResult(copy)).toEqual(resultOf(f, [...xs, ...ys]));
}

const BIDS = [bid(1, 30, 7), bid(2, 10, 8), bid(3, 50, 7), bid(4, 20, 9), bid(5, 50, 8), bid(6, 40, 7)];

describe("built-in aggregates by hand (rule 12)", () => {
  it("count", () => {
    expect(resultOf(count<Bid>(), BIDS)).toBe(6);
    expect(resultOf(count(), [])).toBe(0);
    expect(count().description).toBe("count");
  });

  it("sum, min, max, avg", () => {
    expect(resultOf(sum((b: Bid) => b.price), BIDS)).toBe(200);
    expect(resultOf(min((b: Bid) => b.price), BIDS)).toBe(10);
    expect(resultOf(max((b: Bid) => b.price), BIDS)).toBe(50);
    expect(resultOf(avg((b: Bid) => b.price), BIDS)).toBeCloseTo(200 / 6, 12);
    expect(resultOf(avg((b: Bid) => b.price), [bid(1, 3), bid(2, 4)])).toBe(3.5);
  });

  it("empty windows: sum 0, min +Infinity, max −Infinity, avg NaN (as Math.min() and Math.max())", () => {
    expect(resultOf(sum((b: Bid) => b.price), [])).toBe(0);
    expect(resultOf(min((b: Bid) => b.price), [])).toBe(Infinity);
    expect(resultOf(max((b: Bid) => b.price), [])).toBe(-Infinity);
    expect(resultOf(avg((b: Bid) => b.price), [])).toBeNaN();
  });

  it("distinctCount counts each value once", () => {
    expect(resultOf(distinctCount((b: Bid) => b.bidder), BIDS)).toBe(3);
    expect(resultOf(distinctCount((x: string | number) => x), ["a", 1, "1", 1, "a", Number.NaN, Number.NaN])).toBe(4);
  });

  it("topK keeps the k best, best first, ties in arrival order", () => {
    const ids = (bs: readonly Bid[]): number[] => bs.map((b) => b.id);
    expect(ids(resultOf(topK(3, (b: Bid) => b.price), BIDS))).toEqual([3, 5, 6]); // 50 (id 3 first), 50, 40
    expect(ids(resultOf(topK(2, (b: Bid) => b.price), BIDS))).toEqual([3, 5]);
    expect(ids(resultOf(topK(1, (b: Bid) => b.price), BIDS))).toEqual([3]); // the earlier of the tie
    expect(ids(resultOf(topK(3, (b: Bid) => b.price, { order: "asc" }), BIDS))).toEqual([2, 4, 1]); // 10, 20, 30
    expect(ids(resultOf(topK(10, (b: Bid) => b.price), BIDS))).toEqual([3, 5, 6, 1, 4, 2]);
    expect(resultOf(topK(2, (s: string) => s), ["pear", "apple", "zoo"])).toEqual(["zoo", "pear"]);
  });

  it("maxBy / minBy return every element with the extreme key (q7: the highest bid(s))", () => {
    expect(resultOf(maxBy((b: Bid) => b.price), BIDS).map((b) => b.id)).toEqual([3, 5]);
    expect(resultOf(minBy((b: Bid) => b.price), BIDS).map((b) => b.id)).toEqual([2]);
    expect(resultOf(maxBy((b: Bid) => b.price), [])).toEqual([]);
    expect(resultOf(maxBy((b: { k: bigint }) => b.k), [{ k: 2n }, { k: 10n }, { k: 10n }])).toEqual([{ k: 10n }, { k: 10n }]);
  });

  it("merge by hand: two halves of the bids give the same results as all of them", () => {
    const [xs, ys] = [BIDS.slice(0, 3), BIDS.slice(3)];
    mergeAgrees(count<Bid>(), xs, ys);
    mergeAgrees(sum((b: Bid) => b.price), xs, ys);
    mergeAgrees(avg((b: Bid) => b.price), xs, ys);
    mergeAgrees(distinctCount((b: Bid) => b.bidder), xs, ys);
    mergeAgrees(topK(3, (b: Bid) => b.price), xs, ys);
    mergeAgrees(maxBy((b: Bid) => b.price), xs, ys);
    const m = maxBy((b: Bid) => b.price);
    expect(m.getResult(m.merge(addAll(m, xs), addAll(m, ys))).map((b) => b.id)).toEqual([3, 5]);
    const t = topK(2, (b: Bid) => b.price, { order: "asc" });
    expect(t.getResult(t.merge(addAll(t, ys), addAll(t, xs))).map((b) => b.id)).toEqual([2, 4]);
    // merging with an empty accumulator, either side
    mergeAgrees(maxBy((b: Bid) => b.price), [], ys);
    mergeAgrees(minBy((b: Bid) => b.price), xs, []);
  });

  it("getResult does not consume the accumulator (a window can fire again)", () => {
    const t = topK(2, (b: Bid) => b.price);
    const acc = addAll(t, BIDS);
    const first = t.getResult(acc);
    first.pop();
    expect(t.getResult(acc).map((b) => b.id)).toEqual([3, 5]);
    const m = maxBy((b: Bid) => b.price);
    const macc = addAll(m, BIDS);
    m.getResult(macc).length = 0;
    expect(m.getResult(macc)).toHaveLength(2);
  });

  it("names aggregates after the field they read", () => {
    expect(max((b: Bid) => b.price).description).toBe("max(price)");
    expect(sum((b: { bid: { price: number } }) => b.bid.price).description).toBe("sum(bid.price)");
    expect(avg((b: Bid) => b.price * 2).description).toBe("avg(fn)");
    expect(topK(3, (b: Bid) => b.price, { order: "asc" }).description).toBe("topK(3, price, asc)");
    expect(maxBy((b: Bid) => b.price).description).toBe("maxBy(price)");
    expect(distinctCount((b: Bid) => b.bidder).description).toBe("distinctCount(bidder)");
  });
});

describe("user-defined aggregates", () => {
  const meanAndMax = aggregate({
    create: () => ({ n: 0, total: 0, top: -Infinity }),
    add: (acc, b: Bid) => ({ n: acc.n + 1, total: acc.total + b.price, top: Math.max(acc.top, b.price) }),
    merge: (a, b) => ({ n: a.n + b.n, total: a.total + b.total, top: Math.max(a.top, b.top) }),
    result: (acc) => ({ mean: acc.total / acc.n, max: acc.top }),
    description: "meanAndMax",
  });

  it("runs create/add/merge/result (rule 12)", () => {
    expect(resultOf(meanAndMax, BIDS)).toEqual({ mean: 200 / 6, max: 50 });
    mergeAgrees(meanAndMax, BIDS.slice(0, 2), BIDS.slice(2));
    cloneAgrees(meanAndMax, BIDS.slice(0, 2), BIDS.slice(2));
    expect(meanAndMax.description).toBe("meanAndMax");
    expect(aggregate({ create: () => 0, add: (a: number) => a + 1, merge: (a, b) => a + b, result: (a) => a }).description).toBe(
      "aggregate",
    );
  });

  it("rejects missing parts at build time", () => {
    expect(() => aggregate({ create: () => 0, add: (a: number) => a, merge: (a: number) => a } as never)).toThrow(
      "aggregate: result must be a function, got undefined",
    );
    expect(() => aggregate(null as never)).toThrow("aggregate: expected { create, add, merge, result }, got null");
  });
});

describe("types flow from the accessor", () => {
  it("max((b: Bid) => b.price) is AggregateFunction<Bid, number, number>, and so on", () => {
    expectTypeOf(max((b: Bid) => b.price)).toEqualTypeOf<AggregateFunction<Bid, number, number>>();
    expectTypeOf(avg((b: Bid) => b.price)).toEqualTypeOf<AggregateFunction<Bid, AvgAccumulator, number>>();
    expectTypeOf(distinctCount((b: Bid) => b.bidder)).toEqualTypeOf<AggregateFunction<Bid, Set<number>, number>>();
    expectTypeOf(topK(3, (b: Bid) => b.price)).toEqualTypeOf<AggregateFunction<Bid, TopKEntry<Bid, number>[], Bid[]>>();
    expectTypeOf(maxBy((b: Bid) => b.price)).toEqualTypeOf<AggregateFunction<Bid, ExtremeByAccumulator<Bid, number>, Bid[]>>();
    expectTypeOf(count<Bid>()).toEqualTypeOf<AggregateFunction<Bid, number, number>>();
    // count() without a type argument fits any element type
    const counting: AggregateFunction<Bid, number, number> = count();
    expect(counting.getResult(counting.add(BIDS[0]!, counting.createAccumulator()))).toBe(1);
  });
});

describe("accumulators are structured-cloneable data (checkpoints)", () => {
  it("every built-in survives a structuredClone round trip mid-window", () => {
    const [xs, ys] = [BIDS.slice(0, 4), BIDS.slice(4)];
    cloneAgrees(count<Bid>(), xs, ys);
    cloneAgrees(sum((b: Bid) => b.price), xs, ys);
    cloneAgrees(min((b: Bid) => b.price), xs, ys);
    cloneAgrees(max((b: Bid) => b.price), xs, ys);
    cloneAgrees(min((b: Bid) => b.price), [], ys); // the ±Infinity starting values clone too
    cloneAgrees(avg((b: Bid) => b.price), xs, ys);
    cloneAgrees(distinctCount((b: Bid) => b.bidder), xs, ys);
    cloneAgrees(topK(2, (b: Bid) => b.price), xs, ys);
    cloneAgrees(maxBy((b: Bid) => b.price), xs, ys);
    cloneAgrees(minBy((b: Bid) => b.price), [], ys);
  });
});

describe("merge agrees with add (property-based)", () => {
  const bids = fc.array(
    fc.record({ id: fc.nat(), price: fc.integer({ min: -50, max: 50 }), bidder: fc.integer({ min: 0, max: 6 }), auction: fc.constant(1) }),
    { maxLength: 30 },
  );

  it.each([
    ["count", count<Bid>()],
    ["sum", sum((b: Bid) => b.price)],
    ["min", min((b: Bid) => b.price)],
    ["max", max((b: Bid) => b.price)],
    ["avg", avg((b: Bid) => b.price)],
    ["distinctCount", distinctCount((b: Bid) => b.bidder)],
    ["topK desc (ties)", topK(4, (b: Bid) => b.bidder)],
    ["topK asc", topK(3, (b: Bid) => b.price, { order: "asc" })],
    ["minBy (ties)", minBy((b: Bid) => b.bidder)],
    ["maxBy (ties)", maxBy((b: Bid) => b.bidder)],
  ] as [string, AggregateFunction<Bid, unknown, unknown>][])("%s: merge(add-all(xs), add-all(ys)) = add-all(xs ++ ys)", (_name, f) => {
    fc.assert(
      fc.property(bids, bids, (xs, ys) => {
        mergeAgrees(f, xs, ys);
        cloneAgrees(f, xs, ys);
      }),
    );
  });

  it("topK equals a stable sort of all elements cut at k", () => {
    fc.assert(
      fc.property(bids, fc.integer({ min: 1, max: 8 }), (xs, k) => {
        const expected = xs
          .map((b, i) => ({ b, i }))
          .sort((a, c) => c.b.price - a.b.price || a.i - c.i)
          .slice(0, k)
          .map((e) => e.b);
        expect(resultOf(topK(k, (b: Bid) => b.price), xs)).toEqual(expected);
      }),
    );
  });
});

describe("validation at build time", () => {
  it.each([
    [() => sum(undefined as never), "sum: fn must be a function, got undefined"],
    [() => max("price" as never), "max: fn must be a function, got string"],
    [() => distinctCount(null as never), "distinctCount: fn must be a function, got null"],
    [() => topK(0, (b: Bid) => b.price), "topK: k must be a positive integer, got 0"],
    [() => topK(1.5, (b: Bid) => b.price), "topK: k must be a positive integer, got 1.5"],
    [() => topK(3, (b: Bid) => b.price, { order: "up" as "asc" }), 'topK: order must be "asc" or "desc", got "up"'],
    [() => maxBy(5 as never), "maxBy: fn must be a function, got number"],
  ])("%#: throws a message naming the option and value", (build, message) => {
    expect(build).toThrow(message);
  });

  it("a NaN ordering key fails clearly", () => {
    const f = maxBy((b: Bid) => b.price);
    expect(() => f.add(bid(1, Number.NaN), f.createAccumulator())).toThrow("maxBy: the key function returned NaN, which has no order");
    const t = topK(2, (b: Bid) => b.price);
    expect(() => t.add(bid(1, Number.NaN), t.createAccumulator())).toThrow("topK: the key function returned NaN");
  });
});
