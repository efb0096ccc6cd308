/**
 * The handle `display()` returns: the display's id and a way to replace what it shows. Lives apart from
 * display-api.ts so format.ts can recognise handles (a cell ending in `display(...)` must not also
 * produce an execute_result) without importing the display functions.
 */
import type { JsonObject } from "../protocol/message.js";

/** Brand put on every handle; `Symbol.for` so copies of this module loaded twice still agree. */
export const DISPLAY_HANDLE_BRAND: unique symbol = Symbol.for("sluice.display.handle");

/** Options of {@link DisplayHandle.update}. */
export interface UpdateOptions {
  /** `true`: the value already is a mime bundle (`{"text/html": "..."}`) and is sent as is. */
  raw?: boolean;
  /** Display metadata, merged over the metadata the formatter produced. */
  metadata?: JsonObject;
}

/** An output that can be replaced later (an `update_display_data` for its display id). */
export interface DisplayHandle {
  /** The display id (`transient.display_id`) of the output. */
  readonly id: string;
  /** Replaces the output everywhere it is shown with `value`, formatted like `display(value)`. */
  update(value: unknown, options?: UpdateOptions): void;
  readonly [DISPLAY_HANDLE_BRAND]: true;
}

/** Whether `value` is a handle returned by `display()` (from any copy of this module). */
export function isDisplayHandle(value: unknown): value is DisplayHandle {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    (value as { [DISPLAY_HANDLE_BRAND]?: unknown })[DISPLAY_HANDLE_BRAND] === true
  );
}
