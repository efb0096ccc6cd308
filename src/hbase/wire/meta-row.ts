/**
 * hbase:meta rows as HBase writes them: the row key of a region (its "region name")
 * `<table>,<startKey>,<regionId>.<md5hex>.`, the `info:regioninfo` cell ("PBUF" + RegionInfo), the
 * `info:server` cell ("host:port") and `info:serverstartcode` (int64 big-endian).
 */
import { createHash } from "node:crypto";
import { pb, type RegionInfo, type TableName } from "./hbase-protos.js";
import { PB_MAGIC } from "./zk-envelope.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** hbase:meta's own region name (old format: no encoded suffix). */
export const META_REGION_NAME = enc.encode("hbase:meta,,1");
export const META_TABLE_NAME = "hbase:meta";
/** HBase's HConstants.NINES: the region id part of a meta search key (above every real id). */
export const META_SEARCH_NINES = "99999999999999";
export const INFO_FAMILY = enc.encode("info");
export const REGIONINFO_QUALIFIER = enc.encode("regioninfo");
export const SERVER_QUALIFIER = enc.encode("server");
export const SERVERSTARTCODE_QUALIFIER = enc.encode("serverstartcode");

/** Meta bytes that are not what HBase writes. */
export class MetaFormatError extends Error {
  override readonly name = "MetaFormatError";
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

const COMMA = Uint8Array.of(0x2c);
const DOT = 0x2e;

// ---------------------------------------------------------------------------------------------------
// Table names

/** A table name as written in meta and in HBase's shell: "qualifier" for the default namespace, else "ns:qualifier". */
export function tableNameToString(name: TableName): string {
  const ns = dec.decode(name.namespace);
  const q = dec.decode(name.qualifier);
  return ns === "default" || ns === "" ? q : `${ns}:${q}`;
}

/** "ns:qualifier" or "qualifier" (namespace "default") as HBase's TableName message. */
export function tableNameFromString(name: string): TableName {
  const i = name.indexOf(":");
  return i < 0
    ? { namespace: enc.encode("default"), qualifier: enc.encode(name) }
    : { namespace: enc.encode(name.slice(0, i)), qualifier: enc.encode(name.slice(i + 1)) };
}

function tableBytes(table: string | TableName): Uint8Array {
  return enc.encode(typeof table === "string" ? tableNameToString(tableNameFromString(table)) : tableNameToString(table));
}

// ---------------------------------------------------------------------------------------------------
// Region names

/** The md5 hex of a region name's first part: the region's "encoded name". */
export function encodedRegionName(firstPart: Uint8Array): string {
  return createHash("md5").update(firstPart).digest("hex");
}

/** `<table>,<startKey>,<regionId>.<md5hex>.` (HBase's RegionInfo.createRegionName, new format). */
export function regionName(table: string | TableName, startKey: Uint8Array, regionId: bigint | number): Uint8Array {
  const first = concat(tableBytes(table), COMMA, startKey, COMMA, enc.encode(BigInt(regionId).toString()));
  return concat(first, enc.encode(`.${encodedRegionName(first)}.`));
}

/** The region name of a RegionInfo (hbase:meta's own is `hbase:meta,,1`). */
export function regionNameOf(info: RegionInfo): Uint8Array {
  if (tableNameToString(info.table_name) === META_TABLE_NAME) return META_REGION_NAME;
  return regionName(info.table_name, info.start_key ?? new Uint8Array(), info.region_id);
}

export interface ParsedRegionName {
  /** "ns:qualifier" or "qualifier". */
  table: string;
  startKey: Uint8Array;
  regionId: bigint;
  /** The md5 hex suffix (absent for old-format names such as hbase:meta's). */
  encodedName?: string;
}

/** Splits a region name (new or old format). Throws `MetaFormatError` if it is not one. */
export function parseRegionName(name: Uint8Array): ParsedRegionName {
  const first = name.indexOf(0x2c);
  const last = name.lastIndexOf(0x2c);
  if (first <= 0 || last === first) throw new MetaFormatError(`not a region name: ${JSON.stringify(dec.decode(name))}`);
  let idPart = name.subarray(last + 1);
  let encodedName: string | undefined;
  if (idPart.length > 0 && idPart[idPart.length - 1] === DOT) {
    const dot = idPart.indexOf(DOT);
    const suffix = dec.decode(idPart.subarray(dot + 1, idPart.length - 1));
    if (!/^[0-9a-f]{32}$/.test(suffix)) throw new MetaFormatError(`bad encoded region name suffix: ${JSON.stringify(suffix)}`);
    const firstPart = name.subarray(0, last + 1 + dot);
    if (encodedRegionName(firstPart) !== suffix) throw new MetaFormatError("region name's md5 suffix does not match");
    encodedName = suffix;
    idPart = idPart.subarray(0, dot);
  }
  const idText = dec.decode(idPart);
  if (!/^-?\d+$/.test(idText)) throw new MetaFormatError(`bad region id in region name: ${JSON.stringify(idText)}`);
  return {
    table: dec.decode(name.subarray(0, first)),
    startKey: name.slice(first + 1, last),
    regionId: BigInt(idText),
    ...(encodedName === undefined ? {} : { encodedName }),
  };
}

/**
 * The key at which to look a row's region up in meta: `<table>,<row>,99999999999999`. A 1.x client
 * sends it as a closest_row_before Get; a 2.x client starts a reversed scan there (inclusive).
 */
export function metaSearchKey(table: string | TableName, row: Uint8Array): Uint8Array {
  return concat(tableBytes(table), COMMA, row, COMMA, enc.encode(META_SEARCH_NINES));
}

/** The stop row of that reversed scan: `<table>,,` (below every region of the table). */
export function metaStopKey(table: string | TableName): Uint8Array {
  return concat(tableBytes(table), COMMA, COMMA);
}

// ---------------------------------------------------------------------------------------------------
// Cells

/** `info:regioninfo`: "PBUF" + RegionInfo. */
export function encodeRegionInfoCell(info: RegionInfo): Uint8Array {
  return concat(PB_MAGIC, pb.RegionInfo.encode(info));
}

/** Decodes `info:regioninfo`; throws `MetaFormatError` without "PBUF" (pre-0.96 Writable format) or on bad bytes. */
export function decodeRegionInfoCell(value: Uint8Array): RegionInfo {
  if (value.length < 4 || !PB_MAGIC.every((b, i) => value[i] === b)) throw new MetaFormatError("info:regioninfo does not start with \"PBUF\"");
  try {
    return pb.RegionInfo.decode(value.subarray(4));
  } catch (e) {
    throw new MetaFormatError(`info:regioninfo: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `info:server`: "host:port" in ASCII. */
export function encodeServerCell(host: string, port: number): Uint8Array {
  return enc.encode(`${host}:${port}`);
}

/** Decodes `info:server` ("host:port"; an IPv6 host may be bracketed). */
export function decodeServerCell(value: Uint8Array): { host: string; port: number } {
  const text = dec.decode(value);
  const i = text.lastIndexOf(":");
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535 || !/^\d+$/.test(text.slice(i + 1))) {
    throw new MetaFormatError(`info:server is not host:port: ${JSON.stringify(text)}`);
  }
  let host = text.slice(0, i);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}

/** `info:serverstartcode`: int64 big-endian. */
export function encodeStartCodeCell(startCode: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(startCode), false);
  return out;
}

export function decodeStartCodeCell(value: Uint8Array): bigint {
  if (value.length !== 8) throw new MetaFormatError(`info:serverstartcode is ${value.length} bytes, not 8`);
  return new DataView(value.buffer, value.byteOffset, 8).getBigInt64(0, false);
}
