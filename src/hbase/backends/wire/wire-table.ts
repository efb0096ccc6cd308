/**
 * A table through the wire: the Table API over ClientService calls to the region servers, with the
 * same checks (and messages) as the embedded store before anything is sent. Single-row calls go to the
 * row's region (Get, Mutate); getMany and putMany are batched into one Multi per region server; scans
 * run region by region (`wire-scanner.ts`). Every call re-locates and retries on a moved region or a
 * lost server (`retry.ts`).
 */
import { equalBytes, toStringBinary } from "../../bytes/bytes.js";
import { conditionHolds } from "../../check-condition.js";
import type { TableName } from "../../model/table-descriptor.js";
import type { Result } from "../../result.js";
import { scanRowInterval, splitScanByRegion } from "../../scan-splits.js";
import type { BytesLike, CheckCondition, Delete, GetOptions, Mutation, Put, ScanOptions, ScanSplit, Table } from "../../table.js";
import {
  CompareType,
  encodeComparator,
  MutationType,
  RegionSpecifierType,
  type Action,
  type Condition,
  type GetResponse,
  type MultiRequest,
  type MultiResponse,
  type MutateRequest,
  type MutateResponse,
  type RegionAction,
  type RegionSpecifier,
  type Result as WireResult,
} from "../../wire/hbase-protos.js";
import { HBaseRemoteError } from "../../wire/errors.js";
import { modelRegion, regionContains, tableLabel, type RegionLocation, type RegionLocator } from "./region-locator.js";
import { withRetries, type RetryScope } from "./retry.js";
import type { ServerConnections } from "./server-connections.js";
import {
  bytesArgument,
  checkDelete,
  checkFamily,
  checkRow,
  checkRowMutation,
  checkScanOptions,
  combineRowMutations,
  deleteToWire,
  mutationToWire,
  putToWire,
  readToWire,
  resultFromWire,
  type TableShape,
} from "./wire-codec.js";
import { remoteErrorOfPair, retryReason, RetriableLookupError } from "./wire-errors.js";
import type { NonceGenerator } from "./nonce-generator.js";
import type { WireSettings } from "./wire-options.js";
import { RowsOfBatches, scanBatchesThroughWire, type OpenScanner } from "./wire-scanner.js";

/** What the tables of one wire connection share. */
export interface WireTableContext {
  readonly settings: WireSettings;
  readonly locator: RegionLocator;
  readonly servers: ServerConnections;
  /** Throws when the connection is closed. */
  checkOpen(): void;
  /** Runs one operation: refused once the connection closes, which waits for it. */
  operation<T>(run: () => Promise<T>): Promise<T>;
  /** The table's families as far as known (`fresh`: ask again instead of the cached answer). */
  shape(table: TableName, fresh?: boolean): Promise<TableShape>;
  /** Notes a scanner open on a server; returns the function that forgets it. */
  trackScanner(scanner: OpenScanner): () => void;
  /** The connection's nonce group and nonces (increment and append carry one, the same on every retry). */
  readonly nonces: NonceGenerator;
}

const COMPARE_OPS: readonly NonNullable<CheckCondition["op"]>[] = ["equal", "notEqual", "less", "lessOrEqual", "greater", "greaterOrEqual"];
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Check-and-mutate: HBase compares `operand <op> stored` (HRegion: `comparator.compareTo(stored)`), the
 * Table API `stored <op> operand`, so the inequalities swap sides on the wire.
 */
const CONDITION_OPS: Readonly<Record<NonNullable<CheckCondition["op"]>, Condition["compare_type"]>> = {
  equal: CompareType.EQUAL,
  notEqual: CompareType.NOT_EQUAL,
  less: CompareType.GREATER,
  lessOrEqual: CompareType.GREATER_OR_EQUAL,
  greater: CompareType.LESS,
  greaterOrEqual: CompareType.LESS_OR_EQUAL,
};

