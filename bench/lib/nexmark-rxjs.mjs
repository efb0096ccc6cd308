/**
 * RxJS implementations of Nexmark q5, q7 and q11 for IN-ORDER event streams (events generated without
 * out-of-orderness, `outOfOrder: false`): the baseline "rxjs" of bench/engine. RxJS has no event time or
 * watermarks, so these rely on the stream being sorted by time: a window is complete when an element of
 * a later window arrives (or the stream completes). Written the RxJS way (groupBy with a duration
 * selector, reduce, scan, bufferCount, mergeMap); each returns the same canonical lines as the hand loops.
 */
import { bufferCount, connect, filter, from, groupBy, last, lastValueFrom, map, merge, mergeMap, reduce, scan, share, startWith, take, toArray } from "rxjs";
import { q11Line, q5Line, q7Line } from "./nexmark-hand-loops.mjs";

/**
 * @typedef {import("../../src/index.ts").Bid} Bid
 * @typedef {import("../../src/index.ts").NexmarkEvent} NexmarkEvent
 * @typedef {import("./nexmark-hand-loops.mjs").EventGenerator} EventGenerator
 * @typedef {{ start: number, end: number, count: number }} Session a q11 session
 * @typedef {{ current: Session, closed: Session | undefined }} SessionState the q11 scan's state
 */

/**
 * Event numbers 0 … events − 1 of `generator` as an iterable (RxJS `from` reads it synchronously).
 * @param {EventGenerator} generator
 * @param {number} events
 * @returns {Generator<NexmarkEvent>}
 */
function* eventsOf(generator, events) {
  for (let n = 0; n < events; n++) yield generator.event(n);
}

/**
 * @param {number} ts
 * @param {number} size
 * @returns {number}
 */
function windowStart(ts, size) {
  const r = ts % size;
  return ts - (r < 0 ? r + size : r);
}

/**
 * @param {NexmarkEvent} e
 * @returns {e is Bid}
 */
const isBid = (e) => e.kind === "bid";

/**
 * q7: groupBy window start (a group ends when a bid of a later window arrives), reduce to the max bids.
 * @param {EventGenerator} generator
 * @param {number} events
 * @param {{ size: number }} options
 * @returns {Promise<string[]>}
 */
export async function q7Rxjs(generator, events, { size }) {
  const bids$ = from(eventsOf(generator, events)).pipe(filter(isBid), share());
  const lines$ = bids$.pipe(
    groupBy((b) => windowStart(b.dateTime, size), {
      duration: (group) => bids$.pipe(filter((b) => b.dateTime >= group.key + size), take(1)),
    }),
    mergeMap((group) =>
      group.pipe(
        reduce(
          /**
           * @param {{ price: number, bids: Bid[] } | undefined} acc
           * @param {Bid} b
           * @returns {{ price: number, bids: Bid[] }}
           */
          (acc, b) => (acc === undefined || b.price > acc.price ? { price: b.price, bids: [b] } : (b.price === acc.price && acc.bids.push(b), acc)), undefined),
        map((acc) => {
          // reduce emits its seed (undefined) only for an empty group, and a group has at least its first bid.
          if (acc === undefined) throw new Error(`q7Rxjs: empty window ${group.key}`);
          return q7Line(group.key, group.key + size, acc.bids);
        }),
      ),
    ),
    toArray(),
  );
  return (await lastValueFrom(lines$)).sort();
}

/**
 * q5: bids grouped into panes of `slide` ms (groupBy with a duration, reduce to counts per auction),
 * then `bufferCount(size / slide, 1)` over the panes (with empty panes in front, so windows that start
 * before the first bid exist too) sums the panes of each sliding window; map picks the hottest auctions.
 * @param {EventGenerator} generator
 * @param {number} events
 * @param {{ size: number, slide: number }} options
 * @returns {Promise<string[]>}
 */
export async function q5Rxjs(generator, events, { size, slide }) {
  if (size % slide !== 0) throw new RangeError("q5Rxjs: size must be a multiple of slide");
  const panesPerWindow = size / slide;
  const bids$ = from(eventsOf(generator, events)).pipe(filter(isBid), share());
  const panes$ = bids$.pipe(
    groupBy((b) => windowStart(b.dateTime, slide), {
      duration: (group) => bids$.pipe(filter((b) => b.dateTime >= group.key + slide), take(1)),
    }),
    mergeMap((group) =>
      group.pipe(
        reduce((counts, b) => counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1), /** @type {Map<number, number>} */ (new Map())),
        map((counts) => ({ start: group.key, counts })),
      ),
    ),
  );
  const lines$ = panes$.pipe(
    connect((shared) =>
      shared.pipe(
        take(1),
        mergeMap((first) => {
          /** @type {{ start: number, counts: Map<number, number> }[]} */
          const empties = [];
          for (let k = panesPerWindow - 1; k >= 1; k--) empties.push({ start: first.start - k * slide, counts: new Map() });
          return shared.pipe(startWith(...empties, first));
        }),
      ),
    ),
    bufferCount(panesPerWindow, 1),
    map((panes) => {
      /** @type {Map<number, number>} */
      const total = new Map();
      for (const p of panes) for (const [auction, c] of p.counts) total.set(auction, (total.get(auction) ?? 0) + c);
      let best = 0;
      /** @type {number[]} */
      let auctions = [];
      for (const [auction, c] of total) {
        if (c > best) {
          best = c;
          auctions = [auction];
        } else if (c === best) auctions.push(auction);
      }
      return total.size === 0 ? undefined : q5Line(panes[0].start, panes[0].start + size, best, auctions);
    }),
    filter((line) => line !== undefined),
    toArray(),
  );
  return (await lastValueFrom(lines$)).sort();
}

/**
 * q11: groupBy bidder; per bidder a scan over its bid times closes a session when a bid comes more than
 * `gap` ms after the session's last bid, and the open session is emitted when the stream completes.
 * @param {EventGenerator} generator
 * @param {number} events
 * @param {{ gap: number }} options
 * @returns {Promise<string[]>}
 */
export async function q11Rxjs(generator, events, { gap }) {
  const lines$ = from(eventsOf(generator, events)).pipe(
    filter(isBid),
    groupBy((b) => b.bidder),
    mergeMap((group) =>
      group.pipe(
        // Cast: the seed is never emitted (scan emits only accumulator results; rxjs's own seed overload).
        /** @type {import("rxjs").OperatorFunction<Bid, SessionState>} */ (
          scan(
            /**
             * @param {SessionState | { current: undefined, closed: undefined }} state
             * @param {Bid} b
             * @returns {SessionState}
             */
            (state, b) => {
              const ts = b.dateTime;
              const cur = state.current;
              if (cur !== undefined && ts <= cur.end) return { current: { start: cur.start, end: Math.max(cur.end, ts + gap), count: cur.count + 1 }, closed: undefined };
              return { current: { start: ts, end: ts + gap, count: 1 }, closed: cur };
            },
            { current: undefined, closed: undefined },
          )
        ),
        connect((states) =>
          merge(
            states.pipe(
              filter(
                /**
                 * @param {SessionState} s
                 * @returns {s is { current: Session, closed: Session }}
                 */
                (s) => s.closed !== undefined,
              ),
              map((s) => s.closed),
            ),
            states.pipe(last(), map((s) => s.current)),
          ),
        ),
        map((s) => q11Line(group.key, s.start, s.end, s.count)),
      ),
    ),
    toArray(),
  );
  return (await lastValueFrom(lines$)).sort();
}
