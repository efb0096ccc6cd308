/**
 * The main thread's side of shipping user code to workers: turns functions into source text after
 * checking — when the job starts — that they refer to nothing but their own parameters and locals,
 * JS/Node globals and the job's captures; a clear error names the operator and the variable otherwise.
 */
import { OutputTag } from "../../api/output-tag.js";
import { factoryDescriptorOf } from "../../aggregates/factory-descriptor.js";
import type { Shipped, ShippedCaptures } from "./shipped.js";
import { freeVariables, parseFunction } from "./free-variables.js";
import { isRegisteredWorkerGlobal, WORKER_GLOBALS } from "./worker-globals.js";

/** Where shipping happens (for error messages) and what it may refer to. */
export interface ShipContext {
  /** The job's parallelism (quoted in messages). */
  readonly parallelism: number;
  /** Names of the job's captures: functions may refer to them. */
  readonly captureNames: ReadonlySet<string>;
  /** Output tags met so far: shipped as their index. */
  readonly tags: OutputTag<unknown>[];
}

/** A function or value could not be shipped to a worker thread. */
export class ShipError extends Error {
  override readonly name = "ShipError";
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package " +
    "private protected public await arguments eval undefined NaN Infinity").split(" "),
);

/** Checks and ships the job's captures (`start({ captures })`). */
export function shipCaptures(captures: Readonly<Record<string, unknown>> | undefined, context: ShipContext): ShippedCaptures {
  if (captures === undefined) return [];
  if (captures === null || typeof captures !== "object" || Array.isArray(captures)) {
    throw new TypeError("start: captures must be an object { name: value } of the variables shipped functions use");
  }
  const out: [string, Shipped][] = [];
  for (const [name, value] of Object.entries(captures)) {
    if (!IDENTIFIER.test(name) || RESERVED.has(name)) throw new TypeError(`start: capture ${JSON.stringify(name)} is not a usable variable name`);
    out.push([name, shipValue(value, `capture ${name}`, `captures.${name}`, context)]);
  }
  return out;
}

/**
 * Ships `value` used by `operator` (its role in `path`, e.g. "the aggregate's add"); throws a
 * {@link ShipError} naming them when it cannot be.
 */
export function shipValue(value: unknown, operator: string, path: string, context: ShipContext): Shipped {
  switch (typeof value) {
    case "function":
      return { t: "function", source: functionSource(value as (...args: unknown[]) => unknown, operator, path, context) };
    case "symbol":
      throw new ShipError(`${where(operator, path)}: a symbol cannot be sent to a worker thread`);
    case "object":
      break;
    default:
      return { t: "value", value };
  }
  if (value === null) return { t: "value", value };
  if (value instanceof OutputTag) {
    let index = context.tags.indexOf(value as OutputTag<unknown>);
    if (index < 0) index = context.tags.push(value as OutputTag<unknown>) - 1;
    return { t: "tag", index };
  }
  const descriptor = factoryDescriptorOf(value);
  if (descriptor !== undefined) {
    return {
      t: "builtin",
      factory: descriptor.factory,
      args: descriptor.args.map((a, i) => shipValue(a, operator, `${path} (${descriptor.factory} argument ${i + 1})`, context)),
    };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => shipValue(v, operator, `${path}[${i}]`, context));
    return items.every((i) => i.t === "value") ? { t: "value", value: checkCloneable(value, operator, path) } : { t: "array", items };
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Object.prototype || proto === null) {
    const props = Object.keys(value).map((k) => [k, shipValue((value as Record<string, unknown>)[k], operator, `${path}.${k}`, context)] as const);
    return props.every(([, s]) => s.t === "value") ? { t: "value", value: checkCloneable(value, operator, path) } : { t: "object", props };
  }
  if (isCloneableBuiltin(value)) return { t: "value", value: checkCloneable(value, operator, path) };
  const className = (proto as { constructor?: { name?: string } }).constructor?.name ?? "an unknown class";
  throw new ShipError(
    `${where(operator, path)}: an instance of ${className} cannot be sent to a worker thread (its methods would be lost); ` +
      `use a plain object of functions, a built-in, or parallelism 1`,
  );
}

/** The operator/path prefix of messages. */
function where(operator: string, path: string): string {
  return `parallel execution: operator "${operator}", ${path}`;
}

function functionSource(fn: (...args: unknown[]) => unknown, operator: string, path: string, context: ShipContext): string {
  const text = Function.prototype.toString.call(fn);
  let parsed;
  try {
    parsed = parseFunction(text);
  } catch {
    throw new ShipError(
      `${where(operator, path)}: the function ${fn.name === "" ? "" : `${fn.name} `}has no source to ship to a worker thread ` +
        `(a native or bound function); wrap it in an arrow function`,
    );
  }
  const unknown = freeVariables(parsed.node).filter(
    (n) => !context.captureNames.has(n) && !WORKER_GLOBALS.has(n) && !isRegisteredWorkerGlobal(n),
  );
  if (unknown.length > 0) {
    const names = unknown.join(", ");
    throw new ShipError(
      `${where(operator, path)} refers to ${unknown.length === 1 ? "the variable" : "the variables"} ${names}, which a worker thread ` +
        `cannot see (with parallelism ${context.parallelism} the function is rebuilt there from its source). Pass ` +
        `${unknown.length === 1 ? "it" : "them"} with start({ parallelism: ${context.parallelism}, captures: { ${names} } }) ` +
        `(structured-cloneable values, or functions), or run with parallelism 1`,
    );
  }
  return parsed.expression;
}

function isCloneableBuiltin(value: object): boolean {
  return (
    value instanceof Map ||
    value instanceof Set ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    value instanceof Error
  );
}

function checkCloneable<T>(value: T, operator: string, path: string): T {
  try {
    structuredClone(value);
  } catch (error) {
    throw new ShipError(`${where(operator, path)}: cannot be sent to a worker thread (${(error as Error).message})`);
  }
  return value;
}
