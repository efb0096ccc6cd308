/**
 * Nonces, as HBase's clients send them (`PerClientRandomNonceGenerator`): one random `nonce_group` per
 * connection and one random `nonce` per non-idempotent operation (increment, append), the same on every
 * retry of that operation, so that a server that remembers recent (group, nonce) pairs can answer a
 * retried duplicate with the first result instead of applying it again. 0 is HBase's "no nonce" and is
 * never produced.
 */
import { randomBytes } from "node:crypto";

function randomNonZero64(): bigint {
  for (;;) {
    const value = randomBytes(8).readBigUInt64BE(0);
    if (value !== 0n) return value;
  }
}

/** The nonces of one wire connection. */
export class NonceGenerator {
  /** This client's nonce group (`MutateRequest.nonce_group`), random per connection. */
  readonly group: bigint = randomNonZero64();

  /** A fresh nonce for one operation (`MutationProto.nonce`): random, never 0. */
  next(): bigint {
    return randomNonZero64();
  }
}
