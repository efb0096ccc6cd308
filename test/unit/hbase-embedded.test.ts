/**
 * The embedded store (`connect({ path, engine })` on a fresh temp dir per test), on each storage
 * engine (LMDB, the default, and LevelDB), through the shared Table API
 * suite (hbase-table-suite.ts): catalog, writes and reads, deletes, read-modify-write, scans, filters,
 * regions, concurrency, bad input and the buffered mutator. Its internals have their own files
 * (hbase-embedded-key-codec, -open, hbase-compaction, hbase-durability).
 */
import { embeddedBackend } from "../support/hbase-backends.js";
import { describeTableSuite } from "./hbase-table-suite.js";

describeTableSuite("embedded store (lmdb)", embeddedBackend("lmdb"));
describeTableSuite("embedded store (leveldb)", embeddedBackend("leveldb"));
