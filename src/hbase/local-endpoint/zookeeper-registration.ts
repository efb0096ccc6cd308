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
import { connectZooKeeper, registerMaster, registerMetaRegionServer, RenewingSession, type OpenedSession } from "../discovery/index.js";

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

/** The endpoint's ZooKeeper session and znodes, kept registered until {@link close}. */
export class ZooKeeperRegistration {
  readonly #keeper: RenewingSession<void>;

  private constructor(keeper: RenewingSession<void>) {
    this.#keeper = keeper;
  }

  /** Opens a session and registers both znodes; rejects (session closed) when that fails. */
  static async start(options: ZooKeeperRegistrationOptions): Promise<ZooKeeperRegistration> {
    const keeper = await RenewingSession.start<void>({
      // renewals: short attempts, so that close() does not wait long for one; they always replace
      open: (renewal) => register(options, renewal ? true : options.replace, renewal ? RENEW_CONNECT_TIMEOUT_MS : undefined),
      ...(options.retryPauseMs === undefined ? {} : { retryPauseMs: options.retryPauseMs }),
    });
    return new ZooKeeperRegistration(keeper);
  }

  /** The state now. */
  get status(): RegistrationStatus {
    const { state, sessions, lastLoss, lastError } = this.#keeper.status;
    return { state: state === "up" ? "registered" : state, sessions, lastLoss, lastError };
  }

  /** Ends the renewal loop and closes the session (ZooKeeper removes the znodes at once). */
  close(): Promise<void> {
    return this.#keeper.close();
  }
}

/** A new session with both znodes registered; the session is closed when registering fails. */
async function register(o: ZooKeeperRegistrationOptions, replace: boolean, connectTimeoutMs: number | undefined): Promise<OpenedSession<void>> {
  const session = await connectZooKeeper({
    quorum: o.quorum,
    root: o.root,
    sessionTimeoutMs: o.sessionTimeoutMs,
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
  });
  try {
    await registerMetaRegionServer(session, o.metaRegionServer, { replace });
    await registerMaster(session, o.master, { replace });
    return { session, value: undefined };
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
}
