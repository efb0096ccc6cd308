/**
 * The ambient declarations every cell sees — TypeScript's `lib.*.d.ts` files and global type packages
 * such as `@types/node` — concatenated into one virtual declaration file.
 *
 * Why: the language service rebuilds its program and type checker on every keystroke-sized change,
 * and both cost time per file: ~160 small lib/`@types/node` files made a check of `1+1` cost several
 * milliseconds. Their global scripts concatenated into one file are bound once, merged once, and make
 * a rebuild a handful of file visits. Declarations in global scripts do not depend on which file they
 * are in, so the merged file declares the same globals and ambient modules (`declare module "fs"`).
 *
 * What is not merged: files that are modules (`export {}` + `declare global`, as some `@types/node`
 * files are) stay separate root files (`moduleFiles`); packages they import (`undici-types`) are
 * resolved as usual. `/// <reference>` directives are dropped from the merged text: the files they name
 * are part of the bundle already (the traversal follows them).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "./typescript.cjs";

/** The merged ambient declarations. */
export interface AmbientBundle {
  /** Virtual path of the bundle; it sits in the first type package's folder so its `import("pkg")` types resolve from there. */
  readonly fileName: string;
  /** The concatenated declarations. */
  readonly text: string;
  /** The global-script files merged into `text`, in the order they were merged. */
  readonly mergedFiles: readonly string[];
  /** Module files reached by `/// <reference path>`: they must be root files of the program themselves. */
  readonly moduleFiles: readonly string[];
}

/** What to bundle. */
export interface AmbientBundleRequest {
  /** Absolute paths of the lib files to start from (e.g. `…/typescript/lib/lib.es2023.d.ts`). */
  readonly libFiles: readonly string[];
  /** Absolute paths of the entry files of global type packages (e.g. `…/@types/node/index.d.ts`). */
  readonly typeEntries: readonly string[];
}

const BUNDLE_NAME = "__sluice_ambient.d.ts";
const REFERENCE_LINE = /^[ \t]*\/\/\/[ \t]*<reference[ \t]+(?:path|types|lib)[ \t]*=.*$/gm;
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g;
const LINE_COMMENT = /\/\/.*$/gm;
/** A top-level (column 0) import or export statement: such a file is a module, not a global script. */
const MODULE_STATEMENT = /^(?:import|export)\b/m;

const cache = new Map<string, AmbientBundle>();

function isModuleText(text: string): boolean {
  return MODULE_STATEMENT.test(text.replace(BLOCK_COMMENT, "").replace(LINE_COMMENT, ""));
}

/**
 * Builds (or returns the cached) bundle of the lib files and type packages in `request`, following
 * their `/// <reference path|lib|types>` directives.
 * @throws Error naming the file when one of them cannot be read.
 */
export function buildAmbientBundle(request: AmbientBundleRequest): AmbientBundle {
  const key = JSON.stringify(request);
  const cached = cache.get(key);
  if (cached) return cached;

  const libDirectory = request.libFiles[0] ? path.dirname(request.libFiles[0]) : path.dirname(ts.getDefaultLibFilePath({}));
  const visited = new Set<string>();
  const parts: string[] = [];
  const mergedFiles: string[] = [];
  const moduleFiles: string[] = [];

  const visit = (file: string): void => {
    const normalized = path.resolve(file);
    if (visited.has(normalized)) return;
    visited.add(normalized);
    let text: string;
    try {
      text = readFileSync(normalized, "utf8");
    } catch (error) {
      throw new Error(`cannot read the declaration file ${normalized}: ${(error as Error).message}`, { cause: error });
    }
    const info = ts.preProcessFile(text, /*readImportFiles*/ false, /*detectJavaScriptImports*/ false);
    for (const lib of info.libReferenceDirectives) visit(path.join(libDirectory, `lib.${lib.fileName.toLowerCase()}.d.ts`));
    for (const ref of info.referencedFiles) visit(path.resolve(path.dirname(normalized), ref.fileName));
    for (const types of info.typeReferenceDirectives) {
      const resolved = ts.resolveTypeReferenceDirective(types.fileName, normalized, { moduleResolution: ts.ModuleResolutionKind.Bundler }, ts.sys);
      const target = resolved.resolvedTypeReferenceDirective?.resolvedFileName;
      if (target) visit(target);
    }
    if (isModuleText(text)) {
      moduleFiles.push(normalized);
    } else {
      mergedFiles.push(normalized);
      parts.push(`// ${normalized}\n${text.replace(REFERENCE_LINE, "")}`);
    }
  };
  for (const lib of request.libFiles) visit(lib);
  for (const entry of request.typeEntries) visit(entry);

  const home = request.typeEntries[0] ? path.dirname(path.resolve(request.typeEntries[0])) : libDirectory;
  const bundle: AmbientBundle = { fileName: path.join(home, BUNDLE_NAME), text: parts.join("\n"), mergedFiles, moduleFiles };
  cache.set(key, bundle);
  return bundle;
}
