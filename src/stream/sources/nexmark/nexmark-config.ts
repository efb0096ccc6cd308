/**
 * The Nexmark generator's options, their defaults (those of the reference generator where it has one)
 * and their validation.
 */

/** How out of order the generated event times are. */
export interface NexmarkOutOfOrderOptions {
  /** Fraction of events whose `dateTime` is moved back in time, in [0, 1]. Default 0.1. */
  readonly fraction?: number;
  /** The largest move back, ms (each delayed event moves back by 1 … maxDelayMs). Default 4000. */
  readonly maxDelayMs?: number;
}

/** Pacing of the generator to the wall clock (a live stream for notebooks). */
export interface NexmarkPaceOptions {
  /** Event-time ms per wall-clock ms: 1 = real time, 10 = ten times faster. Default 1. */
  readonly speedUp?: number;
  /** The wall clock, ms (default `Date.now`); tests pass a fake one. */
  readonly clock?: () => number;
}

/** Options of {@link nexmark}. */
export interface NexmarkOptions {
  /** Integer seed: the same seed gives the same events. Default 0. */
  readonly seed?: number;
  /** Event-time rate: events per second of event time (summed over all splits). Default 10 000. */
  readonly eventsPerSecond?: number;
  /** Number of events (a bounded source); omitted or `Infinity` = unbounded. */
  readonly maxEvents?: number;
  /** Event time of event 0, ms. Default 1 704 067 200 000 (2024-01-01T00:00:00Z). */
  readonly firstEventTime?: number;
  /** Out-of-orderness; `false` = event times in event-number order. Default 10 % delayed by ≤ 4 s. */
  readonly outOfOrder?: NexmarkOutOfOrderOptions | false;
  /** Number of splits to read in parallel. Default 1. */
  readonly splits?: number;
  /**
   * How the event numbers are divided among splits: "interleaved" (split k reads k, k + n, k + 2n, …;
   * the default, works unbounded) or "ranged" (split k reads one contiguous range; bounded only).
   */
  readonly splitMode?: "interleaved" | "ranged";
  /** Release events only when their event time is due on the wall clock. Default: as fast as polled. */
  readonly pace?: boolean | NexmarkPaceOptions;
  /** People bids and auctions choose among (the most recent ones). Default 1000. */
  readonly numActivePeople?: number;
  /** Auctions bids choose among (the most recent ones). Default 100. */
  readonly numInFlightAuctions?: number;
  /** A bid goes to a hot auction with probability 1 − 1/ratio. Default 2. */
  readonly hotAuctionRatio?: number;
  /** An auction has a hot seller with probability 1 − 1/ratio. Default 4. */
  readonly hotSellersRatio?: number;
  /** A bid comes from a hot bidder with probability 1 − 1/ratio. Default 4. */
  readonly hotBiddersRatio?: number;
  /**
   * How many not-yet-created ids a random (non-hot) reference may point to, as in the reference
   * generator (default 10); 0 makes every bid and auction reference an already generated id.
   */
  readonly idLead?: number;
}

/** Every option resolved (see {@link NexmarkOptions} for meanings). */
export interface NexmarkConfig {
  readonly seed: number;
  readonly eventsPerSecond: number;
  /** `Infinity` when unbounded. */
  readonly maxEvents: number;
  readonly firstEventTime: number;
  /** 0 when in order. */
  readonly delayedFraction: number;
  readonly maxDelayMs: number;
  readonly splits: number;
  readonly splitMode: "interleaved" | "ranged";
  /** `undefined` when not paced. */
  readonly pace: { readonly speedUp: number; readonly clock: () => number } | undefined;
  readonly numActivePeople: number;
  readonly numInFlightAuctions: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly idLead: number;
}

/** The default `firstEventTime`: 2024-01-01T00:00:00Z. */
export const NEXMARK_DEFAULT_FIRST_EVENT_TIME = 1_704_067_200_000;

function fail(option: string, value: unknown, expected: string): never {
  throw new RangeError(`nexmark: option ${option} must be ${expected}, got ${String(value)}`);
}

function integerAtLeast(option: string, value: number | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) fail(option, value, `an integer ≥ ${min}`);
  return value;
}

/** Resolves and checks options; throws a RangeError naming the option and the value. */
export function resolveNexmarkConfig(options: NexmarkOptions = {}): NexmarkConfig {
  const seed = options.seed ?? 0;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) fail("seed", seed, "a safe integer");
  const rate = options.eventsPerSecond ?? 10_000;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) fail("eventsPerSecond", rate, "a finite number > 0");
  const maxEvents = options.maxEvents === undefined || options.maxEvents === Infinity
    ? Infinity
    : integerAtLeast("maxEvents", options.maxEvents, 0, 0);
  const firstEventTime = options.firstEventTime ?? NEXMARK_DEFAULT_FIRST_EVENT_TIME;
  if (typeof firstEventTime !== "number" || !Number.isSafeInteger(firstEventTime)) {
    fail("firstEventTime", firstEventTime, "an integer number of ms");
  }
  let delayedFraction = 0;
  let maxDelayMs = 0;
  if (options.outOfOrder !== false) {
    const ooo = options.outOfOrder ?? {};
    delayedFraction = ooo.fraction ?? 0.1;
    if (typeof delayedFraction !== "number" || !(delayedFraction >= 0 && delayedFraction <= 1)) {
      fail("outOfOrder.fraction", delayedFraction, "a number in [0, 1]");
    }
    maxDelayMs = integerAtLeast("outOfOrder.maxDelayMs", ooo.maxDelayMs, 0, 4000);
    if (maxDelayMs === 0) delayedFraction = 0;
  }
  const splits = integerAtLeast("splits", options.splits, 1, 1);
  const splitMode = options.splitMode ?? "interleaved";
  if (splitMode !== "interleaved" && splitMode !== "ranged") fail("splitMode", splitMode, `"interleaved" or "ranged"`);
  if (splitMode === "ranged" && maxEvents === Infinity) fail("splitMode", splitMode, `"interleaved" when maxEvents is not set (ranged splits need a bounded source)`);
  let pace: NexmarkConfig["pace"];
  if (options.pace !== undefined && options.pace !== false) {
    const p = options.pace === true ? {} : options.pace;
    if (typeof p !== "object" || p === null) fail("pace", p, "a boolean or { speedUp?, clock? }");
    const speedUp = p.speedUp ?? 1;
    if (typeof speedUp !== "number" || !Number.isFinite(speedUp) || speedUp <= 0) fail("pace.speedUp", speedUp, "a finite number > 0");
    const clock = p.clock ?? Date.now;
    if (typeof clock !== "function") fail("pace.clock", clock, "a function returning ms");
    pace = { speedUp, clock };
  }
  return {
    seed,
    eventsPerSecond: rate,
    maxEvents,
    firstEventTime,
    delayedFraction,
    maxDelayMs,
    splits,
    splitMode,
    pace,
    numActivePeople: integerAtLeast("numActivePeople", options.numActivePeople, 1, 1000),
    numInFlightAuctions: integerAtLeast("numInFlightAuctions", options.numInFlightAuctions, 1, 100),
    hotAuctionRatio: integerAtLeast("hotAuctionRatio", options.hotAuctionRatio, 1, 2),
    hotSellersRatio: integerAtLeast("hotSellersRatio", options.hotSellersRatio, 1, 4),
    hotBiddersRatio: integerAtLeast("hotBiddersRatio", options.hotBiddersRatio, 1, 4),
    idLead: integerAtLeast("idLead", options.idLead, 0, 10),
  };
}
