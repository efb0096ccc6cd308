/**
 * The record types a schema gives, inferred from the schema literal: what typed reads yield
 * ({@link RecordOf}) and what typed writes accept ({@link RecordInput}).
 */
import type { CodecInput, CodecValue } from "../bytes/value-codecs.js";
import type { FamilySchema, SchemaSpec } from "./schema-spec.js";

/** Flattens an intersection into one object type (for readable hovers). */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** One family as read: every qualifier optional (absent when the row has no such column). */
export type FamilyRecordOf<F extends FamilySchema> = { -readonly [Q in keyof F]?: CodecValue<F[Q]> };

/** One family as written: every qualifier optional (an omitted field writes nothing). */
export type FamilyInputOf<F extends FamilySchema> = { -readonly [Q in keyof F]?: CodecInput<F[Q]> };

/**
 * A record as typed gets and scans yield it: `rowKey` and one object per family of the schema (always
 * present, empty when the row has no cells in that family), with the qualifiers the row has.
 * For `{ rowKey: "string", families: { d: { price: "double", bidder: "int64" } } }`:
 * `{ rowKey: string; d: { price?: number; bidder?: bigint } }`.
 */
export type RecordOf<S extends SchemaSpec> = Simplify<
  { rowKey: CodecValue<S["rowKey"]> } & { -readonly [F in keyof S["families"]]: FamilyRecordOf<S["families"][F]> }
>;

/**
 * A record as typed puts accept it: `rowKey` required; families and their fields optional (what is
 * omitted or `undefined` is not written; existing cells stay). "int64" fields also take safe-integer numbers.
 */
export type RecordInput<S extends SchemaSpec> = Simplify<
  { rowKey: CodecInput<S["rowKey"]> } & { -readonly [F in keyof S["families"]]?: FamilyInputOf<S["families"][F]> }
>;

/** The row key's type, as typed reads yield it and row bounds take it. */
export type RowKeyOf<S extends SchemaSpec> = CodecInput<S["rowKey"]>;
