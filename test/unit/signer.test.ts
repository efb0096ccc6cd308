import { describe, expect, it } from "vitest";
import { createSigner, SignatureSchemeError } from "../../src/protocol/signer.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
const RFC4231_SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
const RFC4231_SHA512 =
  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737";

// Frames and signature produced by jupyter_client's Session (key "secret-key", hmac-sha256).
const JUPYTER_FRAMES = [
  '{"msg_id": "m-1", "msg_type": "execute_request", "session": "sess-1", "username": "alice", "date": "2024-01-01T00:00:00.000000Z", "version": "5.3"}',
  "{}",
  "{}",
  '{"code": "1+1", "silent": false}',
].map(bytes);
const JUPYTER_SIGNATURE = "eb84157594ab6a186bb3a9bd00dda26ab37ce270ae0fa2fa4f5ca531276b7c14";

describe("createSigner", () => {
  it("matches the RFC 4231 HMAC-SHA256 vector, with the data split over frames", () => {
    const signer = createSigner("hmac-sha256", "Jefe");
    expect(signer.enabled).toBe(true);
    expect(signer.sign([bytes("what do ya "), bytes("want for nothing?")])).toBe(RFC4231_SHA256);
    expect(signer.verify(RFC4231_SHA256, [bytes("what do ya want for nothing?")])).toBe(true);
  });

  it("supports other hmac-<alg> schemes node:crypto knows", () => {
    const signer = createSigner("hmac-sha512", "Jefe");
    expect(signer.sign([bytes("what do ya want for nothing?")])).toBe(RFC4231_SHA512);
  });

  it("agrees with jupyter_client's signature of a real message", () => {
    const signer = createSigner("hmac-sha256", "secret-key");
    expect(signer.sign(JUPYTER_FRAMES)).toBe(JUPYTER_SIGNATURE);
    expect(signer.verify(JUPYTER_SIGNATURE, JUPYTER_FRAMES)).toBe(true);
    expect(signer.verify(bytes(JUPYTER_SIGNATURE), JUPYTER_FRAMES)).toBe(true);
  });

  it("signs string frames as their UTF-8 bytes", () => {
    const signer = createSigner("hmac-sha256", "secret-key");
    const strings = JUPYTER_FRAMES.map((frame) => new TextDecoder().decode(frame));
    expect(signer.sign(strings)).toBe(JUPYTER_SIGNATURE);
    expect(signer.sign(["é✓"])).toBe(signer.sign([bytes("é✓")]));
  });

  it("rejects a wrong key", () => {
    const other = createSigner("hmac-sha256", "other-key");
    expect(other.verify(JUPYTER_SIGNATURE, JUPYTER_FRAMES)).toBe(false);
  });

  it("rejects tampered frames", () => {
    const signer = createSigner("hmac-sha256", "secret-key");
    const tampered = [...JUPYTER_FRAMES];
    tampered[3] = bytes('{"code": "2+2", "silent": false}');
    expect(signer.verify(JUPYTER_SIGNATURE, tampered)).toBe(false);
    expect(signer.verify(JUPYTER_SIGNATURE, JUPYTER_FRAMES.slice(0, 3))).toBe(false);
  });

  it("rejects a tampered signature, upper-case hex and length mismatches", () => {
    const signer = createSigner("hmac-sha256", "secret-key");
    const flipped = (JUPYTER_SIGNATURE[0] === "e" ? "f" : "e") + JUPYTER_SIGNATURE.slice(1);
    expect(signer.verify(flipped, JUPYTER_FRAMES)).toBe(false);
    expect(signer.verify(JUPYTER_SIGNATURE.toUpperCase(), JUPYTER_FRAMES)).toBe(false);
    expect(signer.verify(JUPYTER_SIGNATURE.slice(0, -2), JUPYTER_FRAMES)).toBe(false);
    expect(signer.verify(`${JUPYTER_SIGNATURE}00`, JUPYTER_FRAMES)).toBe(false);
    expect(signer.verify("", JUPYTER_FRAMES)).toBe(false);
    expect(signer.verify(new Uint8Array(64), JUPYTER_FRAMES)).toBe(false);
  });

  it("makes a null signer for an empty key", () => {
    const signer = createSigner("hmac-sha256", "");
    expect(signer.enabled).toBe(false);
    expect(signer.scheme).toBe("hmac-sha256");
    expect(signer.sign(JUPYTER_FRAMES)).toBe("");
    expect(signer.verify("", JUPYTER_FRAMES)).toBe(true);
    expect(signer.verify("anything at all", [])).toBe(true);
  });

  it("refuses unknown schemes with an error naming the scheme", () => {
    expect(() => createSigner("sha256", "k")).toThrow(SignatureSchemeError);
    expect(() => createSigner("sha256", "k")).toThrow(/"sha256".*hmac-<algorithm>/);
    expect(() => createSigner("hmac-nonexistent", "k")).toThrow(/no hash "nonexistent"/);
    expect(() => createSigner("hmac-nonexistent", "")).toThrow(SignatureSchemeError);
  });
});
