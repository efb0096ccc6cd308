/**
 * The flags of `sluice hbase-local` (see hbase-local.ts), parsed with node:util's parseArgs. Kept apart
 * from the command itself so that main.ts can check flags without loading the HBase store.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import type { StorageEngineKind } from "../hbase/backends/embedded/storage-engine.js";

/** A command-line mistake in `hbase-local` (main.ts reports it with the usage, exit code 2). */
export class HBaseLocalUsageError extends Error {
  override readonly name = "HBaseLocalUsageError";
}

/** One `--table` flag. */
export interface TableFlag {
  /** "name" or "ns:name". */
  readonly table: string;
  readonly families: readonly string[];
  readonly splitKeys: readonly string[];
}

/** The parsed flags of `hbase-local`. */
export interface HBaseLocalOptions {
  readonly zookeeper: string;
  readonly root: string;
  /** Data directory (default `./.sluice/hbase`). */
  readonly data: string;
  /**
   * Storage engine of a new data directory (`--engine lmdb|leveldb`); undefined: an existing directory
   * keeps its engine, a new one gets the default (LMDB).
   */
  readonly engine?: StorageEngineKind;
  readonly host: string;
  readonly port: number;
  readonly compat: 1 | 2;
  readonly tables: readonly TableFlag[];
}

/** Usage lines of `hbase-local` (for main.ts's help). */
export const HBASE_LOCAL_USAGE = `  hbase-local --zookeeper HOST:PORT [--root /hbase] [--data DIR] [--engine lmdb|leveldb]
              [--host ADDR] [--port N] [--compat 1|2] [--table NAME:FAMILY[,FAMILY...][:SPLITKEY,...]]...
                              Serve the embedded HBase store (default ./.sluice/hbase) over
                              HBase's RPC protocol, registered in ZooKeeper under --root;
                              --engine is the storage engine of a new --data directory (default
                              lmdb; an existing one keeps the engine that made it);
                              --compat 1 answers as HBase 1.x, 2 (default) as 2.x; each --table
                              is created when absent (NS:NAME:FAMILIES[:SPLITKEYS] for a namespace).
                              Runs until SIGINT/SIGTERM.
`;

/** Parses one `--table` value. */
export function parseTableFlag(value: string): TableFlag {
  const parts = value.split(":");
  let table: string;
  let families: string;
  let splits: string | undefined;
  if (parts.length === 2 || parts.length === 3) [table, families, splits] = parts as [string, string, string | undefined];
  else if (parts.length === 4) {
    table = `${parts[0]}:${parts[1]}`;
    families = parts[2]!;
    splits = parts[3];
  } else {
    throw new HBaseLocalUsageError(`--table ${JSON.stringify(value)}: expected NAME:FAMILY[,FAMILY...][:SPLITKEY,...]`);
  }
  if (table === "" || table.startsWith(":") || table.endsWith(":")) throw new HBaseLocalUsageError(`--table ${JSON.stringify(value)}: the table name is empty`);
  const familyList = families.split(",");
  if (familyList.some((f) => f === "")) throw new HBaseLocalUsageError(`--table ${JSON.stringify(value)}: needs at least one column family, and no empty family names`);
  const splitKeys = splits === undefined || splits === "" ? [] : splits.split(",");
  if (splitKeys.some((k) => k === "")) throw new HBaseLocalUsageError(`--table ${JSON.stringify(value)}: a split key must not be empty`);
  return { table, families: familyList, splitKeys };
}

/** Parses the arguments after `hbase-local`; throws {@link HBaseLocalUsageError} naming the problem. */
export function parseHBaseLocalArgs(args: readonly string[], cwd = process.cwd()): HBaseLocalOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        zookeeper: { type: "string" },
        root: { type: "string" },
        data: { type: "string" },
        engine: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        compat: { type: "string" },
        table: { type: "string", multiple: true },
      },
    }));
  } catch (error) {
    throw new HBaseLocalUsageError(`hbase-local: ${(error as Error).message}`);
  }
  const zookeeper = values.zookeeper;
  if (zookeeper === undefined) throw new HBaseLocalUsageError("hbase-local: missing --zookeeper HOST:PORT");
  if (!/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/.test(zookeeper)) throw new HBaseLocalUsageError(`hbase-local: --zookeeper must be HOST:PORT[,HOST:PORT...], got ${JSON.stringify(zookeeper)}`);
  const root = values.root ?? "/hbase";
  if (!root.startsWith("/") || (root.length > 1 && root.endsWith("/"))) throw new HBaseLocalUsageError(`hbase-local: --root must be a znode path such as /hbase, got ${JSON.stringify(root)}`);
  let port = 0;
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new HBaseLocalUsageError(`hbase-local: --port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
    port = Number(values.port);
  }
  let compat: 1 | 2 = 2;
  if (values.compat !== undefined) {
    if (values.compat !== "1" && values.compat !== "2") throw new HBaseLocalUsageError(`hbase-local: --compat must be 1 or 2, got ${JSON.stringify(values.compat)}`);
    compat = values.compat === "1" ? 1 : 2;
  }
  if (values.data === "") throw new HBaseLocalUsageError("hbase-local: --data needs a directory");
  const engine = values.engine;
  if (engine !== undefined && engine !== "lmdb" && engine !== "leveldb") {
    throw new HBaseLocalUsageError(`hbase-local: --engine must be lmdb or leveldb, got ${JSON.stringify(engine)}`);
  }
  if (values.host === "") throw new HBaseLocalUsageError("hbase-local: --host needs an address");
  const tables = (values.table ?? []).map(parseTableFlag);
  return {
    zookeeper,
    root,
    data: path.resolve(cwd, values.data ?? path.join(".sluice", "hbase")),
    ...(engine === undefined ? {} : { engine }),
    host: values.host ?? "127.0.0.1",
    port,
    compat,
    tables,
  };
}
