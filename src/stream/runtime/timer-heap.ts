/**
 * Timers of one operator: (time, key, window) triples, each registered at most once, popped in time
 * order (a binary min-heap, with lazy deletion of cancelled entries).
 */

/** A timer. */
export interface Timer {
  readonly time: number;
  readonly key: string;
  readonly window: string;
}

function id(time: number, key: string, window: string): string {
  return `${time}\u0000${key}\u0000${window}`;
}

/** A set of timers ordered by time. */
export class TimerHeap {
  private readonly heap: Timer[] = [];
  private readonly live = new Set<string>();

  get size(): number {
    return this.live.size;
  }

  /** Registers a timer (no-op when already registered). */
  add(time: number, key: string, window: string): void {
    const k = id(time, key, window);
    if (this.live.has(k)) return;
    this.live.add(k);
    this.heap.push({ time, key, window });
    this.up(this.heap.length - 1);
  }

  /** Cancels a timer (no-op when not registered). */
  delete(time: number, key: string, window: string): void {
    this.live.delete(id(time, key, window));
  }

  /** Removes and returns the earliest live timer with time ≤ `upTo`, or undefined. */
  pop(upTo: number): Timer | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (top.time > upTo) return undefined;
      this.removeTop();
      const k = id(top.time, top.key, top.window);
      if (this.live.delete(k)) return top;
    }
    return undefined;
  }

  /** Every live timer (for checkpoints), in no particular order. */
  all(): Timer[] {
    return this.heap.filter((t) => this.live.has(id(t.time, t.key, t.window)));
  }

  private removeTop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.time <= h[i]!.time) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.time < h[m]!.time) m = l;
      if (r < h.length && h[r]!.time < h[m]!.time) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
