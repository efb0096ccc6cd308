/**
 * Routes what code writes to the console and to process.stdout/stderr into `stream` output of the
 * cell whose asynchronous context it runs in (see cell-context.ts). Writes made outside any cell
 * (the kernel's own logging) keep going to the process's real streams.
 */
import { Console } from "node:console";
import { cellContext } from "./cell-context.js";

type Write = typeof process.stdout.write;

/** The process's original write functions, for the kernel's own logging. */
export const originalStdoutWrite: Write = process.stdout.write.bind(process.stdout);
export const originalStderrWrite: Write = process.stderr.write.bind(process.stderr);

let installed = false;

function routed(name: "stdout" | "stderr", fallback: Write): Write {
  return function write(this: unknown, chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean {
    const ctx = cellContext.getStore();
    if (!ctx) return (fallback as (...a: unknown[]) => boolean)(chunk, encodingOrCb, cb);
    const text =
      typeof chunk === "string"
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(typeof encodingOrCb === "string" ? (encodingOrCb as BufferEncoding) : "utf8");
    ctx.output.stream(name, text);
    const callback = typeof encodingOrCb === "function" ? encodingOrCb : cb;
    if (typeof callback === "function") queueMicrotask(() => (callback as () => void)());
    return true;
  } as Write;
}

/**
 * Installs the routing once per process: replaces `process.stdout.write`, `process.stderr.write`
 * and the global `console` (a Console over the routed streams, so console.log/info/debug go to
 * stdout and console.warn/error/trace to stderr, as in Node).
 */
export function installOutputCapture(): void {
  if (installed) return;
  installed = true;
  process.stdout.write = routed("stdout", originalStdoutWrite);
  process.stderr.write = routed("stderr", originalStderrWrite);
  const cellConsole = new Console({ stdout: process.stdout, stderr: process.stderr, colorMode: false });
  Object.defineProperty(globalThis, "console", { value: cellConsole, writable: true, configurable: true, enumerable: false });
}

/** Writes a line to the kernel's log (the process's real stderr), whatever context is current. */
export function kernelLog(message: string): void {
  originalStderrWrite(`[sluice] ${message}\n`);
}
