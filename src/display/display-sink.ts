import type { JsonObject, MimeBundle } from "../protocol/message.js";

/**
 * Where display output goes. The kernel installs a resolver that returns the sink of the cell whose
 * code is running (asynchronous context), so `display()` called from a timer still reaches its cell.
 * The display layer never imports the kernel.
 */
export interface DisplaySink {
  displayData(data: MimeBundle, metadata?: JsonObject, transient?: { display_id?: string }): void;
  updateDisplayData(data: MimeBundle, metadata: JsonObject | undefined, transient: { display_id: string }): void;
  clearOutput(wait: boolean): void;
}

const RESOLVER_KEY = Symbol.for("sluice.display.sinkResolver");

type Resolver = () => DisplaySink | undefined;

/** Installs the function that finds the current cell's sink (called once by the kernel). */
export function setDisplaySinkResolver(resolver: Resolver): void {
  (globalThis as Record<symbol, unknown>)[RESOLVER_KEY] = resolver;
}

/** The current cell's sink, or undefined outside a kernel (plain Node scripts). */
export function currentDisplaySink(): DisplaySink | undefined {
  const resolver = (globalThis as Record<symbol, unknown>)[RESOLVER_KEY] as Resolver | undefined;
  return resolver?.();
}
