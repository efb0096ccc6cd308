/**
 * HBase's ZooKeeper znode envelope: `0xFF | int32 BE idLength | id | "PBUF" | protobuf`, where `id`
 * names the process that wrote the znode (HBase writes `pid@host`). `/hbase/meta-region-server` holds a
 * MetaRegionServer, `/hbase/master` a Master.
 */
import { type Master, type MessageCodec, type MetaRegionServer, pb } from "./hbase-protos.js";

/** The envelope's first byte. */
export const ZNODE_MAGIC = 0xff;
/** "PBUF": HBase's marker before protobuf content (also used in hbase:meta's info:regioninfo). */
export const PB_MAGIC = Uint8Array.of(0x50, 0x42, 0x55, 0x46);
/** HBase refuses ids longer than this (ZooKeeper's data limit keeps them far shorter anyway). */
const MAX_ID_LENGTH = 65_536;

/** Znode data that is not HBase's envelope (or not the expected message). */
export class ZnodeFormatError extends Error {
  override readonly name = "ZnodeFormatError";
}

export interface ZnodeContent {
  /** The writer's id, e.g. "12345@host". */
  id: string;
  /** The protobuf bytes after "PBUF". */
  payload: Uint8Array;
}

/** Wraps protobuf bytes in the envelope. */
export function encodeZnode(payload: Uint8Array, id: string): Uint8Array {
  const idBytes = new TextEncoder().encode(id);
  const out = new Uint8Array(1 + 4 + idBytes.length + PB_MAGIC.length + payload.length);
  out[0] = ZNODE_MAGIC;
  new DataView(out.buffer).setInt32(1, idBytes.length, false);
  out.set(idBytes, 5);
  out.set(PB_MAGIC, 5 + idBytes.length);
  out.set(payload, 5 + idBytes.length + PB_MAGIC.length);
  return out;
}

/** Unwraps the envelope; throws `ZnodeFormatError` on anything else. */
export function decodeZnode(data: Uint8Array): ZnodeContent {
  if (data.length < 5 || data[0] !== ZNODE_MAGIC) throw new ZnodeFormatError("znode data does not start with HBase's 0xFF magic");
  const idLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getInt32(1, false);
  if (idLength < 0 || idLength > MAX_ID_LENGTH || 5 + idLength > data.length) {
    throw new ZnodeFormatError(`bad id length ${idLength} in znode data of ${data.length} bytes`);
  }
  const id = new TextDecoder().decode(data.subarray(5, 5 + idLength));
  const rest = data.subarray(5 + idLength);
  if (rest.length < PB_MAGIC.length || !PB_MAGIC.every((b, i) => rest[i] === b)) {
    throw new ZnodeFormatError("znode data has no \"PBUF\" marker after the id");
  }
  return { id, payload: rest.subarray(PB_MAGIC.length) };
}

function decodeAs<T>(codec: MessageCodec<T>, data: Uint8Array): T & { id: string } {
  const { id, payload } = decodeZnode(data);
  try {
    return { ...codec.decode(payload), id };
  } catch (e) {
    throw new ZnodeFormatError(`znode content is not a ${codec.typeName}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The id HBase-like writers use: `pid@hostname`. */
export function defaultZnodeId(hostname: string): string {
  return `${process.pid}@${hostname}`;
}

export function encodeMetaRegionServer(message: MetaRegionServer, id: string): Uint8Array {
  return encodeZnode(pb.MetaRegionServer.encode(message), id);
}

/** The content of `<root>/meta-region-server`, with the writer's id. */
export function decodeMetaRegionServer(data: Uint8Array): MetaRegionServer & { id: string } {
  return decodeAs(pb.MetaRegionServer, data);
}

export function encodeMaster(message: Master, id: string): Uint8Array {
  return encodeZnode(pb.Master.encode(message), id);
}

/** The content of `<root>/master`, with the writer's id. */
export function decodeMaster(data: Uint8Array): Master & { id: string } {
  return decodeAs(pb.Master, data);
}
