import { describe, expect, it } from "vitest";
import type { NexmarkEvent } from "../../src/stream/sources/nexmark/nexmark-events.js";
import { NexmarkGenerator, nexmarkKindOf } from "../../src/stream/sources/nexmark/nexmark-generator.js";
import { resolveNexmarkConfig, type NexmarkOptions } from "../../src/stream/sources/nexmark/nexmark-config.js";
import { nexmark, type NexmarkSource } from "../../src/stream/sources/nexmark/nexmark-source.js";
import type { SplitPosition, SplitReader } from "../../src/stream/sources/source.js";

/** Reads a reader to its end (or `limit` records) in polls of `batch`. */
async function drain(reader: SplitReader<NexmarkEvent>, batch = 1000, limit = Infinity): Promise<NexmarkEvent[]> {
  const out: NexmarkEvent[] = [];
  while (out.length < limit) {
    const b = await reader.poll(Math.min(batch, limit - out.length));
    out.push(...b.records);
    if (b.status === "end") break;
  }
  return out;
}

async function readAll(options: NexmarkOptions, batch = 1000): Promise<NexmarkEvent[]> {
  const source = nexmark(options);
  const [split] = await source.splits();
  return drain(await source.open(split!), batch);
}

const generator = (options: NexmarkOptions): NexmarkGenerator => new NexmarkGenerator(resolveNexmarkConfig(options));