function regionSpecifier(location: RegionLocation): RegionSpecifier {
  return { type: RegionSpecifierType.REGION_NAME, value: location.name };
}

function longBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, n, false);
  return out;
}

/** One action of a batch: its row and what to send. */
interface BatchItem {
  readonly row: Uint8Array;
  readonly action: Omit<Action, "index">;
}

/** A table of a wire connection (from `connection.table(name)`). */
export class WireTable implements Table {
  private readonly label: string;
  private readonly scope: RetryScope;

  constructor(
    private readonly context: WireTableContext,
    readonly name: TableName,
  ) {
    this.label = tableLabel(name);
    this.scope = { settings: context.settings, checkOpen: () => context.checkOpen(), table: this.label };
  }

  get(row: BytesLike, options?: GetOptions): Promise<Result | undefined> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => ({ read: readToWire(options, shape), row: checkRow(row, shape.label) }));
      const response = await this.onRegion<GetResponse>(value.row, (location) =>
        this.context.servers.call(location.server, "ClientService", "Get", { region: regionSpecifier(location), get: { row: value.row, ...value.read } }),
      );
      return resultFromWire(response.result, value.row);
    });
  }

  getMany(rows: readonly BytesLike[], options?: GetOptions): Promise<(Result | undefined)[]> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => {
        if (!Array.isArray(rows)) throw new TypeError(`table ${shape.label}: getMany takes an array of row keys`);
        const read = readToWire(options, shape);
        return { read, keys: rows.map((r) => checkRow(r, shape.label)) };
      });
      const results = await this.batch(value.keys.map((row) => ({ row, action: { get: { row, ...value.read } } })));
      return results.map((r, i) => resultFromWire(r, value.keys[i]));
    });
  }

  scan(options: ScanOptions = {}): AsyncIterable<Result> {
    this.context.checkOpen();
    // Everything but the families is checked at once, as the embedded store does.
    readToWire(options, { label: this.label, families: undefined });
    const { limit, batchSize } = checkScanOptions(options, this.label);
    return new RowsOfBatches(this.scanLater(options, limit, batchSize ?? this.context.settings.scannerCaching));
  }

  private async *scanLater(options: ScanOptions, limit: number, caching: number): AsyncGenerator<Result[]> {
    const { value: read } = await this.checked((shape) => readToWire(options, shape));
    yield* scanBatchesThroughWire(
      { table: this.name, locator: this.context.locator, servers: this.context.servers, scope: this.scope, track: (s) => this.context.trackScanner(s) },
      { read, rows: scanRowInterval(options), reversed: options.reversed === true, limit, caching },
    );
  }

  async count(options?: ScanOptions): Promise<number> {
    let n = 0;
    for await (const _row of this.scan(options)) n++;
    return n;
  }

  splitScan(options: ScanOptions = {}): Promise<ScanSplit[]> {
    return this.context.operation(async () => {
      await this.checked((shape) => {
        readToWire(options, shape);
        // as the embedded store: the row bounds are checked, not limit or batchSize (they go to each part)
        checkScanOptions({ ...options, limit: undefined, batchSize: undefined }, shape.label);
      });
      const regions = await withRetries(this.scope, undefined, (_n, deadline) => this.context.locator.regions(this.name, deadline));
      return splitScanByRegion(options, regions.map(modelRegion));
    });
  }

  put(put: Put): Promise<void> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => putToWire(put, shape));
      await this.mutate(value.row, { mutation: value.mutation });
    });
  }

  putMany(puts: readonly Put[]): Promise<void> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => {
        if (!Array.isArray(puts)) throw new TypeError(`table ${shape.label}: putMany takes an array of puts`);
        return puts.map((p) => putToWire(p, shape));
      });
      if (value.length === 0) return;
      if (value.length === 1) {
        await this.mutate(value[0]!.row, { mutation: value[0]!.mutation });
        return;
      }
      await this.batch(value.map((p) => ({ row: p.row, action: { mutation: p.mutation } })));
    });
  }

  delete(del: Delete): Promise<void> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => checkDelete(del, shape));
      await this.mutate(value.row, { mutation: deleteToWire(value) });
    });
  }

  increment(row: BytesLike, family: BytesLike, qualifier: BytesLike, amount: bigint = 1n): Promise<bigint> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => {
        if (typeof amount !== "bigint") throw new TypeError(`table ${shape.label}: increment amount must be a bigint, got ${typeof amount}`);
        if (amount < INT64_MIN || amount > INT64_MAX) {
          throw new RangeError(`table ${shape.label}: increment amount ${amount} is outside the 64-bit signed range`);
        }
        return this.cellArguments(row, family, qualifier, shape);
      });
      const response = await this.mutate(value.row, {
        mutation: {
          row: value.row,
          mutate_type: MutationType.INCREMENT,
          column_value: [{ family: value.family, qualifier_value: [{ qualifier: value.qualifier, value: longBytes(amount) }] }],
          nonce: this.context.nonces.next(),
        },
        nonce_group: this.context.nonces.group,
      });
      const bytes = this.resultValue(response.result, "increment");
      if (bytes.length !== 8) throw new Error(`table ${this.label}: increment answered a value of ${bytes.length} bytes, not an 8-byte long`);
      return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, false);
    });
  }

  append(row: BytesLike, family: BytesLike, qualifier: BytesLike, value: BytesLike): Promise<Uint8Array> {
    return this.context.operation(async () => {
      const { value: args } = await this.checked((shape) => {
        const suffix = bytesArgument(value, "append: the value", shape.label);
        return { ...this.cellArguments(row, family, qualifier, shape), suffix };
      });
      const response = await this.mutate(args.row, {
        mutation: {
          row: args.row,
          mutate_type: MutationType.APPEND,
          column_value: [{ family: args.family, qualifier_value: [{ qualifier: args.qualifier, value: args.suffix }] }],
          nonce: this.context.nonces.next(),
        },
        nonce_group: this.context.nonces.group,
      });
      return this.resultValue(response.result, "append").slice();
    });
  }

  checkAndMutate(row: BytesLike, condition: CheckCondition, mutations: readonly Mutation[]): Promise<boolean> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => {
        const rowBytes = checkRow(row, shape.label);
        if (condition === null || typeof condition !== "object") {
          throw new TypeError(`table ${shape.label}: checkAndMutate needs a condition { family, qualifier, op?, value? }`);
        }
        const family = checkFamily(condition.family, shape);
        const qualifier = bytesArgument(condition.qualifier, "checkAndMutate: the condition's qualifier", shape.label);
        const op = condition.op ?? "equal";
        if (!COMPARE_OPS.includes(op)) {
          throw new Error(`table ${shape.label}: checkAndMutate: unknown compare op ${JSON.stringify(op)}; use one of ${COMPARE_OPS.join(", ")}`);
        }
        const expected = condition.value === undefined ? undefined : bytesArgument(condition.value, "checkAndMutate: the condition's value", shape.label);
        if (expected === undefined && op !== "equal" && op !== "notEqual") {
          throw new Error(`table ${shape.label}: checkAndMutate with op "${op}" needs a value`);
        }
        const checked = this.checkMutations(rowBytes, mutations, shape);
        return { row: rowBytes, family, qualifier, op, expected, checked };
      });
      const { row: rowBytes, family, qualifier, op, expected, checked } = value;
      if (checked.length === 0) {
        // Nothing to apply: the answer is whether the condition holds now.
        const current = await this.get(rowBytes, { columns: [{ family, qualifier }] });
        return conditionHolds(latestValue(current), op, expected, this.label);
      }
      const conditionMessage: Condition = {
        row: rowBytes,
        family,
        qualifier,
        compare_type: CONDITION_OPS[op],
        comparator: expected === undefined ? encodeComparator("NullComparator", {}) : encodeComparator("BinaryComparator", { comparable: { value: expected } }),
      };
      const mutation = combineRowMutations(rowBytes, checked);
      if (mutation !== undefined) {
        const response = await this.mutate(rowBytes, { mutation, condition: conditionMessage });
        return response.processed === true;
      }
      // Puts and deletes mixed: HBase 2's conditional Multi (the condition + one atomic RegionAction).
      const actions = checked.map((m, index) => ({ index, mutation: mutationToWire(m) }));
      return this.onRegion(rowBytes, async (location) => {
        const request: MultiRequest = { regionAction: [{ region: regionSpecifier(location), atomic: true, action: actions }], condition: conditionMessage };
        const response = await this.context.servers.call<MultiResponse>(location.server, "ClientService", "Multi", request);
        const result = response.regionActionResult?.[0];
        if (result?.exception !== undefined) throw remoteErrorOfPair(result.exception);
        for (const r of result?.resultOrException ?? []) if (r.exception !== undefined) throw remoteErrorOfPair(r.exception);
        if (response.processed === undefined) {
          // a server without conditional Multi skips the condition: it may have applied the mutations
          throw new Error(`table ${this.label}: checkAndMutate: the server answered a conditional Multi without "processed" (it does not know HBase 2's conditional Multi)`);
        }
        return response.processed;
      });
    });
  }

  mutateRow(row: BytesLike, mutations: readonly Mutation[]): Promise<void> {
    return this.context.operation(async () => {
      const { value } = await this.checked((shape) => {
        const rowBytes = checkRow(row, shape.label);
        return { row: rowBytes, checked: this.checkMutations(rowBytes, mutations, shape) };
      });
      if (value.checked.length === 0) return;
      const combined = combineRowMutations(value.row, value.checked);
      if (combined !== undefined) {
        await this.mutate(value.row, { mutation: combined });
        return;
      }
      const actions = value.checked.map((m, index) => ({ index, mutation: mutationToWire(m) }));
      await this.onRegion(value.row, async (location) => {
        const request: MultiRequest = { regionAction: [{ region: regionSpecifier(location), atomic: true, action: actions }] };
        const response = await this.context.servers.call<MultiResponse>(location.server, "ClientService", "Multi", request);
        const result = response.regionActionResult?.[0];
        if (result?.exception !== undefined) throw remoteErrorOfPair(result.exception);
        for (const r of result?.resultOrException ?? []) if (r.exception !== undefined) throw remoteErrorOfPair(r.exception);
      });
    });
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Runs the checks with the table's families as known; when they reject a family and the families
   * came from the cache, asks again once (the table may have changed).
   */
  private async checked<T>(check: (shape: TableShape) => T): Promise<{ shape: TableShape; value: T }> {
    this.context.checkOpen();
    const shape = await this.context.shape(this.name);
    try {
      return { shape, value: check(shape) };
    } catch (error) {
      if (shape.families === undefined || !(error instanceof Error) || !/has no column family/.test(error.message)) throw error;
      const fresh = await this.context.shape(this.name, true);
      return { shape: fresh, value: check(fresh) };
    }
  }

  private cellArguments(row: BytesLike, family: BytesLike, qualifier: BytesLike, shape: TableShape) {
    return {
      row: checkRow(row, shape.label),
      family: checkFamily(family, shape),
      qualifier: bytesArgument(qualifier, "the qualifier", shape.label),
    };
  }

  private checkMutations(row: Uint8Array, mutations: readonly Mutation[], shape: TableShape) {
    if (!Array.isArray(mutations)) throw new TypeError(`table ${shape.label}: mutations must be an array`);
    for (const m of mutations) {
      if (m === null || typeof m !== "object" || (m.kind !== "put" && m.kind !== "delete")) {
        throw new TypeError(`table ${shape.label}: a mutation is { kind: "put", ... } or { kind: "delete", ... }`);
      }
      const mRow = checkRow(m.row, shape.label);
      if (!equalBytes(mRow, row)) {
        throw new Error(`table ${shape.label}: a mutation of row ${toStringBinary(mRow)} in an atomic mutation of row ${toStringBinary(row)}`);
      }
    }
    return mutations.map((m) => checkRowMutation(m, shape));
  }

  private resultValue(result: WireResult | undefined, what: string): Uint8Array {
    const cell = result?.cell?.[0];
    if (cell === undefined) throw new Error(`table ${this.label}: the server answered the ${what} without the new value`);
    return cell.value ?? new Uint8Array(0);
  }

  /**
   * A Mutate call on the row's region. The request is built once: a retry sends the same nonce (for
   * increment and append) so that a server keeping nonces can drop the duplicate.
   */
  private mutate(row: Uint8Array, request: Omit<MutateRequest, "region">): Promise<MutateResponse> {
    return this.onRegion<MutateResponse>(row, (location) =>
      this.context.servers.call(location.server, "ClientService", "Mutate", { region: regionSpecifier(location), ...request }),
    );
  }

  /** Runs `call` on the region holding `row`, re-locating and retrying on retriable failures. */
  private onRegion<T>(row: Uint8Array, call: (location: RegionLocation) => Promise<T>): Promise<T> {
    return withRetries(this.scope, row, async (_n, deadline) => {
      const location = await this.context.locator.locate(this.name, row, deadline);
      try {
        return await call(location);
      } catch (error) {
        this.forget(error, location);
        throw error;
      }
    });
  }

  private forget(error: unknown, location: RegionLocation): void {
    const reason = retryReason(error);
    if (reason === "relocate") this.context.locator.invalidateLocation(this.name, location);
    else if (reason === "connection") this.context.locator.invalidateServer(location.server);
  }

  /**
   * Actions on many rows: one Multi per region server (a RegionAction per region, actions in the order
   * given), the failed actions re-located and sent again while their failures are retriable.
   * Resolves with each action's Result, in the order of `items`.
   */
  private async batch(items: readonly BatchItem[]): Promise<(WireResult | undefined)[]> {
    const results = new Array<WireResult | undefined>(items.length);
    let pending = items.map((_, i) => i);
    await withRetries(this.scope, () => items[pending[0]!]?.row, async (_n, deadline) => {
      // region name → its location and action indexes; grouped by server. A row inside the region of
      // the row before it (sorted runs) needs no lookup; the region's group is found by the location
      // object (the locator's cache hands out one per region) before its name bytes.
      const byServer = new Map<string, { location: RegionLocation; regions: Map<string, { location: RegionLocation; indexes: number[] }> }>();
      const byLocation = new Map<RegionLocation, { location: RegionLocation; indexes: number[] }>();
      let last: { location: RegionLocation; indexes: number[] } | undefined;
      for (const i of pending) {
        const row = items[i]!.row;
        if (last !== undefined && regionContains(last.location, row)) {
          last.indexes.push(i);
          continue;
        }
        const location = await this.context.locator.locate(this.name, row, deadline);
        let region = byLocation.get(location);
        if (region === undefined) {
          const serverKey = `${location.server.host}:${location.server.port}`;
          let server = byServer.get(serverKey);
          if (server === undefined) byServer.set(serverKey, (server = { location, regions: new Map() }));
          const regionKey = bytesKey(location.name);
          region = server.regions.get(regionKey);
          if (region === undefined) server.regions.set(regionKey, (region = { location, indexes: [] }));
          byLocation.set(location, region);
        }
        region.indexes.push(i);
        last = region;
      }
      const failed: number[] = [];
      let retriable: unknown;
      let final: unknown;
      await Promise.all(
        [...byServer.values()].flatMap(({ location, regions }) => chunksOf(regions, (i) => items[i]!.row).map((regionList) => ({ location, regionList }))).map(async ({ location, regionList }) => {
          const request: MultiRequest = {
            regionAction: regionList.map(
              (r): RegionAction => ({ region: regionSpecifier(r.location), action: r.indexes.map((index) => ({ index, ...items[index]!.action })) }),
            ),
          };
          let response: MultiResponse;
          try {
            response = await this.context.servers.call<MultiResponse>(location.server, "ClientService", "Multi", request);
          } catch (error) {
            this.forget(error, location);
            if (retryReason(error) === undefined) final ??= error;
            else retriable = error;
            for (const r of regionList) failed.push(...r.indexes);
            return;
          }
          regionList.forEach((r, k) => {
            const answer = response.regionActionResult?.[k];
            const onFailure = (error: HBaseRemoteError, indexes: readonly number[]) => {
              if (retryReason(error) === undefined) final ??= error;
              else {
                retriable = error;
                this.context.locator.invalidateLocation(this.name, r.location);
              }
              failed.push(...indexes);
            };
            if (answer === undefined) {
              onFailure(new HBaseRemoteError({ className: "java.io.IOException" }, "the server answered fewer region actions than sent"), r.indexes);
              return;
            }
            if (answer.exception !== undefined) {
              onFailure(remoteErrorOfPair(answer.exception), r.indexes);
              return;
            }
            const byIndex = new Map((answer.resultOrException ?? []).map((x, pos) => [x.index ?? r.indexes[pos]!, x]));
            for (const index of r.indexes) {
              const x = byIndex.get(index);
              if (x?.exception !== undefined) onFailure(remoteErrorOfPair(x.exception), [index]);
              else results[index] = x?.result;
            }
          });
        }),
      );
      if (final !== undefined) throw final;
      if (failed.length > 0) {
        pending = failed.sort((a, b) => a - b);
        throw retriable ?? new RetriableLookupError("some actions failed");
      }
    });
    return results;
  }
}

