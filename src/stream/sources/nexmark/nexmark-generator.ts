/**
 * The deterministic Nexmark event generator: event number n → event, a pure function of (seed, n).
 *
 * The rules follow the reference generator (Apache Beam's / nexmark-flink's `GeneratorConfig`,
 * `PersonGenerator`, `AuctionGenerator`, `BidGenerator`), re-expressed without a stateful RNG:
 * - kinds: within every block of 50 consecutive event numbers, offset 0 is a Person, 1–3 are Auctions
 *   and 4–49 are Bids (1 : 3 : 46);
 * - ids come from the event number: person id = 1000 + (number of persons before), auction id likewise;
 * - a bid goes to a hot auction (the first of the latest batch of 100 auctions) with probability
 *   1 − 1/hotAuctionRatio, else to a random one among the latest `numInFlightAuctions` (+ `idLead`);
 *   bidders and sellers likewise among the latest `numActivePeople`, hot bidder = second person of the
 *   latest batch of 100 people, hot seller = the first;
 * - event time: the base time of event n is firstEventTime + ⌊n · 1000 / eventsPerSecond⌋; a
 *   `delayedFraction` of events get a dateTime moved back by 1 … maxDelayMs (so for any event,
 *   dateTime ≥ max dateTime seen so far − maxDelayMs: a bounded-out-of-orderness watermark with
 *   maxDelayMs never sees a late event);
 * - auction expiry: dateTime + 1 + random below twice the event-time span of `numInFlightAuctions`
 *   auctions; prices 10^(6u) · 100 cents rounded.
 * Differences from the reference, deliberate: random values come from a seeded hash of (seed, n); the
 * random strings come from fixed pools (no per-event string building); `extra` is empty; a hot bidder is
 * never a person not yet generated.
 */
import type { Auction, Bid, NexmarkEvent, NexmarkEventKind, Person } from "./nexmark-events.js";
import type { NexmarkConfig } from "./nexmark-config.js";
import { drawBelow, drawUint32, drawUnit, eventHash, mix32 } from "./seeded-hash.js";

/** The first person id. */
export const FIRST_PERSON_ID = 1000;
/** The first auction id. */
export const FIRST_AUCTION_ID = 1000;
/** The first category id (categories are 10 … 14). */
export const FIRST_CATEGORY_ID = 10;
/** Persons per block of {@link TOTAL_PROPORTION} events. */
export const PERSON_PROPORTION = 1;
/** Auctions per block. */
export const AUCTION_PROPORTION = 3;
/** Bids per block. */
export const BID_PROPORTION = 46;
/** Events per block. */
export const TOTAL_PROPORTION = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

const NUM_CATEGORIES = 5;
const HOT_BATCH = 100;
const POOL_SIZE = 256;

const FIRST_NAMES = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
const LAST_NAMES = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];
const CITIES = ["Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"];
const STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"];
const HOT_CHANNELS = ["Google", "Facebook", "Baidu", "Apple"];

const FULL_NAMES = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));

function poolString(salt: number, i: number, length: number): string {
  let s = "";
  for (let k = 0; k < length; k++) s += String.fromCharCode(97 + (mix32(salt + i * 7919 + k * 104729) % 26));
  return s;
}
function poolDigits(salt: number, i: number): string {
  const groups: string[] = [];
  for (let k = 0; k < 4; k++) groups.push(String(mix32(salt + i * 31 + k) % 10_000).padStart(4, "0"));
  return groups.join(" ");
}
function makePool(build: (i: number) => string): readonly string[] {
  return Array.from({ length: POOL_SIZE }, (_, i) => build(i));
}
const EMAILS = makePool((i) => `${poolString(11, i, 7)}@${poolString(13, i, 5)}.com`);
const CARDS = makePool((i) => poolDigits(17, i));
const ITEM_NAMES = makePool((i) => poolString(19, i, 20));
const DESCRIPTIONS = makePool((i) => poolString(23, i, 100));
const COLD_CHANNEL_IDS = makePool((i) => String(mix32(29 + i) % 10_000));
const COLD_CHANNELS = COLD_CHANNEL_IDS.map((id) => `channel-${id}`);
const COLD_URLS = COLD_CHANNEL_IDS.map((id, i) => `https://www.nexmark.com/${poolString(31, i, 5)}/item.htm?query=1&channel_id=${id}`);
const HOT_URLS = HOT_CHANNELS.map((_, i) => `https://www.nexmark.com/${poolString(37, i, 5)}/item.htm?query=1`);

/** The kind of event number `n` (1 : 3 : 46 per block of 50). */
export function nexmarkKindOf(n: number): NexmarkEventKind {
  const offset = n % TOTAL_PROPORTION;
  return offset < PERSON_PROPORTION ? "person" : offset < PERSON_PROPORTION + AUCTION_PROPORTION ? "auction" : "bid";
}

/** The base-0 id of the latest person generated at or before event `n` (−1 if none). */
export function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  const offset = n % TOTAL_PROPORTION;
  return epoch * PERSON_PROPORTION + Math.min(offset, PERSON_PROPORTION - 1);
}

/** The base-0 id of the latest auction generated at or before event `n` (−1 if none). */
export function lastBase0AuctionId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  const offset = n % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) return (epoch - 1) * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
  if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) return epoch * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
  return epoch * AUCTION_PROPORTION + offset - PERSON_PROPORTION;
}

