/**
 * The asynchronous context of a running cell. Everything a cell starts — timers, promises, event
 * handlers — inherits it, so output printed later still reaches the cell that scheduled it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { CellOutput } from "../kernel/interpreter.js";

/** What code running on behalf of a cell can reach. */
export interface CellContext {
  /** Output of the request the code belongs to. */
  readonly output: CellOutput;
  /** Traceback label of the cell, e.g. `Cell In[3]`. */
  readonly label: string;
}

/** The store; `cellContext.getStore()` is the current cell's context or undefined (kernel code). */
export const cellContext = new AsyncLocalStorage<CellContext>();
