/**
 * ZooKeeper znode envelope (meta-region-server, master) and hbase:meta rows (region names,
 * info:regioninfo, info:server, info:serverstartcode).
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeRegionInfoCell,
  decodeServerCell,
  decodeStartCodeCell,
  encodedRegionName,
  encodeRegionInfoCell,
  encodeServerCell,
  encodeStartCodeCell,
  META_REGION_NAME,
  MetaFormatError,
  metaSearchKey,
  metaStopKey,
  parseRegionName,
  regionName,
  regionNameOf,
  tableNameFromString,
  tableNameToString,
} from "../../src/hbase/wire/meta-row.js";
import { decodeMaster, decodeMetaRegionServer, decodeZnode, encodeMaster, encodeMetaRegionServer, encodeZnode, ZnodeFormatError } from "../../src/hbase/wire/zk-envelope.js";

const b = (s: string) => new TextEncoder().encode(s);
const text = (u: Uint8Array) => new TextDecoder().decode(u);

describe("zookeeper znode envelope", () => {
  it("writes 0xFF | int32 id length | id | PBUF | protobuf", () => {
    const data = encodeMetaRegionServer({ server: { host_name: "h", port: 16020, start_code: 7n }, rpc_version: 0 }, "123@h");
    expect(data[0]).toBe(0xff);
    expect(new DataView(data.buffer).getInt32(1, false)).toBe(5);
    expect(text(data.subarray(5, 10))).toBe("123@h");
    expect(text(data.subarray(10, 14))).toBe("PBUF");
    expect(decodeMetaRegionServer(data)).toEqual({ id: "123@h", server: { host_name: "h", port: 16020, start_code: 7n }, rpc_version: 0 });
  });

  it("round-trips Master", () => {
    const data = encodeMaster({ master: { host_name: "127.0.0.1", port: 16000, start_code: 1_700_000_000_000n } }, "9@x");
    expect(decodeMaster(data)).toEqual({ id: "9@x", master: { host_name: "127.0.0.1", port: 16000, start_code: 1_700_000_000_000n } });
  });

  it("round-trips any payload and id (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array(), (id, payload) => {
        const back = decodeZnode(encodeZnode(payload, id));
        expect(back.id).toBe(id);
        expect([...back.payload]).toEqual([...payload]);
      }),
    );
  });

  it("refuses data that is not the envelope", () => {
    expect(() => decodeZnode(new Uint8Array())).toThrow(ZnodeFormatError);
    expect(() => decodeZnode(Uint8Array.of(0x00, 0, 0, 0, 0, 0x50, 0x42, 0x55, 0x46))).toThrow(/0xFF magic/);
    expect(() => decodeZnode(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff))).toThrow(/bad id length -1/);
    expect(() => decodeZnode(Uint8Array.of(0xff, 0, 0, 0, 9, 1))).toThrow(/bad id length 9/);
    expect(() => decodeZnode(Uint8Array.of(0xff, 0, 0, 0, 0, 0x50, 0x42))).toThrow(/PBUF/);
    expect(() => decodeMetaRegionServer(encodeZnode(Uint8Array.of(0x08, 0x01), "x"))).toThrow(/not a MetaRegionServer/);
  });
});

describe("hbase:meta rows", () => {
  it("builds region names as <table>,<startKey>,<id>.<md5 of the first part>.", () => {
    const name = regionName("t1", b("row5"), 1_700_000_000_000n);
    const first = "t1,row5,1700000000000";
    const md5 = createHash("md5").update(first).digest("hex");
    expect(text(name)).toBe(`${first}.${md5}.`);
    expect(encodedRegionName(b(first))).toBe(md5);
    // the default namespace is left out, others are kept
    expect(text(regionName("default:t1", new Uint8Array(), 1))).toMatch(/^t1,,1\.[0-9a-f]{32}\.$/);
    expect(text(regionName("ns:t1", new Uint8Array(), 1))).toMatch(/^ns:t1,,1\.[0-9a-f]{32}\.$/);
    expect(text(regionName(tableNameFromString("ns:t1"), b("a"), 2))).toMatch(/^ns:t1,a,2\./);
  });

  it("names hbase:meta's own region hbase:meta,,1", () => {
    expect(text(META_REGION_NAME)).toBe("hbase:meta,,1");
    expect(text(regionNameOf({ region_id: 1n, table_name: tableNameFromString("hbase:meta") }))).toBe("hbase:meta,,1");
    expect(parseRegionName(META_REGION_NAME)).toEqual({ table: "hbase:meta", startKey: new Uint8Array(), regionId: 1n });
    expect(text(regionNameOf({ region_id: 3n, table_name: tableNameFromString("t"), start_key: b("k") }))).toMatch(/^t,k,3\.[0-9a-f]{32}\.$/);
  });

  it("parses region names back, with commas and dots in the start key (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("t", "ns:table_1", "a.b"),
        fc.uint8Array({ maxLength: 20 }),
        fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
        (table, startKey, id) => {
          const parsed = parseRegionName(regionName(table, startKey, id));
          expect(parsed.table).toBe(table);
          expect([...parsed.startKey]).toEqual([...startKey]);
          expect(parsed.regionId).toBe(id);
          expect(parsed.encodedName).toMatch(/^[0-9a-f]{32}$/);
        },
      ),
    );
    const tricky = regionName("t", b("a,b.c,"), 42n);
    expect(text(parseRegionName(tricky).startKey)).toBe("a,b.c,");
  });

  it("refuses what is not a region name", () => {
    expect(() => parseRegionName(b("nocomma"))).toThrow(MetaFormatError);
    expect(() => parseRegionName(b("t,onlyone"))).toThrow(MetaFormatError);
    expect(() => parseRegionName(b("t,k,notanumber"))).toThrow(/bad region id/);
    expect(() => parseRegionName(b("t,k,1.zzzz."))).toThrow(/suffix/);
    const good = text(regionName("t", b("k"), 1));
    expect(() => parseRegionName(b(good.replace(/[0-9a-f](?=\.$)/, (c) => (c === "0" ? "1" : "0"))))).toThrow(/does not match/);
  });

  it("gives the meta search key and the reversed scan's stop row", () => {
    expect(text(metaSearchKey("t1", b("row")))).toBe("t1,row,99999999999999");
    expect(text(metaStopKey("t1"))).toBe("t1,,");
    expect(text(metaSearchKey("ns:t", new Uint8Array()))).toBe("ns:t,,99999999999999");
    // the search key sorts after every region row of that table starting at or before the row
    const rows = [regionName("t1", b(""), 1), regionName("t1", b("m"), 2), regionName("t1", b("row"), 3)];
    for (const r of rows) expect(Buffer.compare(Buffer.from(r), Buffer.from(metaSearchKey("t1", b("row"))))).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from(regionName("t1", b("rox"), 1)), Buffer.from(metaSearchKey("t1", b("row"))))).toBeGreaterThan(0);
  });

  it("converts table names", () => {
    expect(tableNameToString(tableNameFromString("t"))).toBe("t");
    expect(text(tableNameFromString("t").namespace)).toBe("default");
    expect(tableNameToString(tableNameFromString("hbase:meta"))).toBe("hbase:meta");
  });

  it("encodes info:regioninfo as PBUF + RegionInfo, info:server as host:port, info:serverstartcode as int64", () => {
    const info = { region_id: 1_700_000_000_000n, table_name: tableNameFromString("t1"), start_key: b("a"), end_key: b("m") };
    const cell = encodeRegionInfoCell(info);
    expect(text(cell.subarray(0, 4))).toBe("PBUF");
    expect(decodeRegionInfoCell(cell)).toEqual(info);
    expect(() => decodeRegionInfoCell(Uint8Array.of(1, 2, 3, 4, 5))).toThrow(/PBUF/);
    expect(() => decodeRegionInfoCell(b("PBUF\x0a"))).toThrow(MetaFormatError);
    expect(text(encodeServerCell("localhost", 16020))).toBe("localhost:16020");
    expect(decodeServerCell(b("localhost:16020"))).toEqual({ host: "localhost", port: 16020 });
    expect(decodeServerCell(b("[::1]:16020"))).toEqual({ host: "::1", port: 16020 });
    for (const bad of ["nohost", ":1", "h:0", "h:70000", "h:1x", "h:"]) expect(() => decodeServerCell(b(bad))).toThrow(MetaFormatError);
    expect([...encodeStartCodeCell(1)]).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(decodeStartCodeCell(encodeStartCodeCell(1_700_000_000_000n))).toBe(1_700_000_000_000n);
    expect(() => decodeStartCodeCell(Uint8Array.of(1))).toThrow(MetaFormatError);
  });
});
