/**
 * A scan through the wire: one server-side scanner per region, in scan order (forward: by start key;
 * reversed: from the last region down), rows pulled in batches of `caching`, the next batch asked for
 * while the consumer reads the current one and no further (backpressure: one batch ahead), the scan's bounds clipped to each region, one `limit` overall, and the scanner closed
 * on the server when the consumer stops early. When a region moves, splits or its server goes away
 * mid-scan, the scan re-locates and continues after the last row it returned (a filter's state, such
 * as a page count, starts again in the re-opened region — as it does per region anyway).
 */
import { compareBytes } from "../../bytes/bytes.js";
import type { TableName } from "../../model/table-descriptor.js";
import type { Result } from "../../result.js";
import { intersectIntervals, isEmptyInterval, regionInterval, type RowInterval } from "../../scan-splits.js";
import { HBaseExceptions, HBaseRemoteError } from "../../wire/errors.js";
import { RegionSpecifierType, type Scan, type ScanRequest, type ScanResponse } from "../../wire/hbase-protos.js";
import { decodeScanResponseWith } from "../../wire/result-codecs.js";
import { modelRegion, type RegionLocation, type RegionLocator } from "./region-locator.js";
import { RetryBudget, type RetryScope } from "./retry.js";
import { methodCodecs, type ServerAddress, type ServerConnections } from "./server-connections.js";
import { ScanRowsDecoder, type WireRead } from "./wire-codec.js";
import { retryReason } from "./wire-errors.js";

/** A scanner open on a server (so that closing the connection can close it). */
export interface OpenScanner {
  readonly server: ServerAddress;
  readonly id: bigint;
}

/** What a scan needs of its connection. */
export interface ScanDeps {
  readonly table: TableName;
  readonly locator: RegionLocator;
  readonly servers: ServerConnections;
  readonly scope: RetryScope;
  /** Notes a scanner opened on a server; returns the function that forgets it. */
  readonly track: (scanner: OpenScanner) => () => void;
}

/** One scan's parameters, checked. */
export interface WireScan {
  readonly read: WireRead;
  readonly rows: RowInterval;
  readonly reversed: boolean;
  readonly limit: number;
  readonly caching: number;
}

/** The Scan message's row bounds for a part of the scan (an empty row is unbounded). */
function bounds(part: RowInterval, reversed: boolean): Partial<Scan> {
  const first = reversed ? part.upper : part.lower;
  const last = reversed ? part.lower : part.upper;
  return {
    ...(first.row.length > 0 ? { start_row: first.row, include_start_row: first.inclusive } : {}),
    ...(last.row.length > 0 ? { stop_row: last.row, include_stop_row: last.inclusive } : {}),
  };
}

/** Closes a server scanner, ignoring failures (it may be gone already, or the server with it). */
export async function closeScanner(servers: ServerConnections, scanner: OpenScanner): Promise<void> {
  try {
    await servers.call(scanner.server, "ClientService", "Scan", { scanner_id: scanner.id, close_scanner: true } satisfies ScanRequest);
  } catch {
    // a scanner that cannot be closed lapses with its lease
  }
}

/** A ScanResponse whose results are already the Table API's rows (undefined: a Result without cells). */
type RowsResponse = Omit<ScanResponse, "results"> & { results?: (Result | undefined)[] };

/** A Scan call whose answer's results are decoded straight into rows ({@link ScanRowsDecoder}). */
async function scanCall(servers: ServerConnections, server: ServerAddress, request: ScanRequest): Promise<RowsResponse> {
  const param = methodCodecs("ClientService", "Scan").request.encode(request);
  const connection = await servers.connection(server, "ClientService");
  const body = await connection.callRaw("Scan", param);
  return decodeScanResponseWith(body, new ScanRowsDecoder().read);
}

/**
 * The rows of a scan, region by region, as the batches the server answers (decoded, never empty,
 * `limit` applied). The scan's position moves past a batch when it is handed out, so a region lost
 * afterwards is re-opened after the batch's last row.
 */