describe("nexmark generator", () => {
  it("is deterministic: the same seed gives equal events, another seed different ones", async () => {
    const a = await readAll({ seed: 42, maxEvents: 5000 });
    const b = await readAll({ seed: 42, maxEvents: 5000 }, 77);
    const c = await readAll({ seed: 43, maxEvents: 5000 });
    expect(a).toHaveLength(5000);
    expect(b).toEqual(a);
    const priceDiffers = a.filter((e, i) => e.kind === "bid" && c[i]!.kind === "bid" && e.price !== (c[i] as typeof e).price).length;
    expect(priceDiffers).toBeGreaterThan(0.9 * 4600);
    // Ids and kinds do not depend on the seed, only on the event number.
    expect(c.map((e) => e.kind)).toEqual(a.map((e) => e.kind));
  });

  it("generates Person : Auction : Bid = 1 : 3 : 46 in every block of 50 events", async () => {
    const events = await readAll({ seed: 1, maxEvents: 10_000 });
    for (let block = 0; block < 200; block++) {
      const kinds = events.slice(block * 50, block * 50 + 50).map((e) => e.kind);
      expect(kinds[0]).toBe("person");
      expect(kinds.slice(1, 4)).toEqual(["auction", "auction", "auction"]);
      expect(kinds.slice(4).every((k) => k === "bid")).toBe(true);
    }
    expect(nexmarkKindOf(0)).toBe("person");
    expect(nexmarkKindOf(1_000_003)).toBe("auction");
    expect(nexmarkKindOf(1_000_049)).toBe("bid");
  });

  it("derives ids from the event number: persons and auctions numbered from 1000 consecutively", () => {
    const gen = generator({ seed: 5 });
    // event 0 → person 1000; events 1, 2, 3 → auctions 1000, 1001, 1002; event 50 → person 1001; 51 → auction 1003
    expect(gen.event(0)).toMatchObject({ kind: "person", id: 1000 });
    expect([1, 2, 3].map((n) => gen.event(n))).toMatchObject([{ id: 1000 }, { id: 1001 }, { id: 1002 }]);
    expect(gen.event(50)).toMatchObject({ kind: "person", id: 1001 });
    expect(gen.event(51)).toMatchObject({ kind: "auction", id: 1003 });
    expect(gen.event(5003)).toMatchObject({ kind: "auction", id: 1000 + 100 * 3 + 2 });
  });

  it("with idLead 0, every bid and auction references a person or auction generated before it", async () => {
    const events = await readAll({ seed: 9, maxEvents: 60_000, idLead: 0 });
    const people = new Set<number>();
    const auctions = new Set<number>();
    const problems: string[] = [];
    for (const e of events) {
      if (e.kind === "person") people.add(e.id);
      else if (e.kind === "auction") {
        if (!people.has(e.seller)) problems.push(`auction ${e.id}: unknown seller ${e.seller}`);
        if (e.category < 10 || e.category > 14) problems.push(`auction ${e.id}: category ${e.category}`);
        if (e.reserve < e.initialBid || e.expires <= e.dateTime) problems.push(`auction ${e.id}: reserve/expires`);
        auctions.add(e.id);
      } else {
        if (!auctions.has(e.auction)) problems.push(`bid on unknown auction ${e.auction}`);
        if (!people.has(e.bidder)) problems.push(`bid by unknown person ${e.bidder}`);
      }
    }
    expect(problems).toEqual([]);
    expect([people.size, auctions.size]).toEqual([1200, 3600]);
  });

  it("with the default idLead 10, references stay within 10 ids past the latest generated one", async () => {
    const events = await readAll({ seed: 9, maxEvents: 30_000 });
    let lastPerson = 0;
    let lastAuction = 0;
    let ahead = 0;
    const problems: string[] = [];
    for (const e of events) {
      if (e.kind === "person") lastPerson = e.id;
      else if (e.kind === "auction") {
        lastAuction = e.id;
        if (e.seller > lastPerson + 10 || e.seller < 1000) problems.push(`auction ${e.id}: seller ${e.seller}`);
      } else {
        if (e.auction > lastAuction + 10 || e.auction < 1000) problems.push(`bid on ${e.auction} after auction ${lastAuction}`);
        if (e.bidder > lastPerson + 10 || e.bidder < 1000) problems.push(`bid by ${e.bidder} after person ${lastPerson}`);
        if (e.auction > lastAuction) ahead++;
      }
    }
    expect(problems).toEqual([]);
    expect(ahead).toBeGreaterThan(0);
  });

  it("concentrates bids on hot auctions and bidders (ratio 2 and 4: about a half and three quarters)", async () => {
    const events = await readAll({ seed: 3, maxEvents: 50_000, outOfOrder: false });
    const bids = events.filter((e) => e.kind === "bid");
    // Hot auction = first auction of the latest batch of 100 (base-0 id multiple of 100); hot bidder = 2nd person of its batch.
    const hotAuction = bids.filter((b) => (b.auction - 1000) % 100 === 0).length / bids.length;
    const hotBidder = bids.filter((b) => (b.bidder - 1000) % 100 === 1).length / bids.length;
    expect(hotAuction).toBeGreaterThan(0.49);
    expect(hotAuction).toBeLessThan(0.53);
    expect(hotBidder).toBeGreaterThan(0.74);
    expect(hotBidder).toBeLessThan(0.78);
  });

  it("spaces base event times by the rate: event n at firstEventTime + ⌊n · 1000 / eventsPerSecond⌋", () => {
    const gen = generator({ seed: 1, eventsPerSecond: 3000, firstEventTime: 1_000_000, outOfOrder: false });
    expect(gen.baseTime(0)).toBe(1_000_000);
    expect(gen.baseTime(2)).toBe(1_000_000); // 0.67 ms
    expect(gen.baseTime(3)).toBe(1_000_001);
    expect(gen.baseTime(12_345)).toBe(1_000_000 + 4115); // 12 345 000 / 3000 = 4115
    expect(gen.event(12_345).dateTime).toBe(1_004_115);
  });

  it("delays about 10 % of events by 1 … 4000 ms by default, never more, so maxTs − 4000 bounds lateness", async () => {
    const gen = generator({ seed: 11 });
    const events = await readAll({ seed: 11, maxEvents: 100_000 });
    let delayed = 0;
    let maxSeen = -Infinity;
    let minDelay = Infinity;
    let maxDelay = -Infinity;
    let late = 0;
    for (let n = 0; n < events.length; n++) {
      const e = events[n]!;
      const delay = gen.baseTime(n) - e.dateTime;
      minDelay = Math.min(minDelay, delay);
      maxDelay = Math.max(maxDelay, delay);
      if (delay > 0) delayed++;
      if (e.dateTime < maxSeen - 4000) late++;
      maxSeen = Math.max(maxSeen, e.dateTime);
    }
    expect([minDelay, maxDelay, late]).toEqual([0, 4000, 0]);
    expect(delayed / events.length).toBeGreaterThan(0.095);
    expect(delayed / events.length).toBeLessThan(0.105);
  });

  it("honours outOfOrder options: false → event times in order; fraction 0.5, maxDelayMs 100", async () => {
    const inOrder = await readAll({ seed: 2, maxEvents: 20_000, outOfOrder: false });
    expect(inOrder.every((e, i) => i === 0 || e.dateTime >= inOrder[i - 1]!.dateTime)).toBe(true);
    const gen = generator({ seed: 2 });
    const half = await readAll({ seed: 2, maxEvents: 20_000, outOfOrder: { fraction: 0.5, maxDelayMs: 100 } });
    const delays = half.map((e, n) => gen.baseTime(n) - e.dateTime);
    expect(Math.max(...delays)).toBe(100);
    expect(Math.min(...delays)).toBe(0);
    const share = delays.filter((d) => d > 0).length / delays.length;
    expect(share).toBeGreaterThan(0.48);
    expect(share).toBeLessThan(0.52);
  });

  it("rule 15: restores exactly: a reader opened at a position continues with the identical events", async () => {
    const source = nexmark({ seed: 7, maxEvents: 3000 });
    const [split] = await source.splits();
    const first = await source.open(split!);
    await drain(first, 137, 1000);
    const position: SplitPosition = first.position();
    expect(position).toBe(1000);
    const rest = await drain(first, 250);
    const restored = await drain(await source.open(split!, structuredClone(position)), 999);
    expect(restored).toHaveLength(2000);
    expect(restored).toEqual(rest);
  });

  it("partitions event numbers among interleaved splits (k, k + n, …) with the events of the single stream", async () => {
    const single = await readAll({ seed: 4, maxEvents: 1001 });
    const source = nexmark({ seed: 4, maxEvents: 1001, splits: 4 });
    const splits = await source.splits();
    expect(splits.map((s) => s.id)).toEqual(["nexmark-0-of-4", "nexmark-1-of-4", "nexmark-2-of-4", "nexmark-3-of-4"]);
    const merged = new Array<NexmarkEvent | undefined>(1001);
    for (const [k, split] of splits.entries()) {
      const events = await drain(await source.open(split), 100);
      expect(events).toHaveLength(k === 0 ? 251 : 250);
      events.forEach((e, j) => {
        const n = k + 4 * j;
        expect(merged[n]).toBeUndefined();
        merged[n] = e;
      });
    }
    expect(merged).toEqual(single);
    // A finished split's position (past the end by less than a step) restores to an ended reader.
    const finished = await source.open(splits[2]!);
    await drain(finished, 1000);
    expect(finished.position()).toBe(1002);
    expect(await (await source.open(splits[2]!, 1002)).poll(10)).toEqual({ records: [], status: "end" });
    // More splits than events: the extra split is empty.
    const tiny = nexmark({ seed: 4, maxEvents: 2, splits: 3 });
    const counts: number[] = [];
    for (const split of await tiny.splits()) counts.push((await drain(await tiny.open(split))).length);
    expect(counts).toEqual([1, 1, 0]);
  });

  it("partitions event numbers into contiguous ranges with splitMode ranged", async () => {
    const single = await readAll({ seed: 4, maxEvents: 1000 });
    const source = nexmark({ seed: 4, maxEvents: 1000, splits: 3, splitMode: "ranged" });
    const parts: NexmarkEvent[][] = [];
    for (const split of await source.splits()) parts.push(await drain(await source.open(split), 64));
    expect(parts.map((p) => p.length)).toEqual([333, 333, 334]);
    expect(parts.flat()).toEqual(single);
    const [, second] = source.splitList();
    const reader = await source.open(second!, 400);
    expect((await reader.poll(1)).records[0]).toEqual(single[400]);
    await expect(source.open(second!, 700)).rejects.toThrow(/position 700 is not an event number of split "nexmark-1-of-3"/);
  });

  it("rejects a position that does not belong to the split", async () => {
    const source = nexmark({ seed: 1, splits: 2 });
    const [a] = await source.splits();
    await expect(source.open(a!, 3)).rejects.toThrow(/position 3 is not an event number of split "nexmark-0-of-2"/);
    await expect(source.open(a!, "x")).rejects.toThrow(/position x/);
    await expect(source.open({ id: "other" })).rejects.toThrow(/unknown split "other"/);
  });

  it("is unbounded without maxEvents, bounded with it, and says so in its description", async () => {
    const unbounded = nexmark({ seed: 3 });
    expect(unbounded.bounded).toBe(false);
    const [split] = await unbounded.splits();
    const reader = await unbounded.open(split!);
    const batch = await reader.poll(10_000);
    expect(batch).toMatchObject({ status: "more" });
    expect(batch.records).toHaveLength(10_000);
    const bounded: NexmarkSource = nexmark({ seed: 3, maxEvents: 10 });
    expect(bounded.bounded).toBe(true);
    expect(bounded.description).toBe("nexmark(seed 3, 10000 events/s, 10 events)");
    const [s] = await bounded.splits();
    const r = await bounded.open(s!);
    expect((await r.poll(4)).status).toBe("more");
    const last = await r.poll(100);
    expect(last.records).toHaveLength(6);
    expect(last.status).toBe("end");
    expect(r.position()).toBe(10);
  });

  it("paces to a wall clock: releases events whose base time is due, says idle otherwise", async () => {
    let now = 50_000;
    const source = nexmark({ seed: 1, eventsPerSecond: 1000, firstEventTime: 0, pace: { clock: () => now } });
    const [split] = await source.splits();
    const reader = await source.open(split!);
    // At open, event 0 (time 0) is due; event 1 is due 1 ms later.
    expect((await reader.poll(100)).records).toHaveLength(1);
    expect(await reader.poll(100)).toEqual({ records: [], status: "idle" });
    now += 10; // events 1 … 10 are due
    const b = await reader.poll(100);
    expect(b.records).toHaveLength(10);
    expect(b.status).toBe("more");
    expect(reader.position()).toBe(11);
    const fast = nexmark({ seed: 1, eventsPerSecond: 1000, firstEventTime: 0, pace: { speedUp: 10, clock: () => now } });
    const fr = await fast.open(split!, 11);
    now += 3; // 30 ms of event time: events 12 … 41 (event 11 was due at open)
    const fb = await fr.poll(1000);
    expect(fb.records).toHaveLength(31);
    expect(fr.position()).toBe(42);
  });

  it("rejects invalid options at build time, naming the option and the value", () => {
    expect(() => nexmark({ eventsPerSecond: 0 })).toThrow(/option eventsPerSecond must be a finite number > 0, got 0/);
    expect(() => nexmark({ seed: 1.5 })).toThrow(/option seed must be a safe integer, got 1.5/);
    expect(() => nexmark({ maxEvents: -1 })).toThrow(/option maxEvents must be an integer ≥ 0, got -1/);
    expect(() => nexmark({ splits: 0 })).toThrow(/option splits must be an integer ≥ 1, got 0/);
    expect(() => nexmark({ splitMode: "ranged" })).toThrow(/option splitMode must be "interleaved" when maxEvents is not set/);
    expect(() => nexmark({ outOfOrder: { fraction: 2 } })).toThrow(/option outOfOrder.fraction must be a number in \[0, 1\], got 2/);
    expect(() => nexmark({ pace: 5 as unknown as boolean })).toThrow(/option pace must be a boolean or \{ speedUp\?, clock\? \}, got 5/);
    expect(() => nexmark({ pace: { speedUp: -1 } })).toThrow(/option pace.speedUp must be a finite number > 0, got -1/);
  });
});
