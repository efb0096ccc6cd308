/**
 * HBase's znodes under the root (`/hbase` by default): where clients find `hbase:meta`
 * (`meta-region-server`) and the master (`master`), read, watched and registered as raw bytes.
 *
 * Both hold HBase's ZooKeeper envelope: `0xFF | int32 BE idLength | id bytes | "PBUF" | protobuf`, the
 * protobuf being `hbase.pb.MetaRegionServer{server: ServerName{host_name, port, start_code},
 * rpc_version}` for `meta-region-server` and `hbase.pb.Master{master: ServerName, rpc_version,
 * info_port}` for `master` (HBase's ZooKeeper.proto). Encoding and decoding it is
 * `src/hbase/wire/zk-envelope.ts`'s job; this file never looks inside the bytes.
 */
import { ZNodeExistsError, ZNodeMissingError } from "./errors.js";
import type { ZNodeWatch, ZooKeeperSession } from "./zookeeper-session.js";

/** The znode (relative to the root) naming the region server that serves `hbase:meta`. */
export const META_REGION_SERVER_ZNODE = "meta-region-server";
/** The znode (relative to the root) naming the active master. */
export const MASTER_ZNODE = "master";

export type HBaseZNode = typeof META_REGION_SERVER_ZNODE | typeof MASTER_ZNODE;

/**
 * Reads an HBase znode's raw bytes (the envelope described above). A missing znode — or a missing root —
 * rejects with a {@link ZNodeMissingError} saying `is HBase running? no /hbase/meta-region-server …`.
 */
export async function readHBaseZNode(session: ZooKeeperSession, znode: HBaseZNode): Promise<Uint8Array> {
  try {
    return (await session.get(znode)).data;
  } catch (error) {
    if (error instanceof ZNodeMissingError) throw missing(session, znode);
    throw error;
  }
}

/** The raw bytes of `<root>/meta-region-server`: where `hbase:meta` is served. */
export function readMetaRegionServer(session: ZooKeeperSession): Promise<Uint8Array> {
  return readHBaseZNode(session, META_REGION_SERVER_ZNODE);
}

/** The raw bytes of `<root>/master`: the active master (for MasterService calls). */
export function readMaster(session: ZooKeeperSession): Promise<Uint8Array> {
  return readHBaseZNode(session, MASTER_ZNODE);
}

/**
 * Watches an HBase znode: `current` (null while absent) and a `change` on every registration, move or
 * disappearance (see {@link ZooKeeperSession.watch}). Unlike the readers, an absent znode is no error
 * here: a client may wait for HBase to come up.
 */
export function watchHBaseZNode(session: ZooKeeperSession, znode: HBaseZNode): Promise<ZNodeWatch> {
  return session.watch(znode);
}

export interface RegisterOptions {
  /**
   * When the znode is held by another session (typically a killed endpoint whose session has not timed
   * out yet), delete it and register anyway (default false: reject with {@link ZNodeExistsError}).
   */
  readonly replace?: boolean;
}

/**
 * Registers this session as serving an HBase znode: creates `<root>/<znode>` as an ephemeral znode
 * holding `envelope` (creating the root if needed), so it disappears when the session ends. If this
 * session holds it already, its data is replaced. Used by the local endpoint for
 * `meta-region-server` and `master`.
 */
export async function registerHBaseZNode(
  session: ZooKeeperSession,
  znode: HBaseZNode,
  envelope: Uint8Array,
  options: RegisterOptions = {},
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await session.createEphemeral(znode, envelope);
      return;
    } catch (error) {
      if (!(error instanceof ZNodeExistsError) || attempt > 0) throw error;
    }
    const stat = await session.exists(znode);
    if (stat === null) continue; // gone meanwhile: create again
    if (stat.ephemeralOwner === session.sessionId) {
      await session.set(znode, envelope);
      return;
    }
    const owner = stat.ephemeralOwner === 0n ? "a persistent znode" : `session 0x${stat.ephemeralOwner.toString(16)}`;
    if (!options.replace) {
      throw new ZNodeExistsError(
        session.quorum,
        session.fullPath(znode),
        `${session.fullPath(znode)} is held by ${owner} in ZooKeeper at ${session.quorum}: another HBase (or a ` +
          `stopped one whose session has not expired yet) is registered there`,
      );
    }
    await session.delete(znode, { ifExists: true });
  }
}

/** Registers `<root>/meta-region-server` (ephemeral) with a MetaRegionServer envelope. */
export function registerMetaRegionServer(session: ZooKeeperSession, envelope: Uint8Array, options?: RegisterOptions): Promise<void> {
  return registerHBaseZNode(session, META_REGION_SERVER_ZNODE, envelope, options);
}

/** Registers `<root>/master` (ephemeral) with a Master envelope. */
export function registerMaster(session: ZooKeeperSession, envelope: Uint8Array, options?: RegisterOptions): Promise<void> {
  return registerHBaseZNode(session, MASTER_ZNODE, envelope, options);
}

function missing(session: ZooKeeperSession, znode: HBaseZNode): ZNodeMissingError {
  const full = session.fullPath(znode);
  return new ZNodeMissingError(session.quorum, full, `is HBase running? no ${full} in ZooKeeper at ${session.quorum}`);
}