export async function* scanBatchesThroughWire(deps: ScanDeps, scan: WireScan): AsyncGenerator<Result[]> {
  let remaining = scan.limit;
  let rows = scan.rows;
  if (remaining <= 0 || isEmptyInterval(rows)) return;
  const budget = new RetryBudget(deps.scope);
  const { reversed } = scan;
  let open: (OpenScanner & { untrack: () => void }) | undefined;
  /** The next batch, asked for before the consumer finished the current one. */
  let prefetch: { response: Promise<RowsResponse>; rows: number } | undefined;
  const position = (): Uint8Array => (reversed ? rows.upper.row : rows.lower.row);

  const forget = (error: unknown, location: RegionLocation | undefined): void => {
    const reason = retryReason(error);
    if (location === undefined) return;
    if (reason === "relocate") deps.locator.invalidateLocation(deps.table, location);
    else if (reason === "connection") deps.locator.invalidateServer(location.server);
  };

  try {
    for (;;) {
      // 1. the region holding the next rows
      let location: RegionLocation;
      try {
        deps.scope.checkOpen();
        if (reversed) {
          const upper = rows.upper;
          if (upper.row.length === 0) location = await deps.locator.locateLast(deps.table, budget.deadline());
          else {
            location = await deps.locator.locate(deps.table, upper.row, budget.deadline());
            if (!upper.inclusive && compareBytes(location.startKey, upper.row) === 0) location = await deps.locator.locateBefore(deps.table, upper.row, budget.deadline());
          }
        } else {
          location = await deps.locator.locate(deps.table, rows.lower.row, budget.deadline());
        }
      } catch (error) {
        await budget.failed(error, position());
        continue;
      }
      const part = intersectIntervals(rows, regionInterval(modelRegion(location)));
      let regionDone = isEmptyInterval(part);

      // 2. its rows, batch by batch
      let first = true;
      while (!regionDone) {
        let n = Math.min(scan.caching, remaining);
        let response: RowsResponse;
        try {
          if (prefetch !== undefined) {
            const ahead = prefetch;
            prefetch = undefined;
            n = ahead.rows;
            response = await ahead.response;
          } else if (first) {
            const request: ScanRequest = {
              region: { type: RegionSpecifierType.REGION_NAME, value: location.name },
              scan: { ...scan.read, ...bounds(part, reversed), ...(reversed ? { reversed: true } : {}), caching: n },
              number_of_rows: n,
              ...(remaining !== Infinity ? { limit_of_rows: Math.min(remaining, 0x7fffffff) } : {}),
            };
            response = await scanCall(deps.servers, location.server, request);
            if (response.scanner_id !== undefined) {
              const scanner = { server: location.server, id: BigInt(response.scanner_id) };
              open = { ...scanner, untrack: deps.track(scanner) };
            }
            first = false;
          } else {
            const scanner = open!;
            response = await scanCall(deps.servers, scanner.server, { scanner_id: scanner.id, number_of_rows: n });
          }
        } catch (error) {
          open?.untrack();
          open = undefined;
          forget(error, location);
          const unknownScanner = error instanceof HBaseRemoteError && error.className === HBaseExceptions.UnknownScannerException;
          if (!unknownScanner) await budget.failed(error, position());
          else await budget.failed(new HBaseRemoteError({ className: HBaseExceptions.NotServingRegionException }, error.message), position());
          break; // re-locate from the last row returned
        }
        budget.succeeded();
        const results = response.results ?? [];
        regionDone =
          response.more_results_in_region === false ||
          (response.more_results_in_region === undefined && (response.more_results === false || results.length < n));
        const wanted = remaining - results.length;
        if (!regionDone && wanted > 0 && open !== undefined) {
          // Ask for the next batch now, while the consumer reads this one (one batch ahead at most).
          const rows = Math.min(scan.caching, wanted);
          const scanner = open;
          const ahead = scanCall(deps.servers, scanner.server, { scanner_id: scanner.id, number_of_rows: rows });
          ahead.catch(() => undefined);
          prefetch = { response: ahead, rows };
        }
        if (regionDone && open !== undefined) {
          const finished = open;
          open = undefined;
          finished.untrack();
          void closeScanner(deps.servers, finished); // HBase 2 closed it already; a 1.x server keeps it
        }
        const batch: Result[] = [];
        for (let i = 0; i < results.length && batch.length < remaining; i++) {
          const result = results[i];
          if (result !== undefined) batch.push(result);
        }
        if (batch.length > 0) {
          const lastRow = batch[batch.length - 1]!.row;
          rows = reversed ? { lower: rows.lower, upper: { row: lastRow, inclusive: false } } : { lower: { row: lastRow, inclusive: false }, upper: rows.upper };
          remaining -= batch.length;
          yield batch;
          if (remaining <= 0) return;
        }
        if (regionDone) {
          // 3. on to the next region, unless the scan's rows end here
          if (reversed) {
            if (location.startKey.length === 0) return;
            rows = { lower: rows.lower, upper: minUpper(rows.upper, location.startKey) };
          } else {
            if (location.endKey.length === 0) return;
            rows = { lower: maxLower(rows.lower, location.endKey), upper: rows.upper };
          }
          if (isEmptyInterval(rows)) return;
        }
      }
    }
  } finally {
    if (prefetch !== undefined) await prefetch.response.catch(() => undefined);
    if (open !== undefined) {
      open.untrack();
      await closeScanner(deps.servers, open);
    }
  }
}

