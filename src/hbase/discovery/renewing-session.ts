/**
 * A ZooKeeper session kept alive as HBase's processes keep theirs: when the quorum expires it, or when
 * it has been disconnected for twice its timeout (after which the quorum has surely expired it — a
 * quorum that lost its data refuses the old session without saying so), it is closed and a new one is
 * made, retried until that works or {@link RenewingSession.close} is called. What a session carries
 * (registered znodes, watches) is set up again by the `open` function on every new session.
 */
import type { ZooKeeperSession } from "./zookeeper-session.js";

/** Why a session was given up: the quorum expired it, or there was no contact for twice its timeout. */
export type SessionLoss = "expired" | "no contact";

/** A change of a {@link RenewingSession}'s state. */
export type SessionChange = "disconnected" | "reconnected" | "lost" | "renewed" | "closed";

/** The state of a {@link RenewingSession}. */
export interface RenewingSessionStatus {
  /** `up`; `disconnected` (same session, the client reconnects); `renewing` (a new session is being made); `closed`. */
  readonly state: "up" | "disconnected" | "renewing" | "closed";
  /** Sessions made so far (1 until the first renewal). */
  readonly sessions: number;
  /** Why the last session was given up. */
  readonly lastLoss: SessionLoss | undefined;
  /** The last failure to make a new session, if any. */
  readonly lastError: string | undefined;
  /** When the current outage began (ms since the epoch), 0 while up. */
  readonly downSince: number;
}

/** A session and what was set up on it (watches, registrations). */
export interface OpenedSession<T> {
  readonly session: ZooKeeperSession;
  readonly value: T;
}

/** What a {@link RenewingSession} is told to do and whom to tell. */
export interface RenewingSessionOptions<T> {
  /**
   * Makes a new session and sets it up; `renewal` is false for the first one. On failure it must close
   * what it opened and reject.
   */
  readonly open: (renewal: boolean) => Promise<OpenedSession<T>>;
  /** Releases what `open` set up besides the session (e.g. watches), when it is dropped. */
  readonly release?: (value: T) => void;
  /** Pause between attempts to make a new session (default 250 ms). */
  readonly retryPauseMs?: number;
  /** Called when a session (the first or a renewed one) becomes current. */
  readonly onSession?: (session: ZooKeeperSession, value: T) => void;
  /** Called after every change of state. */
  readonly onStateChange?: (change: SessionChange) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** One logical ZooKeeper presence across sessions. */
export class RenewingSession<T> {
  #current: OpenedSession<T> | undefined;
  #state: RenewingSessionStatus["state"] = "up";
  #sessions = 1;
  #lastLoss: SessionLoss | undefined;
  #lastError: string | undefined;
  #downSince = 0;
  #noContactTimer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  private constructor(private readonly options: RenewingSessionOptions<T>) {}

  /** Opens the first session (rejecting as `open` does) and keeps it, or its successors, until closed. */
  static async start<T>(options: RenewingSessionOptions<T>): Promise<RenewingSession<T>> {
    const keeper = new RenewingSession(options);
    keeper.#attach(await options.open(false));
    return keeper;
  }

  /** The state now. */
  get status(): RenewingSessionStatus {
    return { state: this.#state, sessions: this.#sessions, lastLoss: this.#lastLoss, lastError: this.#lastError, downSince: this.#downSince };
  }

  /** The current session and what was set up on it, or undefined while renewing or closed. */
  get current(): OpenedSession<T> | undefined {
    return this.#current;
  }

  /** Ends the renewal loop and closes the session (its ephemeral znodes go at once). */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearTimeout(this.#noContactTimer);
    const current = this.#current;
    this.#current = undefined;
    this.options.onStateChange?.("closed");
    if (current !== undefined) {
      this.options.release?.(current.value);
      await current.session.close().catch(() => undefined);
    }
    await this.#renewing;
  }

  #attach(opened: OpenedSession<T>): void {
    const { session } = opened;
    this.#current = opened;
    this.#state = "up";
    this.#downSince = 0;
    session.on("disconnected", () => {
      if (this.#current !== opened || this.#state === "closed") return;
      this.#state = "disconnected";
      this.#downSince = Date.now();
      clearTimeout(this.#noContactTimer);
      this.#noContactTimer = setTimeout(() => this.#lost(opened, "no contact"), 2 * session.sessionTimeoutMs);
      this.#noContactTimer.unref();
      this.options.onStateChange?.("disconnected");
    });
    session.on("reconnected", () => {
      if (this.#current !== opened || this.#state === "closed") return;
      clearTimeout(this.#noContactTimer);
      this.#state = "up";
      this.#downSince = 0;
      this.options.onStateChange?.("reconnected");
    });
    session.on("expired", () => this.#lost(opened, "expired"));
    this.options.onSession?.(session, opened.value);
  }

  #lost(opened: OpenedSession<T>, why: SessionLoss): void {
    if (this.#current !== opened || this.#state === "closed") return;
    clearTimeout(this.#noContactTimer);
    this.#current = undefined;
    this.#state = "renewing";
    this.#lastLoss = why;
    if (this.#downSince === 0) this.#downSince = Date.now();
    this.options.release?.(opened.value);
    void opened.session.close().catch(() => undefined);
    this.options.onStateChange?.("lost");
    this.#renewing = this.#renew();
  }

  async #renew(): Promise<void> {
    while (this.#state === "renewing") {
      try {
        const opened = await this.options.open(true);
        if (this.#state !== "renewing") {
          this.options.release?.(opened.value);
          await opened.session.close().catch(() => undefined);
          return;
        }
        this.#sessions++;
        this.#lastError = undefined;
        this.#attach(opened);
        this.options.onStateChange?.("renewed");
        return;
      } catch (error) {
        this.#lastError = error instanceof Error ? error.message : String(error);
        if (this.#state !== "renewing") return;
        await sleep(this.options.retryPauseMs ?? 250);
      }
    }
  }
}
