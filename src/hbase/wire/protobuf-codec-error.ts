/** The error of HBase message conversion (re-exported by `hbase-protos.ts`). */

/** Bytes that do not decode as the expected message (or a message that cannot be encoded). */
export class ProtobufCodecError extends Error {
  override readonly name = "ProtobufCodecError";
  constructor(
    readonly messageType: string,
    message: string,
  ) {
    super(`${messageType}: ${message}`);
  }
}
