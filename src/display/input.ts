/**
 * `input()` and `password()`: ask the notebook user for a line of text (Jupyter's stdin channel).
 * The kernel installs a resolver returning the sink of the running cell — the same pattern as
 * display-sink.ts — so this module never imports the kernel. Outside a kernel there is nobody to ask,
 * and both functions reject with an error saying so.
 */
import { describe } from "./mime-bundles.js";

/** Where input requests go: the running cell's request (the kernel's CellOutput fits this shape). */
export interface InputSink {
  /**
   * Sends an input_request and resolves with the user's reply. Rejects when the frontend does not
   * accept input (allow_stdin false).
   */
  input(prompt: string, password: boolean): Promise<string>;
}

/** A function finding the current cell's input sink; undefined when no cell is running. */
export type InputSinkResolver = () => InputSink | undefined;

const RESOLVER_KEY = Symbol.for("sluice.input.sinkResolver");

/** Installs the function that finds the current cell's input sink (called once by the kernel). */
export function setInputSinkResolver(resolver: InputSinkResolver): void {
  (globalThis as Record<symbol, unknown>)[RESOLVER_KEY] = resolver;
}

/** The current cell's input sink, or undefined outside a kernel. */
export function currentInputSink(): InputSink | undefined {
  const resolver = (globalThis as Record<symbol, unknown>)[RESOLVER_KEY] as InputSinkResolver | undefined;
  return resolver?.();
}

/** Asks the user for a line of text; resolves with what they typed (without the newline). */
export function input(prompt = ""): Promise<string> {
  return ask(prompt, false, "input");
}

/** Like {@link input}, but the frontend hides what is typed. */
export function password(prompt = ""): Promise<string> {
  return ask(prompt, true, "password");
}

async function ask(prompt: unknown, hidden: boolean, what: string): Promise<string> {
  if (typeof prompt !== "string") throw new TypeError(`${what}(prompt): the prompt must be a string, got ${describe(prompt)}`);
  const sink = currentInputSink();
  if (!sink) {
    throw new Error(`${what}() needs a running Jupyter kernel cell to ask the user; it was called outside one (for example from a plain Node script)`);
  }
  return sink.input(prompt, hidden);
}
