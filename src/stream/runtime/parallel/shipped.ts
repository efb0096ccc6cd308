/**
 * Values on their way to a worker thread. Functions cannot be transferred, so they travel as source
 * text and are rebuilt there; built-ins (aggregates, assigners, triggers) travel as their factory call;
 * output tags as numbers the main thread maps back; everything else by structured clone.
 */

/** A value shipped to a worker. */
export type Shipped =
  /** A structured-cloneable value, as it is. */
  | { readonly t: "value"; readonly value: unknown }
  /** A function: an expression evaluating to it (rebuilt in the scope of the captures). */
  | { readonly t: "function"; readonly source: string }
  /** A plain object some of whose properties need shipping. */
  | { readonly t: "object"; readonly props: readonly (readonly [string, Shipped])[] }
  /** An array some of whose items need shipping. */
  | { readonly t: "array"; readonly items: readonly Shipped[] }
  /** A built-in: its factory called again with these arguments. */
  | { readonly t: "builtin"; readonly factory: string; readonly args: readonly Shipped[] }
  /** An output tag (index into the job's tag table). */
  | { readonly t: "tag"; readonly index: number };

/** The captures of a job: names bound in the scope every shipped function is rebuilt in. */
export type ShippedCaptures = readonly (readonly [string, Shipped])[];
