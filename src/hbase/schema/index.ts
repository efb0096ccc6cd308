/** Typed table schemas: the schema literal, record types, the typed table view and their errors. */
export { schema } from "./schema.js";
export type { FamilySchema, SchemaSpec } from "./schema-spec.js";
export { validateSchema, ROW_KEY_FIELD } from "./validate-schema.js";
export type { FamilyInputOf, FamilyRecordOf, RecordInput, RecordOf, RowKeyOf } from "./record-types.js";
export { RecordCodec } from "./record-codec.js";
export type { DecodeOptions } from "./record-codec.js";
export { SchemaDecodeError, shortHex } from "./schema-decode-error.js";
export type { DecodeErrorCoordinates } from "./schema-decode-error.js";
export { RecordEncodeError } from "./record-encode-error.js";
export { sameSchema } from "./same-schema.js";
export { TypedTable, typedTable, typedTableOf } from "./typed-table.js";
export type { TypedGetOptions, TypedPutOptions, TypedReadOptions, TypedScanOptions } from "./typed-table.js";
