/**
 * `sluice hbase-local`: serves an embedded HBase store over HBase's native RPC protocol, registered in
 * ZooKeeper like a cluster (src/hbase/local-endpoint), until SIGINT or SIGTERM.
 *
 *   sluice hbase-local --zookeeper HOST:PORT [--root /hbase] [--data DIR] [--engine lmdb|leveldb] [--host ADDR] [--port N]
 *                      [--compat 1|2] [--table NAME:FAMILY[,FAMILY...][:SPLITKEY,...]]...
 *
 * Each `--table` is created at start when absent (an existing table is left as it is). A namespaced
 * table is written `NS:NAME:FAMILIES[:SPLITKEYS]` (four parts; an empty last part for no split keys).
 * Once serving, one line goes to stdout:
 *   `sluice hbase-local: serving HOST:PORT zookeeper=QUORUM root=ROOT compat=N data=DIR`
 * On SIGINT/SIGTERM the ZooKeeper session is closed (the znodes go at once), then the server and the
 * store, and the command exits 0 after printing `sluice hbase-local: stopped`.
 */
import { connect } from "../hbase/connect.js";
import { startLocalEndpoint } from "../hbase/local-endpoint/index.js";
import type { Connection } from "../hbase/table.js";
import type { HBaseLocalOptions, TableFlag } from "./hbase-local-args.js";

/** Where the command writes and which signals stop it (replaceable for tests of the function). */
export interface HBaseLocalIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Registers a one-shot stop signal handler; returns a function removing it. */
  readonly onStop: (handler: () => void) => () => void;
}

const processIo: HBaseLocalIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  onStop(handler) {
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
    return () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    };
  },
};

async function createTables(store: Connection, tables: readonly TableFlag[]): Promise<void> {
  for (const t of tables) {
    if (await store.admin.tableExists(t.table)) continue;
    await store.admin.createTable(t.table, { families: t.families, splitKeys: t.splitKeys });
  }
}

/**
 * Runs `hbase-local` with parsed options: opens the store, creates the tables, serves until a stop
 * signal, then shuts down cleanly. Resolves with the exit code (0 after a clean stop, 1 when the
 * store, a table or ZooKeeper fails at start — the message goes to stderr and nothing is left open).
 */
export async function runHBaseLocal(options: HBaseLocalOptions, io: HBaseLocalIo = processIo): Promise<number> {
  let stopRequested = false;
  let wake: (() => void) | undefined;
  const removeHandler = io.onStop(() => {
    stopRequested = true;
    wake?.();
  });
  let store: Connection | undefined;
  try {
    store = await connect({ path: options.data, ...(options.engine === undefined ? {} : { engine: options.engine }) });
    await createTables(store, options.tables);
    const endpoint = await startLocalEndpoint({
      connection: store,
      zookeeper: options.zookeeper,
      root: options.root,
      host: options.host,
      port: options.port,
      compat: options.compat,
    });
    io.stdout(
      `sluice hbase-local: serving ${endpoint.host}:${endpoint.port} zookeeper=${options.zookeeper} root=${options.root} compat=${endpoint.compat} data=${options.data}`,
    );
    if (!stopRequested) await new Promise<void>((resolve) => (wake = resolve));
    await endpoint.stop();
    await store.close();
    store = undefined;
    io.stdout("sluice hbase-local: stopped");
    return 0;
  } catch (error) {
    io.stderr(`sluice hbase-local: ${(error as Error).message ?? String(error)}`);
    await store?.close().catch(() => undefined);
    return 1;
  } finally {
    removeHandler();
  }
}