/** A string naming `bytes` exactly, for map keys: one char per byte (cheaper than toStringBinary's escapes). */
function bytesKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/**
 * Actions sent to one server in one Multi at most; more go as several Multi calls at once (the server
 * works on them concurrently). All actions of one row stay in one call, in order.
 */
const MAX_ACTIONS_PER_MULTI = 200;

/** A server's region actions cut into Multi calls of at most {@link MAX_ACTIONS_PER_MULTI} actions, rows kept whole. */
function chunksOf(
  regions: Map<string, { location: RegionLocation; indexes: number[] }>,
  rowOf: (index: number) => Uint8Array,
): { location: RegionLocation; indexes: number[] }[][] {
  const chunks: { location: RegionLocation; indexes: number[] }[][] = [];
  let current: { location: RegionLocation; indexes: number[] }[] = [];
  let size = 0;
  for (const region of regions.values()) {
    if (size + region.indexes.length <= MAX_ACTIONS_PER_MULTI) {
      current.push(region);
      size += region.indexes.length;
      continue;
    }
    // a big region: its rows (each with all its actions, in order) fill the calls
    const byRow = new Map<string, number[]>();
    for (const i of region.indexes) {
      const key = bytesKey(rowOf(i));
      let list = byRow.get(key);
      if (list === undefined) byRow.set(key, (list = []));
      list.push(i);
    }
    let part: number[] = [];
    for (const indexes of byRow.values()) {
      if (size + part.length + indexes.length > MAX_ACTIONS_PER_MULTI && size + part.length > 0) {
        if (part.length > 0) current.push({ location: region.location, indexes: part });
        chunks.push(current);
        current = [];
        size = 0;
        part = [];
      }
      part.push(...indexes);
    }
    if (part.length > 0) {
      current.push({ location: region.location, indexes: part });
      size += part.length;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function latestValue(result: Result | undefined): Uint8Array | undefined {
  return result?.cells[0]?.value;
}
