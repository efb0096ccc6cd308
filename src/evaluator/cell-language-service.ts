/**
 * TypeScript's language service for notebook cells: type-checks a cell against the cells committed
 * before it, completes and inspects code at a cursor. The scope model (which cell declared what, and
 * the virtual files that express it) is in cell-scope.ts; the merged lib/`@types/node` declarations in
 * ambient-bundle.ts.
 *
 * Speed: one language service lives for the whole session. Committed cells are virtual files whose
 * text never changes (stable versions), the ambient declarations are one file parsed once per process
 * (a document registry shared by all instances), module resolution is cached, and a check only replaces
 * the text of `__sluice_cell_current.ts` — TypeScript then reuses every other parsed and bound file.
 */
import { statSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "./typescript.cjs";
import type { CompleteResult, InspectResult } from "../kernel/interpreter.js";
import { buildAmbientBundle, type AmbientBundle } from "./ambient-bundle.js";
import { CellScope, isInternalName, KERNEL_MODULE, topLevelDeclarations } from "./cell-scope.js";
import { codePointToUtf16, utf16ToCodePoint } from "./code-points.js";

/** A problem TypeScript found in a cell, in the cell's own coordinates. */
export interface CellDiagnostic {
  /** 1-based line in the cell. */
  line: number;
  /** 1-based column in the cell, counted in Unicode code points (an emoji is one column). */
  column: number;
  /** The flattened TypeScript message (chained messages on separate lines). */
  message: string;
  /** TypeScript's diagnostic code (TS2322 → 2322). */
  code: number;
  category: "error" | "warning";
}

/** Options of {@link CellLanguageService}. */
export interface CellLanguageServiceOptions {
  /** The notebook's directory: root of module resolution and of relative imports. Must exist. */
  directory: string;
  /** Absolute path of the declarations of module "sluice" (`src/index.ts` or `dist/index.d.ts`). */
  sluiceEntry: string;
  /** Overrides of the notebook defaults ({@link notebookCompilerOptions}). */
  compilerOptions?: ts.CompilerOptions;
  /** Exports of "sluice" that every cell sees as globals; default `display`, `clearOutput`, `input`, `password`. */
  kernelGlobals?: readonly string[];
}

/** The kernel globals when {@link CellLanguageServiceOptions.kernelGlobals} is not given. */
export const DEFAULT_KERNEL_GLOBALS: readonly string[] = ["display", "clearOutput", "input", "password"];

/** Root of the Sluice package (this file is in src/evaluator or dist/evaluator). */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** A file in Sluice's root, used as the "importer" when resolving from Sluice's own node_modules. */
const FALLBACK_IMPORTER = path.join(PACKAGE_ROOT, "__sluice_fallback.ts");

/**
 * Diagnostics the cell model makes wrong: cells are modules run with top-level await, whatever the
 * options say about module detection.
 */
const IGNORED_DIAGNOSTICS = new Set<number>([
  1375, // 'await' expressions are only allowed at the top level of a file when that file is a module
  1378, // Top-level 'await' expressions are only allowed when the 'module' option is set to …
  1431, // 'for await' loops are only allowed at the top level of a file when that file is a module
  1432, // Top-level 'for await' loops are only allowed when the 'module' option is set to …
  1208, // '…' cannot be compiled under '--isolatedModules' because it is considered a global script file
]);

const COMPLETION_PREFERENCES: ts.UserPreferences = {
  includeCompletionsForModuleExports: false,
  includeCompletionsWithInsertText: false,
  includeAutomaticOptionalChainCompletions: false,
};

/** Unique script versions across instances: the shared document registry keys documents by path and version. */
let versionCounter = 0;
const nextVersion = (): string => `v${++versionCounter}`;

/** Parsed files shared by the instances alive in this process (their ambient declarations are parsed once). */
const documentRegistry = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames);
const bundleVersions = new WeakMap<AmbientBundle, string>();

function typeRootsOfThisPackage(): string[] {
  try {
    const pkg = createRequire(import.meta.url).resolve("@types/node/package.json");
    return [path.dirname(path.dirname(pkg))];
  } catch {
    return [path.join(PACKAGE_ROOT, "node_modules", "@types")];
  }
}

