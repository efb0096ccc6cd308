/**
 * Loads what cells import. Specifiers resolve from the notebook's directory first (its
 * node_modules, its local files), then from Sluice's own installation, so a notebook can use
 * packages it installed itself and the ones Sluice ships. Local `.ts` files load through module hooks
 * (ts-module-hooks.ts) that transpile them; re-running an import after the file changed loads the new
 * version.
 */
import { statSync } from "node:fs";
import { isBuiltin, register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve as resolveEsm } from "import-meta-resolve";

/** Options of a dynamic import (import attributes). */
export interface ImportOptions {
  with?: Record<string, string>;
}

/** Raised when a specifier cannot be resolved; names the specifier and where it was looked for. */
export class ModuleNotFoundError extends Error {
  override readonly name = "ModuleNotFoundError";
  constructor(
    readonly specifier: string,
    readonly searched: string[],
  ) {
    super(`Cannot find module '${specifier}' (looked from ${searched.join(" and from ")})`);
  }
}

const TS_EXTENSIONS = [".ts", ".mts", ".tsx"];

let hooksRegistered = false;

function registerTypeScriptHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  // Beside this file when running compiled; from dist/ when this file runs from src/ (tests).
  const candidates = [new URL("./ts-module-hooks.js", import.meta.url), new URL("../../dist/evaluator/ts-module-hooks.js", import.meta.url)];
  const hooks = candidates.find((url) => isFile(fileURLToPath(url)));
  if (!hooks) throw new Error("ts-module-hooks.js is missing: build Sluice first (npm run build)");
  register(hooks);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Finds the file a relative/absolute specifier names, trying TypeScript's extension rules. */
function resolveLocalFile(target: string): string | undefined {
  if (isFile(target)) return target;
  const ext = path.extname(target);
  if (ext === ".js" || ext === ".mjs" || ext === ".jsx") {
    const stem = target.slice(0, -ext.length);
    for (const t of TS_EXTENSIONS) if (isFile(stem + t)) return stem + t;
  }
  for (const t of [...TS_EXTENSIONS, ".js", ".mjs", ".cjs", ".json"]) if (isFile(target + t)) return target + t;
  for (const t of [...TS_EXTENSIONS, ".js"]) {
    const index = path.join(target, "index" + t);
    if (isFile(index)) return index;
  }
  return undefined;
}

/** Resolves and loads modules for the cells of one notebook. */
export class ModuleLoader {
  private readonly notebookParent: string;
  private readonly sluiceParent: string;

  /**
   * @param directory the notebook's directory
   * @param fallbackParent a file URL inside Sluice's installation (its own node_modules are the fallback)
   */
  constructor(
    readonly directory: string,
    fallbackParent: string = import.meta.url,
  ) {
    this.notebookParent = pathToFileURL(path.join(directory, "__notebook__.ts")).href;
    this.sluiceParent = fallbackParent;
  }

  /** Resolves `specifier` to a URL (or a builtin name) that `import()` accepts. */
  resolve(specifier: string): string {
    if (isBuiltin(specifier)) return specifier.startsWith("node:") ? specifier : `node:${specifier}`;
    const isPath = specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:");
    if (isPath) {
      const target = specifier.startsWith("file:")
        ? new URL(specifier).pathname
        : path.resolve(this.directory, specifier);
      const file = resolveLocalFile(target);
      if (!file) throw new ModuleNotFoundError(specifier, [this.directory]);
      const url = pathToFileURL(file);
      if (TS_EXTENSIONS.includes(path.extname(file))) {
        registerTypeScriptHooks();
        // A changed file is a new module: cells re-run after an edit see the edit.
        url.searchParams.set("v", String(Math.floor(statSync(file).mtimeMs)));
      }
      return url.href;
    }
    try {
      return resolveEsm(specifier, this.notebookParent);
    } catch (first) {
      if (!isMissing(first)) throw first;
    }
    try {
      return resolveEsm(specifier, this.sluiceParent);
    } catch (second) {
      if (!isMissing(second)) throw second;
    }
    throw new ModuleNotFoundError(specifier, [this.directory, "Sluice's own node_modules"]);
  }

  /** Imports a module the way a cell's `import` does. */
  async import(specifier: unknown, options?: ImportOptions): Promise<Record<string, unknown>> {
    if (typeof specifier !== "string") throw new TypeError(`import() needs a string specifier, got ${typeof specifier}`);
    const url = this.resolve(specifier);
    return (await (options ? import(url, options) : import(url))) as Record<string, unknown>;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || code === "ERR_UNSUPPORTED_DIR_IMPORT";
}

/**
 * The default export as TypeScript's esModuleInterop sees it: for CommonJS compiled from ES modules
 * (`__esModule` set), the inner `default`.
 */
export function interopDefault(namespace: Record<string, unknown>): unknown {
  const value = namespace["default"];
  if (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    (value as { __esModule?: unknown }).__esModule === true &&
    "default" in (value as object)
  ) {
    return (value as { default: unknown }).default;
  }
  return value;
}

