/**
 * Coalescing of chart updates: at most one emission per interval, the first at once (leading) and a
 * trailing one for whatever was requested meanwhile, so the last state is always shown. The timer is
 * `unref`'d: a pending update never keeps a Node process alive (close() flushes it instead).
 */

/** A leading + trailing throttle of one action. */
export class UpdateThrottle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = false;
  private last = -Infinity;

  /**
   * @param intervalMs the least time between two emissions.
   * @param emit what to run; exceptions propagate to the caller of request()/flush() (or, from the
   *   timer, are handed to `onError`).
   */
  constructor(
    private readonly intervalMs: number,
    private readonly emit: () => void,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Asks for an emission: now if the interval has passed since the last one, else at its end. */
  request(): void {
    this.pending = true;
    if (this.timer !== undefined) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.fire();
      } catch (error) {
        this.onError(error);
      }
    }, wait);
    this.timer.unref?.();
  }

  /** Records an emission made outside the throttle (e.g. the first display), so the next waits an interval. */
  touch(): void {
    this.last = Date.now();
  }

  /** Whether an emission is waiting for its timer. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /** Emits now if something was requested and not yet emitted; cancels the timer. */
  flush(): void {
    this.cancel();
    if (this.pending) this.fire();
  }

  /** Drops the timer (the pending request stays pending). */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.pending = false;
    this.last = Date.now();
    this.emit();
  }
}
