/**
 * The independent check: hbase-rpc-client (npm, CoffeeScript on protobufjs 2, written against real
 * HBase) used in isolation, compared with Sluice's wire layer — its preamble and connection header
 * bytes, its protobuf encoding of a GetRequest, its Connection class calling Sluice's RPC server
 * (pipelined Gets, an exception), its ZooKeeper meta decoding of Sluice's envelope, and its region
 * names.
 */
import { createRequire } from "node:module";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HBaseExceptions, HBaseRemoteError } from "../../src/hbase/wire/errors.js";
import { CellType, pb } from "../../src/hbase/wire/hbase-protos.js";
import { regionName } from "../../src/hbase/wire/meta-row.js";
import { decodeConnectionHeader, encodePreamble, FrameDecoder, parseRequest } from "../../src/hbase/wire/rpc-framing.js";
import { RpcServer, typedService } from "../../src/hbase/wire/rpc-server.js";
import { encodeMetaRegionServer } from "../../src/hbase/wire/zk-envelope.js";

const require = createRequire(import.meta.url);
// hbase-rpc-client's modules expect camel-cased fields from its own protobufjs 2 (its client.js sets this)
const theirProtobuf = require(require.resolve("protobufjs", { paths: [require.resolve("hbase-rpc-client/lib/connection.js")] })) as {
  convertFieldsToCamelCase: boolean;
  loadProtoFile(path: string): { build(): Record<string, new (fields: unknown) => { toBuffer(): Buffer }> };
};
theirProtobuf.convertFieldsToCamelCase = true;

interface TheirConnection {
  on(event: "connect" | "close", listener: () => void): void;
  rpc: { Get(req: unknown, done: (err: unknown, res: TheirGetResponse | undefined) => void): void };
  socket: net.Socket;
}
interface TheirGetResponse {
  result: { cell: Array<{ row: { toBuffer(): Buffer }; value: { toBuffer(): Buffer }; timestamp: { toString(): string } }> } | null;
}
const TheirConnectionClass = require("hbase-rpc-client/lib/connection.js") as new (options: Record<string, unknown>) => TheirConnection;
const theirZk = require("hbase-rpc-client/lib/zk-protobuf.js") as { decodeMeta(data: Buffer): { server: { hostName: string; port: number } } };
const TheirClient = require("hbase-rpc-client/lib/client.js") as { prototype: { createRegionName(table: string, startKey: Buffer | null, id: string, newFormat: boolean): Buffer } };
const theirProto = theirProtobuf.loadProtoFile(require.resolve("hbase-rpc-client/proto/Client.proto")).build();

const b = (s: string) => new TextEncoder().encode(s);
const text = (u: Uint8Array) => new TextDecoder().decode(u);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function theirConnection(port: number): Promise<TheirConnection> {
  const c = new TheirConnectionClass({ host: "127.0.0.1", port, effectiveUser: "their-user", callTimeout: 5000, tcpNoDelay: true, tcpKeepAlive: false });
  cleanups.push(() => void c.socket.destroy());
  return new Promise((resolve) => c.on("connect", () => resolve(c)));
}

