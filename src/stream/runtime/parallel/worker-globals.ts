/**
 * The globals a function may use in a worker thread: those of a fresh Node 20 ES-module worker
 * (ECMAScript built-ins, web APIs, Node's `process`, `Buffer`, timers…), listed rather than read from
 * the main thread's `globalThis` — in the notebook kernel a cell's top-level variables live on the
 * global object, and a worker does not have them.
 */

/** Names that resolve in every worker thread. */
export const WORKER_GLOBALS: ReadonlySet<string> = new Set(
  `
  AbortController AbortSignal AggregateError Array ArrayBuffer Atomics BigInt BigInt64Array BigUint64Array
  Blob Boolean BroadcastChannel Buffer ByteLengthQueuingStrategy CompressionStream CountQueuingStrategy
  Crypto CryptoKey CustomEvent DOMException DataView Date DecompressionStream Error EvalError Event
  EventTarget File FinalizationRegistry Float32Array Float64Array FormData Function Headers Infinity
  Int16Array Int32Array Int8Array Intl JSON Map Math MessageChannel MessageEvent MessagePort NaN Number
  Object Performance PerformanceEntry PerformanceMark PerformanceMeasure PerformanceObserver
  PerformanceObserverEntryList PerformanceResourceTiming Promise Proxy RangeError
  ReadableByteStreamController ReadableStream ReadableStreamBYOBReader ReadableStreamBYOBRequest
  ReadableStreamDefaultController ReadableStreamDefaultReader ReferenceError Reflect RegExp Request Response
  Set SharedArrayBuffer String SubtleCrypto Symbol SyntaxError TextDecoder TextDecoderStream TextEncoder
  TextEncoderStream TransformStream TransformStreamDefaultController TypeError URIError URL URLSearchParams
  Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap WeakRef WeakSet WebAssembly WritableStream
  WritableStreamDefaultController WritableStreamDefaultWriter atob btoa clearImmediate clearInterval
  clearTimeout console crypto decodeURI decodeURIComponent encodeURI encodeURIComponent escape eval fetch
  global globalThis isFinite isNaN parseFloat parseInt performance process queueMicrotask setImmediate
  setInterval setTimeout structuredClone undefined unescape
`
    .trim()
    .split(/\s+/),
);

/** Registered globals: name → the source of the function making a worker's stand-in. */
const standIns = new Map<string, string>();

/**
 * Lets functions shipped to worker threads name a global of the main thread that a worker does not
 * have (e.g. a runtime object that a compiler puts into user code): each worker defines `name` as
 * what `create` returns there. `create` travels as its source, so it must be self-contained (no
 * variables from its scope). A name is shipped only while it is also defined on the main thread.
 * @example
 * ```ts
 * registerWorkerGlobal("__runtime", () => Object.freeze({ interruptFlag: new Int32Array(1) }));
 * ```
 */
export function registerWorkerGlobal(name: string, create: () => unknown): void {
  if (typeof name !== "string" || !/^[A-Za-z_$][\w$]*$/.test(name)) throw new TypeError(`registerWorkerGlobal: ${JSON.stringify(name)} is not an identifier`);
  if (typeof create !== "function") throw new TypeError(`registerWorkerGlobal: create must be a function, got ${typeof create}`);
  standIns.set(name, Function.prototype.toString.call(create));
}

/** Whether shipped code may name `name`: registered, and defined on this (the main) thread. */
export function isRegisteredWorkerGlobal(name: string): boolean {
  return standIns.has(name) && name in globalThis;
}

/** The registered stand-ins as `[name, source of create]` pairs, for a new worker's `workerData`. */
export function workerGlobalStandIns(): [string, string][] {
  return [...standIns];
}
