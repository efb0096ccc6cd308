/** Names aggregates after the field their accessor reads, for job displays ("max(price)"). */

const SIMPLE = /=>\s*\(?\s*[A-Za-z_$][\w$]*((?:\??\.[A-Za-z_$][\w$]*)+)\s*\)?\s*;?\s*$/;

/**
 * The property path an accessor reads when it is a plain arrow such as `(b) => b.price` or
 * `b => b.bid.price` ("price", "bid.price"); otherwise "fn".
 */
export function describeAccessor(fn: (value: never) => unknown): string {
  const match = SIMPLE.exec(Function.prototype.toString.call(fn));
  return match ? match[1]!.replace(/\?/g, "").slice(1) : "fn";
}