/**
 * The compiler options cells are checked with: strict, ES2022 output semantics with ES2023 libraries and
 * Node's types, ES modules resolved like Sluice's loader does (package `exports` with the "node" and
 * "import" conditions, relative imports with or without `.ts`/`.js` extensions), `esModuleInterop`,
 * JSON and JavaScript imports, and every cell a module (top-level await).
 */
export function notebookCompilerOptions(): ts.CompilerOptions {
  return {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ["node"],
    moduleDetection: ts.ModuleDetectionKind.Force,
    allowImportingTsExtensions: true,
    noEmit: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    allowJs: true,
    skipLibCheck: true,
    lib: ["lib.es2023.d.ts"],
    types: ["node"],
    typeRoots: typeRootsOfThisPackage(),
  };
}

const EXTENSIONS: readonly ts.Extension[] = [
  ts.Extension.Dts,
  ts.Extension.Dmts,
  ts.Extension.Dcts,
  ts.Extension.Ts,
  ts.Extension.Mts,
  ts.Extension.Cts,
  ts.Extension.Tsx,
  ts.Extension.Js,
  ts.Extension.Mjs,
  ts.Extension.Cjs,
  ts.Extension.Jsx,
  ts.Extension.Json,
];

function extensionOf(file: string): ts.Extension {
  const extension = EXTENSIONS.find((e) => file.endsWith(e));
  if (!extension) throw new Error(`sluiceEntry must be a TypeScript or JavaScript file, got ${file}`);
  return extension;
}

function isIdentifierChar(code: string, index: number): boolean {
  if (index < 0 || index >= code.length) return false;
  const point = code.codePointAt(index);
  // The low half of a surrogate pair: look at the whole code point.
  if (point !== undefined && point >= 0xdc00 && point <= 0xdfff && index > 0) return isIdentifierChar(code, index - 1);
  return point !== undefined && ts.isIdentifierPart(point, ts.ScriptTarget.ES2022);
}

function isIdentifierName(name: string): boolean {
  const points = [...name].map((c) => c.codePointAt(0)!);
  return (
    points.length > 0 &&
    ts.isIdentifierStart(points[0]!, ts.ScriptTarget.ES2022) &&
    points.every((p) => ts.isIdentifierPart(p, ts.ScriptTarget.ES2022))
  );
}

/** Start (UTF-16) of the identifier that ends at `offset`. */
function identifierStart(code: string, offset: number): number {
  let start = offset;
  while (start > 0 && isIdentifierChar(code, start - 1)) {
    const unit = code.charCodeAt(start - 1);
    start -= unit >= 0xdc00 && unit <= 0xdfff && start >= 2 ? 2 : 1;
  }
  return start;
}

/**
 * Removes the virtual files' paths from a message. TypeScript qualifies a type with its module when
 * the type's name means something else where the error is — a declaration a later cell shadowed:
 * `import("/nb/__sluice_cell_3").Shape` → `(earlier cell) Shape`.
 */
