/**
 * Message signing: the HMAC that Jupyter puts in the frame after `<IDS|MSG>`, computed over the exact
 * bytes of the header, parent_header, metadata and content frames.
 */
import { createHmac, createSecretKey, getHashes, timingSafeEqual, type KeyObject } from "node:crypto";

/** Signs and verifies the four signed frames of a Jupyter message. */
export interface Signer {
  /** False for the null signer (empty key): signatures are `""` and every message verifies. */
  readonly enabled: boolean;
  /** The scheme this signer was made for, e.g. `"hmac-sha256"`. */
  readonly scheme: string;
  /**
   * Lower-case hex HMAC of `frames` in order (header, parent_header, metadata, content); `""` for the
   * null signer.
   */
  sign(frames: readonly SignedFrame[]): string;
  /**
   * True when `signature` is the HMAC of `frames`. Compares the received bytes (a string is taken as
   * latin-1, i.e. one byte per char) in constant time after checking the length. The null signer
   * accepts anything.
   */
  verify(signature: string | Uint8Array, frames: readonly SignedFrame[]): boolean;
}

/** A frame to sign: bytes, or a string that stands for its UTF-8 encoding. */
export type SignedFrame = Uint8Array | string;

/** The signature scheme was not `hmac-<algorithm>` with an algorithm node:crypto supports. */
export class SignatureSchemeError extends Error {
  override readonly name = "SignatureSchemeError";
}

const NULL_SIGNER_BASE = {
  enabled: false,
  sign: (): string => "",
  verify: (): boolean => true,
} as const;

/** Hash algorithms node:crypto supports, lower-cased; computed once. */
let supportedHashes: Set<string> | undefined;

function hashAlgorithm(scheme: string): string {
  if (typeof scheme !== "string" || !scheme.startsWith("hmac-")) {
    throw new SignatureSchemeError(
      `signature_scheme ${JSON.stringify(scheme)} is not supported: expected "hmac-<algorithm>", e.g. "hmac-sha256"`,
    );
  }
  const algorithm = scheme.slice("hmac-".length);
  supportedHashes ??= new Set(getHashes().map((name) => name.toLowerCase()));
  if (!supportedHashes.has(algorithm.toLowerCase())) {
    throw new SignatureSchemeError(
      `signature_scheme ${JSON.stringify(scheme)} is not supported: node:crypto has no hash "${algorithm}"`,
    );
  }
  return algorithm;
}

class HmacSigner implements Signer {
  readonly enabled = true;
  /** Length of a hex digest in bytes. */
  private readonly hexLength: number;

  constructor(
    readonly scheme: string,
    private readonly algorithm: string,
    private readonly key: KeyObject,
  ) {
    this.hexLength = createHmac(algorithm, key).digest().length * 2;
  }

  sign(frames: readonly SignedFrame[]): string {
    return this.digest(frames).toString("hex");
  }

  verify(signature: string | Uint8Array, frames: readonly SignedFrame[]): boolean {
    const received = typeof signature === "string" ? Buffer.from(signature, "latin1") : signature;
    if (received.byteLength !== this.hexLength) return false;
    const expected = Buffer.from(this.digest(frames).toString("hex"), "latin1");
    return timingSafeEqual(expected, received);
  }

  private digest(frames: readonly SignedFrame[]): Buffer {
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) {
      if (typeof frame === "string") hmac.update(frame, "utf8");
      else hmac.update(frame);
    }
    return hmac.digest();
  }
}

/**
 * Makes the signer for a connection's `signature_scheme` and `key`.
 *
 * An empty key yields the null signer (Jupyter's "no authentication"): it signs with `""` and accepts
 * every signature. The scheme is validated either way.
 *
 * @throws {SignatureSchemeError} when `scheme` is not `hmac-<algorithm>` with a hash node:crypto supports.
 */
export function createSigner(scheme: string, key: string): Signer {
  const algorithm = hashAlgorithm(scheme);
  if (typeof key !== "string") throw new TypeError(`createSigner: key must be a string, got ${typeof key}`);
  if (key === "") return { ...NULL_SIGNER_BASE, scheme };
  return new HmacSigner(scheme, algorithm, createSecretKey(Buffer.from(key, "utf8")));
}
