/**
 * hbase:meta as the endpoint answers it: one row per served user region (`info:regioninfo`,
 * `info:server`, `info:serverstartcode`), sorted by region name, with the two lookups clients use:
 * closest-row-before (1.x) and range scans, forward and reversed (2.x locates regions with a reversed
 * scan from `<table>,<row>,99999999999999`).
 */
import { compareBytes } from "../bytes/bytes.js";
import type { Cell } from "../model/cell.js";
import type { RowResult } from "../model/row-result.js";
import {
  encodeRegionInfoCell,
  encodeServerCell,
  encodeStartCodeCell,
  INFO_FAMILY,
  REGIONINFO_QUALIFIER,
  SERVER_QUALIFIER,
  SERVERSTARTCODE_QUALIFIER,
  tableNameFromString,
} from "../wire/meta-row.js";
import type { Column } from "../wire/hbase-protos.js";
import type { ServedRegion } from "./region-directory.js";

/** Where the regions are served. */
export interface MetaServer {
  readonly host: string;
  readonly port: number;
  /** The server's start code (ms since the epoch); also the meta cells' timestamp. */
  readonly startCode: number;
}

/** The meta rows of `regions`, sorted by row key. */
export function metaRows(regions: readonly ServedRegion[], server: MetaServer): RowResult[] {
  const rows = regions.map((r): RowResult => {
    const cell = (qualifier: Uint8Array, value: Uint8Array): Cell => ({
      row: r.name,
      family: INFO_FAMILY,
      qualifier,
      timestamp: server.startCode,
      type: "put",
      value,
    });
    const info = encodeRegionInfoCell({
      region_id: r.regionId,
      table_name: tableNameFromString(r.table),
      start_key: r.startKey,
      end_key: r.endKey,
      offline: false,
      split: false,
    });
    // qualifier order: regioninfo < server < serverstartcode
    return {
      row: r.name,
      cells: [cell(REGIONINFO_QUALIFIER, info), cell(SERVER_QUALIFIER, encodeServerCell(server.host, server.port)), cell(SERVERSTARTCODE_QUALIFIER, encodeStartCodeCell(server.startCode))],
    };
  });
  return rows.sort((a, b) => compareBytes(a.row, b.row));
}

/** Keeps the cells a Get's or Scan's columns ask for (none = all). */
export function selectColumns(row: RowResult, columns: readonly Column[] | undefined): RowResult | undefined {
  if (!columns || columns.length === 0) return row;
  const cells = row.cells.filter((c) =>
    columns.some(
      (col) => compareBytes(col.family, c.family) === 0 && ((col.qualifier ?? []).length === 0 || (col.qualifier ?? []).some((q) => compareBytes(q, c.qualifier) === 0)),
    ),
  );
  return cells.length === 0 ? undefined : { row: row.row, cells };
}

/**
 * The row with the greatest key ≤ `key` among the rows of the same table (the part of `key` up to its
 * first comma): HBase 1.x's getClosestRowBefore as region lookups use it.
 */
export function closestRowBefore(rows: readonly RowResult[], key: Uint8Array): RowResult | undefined {
  const comma = key.indexOf(0x2c);
  const prefix = comma < 0 ? key : key.subarray(0, comma + 1);
  let best: RowResult | undefined;
  for (const r of rows) {
    if (compareBytes(r.row, key) > 0) break;
    best = r;
  }
  if (!best) return undefined;
  const head = best.row.subarray(0, prefix.length);
  return compareBytes(head, prefix) === 0 ? best : undefined;
}

/** Bounds of a meta scan, as in HBase's Scan. */
export interface MetaScanRange {
  startRow?: Uint8Array;
  stopRow?: Uint8Array;
  includeStartRow?: boolean;
  includeStopRow?: boolean;
  reversed?: boolean;
}

/** The rows of a meta scan, in scan order. */
export function metaScan(rows: readonly RowResult[], range: MetaScanRange): RowResult[] {
  const start = range.startRow && range.startRow.length > 0 ? range.startRow : undefined;
  const stop = range.stopRow && range.stopRow.length > 0 ? range.stopRow : undefined;
  const inclStart = range.includeStartRow ?? true;
  const inclStop = range.includeStopRow ?? false;
  if (!range.reversed) {
    return rows.filter((r) => {
      if (start) {
        const c = compareBytes(r.row, start);
        if (c < 0 || (c === 0 && !inclStart)) return false;
      }
      if (stop) {
        const c = compareBytes(r.row, stop);
        if (c > 0 || (c === 0 && !inclStop)) return false;
      }
      return true;
    });
  }
  return rows
    .filter((r) => {
      if (start) {
        const c = compareBytes(r.row, start);
        if (c > 0 || (c === 0 && !inclStart)) return false;
      }
      if (stop) {
        const c = compareBytes(r.row, stop);
        if (c < 0 || (c === 0 && !inclStop)) return false;
      }
      return true;
    })
    .reverse();
}