/**
 * The rows of batches one by one: rows of a batch in hand are answered without awaiting anything (an
 * async generator would take several promise turns per row); the next batch is pulled when the
 * current one is used up. `return()` (a consumer's `break` or throw) ends the batches, so that an open
 * server scanner is closed.
 */
export class RowsOfBatches<T> implements AsyncIterableIterator<T> {
  #batch: readonly T[] = [];
  #next = 0;
  #done = false;

  constructor(private readonly batches: AsyncIterator<readonly T[]>) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#next < this.#batch.length) return Promise.resolve({ value: this.#batch[this.#next++]!, done: false });
    return this.#pull();
  }

  async #pull(): Promise<IteratorResult<T>> {
    while (!this.#done) {
      const r = await this.batches.next();
      if (r.done === true) break;
      if (r.value.length === 0) continue;
      this.#batch = r.value;
      this.#next = 1;
      return { value: r.value[0]!, done: false };
    }
    this.#done = true;
    this.#batch = [];
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<T>> {
    this.#done = true;
    this.#batch = [];
    await this.batches.return?.();
    return { value: undefined, done: true };
  }
}

/** The rows of a scan, region by region (see {@link scanBatchesThroughWire}). */
export function scanThroughWire(deps: ScanDeps, scan: WireScan): AsyncIterableIterator<Result> {
  return new RowsOfBatches(scanBatchesThroughWire(deps, scan));
}

/** The lower bound after a region ending at `endKey` was read (rows from `endKey` on). */
function maxLower(lower: RowInterval["lower"], endKey: Uint8Array): RowInterval["lower"] {
  if (lower.row.length === 0) return { row: endKey, inclusive: true };
  const c = compareBytes(lower.row, endKey);
  return c > 0 || (c === 0 && !lower.inclusive) ? lower : { row: endKey, inclusive: true };
}

/** The upper bound after a region starting at `startKey` was read (rows below `startKey`). */
function minUpper(upper: RowInterval["upper"], startKey: Uint8Array): RowInterval["upper"] {
  if (upper.row.length === 0) return { row: startKey, inclusive: false };
  const c = compareBytes(upper.row, startKey);
  return c < 0 || (c === 0 && !upper.inclusive) ? upper : { row: startKey, inclusive: false };
}
