/**
 * RxJS implementations of Nexmark q5, q7 and q11 for IN-ORDER event streams (events generated without
 * out-of-orderness, `outOfOrder: false`): the baseline "rxjs" of bench/engine. RxJS has no event time or
 * watermarks, so these rely on the stream being sorted by time: a window is complete when an element of
 * a later window arrives (or the stream completes). Written the RxJS way (groupBy with a duration
 * selector, reduce, scan, bufferCount, mergeMap); each returns the same canonical lines as the hand loops.
 */
import { bufferCount, connect, filter, from, groupBy, last, lastValueFrom, map, merge, mergeMap, reduce, scan, share, startWith, take, toArray } from "rxjs";
import { q11Line, q5Line, q7Line } from "./nexmark-hand-loops.mjs";

/** Event numbers 0 … events − 1 of `generator` as an iterable (RxJS `from` reads it synchronously). */
function* eventsOf(generator, events) {
  for (let n = 0; n < events; n++) yield generator.event(n);
}

function windowStart(ts, size) {
  const r = ts % size;
  return ts - (r < 0 ? r + size : r);
}

const isBid = (e) => e.kind === "bid";

/** q7: groupBy window start (a group ends when a bid of a later window arrives), reduce to the max bids. */
export async function q7Rxjs(generator, events, { size }) {
  const bids$ = from(eventsOf(generator, events)).pipe(filter(isBid), share());
  const lines$ = bids$.pipe(
    groupBy((b) => windowStart(b.dateTime, size), {
      duration: (group) => bids$.pipe(filter((b) => b.dateTime >= group.key + size), take(1)),
    }),
    mergeMap((group) =>
      group.pipe(
        reduce((acc, b) => (acc === undefined || b.price > acc.price ? { price: b.price, bids: [b] } : (b.price === acc.price && acc.bids.push(b), acc)), undefined),
        map((acc) => q7Line(group.key, group.key + size, acc.bids)),
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
        reduce((counts, b) => counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1), new Map()),
        map((counts) => ({ start: group.key, counts })),
      ),
    ),
  );
  const lines$ = panes$.pipe(
    connect((shared) =>
      shared.pipe(
        take(1),
        mergeMap((first) => {
          const empties = [];
          for (let k = panesPerWindow - 1; k >= 1; k--) empties.push({ start: first.start - k * slide, counts: new Map() });
          return shared.pipe(startWith(...empties, first));
        }),
      ),
    ),
    bufferCount(panesPerWindow, 1),
    map((panes) => {
      const total = new Map();
      for (const p of panes) for (const [auction, c] of p.counts) total.set(auction, (total.get(auction) ?? 0) + c);
      let best = 0;
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
 */
export async function q11Rxjs(generator, events, { gap }) {
  const lines$ = from(eventsOf(generator, events)).pipe(
    filter(isBid),
    groupBy((b) => b.bidder),
    mergeMap((group) =>
      group.pipe(
        scan(
          (state, b) => {
            const ts = b.dateTime;
            const cur = state.current;
            if (cur !== undefined && ts <= cur.end) return { current: { start: cur.start, end: Math.max(cur.end, ts + gap), count: cur.count + 1 }, closed: undefined };
            return { current: { start: ts, end: ts + gap, count: 1 }, closed: cur };
          },
          { current: undefined, closed: undefined },
        ),
        connect((states) =>
          merge(
            states.pipe(filter((s) => s.closed !== undefined), map((s) => s.closed)),
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