function cleanMessage(message: string): string {
  return message
    .replace(/typeof import\("[^"]*__sluice_cell_\d+(?:\.ts)?"\)(?!\.)/g, "(an earlier cell's module)")
    .replace(/import\("[^"]*__sluice_cell_\d+(?:\.ts)?"\)\./g, "(earlier cell) ")
    .replace(/\b__sluice_(?:c\d+|kernel)\./g, "");
}

/**
 * The language service also calls `getModuleResolutionCache` on its host (not in the public typings):
 * with it, package.json lookups and resolutions are kept across program rebuilds instead of redone.
 */
interface HostWithResolutionCache extends ts.LanguageServiceHost {
  getModuleResolutionCache(): ts.ModuleResolutionCache;
}

interface VirtualFile {
  text: string;
  version: string;
  snapshot: ts.IScriptSnapshot;
}

interface QuickInfoAt {
  quick: ts.QuickInfo;
  definition: ts.DefinitionInfo | undefined;
}

/** A TypeScript language service over a notebook's cells. Not thread-safe; one per kernel. */
export class CellLanguageService {
  private readonly directory: string;
  private readonly sluiceEntry: string;
  private readonly requestedOptions: ts.CompilerOptions;
  private readonly scope: CellScope;
  private readonly files = new Map<string, VirtualFile>();
  private readonly diskSnapshots = new Map<string, { version: string; snapshot: ts.IScriptSnapshot }>();
  private service: ts.LanguageService | undefined;
  private bundle: AmbientBundle | undefined;
  private options: ts.CompilerOptions = {};
  private resolutionCache: ts.ModuleResolutionCache | undefined;
  private typeReferenceCache: ts.TypeReferenceDirectiveResolutionCache | undefined;
  private rootNames: string[] = [];
  private projectVersion = 0;
  private disposed = false;
  private idleRebuild: NodeJS.Immediate | undefined;
  /**
   * The last check's result. Re-checking the same text against the same scope gives the same answer
   * (notebooks re-run cells; a trivial cell must stay cheap), unless the cell imports something, whose
   * files may have changed on disk since.
   */
  private lastCheck: { code: string; scopeText: string; result: CellDiagnostic[] } | undefined;

  constructor(options: CellLanguageServiceOptions) {
    if (!options || typeof options.directory !== "string" || options.directory === "") {
      throw new TypeError("CellLanguageService: `directory` must be the notebook's directory (a non-empty string)");
    }
    if (typeof options.sluiceEntry !== "string" || !path.isAbsolute(options.sluiceEntry)) {
      throw new TypeError(`CellLanguageService: \`sluiceEntry\` must be an absolute path, got ${JSON.stringify(options.sluiceEntry)}`);
    }
    this.directory = path.resolve(options.directory);
    if (!statSync(this.directory, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`CellLanguageService: the notebook directory ${this.directory} does not exist or is not a directory`);
    }
    if (!statSync(options.sluiceEntry, { throwIfNoEntry: false })?.isFile()) {
      throw new Error(`CellLanguageService: the "sluice" declarations ${options.sluiceEntry} do not exist`);
    }
    extensionOf(options.sluiceEntry);
    this.sluiceEntry = options.sluiceEntry;
    this.requestedOptions = { ...notebookCompilerOptions(), ...options.compilerOptions };
    const kernelGlobals = options.kernelGlobals ?? DEFAULT_KERNEL_GLOBALS;
    for (const name of kernelGlobals) {
      if (!isIdentifierName(name)) throw new TypeError(`CellLanguageService: kernel global ${JSON.stringify(name)} is not an identifier`);
    }
    this.scope = new CellScope(this.directory, kernelGlobals);
  }

  /**
   * Loads the libraries and builds the first program so the first real check is fast. Call it once
   * the kernel is idle after start-up; every other method does it on first use otherwise.
   */
  warmUp(): void {
    this.ensureService();
    // Run the code paths of a check, a completion and a quick info once (loads the checker's lib types).
    this.check("const __sluice_warm: string[] = [];\nconsole.log(__sluice_warm.length, process.argv);");
    this.complete("console.", 8);
    this.inspect("console.log", 11, 0);
    this.setCurrent("");
  }

  /**
   * Type-checks a cell that is about to run against the committed cells and the kernel globals.
   * `// @ts-nocheck` at the top of the cell turns off its semantic checks (syntax errors remain).
   * @returns errors and warnings in cell coordinates, in order of position.
   */
  check(code: string): CellDiagnostic[] {
    if (typeof code !== "string") throw new TypeError(`check: code must be a string, got ${typeof code}`);
    const service = this.ensureService();
    const scopeText = this.scope.scopeFileText();
    const cached = this.lastCheck;
    if (cached && cached.code === code && cached.scopeText === scopeText) return cached.result.map((d) => ({ ...d }));
    const result = this.runCheck(service, code);
    this.lastCheck = /\b(import|require)\b/.test(code) ? undefined : { code, scopeText, result: result.map((d) => ({ ...d })) };
    return result;
  }

  private runCheck(service: ts.LanguageService, code: string): CellDiagnostic[] {
    const fileName = this.setCurrent(code);
    const diagnostics = [...service.getSyntacticDiagnostics(fileName), ...service.getSemanticDiagnostics(fileName)];
    const result: { at: number; diagnostic: CellDiagnostic }[] = [];
    for (const d of diagnostics) {
      if (d.category !== ts.DiagnosticCategory.Error && d.category !== ts.DiagnosticCategory.Warning) continue;
      if (IGNORED_DIAGNOSTICS.has(d.code) || !d.file || d.start === undefined || d.start > code.length) continue;
      const { line } = ts.getLineAndCharacterOfPosition(d.file, d.start);
      const lineStart = ts.getPositionOfLineAndCharacter(d.file, line, 0);
      result.push({
        at: d.start,
        diagnostic: {
          line: line + 1,
          column: utf16ToCodePoint(code.slice(lineStart), d.start - lineStart) + 1,
          message: cleanMessage(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
          code: d.code,
          category: d.category === ts.DiagnosticCategory.Error ? "error" : "warning",
        },
      });
    }
    return result.sort((a, b) => a.at - b.at).map((r) => r.diagnostic);
  }

  /**
   * Records a cell that ran: its top-level declarations (values, types, imports) become what later
   * cells see under those names, replacing earlier declarations of the same names.
   *
   * The new cell changes the program's structure, which costs a rebuild that a plain check does not
   * (~10–20 ms with 50 cells). That rebuild runs in an idle tick right after (setImmediate), so the next
   * check usually finds the program up to date; if the check comes first, it does the rebuild itself.
   */
  commit(code: string): void {
    if (typeof code !== "string") throw new TypeError(`commit: code must be a string, got ${typeof code}`);
    this.ensureService();
    const scopeBefore = this.scope.scopeFileText();
    const cell = this.scope.commit(code);
    const live = new Set(this.scope.liveCells().map((c) => c.fileName));
    // A cell that declares nothing (`1 + 1`, `console.log(x)`) leaves the scope as it was: nothing to do.
    if (!live.has(cell.fileName) && this.scope.scopeFileText() === scopeBefore) return;
    this.setFile(cell.fileName, cell.text);
    for (const fileName of [...this.files.keys()]) {
      if (fileName.startsWith(path.join(this.directory, "__sluice_cell_")) && fileName !== this.scope.currentFileName && !live.has(fileName)) {
        this.files.delete(fileName);
      }
    }
    this.setFile(this.scope.scopeFileName, this.scope.scopeFileText());
    this.scheduleIdleRebuild();
  }

  /**
   * Completions at `cursorPos` (in code points), filtered by the identifier (or string) prefix before the
   * cursor. `metadata._jupyter_types_experimental` lists each match with its TypeScript kind.
   */
  complete(code: string, cursorPos: number): CompleteResult {
    if (typeof code !== "string") throw new TypeError(`complete: code must be a string, got ${typeof code}`);
    const offset = codePointToUtf16(code, cursorPos);
    const service = this.ensureService();
    const fileName = this.setCurrent(code);
    const info = service.getCompletionsAtPosition(fileName, offset, COMPLETION_PREFERENCES);
    const empty: CompleteResult = { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos, metadata: {} };
    if (!info) return empty;

    // Inside a string (module paths, literal types) every entry replaces the same span of the string.
    const replacement = info.entries.length > 0 && info.entries.every((e) => e.replacementSpan) ? info.entries[0]!.replacementSpan : undefined;
    const start = replacement ? replacement.start : identifierStart(code, offset);
    const end = replacement ? Math.max(offset, replacement.start + replacement.length) : offset;
    const prefix = code.slice(start, offset);
    const currentSource = service.getProgram()?.getSourceFile(fileName);
    const declaredHere = currentSource ? topLevelDeclarations(currentSource).declared : new Map<string, unknown>();

    const seen = new Set<string>();
    const picked: { name: string; kind: string; sortText: string }[] = [];
    for (const entry of info.entries) {
      const text = entry.insertText ?? entry.name;
      if (isInternalName(entry.name) || !text.startsWith(prefix) || seen.has(text)) continue;
      if (!replacement && entry.replacementSpan) continue;
      seen.add(text);
      picked.push({ name: text, kind: this.kindOf(entry, declaredHere), sortText: entry.sortText });
    }
    picked.sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (picked.length === 0) return empty;

    const cursorStart = utf16ToCodePoint(code, start);
    const cursorEnd = utf16ToCodePoint(code, end);
    return {
      matches: picked.map((p) => p.name),
      cursorStart,
      cursorEnd,
      metadata: {
        _jupyter_types_experimental: picked.map((p) => ({ start: cursorStart, end: cursorEnd, text: p.name, type: p.kind })),
      },
    };
  }

  /**
   * Quick info at `cursorPos` (in code points) — or on the identifier just before it, or on the function
   * whose call the cursor is in. `text/plain`: signature, documentation and `@tags`; `text/markdown`: the
   * signature in a TypeScript fence and the documentation. `detailLevel` 1 adds the declaration's source.
   */
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): InspectResult {
    if (typeof code !== "string") throw new TypeError(`inspect: code must be a string, got ${typeof code}`);
    if (detailLevel !== 0 && detailLevel !== 1) throw new RangeError(`inspect: detailLevel must be 0 or 1, got ${String(detailLevel)}`);
    const offset = codePointToUtf16(code, cursorPos);
    const service = this.ensureService();
    const fileName = this.setCurrent(code);

    const positions: number[] = [];
    if (isIdentifierChar(code, offset)) positions.push(offset);
    if (isIdentifierChar(code, offset - 1)) positions.push(offset - 1);
    let found: QuickInfoAt | undefined;
    for (const position of positions) {
      found = this.quickInfo(fileName, position);
      if (found) break;
    }
    if (!found) {
      const callee = this.calleePosition(service, fileName, code, offset);
      if (callee !== undefined) found = this.quickInfo(fileName, callee);
    }
    if (!found) return { found: false, data: {}, metadata: {} };

    const { quick, definition } = found;
    const signature = ts
      .displayPartsToString(quick.displayParts)
      .split("\n")
      .filter((line) => !/^import \S+ = __sluice_/.test(line))
      .join("\n")
      .replace(/^\(alias\) /, "");
    const documentation = ts.displayPartsToString(quick.documentation).trim();
    const tags = (quick.tags ?? []).map((tag) => ({ name: tag.name, text: ts.displayPartsToString(tag.text).trim() }));
    const source = detailLevel === 1 && definition ? this.declarationSource(definition) : undefined;

    const plain = [signature];
    if (documentation) plain.push(documentation);
    if (tags.length > 0) plain.push(tags.map((t) => `@${t.name}${t.text ? ` ${t.text}` : ""}`).join("\n"));
    if (source) plain.push(`Source:\n${source}`);
    const markdown = ["```typescript\n" + signature + "\n```"];
    if (documentation) markdown.push(documentation);
    if (tags.length > 0) markdown.push(tags.map((t) => `*@${t.name}*${t.text ? ` — ${t.text}` : ""}`).join("  \n"));
    if (source) markdown.push("Source:\n\n```typescript\n" + source + "\n```");
    return { found: true, data: { "text/plain": plain.join("\n\n"), "text/markdown": markdown.join("\n\n") }, metadata: {} };
  }

  /** Releases the language service and its documents. The instance cannot be used afterwards. */
  dispose(): void {
    this.disposed = true;
    if (this.idleRebuild) clearImmediate(this.idleRebuild);
    this.idleRebuild = undefined;
    this.service?.dispose();
    this.service = undefined;
  }

  // ---------------------------------------------------------------------------------------------

  private ensureService(): ts.LanguageService {
    if (this.disposed) throw new Error("CellLanguageService: used after dispose()");
    if (this.service) return this.service;

    const requested = this.requestedOptions;
    const libDirectory = path.dirname(ts.getDefaultLibFilePath(requested));
    const libFiles = (requested.lib ?? ["lib.es2023.d.ts"]).map((lib) =>
      path.join(libDirectory, lib.startsWith("lib.") ? lib : `lib.${lib.toLowerCase()}.d.ts`),
    );
    const typeRoots = requested.typeRoots ?? typeRootsOfThisPackage();
    const typeEntries = (requested.types ?? []).map((name) => {
      const resolved =
        ts.resolveTypeReferenceDirective(name, FALLBACK_IMPORTER, { ...requested, typeRoots }, ts.sys).resolvedTypeReferenceDirective ??
        ts.resolveTypeReferenceDirective(name, path.join(this.directory, "__sluice_types.ts"), requested, ts.sys).resolvedTypeReferenceDirective;
      if (!resolved?.resolvedFileName) throw new Error(`CellLanguageService: cannot find the type definitions "${name}" (looked in ${typeRoots.join(", ")})`);
      return resolved.resolvedFileName;
    });
    const bundle = buildAmbientBundle({ libFiles, typeEntries });
    if (!bundleVersions.has(bundle)) bundleVersions.set(bundle, nextVersion());
    this.bundle = bundle;
    this.options = { ...requested, noLib: true, lib: undefined, types: [], typeRoots };
    this.resolutionCache = ts.createModuleResolutionCache(this.directory, (f) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()), this.options);
    this.typeReferenceCache = ts.createTypeReferenceDirectiveResolutionCache(
      this.directory,
      (f) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()),
      this.options,
      this.resolutionCache.getPackageJsonInfoCache(),
    );

    this.setFile(this.scope.scopeFileName, this.scope.scopeFileText());
    this.setFile(this.scope.currentFileName, "");
    this.updateRootNames();
    const service = ts.createLanguageService(this.createHost(), documentRegistry);
    const optionErrors = (service.getProgram()?.getOptionsDiagnostics() ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (optionErrors.length > 0) {
      service.dispose();
      const messages = optionErrors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " ")).join("; ");
      throw new Error(`CellLanguageService: invalid compiler options: ${messages}`);
    }
    this.service = service;

    // Names the ambient declarations already declare: cells' names that clash with them cannot be
    // re-declared globally (see CellScope). Found in an empty cell, minus the scope file's own names.
    const program = service.getProgram();
    const current = program?.getSourceFile(this.scope.currentFileName);
    if (program && current) {
      const names = new Set<string>();
      for (const symbol of program.getTypeChecker().getSymbolsInScope(current, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace)) {
        const declarations = symbol.declarations ?? [];
        if (declarations.length > 0 && declarations.every((d) => d.getSourceFile().fileName === this.scope.scopeFileName)) continue;
        names.add(symbol.name);
      }
      this.scope.setAmbientNames(names);
      this.setFile(this.scope.scopeFileName, this.scope.scopeFileText());
    }
    return service;
  }

  private createHost(): ts.LanguageServiceHost {
    const bundle = this.bundle!;
    const bundleVersion = bundleVersions.get(bundle)!;
    const bundleSnapshot = ts.ScriptSnapshot.fromString(bundle.text);
    const mergedFiles = new Set(bundle.mergedFiles);
    const resolutionCache = this.resolutionCache!;
    const typeReferenceCache = this.typeReferenceCache!;
    const isVirtual = (f: string): boolean => f === bundle.fileName || this.files.has(f);
    const host: HostWithResolutionCache = {
      getCompilationSettings: () => this.options,
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () => this.rootNames,
      getScriptVersion: (f) => (f === bundle.fileName ? bundleVersion : (this.files.get(f)?.version ?? this.diskVersion(f))),
      getScriptSnapshot: (f) => (f === bundle.fileName ? bundleSnapshot : (this.files.get(f)?.snapshot ?? this.diskSnapshot(f))),
      getCurrentDirectory: () => this.directory,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
      fileExists: (f) => isVirtual(f) || ts.sys.fileExists(f),
      readFile: (f, encoding) => (f === bundle.fileName ? bundle.text : (this.files.get(f)?.text ?? ts.sys.readFile(f, encoding))),
      readDirectory: (p, extensions, exclude, include, depth) => ts.sys.readDirectory(p, extensions, exclude, include, depth),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: (p) => (isVirtual(p) ? p : (ts.sys.realpath?.(p) ?? p)),
      getModuleResolutionCache: () => resolutionCache,
      resolveModuleNameLiterals: (literals, containingFile, redirected, options, containingSourceFile) =>
        literals.map((literal) => this.resolveModule(literal.text, containingFile, redirected, options, ts.getModeForUsageLocation(containingSourceFile, literal, options))),
      resolveTypeReferenceDirectiveReferences: (references, containingFile, redirected, options, containingSourceFile) =>
        references.map((reference) => {
          const name = typeof reference === "string" ? reference : reference.fileName.toLowerCase();
          const mode = typeof reference === "string" || !containingSourceFile ? undefined : ts.getModeForFileReference(reference, containingSourceFile.impliedNodeFormat);
          let result = ts.resolveTypeReferenceDirective(name, containingFile, options, host, redirected, typeReferenceCache, mode);
          if (!result.resolvedTypeReferenceDirective?.resolvedFileName) {
            result = ts.resolveTypeReferenceDirective(name, FALLBACK_IMPORTER, options, host, redirected, typeReferenceCache, mode);
          }
          const target = result.resolvedTypeReferenceDirective?.resolvedFileName;
          if (target && mergedFiles.has(path.resolve(target))) {
            // `/// <reference types="node" />` in a package: the bundle has those declarations already.
            return { resolvedTypeReferenceDirective: { primary: true, resolvedFileName: bundle.fileName, isExternalLibraryImport: false } };
          }
          return result;
        }),
    };
    return host;
  }

  private resolveModule(
    specifier: string,
    containingFile: string,
    redirected: ts.ResolvedProjectReference | undefined,
    options: ts.CompilerOptions,
    mode: ts.ResolutionMode,
  ): ts.ResolvedModuleWithFailedLookupLocations {
    if (specifier === KERNEL_MODULE) {
      return { resolvedModule: { resolvedFileName: this.sluiceEntry, extension: extensionOf(this.sluiceEntry), isExternalLibraryImport: false } };
    }
    const host: ts.ModuleResolutionHost = {
      fileExists: (f) => this.files.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? ts.sys.readFile(f),
      directoryExists: (d) => ts.sys.directoryExists(d),
      getDirectories: (d) => ts.sys.getDirectories(d),
      realpath: (p) => (this.files.has(p) ? p : (ts.sys.realpath?.(p) ?? p)),
      useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    };
    const cache = this.resolutionCache;
    const result = ts.resolveModuleName(specifier, containingFile, options, host, cache, redirected, mode);
    if (result.resolvedModule) return result;
    if (!ts.isExternalModuleNameRelative(specifier)) {
      // Then Sluice's own packages, as the runtime loader does.
      const fallback = ts.resolveModuleName(specifier, FALLBACK_IMPORTER, options, host, cache, redirected, mode);
      if (fallback.resolvedModule) return fallback;
    }
    if (containingFile === this.scope.currentFileName && !isBuiltin(specifier)) {
      // The cache remembers failures: look again for the cell being checked, the file or package may
      // have appeared since (then the stale cache goes).
      const fresh = ts.resolveModuleName(specifier, containingFile, options, host, undefined, redirected, mode);
      if (fresh.resolvedModule) {
        cache?.clear();
        return fresh;
      }
    }
    return result;
  }

  private diskVersion(fileName: string): string {
    if (fileName.includes(`${path.sep}node_modules${path.sep}`)) return "0";
    const stat = statSync(fileName, { throwIfNoEntry: false });
    return stat ? `m${stat.mtimeMs}:${stat.size}` : "";
  }

  private diskSnapshot(fileName: string): ts.IScriptSnapshot | undefined {
    const version = this.diskVersion(fileName);
    const cached = this.diskSnapshots.get(fileName);
    if (cached && cached.version === version) return cached.snapshot;
    const text = ts.sys.readFile(fileName);
    if (text === undefined) return undefined;
    const snapshot = ts.ScriptSnapshot.fromString(text);
    this.diskSnapshots.set(fileName, { version, snapshot });
    return snapshot;
  }

  private scheduleIdleRebuild(): void {
    if (this.idleRebuild) return;
    this.idleRebuild = setImmediate(() => {
      this.idleRebuild = undefined;
      if (this.disposed || !this.service) return;
      try {
        this.service.getProgram();
      } catch {
        // The next request rebuilds and reports whatever failed here.
      }
    });
    this.idleRebuild.unref();
  }

  /** Sets a virtual file's text; a new version only when the text changed. */
  private setFile(fileName: string, text: string): void {
    const existing = this.files.get(fileName);
    if (existing && existing.text === text) return;
    this.files.set(fileName, { text, version: nextVersion(), snapshot: ts.ScriptSnapshot.fromString(text) });
    this.projectVersion++;
  }

  /** Puts `code` into the current-cell file and starts a new project version (local files may have changed). */
  private setCurrent(code: string): string {
    const fileName = this.scope.currentFileName;
    this.setFile(fileName, code + this.scope.currentCellSuffix(code));
    this.projectVersion++;
    return fileName;
  }

  /**
   * The program's root files never change (a change of roots makes TypeScript re-resolve every import
   * of every file): committed cells are reached through the scope file's and the pins' imports.
   */
  private updateRootNames(): void {
    const bundle = this.bundle!;
    this.rootNames = [
      bundle.fileName,
      ...bundle.moduleFiles,
      this.scope.scopeFileName,
      this.scope.currentFileName,
    ];
    this.projectVersion++;
  }

  /** Quick info at a position, taken from the real declaration when the name is a notebook global. */
  private quickInfo(fileName: string, position: number): QuickInfoAt | undefined {
    const service = this.service!;
    const quick = service.getQuickInfoAtPosition(fileName, position);
    if (!quick) return undefined;
    let definition = service.getDefinitionAtPosition(fileName, position)?.[0];
    let target: ts.DefinitionInfo | undefined;
    if (definition && definition.fileName === this.scope.scopeFileName) {
      const reference = this.scope.referenceAt(definition.textSpan.start);
      if (reference) target = service.getDefinitionAtPosition(this.scope.scopeFileName, reference.targetOffset)?.[0];
    } else if (definition && quick.kind === ts.ScriptElementKind.alias) {
      target = definition;
    }
    if (target) {
      const original = service.getQuickInfoAtPosition(target.fileName, target.textSpan.start);
      if (original) return { quick: original, definition: target };
    }
    if (definition?.fileName === this.scope.scopeFileName) definition = undefined;
    return { quick, definition };
  }

  /** Position of the callee's name when `offset` is inside a call's argument list (`foo(|`, `a.b(x, |`). */
  private calleePosition(service: ts.LanguageService, fileName: string, code: string, offset: number): number | undefined {
    const help = service.getSignatureHelpItems(fileName, offset, undefined);
    if (!help) return undefined;
    let at = help.applicableSpan.start - 1;
    while (at >= 0 && code[at] !== "(" && code[at] !== "`") at--;
    at--;
    while (at >= 0 && /\s/.test(code[at]!)) at--;
    return at >= 0 && isIdentifierChar(code, at) ? at : undefined;
  }

  /** The source text of a declaration (at most 60 lines), for detail level 1. */
  private declarationSource(definition: ts.DefinitionInfo): string | undefined {
    const span = definition.contextSpan ?? definition.textSpan;
    const file = this.service!.getProgram()?.getSourceFile(definition.fileName);
    if (!file) return undefined;
    let text = file.text.slice(span.start, span.start + span.length);
    if (definition.fileName.includes("__sluice_cell_")) {
      // A committed cell: drop the appended export/pin lines if the span reaches them.
      text = text.replace(/\n;export \{[^\n]*\};[\s\S]*$/, "");
    }
    const lines = text.split("\n");
    return lines.length > 60 ? [...lines.slice(0, 60), "…"].join("\n") : text;
  }

  /** The kind reported for a completion: a notebook global's kind in its cell rather than how the scope file declares it. */
  private kindOf(entry: ts.CompletionEntry, declaredHere: ReadonlyMap<string, unknown>): string {
    const scopeEntry = this.scope.entry(entry.name);
    const kind = entry.kind as string;
    if (!scopeEntry || declaredHere.has(entry.name) || !["var", "let", "const", "alias"].includes(kind)) return kind;
    const first = scopeEntry.kinds[0]!;
    return first === "import" ? "alias" : first === "namespace" ? "module" : first;
  }
}
