/**
 * The Nexmark record types (Person, Auction, Bid) and the event union the generator emits. Field names
 * follow the reference generator (nexmark/nexmark's Flink model); times are integer milliseconds since
 * the epoch. Each record carries a `kind` discriminant instead of being wrapped in an envelope, so one
 * event costs one allocation.
 */

/** A new person registered with the auction site. */
export interface Person {
  readonly kind: "person";
  /** Person id (the first person is 1000). */
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  /** Event time, ms. */
  readonly dateTime: number;
  /** Padding (the generator leaves it empty). */
  readonly extra: string;
}

/** A new auction opened by a seller. */
export interface Auction {
  readonly kind: "auction";
  /** Auction id (the first auction is 1000). */
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  /** Initial bid, in cents. */
  readonly initialBid: number;
  /** Reserve price, in cents (≥ initialBid). */
  readonly reserve: number;
  /** Event time, ms. */
  readonly dateTime: number;
  /** When the auction closes, ms (> dateTime). */
  readonly expires: number;
  /** The seller's person id. */
  readonly seller: number;
  /** Category id (10 … 14). */
  readonly category: number;
  readonly extra: string;
}

/** A bid on an auction. */
export interface Bid {
  readonly kind: "bid";
  /** The auction's id. */
  readonly auction: number;
  /** The bidder's person id. */
  readonly bidder: number;
  /** Price, in cents. */
  readonly price: number;
  /** Where the bid came from, e.g. "Google" or "channel-1234". */
  readonly channel: string;
  readonly url: string;
  /** Event time, ms. */
  readonly dateTime: number;
  readonly extra: string;
}

/** One Nexmark event: narrow it with `event.kind`. */
export type NexmarkEvent = Person | Auction | Bid;

/** The kinds of {@link NexmarkEvent}. */
export type NexmarkEventKind = NexmarkEvent["kind"];
