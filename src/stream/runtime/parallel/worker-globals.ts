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

/**
 * The notebook kernel's runtime object: its compiler puts an interrupt check (`__sluice.interruptFlag`,
 * `__sluice.interrupted()`) into every loop of cell code. Workers get a stand-in whose flag never
 * rises (an interrupt stops the job from the main thread instead).
 */
export const KERNEL_RUNTIME_GLOBAL = "__sluice";
