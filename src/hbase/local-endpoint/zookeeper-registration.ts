/**
 * The endpoint's presence in ZooKeeper: a session holding `<root>/meta-region-server` and
 * `<root>/master` (ephemeral), registered again after the session is lost.
 *
 * The session is taken as lost when the quorum expires it, or when it has been disconnected for twice
 * its timeout (after which the quorum has expired it anyway; a quorum that lost its data refuses the old
 * session without saying so). Then it is closed and a new one made — retried until it works or
 * `close()` is called — and both znodes are registered again with the same envelopes, replacing what
 * another session may hold (a stale copy of this endpoint's own registration).
 */
import { connectZooKeeper, registerMaster, registerMetaRegionServer, type ZooKeeperSession } from "../discovery/index.js";

/** What {@link ZooKeeperRegistration.start} needs. */
export interface ZooKeeperRegistrationOptions {
  /** ZooKeeper quorum, `host:port[,host:port...]`. */
  readonly quorum: string;
  readonly root: string;
  readonly sessionTimeoutMs: number;
  /** The envelope of `<root>/meta-region-server`. */
  readonly metaRegionServer: Uint8Array;
  /** The envelope of `<root>/master`. */
  readonly master: Uint8Array;
  /** Replace znodes held by another session at the first registration (re-registrations always replace). */
  readonly replace: boolean;
  /** Pause between attempts to make a new session (default 250 ms). */
  readonly retryPauseMs?: number;
}

/** The state of the registration, for diagnostics and tests. */
export interface RegistrationStatus {
  /** `registered`; `disconnected` (same session, the client reconnects); `renewing` (a new session is being made); `closed`. */
  readonly state: "registered" | "disconnected" | "renewing" | "closed";
  /** Sessions that registered so far (1 until the first re-registration). */
  readonly sessions: number;
  /** Why the last session was given up: `expired` (the quorum said so) or `no contact`. */
  readonly lastLoss: "expired" | "no contact" | undefined;
  /** The last failure to make a new session and register, if any. */
  readonly lastError: string | undefined;
}

/** How long one attempt to reach ZooKeeper lasts while renewing. */
const RENEW_CONNECT_TIMEOUT_MS = 2_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The endpoint's ZooKeeper session and znodes, kept registered until {@link close}. */
export class ZooKeeperRegistration {
  #session: ZooKeeperSession | undefined;
  #state: RegistrationStatus["state"] = "registered";
  #sessions = 1;
  #lastLoss: RegistrationStatus["lastLoss"];
  #lastError: string | undefined;
  #noContactTimer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  private constructor(private readonly options: ZooKeeperRegistrationOptions) {}

  /** Opens a session and registers both znodes; rejects (session closed) when that fails. */
  static async start(options: ZooKeeperRegistrationOptions): Promise<ZooKeeperRegistration> {
    const registration = new ZooKeeperRegistration(options);
    const session = await registration.#register(options.replace);
    registration.#attach(session);
    return registration;
  }

  /** The state now. */
  get status(): RegistrationStatus {
    return { state: this.#state, sessions: this.#sessions, lastLoss: this.#lastLoss, lastError: this.#lastError };
  }

  /** Ends the renewal loop and closes the session (ZooKeeper removes the znodes at once). */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearTimeout(this.#noContactTimer);
    const session = this.#session;
    this.#session = undefined;
    await session?.close().catch(() => undefined);
    await this.#renewing;
  }

  // ---------------------------------------------------------------------------------------------

  /** A new session with both znodes registered; the session is closed when registering fails. */
  async #register(replace: boolean, connectTimeoutMs?: number): Promise<ZooKeeperSession> {
    const o = this.options;
    const session = await connectZooKeeper({
      quorum: o.quorum,
      root: o.root,
      sessionTimeoutMs: o.sessionTimeoutMs,
      ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    });
    try {
      await registerMetaRegionServer(session, o.metaRegionServer, { replace });
      await registerMaster(session, o.master, { replace });
      return session;
    } catch (error) {
      await session.close().catch(() => undefined);
      throw error;
    }
  }

  #attach(session: ZooKeeperSession): void {
    this.#session = session;
    this.#state = "registered";
    session.on("disconnected", () => {
      if (this.#session !== session || this.#state === "closed") return;
      this.#state = "disconnected";
      clearTimeout(this.#noContactTimer);
      this.#noContactTimer = setTimeout(() => this.#lost(session, "no contact"), 2 * session.sessionTimeoutMs);
      this.#noContactTimer.unref();
    });
    session.on("reconnected", () => {
      if (this.#session !== session || this.#state === "closed") return;
      clearTimeout(this.#noContactTimer);
      this.#state = "registered";
    });
    session.on("expired", () => this.#lost(session, "expired"));
  }

  #lost(session: ZooKeeperSession, why: "expired" | "no contact"): void {
    if (this.#session !== session || this.#state === "closed") return;
    clearTimeout(this.#noContactTimer);
    this.#session = undefined;
    this.#state = "renewing";
    this.#lastLoss = why;
    void session.close().catch(() => undefined);
    this.#renewing = this.#renew();
  }

  async #renew(): Promise<void> {
    while (this.#state === "renewing") {
      try {
        // short attempts, so that close() does not wait long for one
        const session = await this.#register(true, RENEW_CONNECT_TIMEOUT_MS);
        if (this.#state !== "renewing") {
          await session.close().catch(() => undefined);
          return;
        }
        this.#sessions++;
        this.#lastError = undefined;
        this.#attach(session);
        return;
      } catch (error) {
        this.#lastError = error instanceof Error ? error.message : String(error);
        if (this.#state !== "renewing") return;
        await sleep(this.options.retryPauseMs ?? 250);
      }
    }
  }
}
