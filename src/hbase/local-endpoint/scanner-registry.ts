/**
 * Open scanners by id, each with a lease: a scanner not called within its lease is closed (HBase's
 * `hbase.client.scanner.timeout.period`, 60 s by default). Scanners closed because they were exhausted
 * (HBase 2.x behaviour) are remembered so later calls get an empty answer rather than an error.
 */
import type { RegionScanner } from "./region-scanner.js";

interface Entry {
  readonly scanner: RegionScanner;
  timer: NodeJS.Timeout;
}

/** Scanner ids → scanners with leases. */
export class ScannerRegistry {
  private readonly open = new Map<bigint, Entry>();
  private readonly finished = new Set<bigint>();
  private nextId: bigint;

  /** @param leaseMs lease of each scanner (the `ttl` answered to clients) */
  constructor(readonly leaseMs = 60_000) {
    this.nextId = BigInt(Date.now()) * 1000n;
  }

  /** Registers a scanner; returns its id. */
  add(scanner: RegionScanner): bigint {
    const id = this.nextId++;
    this.open.set(id, { scanner, timer: this.lease(id) });
    return id;
  }

  /** The scanner, with its lease renewed; undefined when unknown. */
  get(id: bigint): RegionScanner | undefined {
    const e = this.open.get(id);
    if (!e) return undefined;
    clearTimeout(e.timer);
    e.timer = this.lease(id);
    return e.scanner;
  }

  /** Whether `id` was closed because it was exhausted (or closed by its client). */
  wasFinished(id: bigint): boolean {
    return this.finished.has(id);
  }

  /** Closes and forgets a scanner; true if it was open. */
  async close(id: bigint): Promise<boolean> {
    const e = this.open.get(id);
    if (!e) return false;
    this.open.delete(id);
    clearTimeout(e.timer);
    this.finished.add(id);
    if (this.finished.size > 10_000) this.finished.delete(this.finished.values().next().value as bigint);
    await e.scanner.close();
    return true;
  }

  get size(): number {
    return this.open.size;
  }

  /** Closes every scanner. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.close(id)));
  }

  private lease(id: bigint): NodeJS.Timeout {
    const t = setTimeout(() => {
      const e = this.open.get(id);
      if (!e) return;
      this.open.delete(id);
      void e.scanner.close();
    }, this.leaseMs);
    t.unref();
    return t;
  }
}
