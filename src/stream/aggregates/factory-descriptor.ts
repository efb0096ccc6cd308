/**
 * Which factory made a built-in (aggregate, window assigner, trigger) and with which arguments, so
 * parallel execution can rebuild the same object in a worker thread (closures cannot be transferred;
 * a factory call with shippable arguments can). Kept in a WeakMap, out of the objects' own shape.
 */

/** A factory call: its exported name and arguments (functions among them are shipped by source). */
export interface FactoryDescriptor {
  readonly factory: string;
  readonly args: readonly unknown[];
}

const descriptors = new WeakMap<object, FactoryDescriptor>();

/** Records that `value` is what `factory(...args)` returns; returns `value`. */
export function describedAs<T extends object>(value: T, factory: string, args: readonly unknown[]): T {
  descriptors.set(value, { factory, args });
  return value;
}

/** The factory call that made `value`, if it is a built-in. */
export function factoryDescriptorOf(value: unknown): FactoryDescriptor | undefined {
  return typeof value === "object" && value !== null ? descriptors.get(value) : undefined;
}
