/**
 * HBase discovery through ZooKeeper: sessions under a root znode, and HBase's `meta-region-server` and
 * `master` znodes as raw bytes. See README.md.
 */
export {
  DEFAULT_ROOT,
  ZNodeWatch,
  ZooKeeperSession,
  connectZooKeeper,
  type CreateOptions,
  type ZNode,
  type ZNodeStat,
  type ZNodeWatchEvents,
  type ZooKeeperConnectOptions,
  type ZooKeeperSessionEvents,
} from "./zookeeper-session.js";
export {
  ZNodeExistsError,
  ZNodeMissingError,
  ZooKeeperError,
  ZooKeeperSessionEndedError,
  ZooKeeperTimeoutError,
  ZooKeeperUnreachableError,
} from "./errors.js";
export {
  MASTER_ZNODE,
  META_REGION_SERVER_ZNODE,
  readHBaseZNode,
  readMaster,
  readMetaRegionServer,
  registerHBaseZNode,
  registerMaster,
  registerMetaRegionServer,
  watchHBaseZNode,
  type HBaseZNode,
  type RegisterOptions,
} from "./hbase-znodes.js";
export {
  RenewingSession,
  type OpenedSession,
  type RenewingSessionOptions,
  type RenewingSessionStatus,
  type SessionChange,
  type SessionLoss,
} from "./renewing-session.js";
