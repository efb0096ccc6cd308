import { describe, expect, it } from "vitest";
import { DEFAULT_REPLAY_CAPACITY, ReplayGuard } from "../../src/protocol/replay-guard.js";

describe("ReplayGuard", () => {
  it("accepts a new signature once and rejects its repeat", () => {
    const guard = new ReplayGuard({ enabled: true });
    expect(guard.capacity).toBe(DEFAULT_REPLAY_CAPACITY);
    expect(guard.check("aa")).toBe(true);
    expect(guard.check("bb")).toBe(true);
    expect(guard.check("aa")).toBe(false);
    expect(guard.check("bb")).toBe(false);
    expect(guard.check("aa")).toBe(false);
  });

  it("remembers at most `capacity` signatures, forgetting the oldest", () => {
    const guard = new ReplayGuard({ enabled: true, capacity: 3 });
    for (const signature of ["s1", "s2", "s3"]) expect(guard.check(signature)).toBe(true);
    expect(guard.size).toBe(3);
    expect(guard.check("s4")).toBe(true); // evicts s1
    expect(guard.size).toBe(3);
    expect(guard.check("s2")).toBe(false);
    expect(guard.check("s3")).toBe(false);
    expect(guard.check("s4")).toBe(false);
    expect(guard.check("s1")).toBe(true); // forgotten, so accepted again; evicts s2
    expect(guard.check("s2")).toBe(true);
  });

  it("stays bounded over many signatures", () => {
    const guard = new ReplayGuard({ enabled: true, capacity: 1000 });
    for (let i = 0; i < 10_000; i++) expect(guard.check(`sig-${i}`)).toBe(true);
    expect(guard.size).toBe(1000);
    expect(guard.check("sig-9999")).toBe(false);
    expect(guard.check("sig-9000")).toBe(false);
    expect(guard.check("sig-8999")).toBe(true);
  });

  it("accepts everything when disabled (no key, so every signature is empty)", () => {
    const guard = new ReplayGuard({ enabled: false });
    expect(guard.check("")).toBe(true);
    expect(guard.check("")).toBe(true);
    expect(guard.size).toBe(0);
  });

  it("refuses a bad capacity", () => {
    expect(() => new ReplayGuard({ enabled: true, capacity: 0 })).toThrow(/capacity must be a positive integer, got 0/);
    expect(() => new ReplayGuard({ enabled: true, capacity: 1.5 })).toThrow(/capacity/);
  });
});
