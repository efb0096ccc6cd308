/**
 * The embedded store (`connect({ path })` on a fresh temp dir per test) through the shared Table API
 * suite (hbase-table-suite.ts): catalog, writes and reads, deletes, read-modify-write, scans, filters,
 * regions, concurrency, bad input and the buffered mutator. Its internals have their own files
 * (hbase-embedded-key-codec, -open, hbase-compaction, hbase-durability).
 */
import { embeddedBackend } from "../support/hbase-backends.js";
import { describeTableSuite } from "./hbase-table-suite.js";

describeTableSuite("embedded store", embeddedBackend());
