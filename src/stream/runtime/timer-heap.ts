/**
 * Timers of one operator: (time, key, window) triples, each registered at most once, popped in time
 * order (a binary min-heap, with lazy deletion of cancelled entries). {@link TimeQueue} is the bare
 * heap of (time, item) pairs, for operators that keep the liveness of their timers themselves.
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

/**
 * A binary min-heap of (time, item) pairs in two parallel arrays (no object per entry): the queue under
 * an operator's timers when the operator tracks which timers are still live itself (lazy deletion).
 *
 * @example
 * ```ts
 * const q = new TimeQueue<string>();
 * q.push(20, "b"); q.push(10, "a");
 * q.peekTime(); // 10
 * q.pop();      // "a"
 * ```
 */
export class TimeQueue<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  /** How many entries (live or not) are queued. */
  get size(): number {
    return this.times.length;
  }

  /** Queues `item` at `time`. */
  push(time: number, item: T): void {
    const times = this.times;
    const items = this.items;
    let i = times.length;
    times.push(time);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt <= time) break;
      times[i] = pt;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = time;
    items[i] = item;
  }

  /** The earliest time queued (+∞ when empty). */
  peekTime(): number {
    return this.times.length === 0 ? Infinity : this.times[0]!;
  }

  /** The item with the earliest time, left queued (undefined when empty). */
  peek(): T | undefined {
    return this.items.length === 0 ? undefined : this.items[0];
  }

  /** Removes and returns the item with the earliest time (undefined when empty). */
  pop(): T | undefined {
    const times = this.times;
    const items = this.items;
    const n = times.length;
    if (n === 0) return undefined;
    const top = items[0]!;
    const lastTime = times.pop()!;
    const lastItem = items.pop()!;
    if (n > 1) {
      const size = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const m = r < size && times[r]! < times[l]! ? r : l;
        if (times[m]! >= lastTime) break;
        times[i] = times[m]!;
        items[i] = items[m]!;
        i = m;
      }
      times[i] = lastTime;
      items[i] = lastItem;
    }
    return top;
  }

  /** Every queued item (for checkpoints), in no particular order. */
  entries(): { time: number; item: T }[] {
    return this.times.map((time, i) => ({ time, item: this.items[i]! }));
  }
}

/**
 * A {@link TimeQueue} for timers that share few distinct times (aligned windows: every key's window
 * [s, e) fires at e − 1): one array of items per time, and a heap of the distinct times only, so a push
 * is a map lookup and an append and a pop takes the next item of the earliest bucket. Items of one
 * time pop in the order they were pushed (also those pushed while that time is being drained).
 */
export class TimeBuckets<T> {
  private readonly buckets = new Map<number, T[]>();
  private readonly times = new TimeQueue<T[]>();
  /** How many items of the earliest bucket were popped. */
  private taken = 0;
  private count = 0;

  /** How many entries (live or not) are queued. */
  get size(): number {
    return this.count;
  }

  /** Queues `item` at `time`. */
  push(time: number, item: T): void {
    let bucket = this.buckets.get(time);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(time, bucket);
      // A time earlier than the bucket being drained: that bucket is no longer the first.
      if (this.times.size > 0 && time < this.times.peekTime() && this.taken > 0) this.compactHead();
      this.times.push(time, bucket);
    }
    bucket.push(item);
    this.count++;
  }

  /** The earliest time queued (+∞ when empty). */
  peekTime(): number {
    return this.times.peekTime();
  }

  /** Removes and returns an item with the earliest time (undefined when empty). */
  pop(): T | undefined {
    const bucket = this.times.peek();
    if (bucket === undefined) return undefined;
    const item = bucket[this.taken++]!;
    this.count--;
    if (this.taken === bucket.length) {
      this.buckets.delete(this.times.peekTime());
      this.times.pop();
      this.taken = 0;
    }
    return item;
  }

  /** Drops the popped items of the earliest bucket (before another bucket goes first). */
  private compactHead(): void {
    const bucket = this.times.peek()!;
    bucket.splice(0, this.taken);
    this.taken = 0;
  }
}