describe("hbase-rpc-client as an independent check", () => {
  it("sends the same preamble, a connection header and request frames Sluice parses", async () => {
    const received: Buffer[] = [];
    const raw = net.createServer((s) => {
      s.on("data", (d) => received.push(d));
      s.on("error", () => {});
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => raw.close(() => r())));
    const c = await theirConnection((raw.address() as net.AddressInfo).port);
    c.rpc.Get({ region: { type: "REGION_NAME", value: Buffer.from("t,,1") }, gxt: { row: Buffer.from("r1"), column: [{ family: Buffer.from("f") }] } }, () => {});
    const deadline = Date.now() + 2000;
    let units: ReturnType<FrameDecoder["push"]> = [];
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        units = new FrameDecoder({ expectPreamble: true }).push(Buffer.concat(received));
      } catch {
        units = [];
      }
      if (units.length >= 3) break;
    }
    const all = Buffer.concat(received);
    expect([...all.subarray(0, 6)]).toEqual([...encodePreamble()]);
    expect(units[0]).toEqual({ kind: "preamble", version: 0, authCode: 0x50 });
    if (units[1]?.kind !== "frame" || units[2]?.kind !== "frame") throw new Error("no frames received");
    expect(decodeConnectionHeader(units[1].payload)).toEqual({ user_info: { effective_user: "their-user" }, service_name: "ClientService" });
    const req = parseRequest(units[2].payload);
    expect(req.header).toMatchObject({ method_name: "Get", request_param: true });
    const get = pb.GetRequest.decode(req.param!);
    expect(text(get.region.value)).toBe("t,,1");
    expect(get.region.type).toBe(1);
    expect(text(get.get.row)).toBe("r1");
    expect(get.get.column?.map((col) => text(col.family))).toEqual(["f"]);
  });

  it("encodes a GetRequest byte for byte as its protobufjs 2 does", () => {
    const theirs = new theirProto.GetRequest!({
      region: { type: "REGION_NAME", value: Buffer.from("t1,,1.abc.") },
      gxt: { row: Buffer.from("row"), column: [{ family: Buffer.from("f"), qualifier: [Buffer.from("q1"), Buffer.from("q2")] }], timeRange: { from: 10, to: 20 }, maxVersions: 3 },
    }).toBuffer();
    // protobufjs 2 writes fields that have defaults explicitly: set them here too
    const ours = pb.GetRequest.encode({
      region: { type: 1, value: b("t1,,1.abc.") },
      get: {
        row: b("row"),
        column: [{ family: b("f"), qualifier: [b("q1"), b("q2")] }],
        time_range: { from: 10n, to: 20n },
        max_versions: 3,
        cache_blocks: true,
        existence_only: false,
        closest_row_before: false,
      },
    });
    expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(theirs).toString("hex"));
  });

  it("calls Sluice's RPC server: pipelined Gets answered, and an exception delivered", async () => {
    const server = await RpcServer.start({
      services: {
        ClientService: typedService("ClientService", {
          async Get(req) {
            const row = text(req.get.row);
            if (row === "missing-region") throw new HBaseRemoteError({ className: HBaseExceptions.NotServingRegionException }, "not here");
            await new Promise((r) => setTimeout(r, (row.charCodeAt(row.length - 1) % 7) * 5));
            return { result: { cell: [{ row: req.get.row, family: b("f"), qualifier: b("q"), timestamp: 1_700_000_000_000n, cell_type: CellType.PUT, value: b(`value of ${row}`) }] } };
          },
        }),
      },
    });
    cleanups.push(() => server.close());
    const c = await theirConnection(server.port);
    const get = (row: string) =>
      new Promise<{ err: unknown; res: TheirGetResponse | undefined }>((resolve) =>
        c.rpc.Get({ region: { type: "REGION_NAME", value: Buffer.from("t,,1") }, gxt: { row: Buffer.from(row) } }, (err, res) => resolve({ err, res })),
      );
    const rows = Array.from({ length: 20 }, (_, i) => `row-${i}`);
    const answers = await Promise.all(rows.map(get));
    answers.forEach(({ err, res }, i) => {
      expect(err).toBeFalsy();
      const cell = res!.result!.cell[0]!;
      expect(cell.row.toBuffer().toString()).toBe(rows[i]);
      expect(cell.value.toBuffer().toString()).toBe(`value of ${rows[i]}`);
      expect(cell.timestamp.toString()).toBe("1700000000000");
    });
    const failed = await get("missing-region");
    expect(failed.res).toBeUndefined();
    expect((failed.err as { exceptionClassName: string }).exceptionClassName).toBe("org.apache.hadoop.hbase.NotServingRegionException");
  });

  it("reads Sluice's meta-region-server znode", () => {
    const data = encodeMetaRegionServer({ server: { host_name: "127.0.0.1", port: 16201, start_code: 5n } }, "1@x");
    const meta = theirZk.decodeMeta(Buffer.from(data));
    expect(meta.server.hostName).toBe("127.0.0.1");
    expect(meta.server.port).toBe(16201);
  });

  it("builds the same region names", () => {
    for (const [table, start, id] of [
      ["t1", "", "1700000000000"],
      ["t1", "row,with,commas", "42"],
      ["ns:t", "m", "1"],
    ] as const) {
      const theirs = TheirClient.prototype.createRegionName(table, start ? Buffer.from(start) : null, id, true);
      expect(text(regionName(table, b(start), BigInt(id)))).toBe(theirs.toString());
    }
  });
});
