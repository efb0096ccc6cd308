/**
 * Hand-written, single-purpose streaming loops for Nexmark q5, q7 and q11: the baseline "hand-loop" of
 * bench/engine. Each reads events straight from a Nexmark generator (`generator.event(n)`), keeps its
 * own bounded-out-of-orderness watermark (max timestamp − outOfOrderness − 1, advanced after every
 * event, so never behind the engine's periodic one), fires windows once the watermark reaches their
 * end − 1 and frees them: what a programmer would write for exactly one query, with the semantics of
 * the engine (stream-semantics rules 4, 5, 6, 8, 11).
 *
 * Results are canonical lines (strings), sorted, so they compare with the engine's and RxJS's.
 */

/**
 * @typedef {import("../../src/index.ts").Bid} Bid
 * @typedef {import("../../src/index.ts").NexmarkEvent} NexmarkEvent
 * @typedef {{ event(n: number): NexmarkEvent }} EventGenerator a Nexmark generator (`NexmarkGenerator`)
 * @typedef {{ start: number, end: number, count: number, fired: boolean }} Session an open q11 session
 * @typedef {{ end: number, bidder: number, session: Session }} HeapEntry
 */

/**
 * `timestamp − ((timestamp − offset) mod size)` with a non-negative modulo (offset 0).
 * @param {number} ts
 * @param {number} size
 * @returns {number}
 */
function windowStart(ts, size) {
  const r = ts % size;
  return ts - (r < 0 ? r + size : r);
}

/**
 * Nexmark q7: per tumbling window of `size` ms, the bid(s) with the highest price, ties in arrival order.
 * @param {EventGenerator} generator
 * @param {number} events - event numbers 0 … events − 1
 * @param {{ size: number, outOfOrderness: number }} options
 * @returns {{ lines: string[], late: number }}
 */
export function q7HandLoop(generator, events, { size, outOfOrderness }) {
  /** @type {Map<number, { price: number, bids: Bid[] }>} */
  const open = new Map(); // window start → { price, bids }
  /** @type {string[]} */
  const lines = [];
  let maxTs = -Infinity;
  let watermark = -Infinity;
  let late = 0;
  let nextStart = Infinity; // the earliest window start that may still be open
  /** @param {number} upTo */
  const fire = (upTo) => {
    while (nextStart !== Infinity && nextStart + size - 1 <= upTo) {
      const acc = open.get(nextStart);
      if (acc !== undefined) {
        lines.push(q7Line(nextStart, nextStart + size, acc.bids));
        open.delete(nextStart);
      }
      nextStart = open.size === 0 ? Infinity : nextStart + size;
    }
  };
  for (let n = 0; n < events; n++) {
    const e = generator.event(n);
    if (e.kind !== "bid") continue;
    const ts = e.dateTime;
    const start = windowStart(ts, size);
    if (start + size - 1 <= watermark) {
      late++;
      continue;
    }
    let acc = open.get(start);
    if (acc === undefined) {
      acc = { price: e.price, bids: [e] };
      open.set(start, acc);
      if (start < nextStart) nextStart = start;
    } else if (e.price > acc.price) {
      acc.price = e.price;
      acc.bids = [e];
    } else if (e.price === acc.price) {
      acc.bids.push(e);
    }
    if (ts > maxTs) {
      maxTs = ts;
      const w = maxTs - outOfOrderness - 1;
      if (w > watermark) {
        watermark = w;
        fire(watermark);
      }
    }
  }
  fire(Infinity);
  return { lines: lines.sort(), late };
}

/**
 * The canonical line of one q7 result.
 * @param {number} start
 * @param {number} end
 * @param {readonly Bid[]} bids
 * @returns {string}
 */
export function q7Line(start, end, bids) {
  return `${start} ${end} ${bids.map((b) => `${b.auction}/${b.bidder}/${b.price}/${b.dateTime}`).join(",")}`;
}

/**
 * Nexmark q5: bids per auction in sliding windows (`size` ms every `slide` ms); per window the
 * auction(s) with the most bids.
 * @param {EventGenerator} generator
 * @param {number} events - event numbers 0 … events − 1
 * @param {{ size: number, slide: number, outOfOrderness: number }} options
 * @returns {{ lines: string[], late: number }}
 */
export function q5HandLoop(generator, events, { size, slide, outOfOrderness }) {
  /** @type {Map<number, Map<number, number>>} */
  const open = new Map(); // window start → Map(auction → count)
  /** @type {string[]} */
  const lines = [];
  let maxTs = -Infinity;
  let watermark = -Infinity;
  let late = 0;
  let nextStart = Infinity;
  /** @param {number} upTo */
  const fire = (upTo) => {
    while (nextStart !== Infinity && nextStart + size - 1 <= upTo) {
      const counts = open.get(nextStart);
      if (counts !== undefined) {
        let best = 0;
        /** @type {number[]} */
        let auctions = [];
        for (const [auction, c] of counts) {
          if (c > best) {
            best = c;
            auctions = [auction];
          } else if (c === best) auctions.push(auction);
        }
        lines.push(q5Line(nextStart, nextStart + size, best, auctions));
        open.delete(nextStart);
      }
      nextStart = open.size === 0 ? Infinity : nextStart + slide;
    }
  };
  for (let n = 0; n < events; n++) {
    const e = generator.event(n);
    if (e.kind !== "bid") continue;
    const ts = e.dateTime;
    let assigned = false;
    for (let start = windowStart(ts, slide); start > ts - size; start -= slide) {
      if (start + size - 1 <= watermark) continue;
      assigned = true;
      let counts = open.get(start);
      if (counts === undefined) {
        counts = new Map();
        open.set(start, counts);
        if (start < nextStart) nextStart = start;
      }
      counts.set(e.auction, (counts.get(e.auction) ?? 0) + 1);
    }
    if (!assigned) late++;
    if (ts > maxTs) {
      maxTs = ts;
      const w = maxTs - outOfOrderness - 1;
      if (w > watermark) {
        watermark = w;
        fire(watermark);
      }
    }
  }
  fire(Infinity);
  return { lines: lines.sort(), late };
}

