import { readFileSync } from "node:fs";

/**
 * Settings a notebook can change from a cell through the global `kernel` object, e.g.
 * `kernel.typeCheck = "warn"` in a notebook's first cell.
 */

/**
 * What a type error does to a cell:
 * - `"error"` (default): the cell does not run; the errors are the cell's error output (like tslab).
 * - `"warn"`: the errors are printed to the cell's stderr and the cell runs anyway.
 * - `"off"`: cells are not type-checked (completion and inspection still use types).
 * A cell whose first line is `// @ts-nocheck` is never blocked by type errors.
 */
export type TypeCheckMode = "error" | "warn" | "off";

/** The global `kernel` object. */
export interface KernelSettings {
  typeCheck: TypeCheckMode;
  /** Sluice's version. */
  readonly version: string;
}

const MODES: readonly TypeCheckMode[] = ["error", "warn", "off"];

/** Parses a mode, naming the bad value in the error. */
export function parseTypeCheckMode(value: unknown, source: string): TypeCheckMode {
  if (typeof value === "string" && (MODES as readonly string[]).includes(value)) return value as TypeCheckMode;
  throw new TypeError(`${source} must be one of ${MODES.map((m) => `"${m}"`).join(", ")}; got ${JSON.stringify(value)}`);
}

/** Creates the settings object, validating assignments. */
export function createKernelSettings(version: string, initial: TypeCheckMode): KernelSettings {
  let typeCheck = initial;
  return Object.seal({
    get typeCheck(): TypeCheckMode {
      return typeCheck;
    },
    set typeCheck(value: TypeCheckMode) {
      typeCheck = parseTypeCheckMode(value, "kernel.typeCheck");
    },
    version,
  });
}

function packageVersion(): string {
  try {
    const url = new URL("../../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * The process's settings object: the global `kernel` of every cell (also `import { kernel } from
 * "sluice"`). The interpreter sets the initial mode from its options or $SLUICE_TYPECHECK.
 */
export const kernel: KernelSettings = createKernelSettings(packageVersion(), "error");
