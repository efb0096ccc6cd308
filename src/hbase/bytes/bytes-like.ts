/** Bytes, or a string taken as UTF-8 (HBase's `Bytes.toBytes(String)`). */
export type BytesLike = Uint8Array | string;
