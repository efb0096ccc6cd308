/**
 * Row-key builders in one import: sortable fixed-width numbers, composite keys, salting and reverse
 * timestamps. Each lives in its own module; see those for the byte formats.
 */
export { sortableDouble, sortableInt32, sortableInt64 } from "./sortable-numbers.js";
export { compositeKey, compositeKeyOf } from "./composite-key.js";
export type { CodecInputs, CodecValues, CompositeKey, TypedCompositeKey } from "./composite-key.js";
export { fnv1a32, saltedKeys } from "./salted-keys.js";
export type { SaltedKeys, SaltedScanRange, SaltedScanSpec } from "./salted-keys.js";
export { reverseTimestamp } from "./reverse-timestamp.js";
