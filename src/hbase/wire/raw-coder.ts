/**
 * The untyped shape of a message coder, for the hand-written coders (`result-codecs.ts`,
 * `multi-request-codec.ts`), which `hbase-protos.ts` types as its `MessageCodec<T>`.
 */
export interface RawCoder {
  /** The message's name in the .proto files. */
  readonly typeName: string;
  encode(value: unknown): Uint8Array;
  /** Throws `ProtobufCodecError` on bytes that are not this message. */
  decode(bytes: Uint8Array): unknown;
}