/**
 * The canonical line of one q5 result (auctions sorted: the engine emits ties in timer order).
 * @param {number} start
 * @param {number} end
 * @param {number} count
 * @param {readonly number[]} auctions
 * @returns {string}
 */
export function q5Line(start, end, count, auctions) {
  return `${start} ${end} ${count} ${[...auctions].sort((a, b) => a - b).join(",")}`;
}

/**
 * Nexmark q11: bids per bidder per session window (`gap` ms; windows [ts, ts + gap) merge when they
 * overlap or touch). `ambiguous` counts events that touch a session the loop had already fired: with
 * the engine's periodic watermark the engine may still have merged them, so equality is only expected
 * when it is 0 (it is for the default seeds; the bench says so otherwise).
 * @param {EventGenerator} generator
 * @param {number} events - event numbers 0 … events − 1
 * @param {{ gap: number, outOfOrderness: number }} options
 * @returns {{ lines: string[], late: number, ambiguous: number }}
 */
export function q11HandLoop(generator, events, { gap, outOfOrderness }) {
  /** @type {Map<number, Session[]>} */
  const sessions = new Map(); // bidder → open sessions [{ start, end, count }], disjoint, not touching
  /** @type {Map<number, number>} */
  const firedEnd = new Map(); // bidder → end of its last fired session
  const heap = new EndHeap(); // (end, bidder, session): firing candidates, stale ones skipped
  /** @type {string[]} */
  const lines = [];
  let maxTs = -Infinity;
  let watermark = -Infinity;
  let late = 0;
  let ambiguous = 0;
  /** @param {number} upTo */
  const fire = (upTo) => {
    for (let top = heap.peek(); top !== undefined && top.end - 1 <= upTo; top = heap.peek()) {
      heap.pop();
      const { bidder, session } = top;
      if (session.end !== top.end || session.fired) continue; // extended or merged away since
      const list = sessions.get(bidder);
      if (list === undefined) continue; // (a live session is always listed)
      const i = list.indexOf(session);
      if (i < 0) continue;
      session.fired = true;
      list.splice(i, 1);
      if (list.length === 0) sessions.delete(bidder);
      firedEnd.set(bidder, session.end);
      lines.push(q11Line(bidder, session.start, session.end, session.count));
    }
  };
  for (let n = 0; n < events; n++) {
    const e = generator.event(n);
    if (e.kind !== "bid") continue;
    const ts = e.dateTime;
    if (ts + gap - 1 <= watermark) {
      late++;
      continue;
    }
    const bidder = e.bidder;
    if (firedEnd.get(bidder) === ts) ambiguous++;
    let list = sessions.get(bidder);
    if (list === undefined) {
      list = [];
      sessions.set(bidder, list);
    }
    let start = ts;
    let end = ts + gap;
    let count = 1;
    /** @type {Session | undefined} */
    let target;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.start <= end && s.end >= start) {
        start = Math.min(start, s.start);
        end = Math.max(end, s.end);
        count += s.count;
        if (target === undefined) target = s;
        else {
          s.fired = true; // merged away
          list.splice(i--, 1);
        }
      }
    }
    if (target === undefined) {
      target = { start, end, count, fired: false };
      list.push(target);
      heap.push(end, bidder, target);
    } else {
      const grew = end !== target.end;
      target.start = start;
      target.end = end;
      target.count = count;
      if (grew) heap.push(end, bidder, target);
    }
    if (ts > maxTs) {
      maxTs = ts;
      const w = maxTs - outOfOrderness - 1;
      if (w > watermark) {
        watermark = w;
        fire(watermark);
      }
    }
  }
  fire(Infinity);
  return { lines: lines.sort(), late, ambiguous };
}

/**
 * The canonical line of one q11 result.
 * @param {number} bidder
 * @param {number} start
 * @param {number} end
 * @param {number} count
 * @returns {string}
 */
export function q11Line(bidder, start, end, count) {
  return `${bidder} ${start} ${end} ${count}`;
}

/** A binary min-heap of { end, bidder, session } by end. */
class EndHeap {
  constructor() {
    /** @type {HeapEntry[]} */
    this.items = [];
  }
  /** @returns {HeapEntry | undefined} */
  peek() {
    return this.items[0];
  }
  /**
   * @param {number} end
   * @param {number} bidder
   * @param {Session} session
   */
  push(end, bidder, session) {
    const h = this.items;
    h.push({ end, bidder, session });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].end <= h[i].end) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  /** @returns {HeapEntry | undefined} */
  pop() {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (last !== undefined && h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].end < h[m].end) m = l;
        if (r < h.length && h[r].end < h[m].end) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