function price(unit: number): number {
  return Math.round(Math.pow(10, unit * 6) * 100);
}

/**
 * Generates Nexmark events by event number. Stateless: `event(n)` may be called for any n in any order
 * and always returns an equal event.
 *
 * @example
 * ```ts
 * const gen = new NexmarkGenerator(resolveNexmarkConfig({ seed: 7 }));
 * const e = gen.event(5); // a Bid (offset 5 of its block of 50)
 * ```
 */
export class NexmarkGenerator {
  private readonly seed32: number;
  private readonly eventsForInFlightAuctions: number;

  constructor(readonly config: NexmarkConfig) {
    const seed = config.seed;
    this.seed32 = ((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296))) >>> 0;
    this.eventsForInFlightAuctions = Math.floor((config.numInFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION);
  }

  /** The base (undelayed, monotonic) event time of event `n`, ms. */
  baseTime(n: number): number {
    return this.config.firstEventTime + Math.floor((n * 1000) / this.config.eventsPerSecond);
  }

  /** Event `n` (0 ≤ n < 2^53). */
  event(n: number): NexmarkEvent {
    const h = eventHash(this.seed32, n);
    const base = this.baseTime(n);
    const c = this.config;
    const dateTime = c.delayedFraction > 0 && drawUnit(h, 0) < c.delayedFraction ? base - 1 - drawBelow(h, 1, c.maxDelayMs) : base;
    const offset = n % TOTAL_PROPORTION;
    if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) return this.bid(n, h, dateTime);
    if (offset < PERSON_PROPORTION) return this.person(n, h, dateTime);
    return this.auction(n, h, dateTime, base);
  }

  private randomPerson(n: number, h: number, k: number): number {
    const numPeople = lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + drawBelow(h, k, active + this.config.idLead);
  }

  private randomAuction(n: number, h: number, k: number): number {
    const last = lastBase0AuctionId(n);
    const min = Math.max(last - this.config.numInFlightAuctions, 0);
    return min + drawBelow(h, k, last - min + 1 + this.config.idLead);
  }

  private person(n: number, h: number, dateTime: number): Person {
    return {
      kind: "person",
      id: FIRST_PERSON_ID + lastBase0PersonId(n),
      name: FULL_NAMES[drawBelow(h, 2, FULL_NAMES.length)]!,
      emailAddress: EMAILS[drawUint32(h, 4) & (POOL_SIZE - 1)]!,
      creditCard: CARDS[drawUint32(h, 5) & (POOL_SIZE - 1)]!,
      city: CITIES[drawBelow(h, 6, CITIES.length)]!,
      state: STATES[drawBelow(h, 7, STATES.length)]!,
      dateTime,
      extra: "",
    };
  }

  private auction(n: number, h: number, dateTime: number, base: number): Auction {
    const c = this.config;
    const seller = drawBelow(h, 2, c.hotSellersRatio) > 0
      ? Math.floor(lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH
      : this.randomPerson(n, h, 3);
    const initialBid = price(drawUnit(h, 5));
    const horizon = this.baseTime(n + this.eventsForInFlightAuctions) - base;
    return {
      kind: "auction",
      id: FIRST_AUCTION_ID + lastBase0AuctionId(n),
      itemName: ITEM_NAMES[drawUint32(h, 8) & (POOL_SIZE - 1)]!,
      description: DESCRIPTIONS[drawUint32(h, 9) & (POOL_SIZE - 1)]!,
      initialBid,
      reserve: initialBid + price(drawUnit(h, 6)),
      dateTime,
      expires: dateTime + 1 + drawBelow(h, 7, Math.max(horizon * 2, 1)),
      seller: FIRST_PERSON_ID + seller,
      category: FIRST_CATEGORY_ID + drawBelow(h, 4, NUM_CATEGORIES),
      extra: "",
    };
  }

  private bid(n: number, h: number, dateTime: number): Bid {
    const c = this.config;
    const auction = drawBelow(h, 2, c.hotAuctionRatio) > 0
      ? Math.floor(lastBase0AuctionId(n) / HOT_BATCH) * HOT_BATCH
      : this.randomAuction(n, h, 3);
    let bidder: number;
    if (drawBelow(h, 4, c.hotBiddersRatio) > 0) {
      const last = lastBase0PersonId(n);
      bidder = Math.min(Math.floor(last / HOT_BATCH) * HOT_BATCH + 1, last);
    } else {
      bidder = this.randomPerson(n, h, 5);
    }
    const ch = drawUint32(h, 7);
    const hot = (ch & 1) === 0;
    const channelIndex = hot ? (ch >>> 1) % HOT_CHANNELS.length : (ch >>> 1) & (POOL_SIZE - 1);
    return {
      kind: "bid",
      auction: FIRST_AUCTION_ID + auction,
      bidder: FIRST_PERSON_ID + bidder,
      price: price(drawUnit(h, 6)),
      channel: hot ? HOT_CHANNELS[channelIndex]! : COLD_CHANNELS[channelIndex]!,
      url: hot ? HOT_URLS[channelIndex]! : COLD_URLS[channelIndex]!,
      dateTime,
      extra: "",
    };
  }
}
