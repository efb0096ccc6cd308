import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAmbientBundle } from "../../src/evaluator/ambient-bundle.js";
import { CellLanguageService, notebookCompilerOptions, type CellDiagnostic } from "../../src/evaluator/cell-language-service.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Stand-in for module "sluice": the kernel globals with plausible types and docs. */
const KERNEL_ENTRY = `
export interface DisplayHandle { readonly id: string; update(value: unknown): void }
export interface Display {
  /** Shows a value. */
  (value: unknown): DisplayHandle;
  /** Shows HTML. */
  html(source: string): DisplayHandle;
  markdown(source: string): DisplayHandle;
}
/** Shows rich output in the cell's output area. */
export declare const display: Display;
/** Clears the cell's output; with \`wait\`, when the next output arrives. */
export declare function clearOutput(wait?: boolean): void;
export declare function input(prompt?: string): Promise<string>;
export declare function password(prompt?: string): Promise<string>;
`;

let directory: string;
let kernelEntry: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), "sluice-ls-"));
  kernelEntry = path.join(directory, "kernel-entry.ts");
  writeFileSync(kernelEntry, KERNEL_ENTRY);
  writeFileSync(path.join(directory, "util.ts"), "/** Doubles. */\nexport function double(n: number): number {\n  return n * 2;\n}\n");
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function service(): CellLanguageService {
  return new CellLanguageService({ directory, sluiceEntry: kernelEntry });
}

/** Checks and commits each cell in turn, as the kernel does, failing on the first diagnostic. */
function run(ls: CellLanguageService, ...cells: string[]): void {
  for (const cell of cells) {
    expect(ls.check(cell), `diagnostics of ${JSON.stringify(cell)}`).toEqual([]);
    ls.commit(cell);
  }
}

const codes = (diagnostics: CellDiagnostic[]): number[] => diagnostics.map((d) => d.code);
const points = (text: string): number => [...text].length;

describe("CellLanguageService: scope across cells", () => {
  let ls: CellLanguageService;
  beforeAll(() => {
    ls = service();
    ls.warmUp();
  });
  afterAll(() => ls.dispose());

  it("accepts a correct cell and reports a real error with the cell's line and column", () => {
    expect(ls.check("1 + 1")).toEqual([]);
    expect(ls.check("const a = 1;\n\nconst b: string = a;")).toEqual([
      { line: 3, column: 7, message: "Type 'number' is not assignable to type 'string'.", code: 2322, category: "error" },
    ]);
  });

  it("keeps committed declarations for later cells", () => {
    run(ls, "const p = { x: 1, label: 'a' };");
    expect(ls.check("const n: number = p.x;\nconst s: string = p.label;")).toEqual([]);
    expect(codes(ls.check("p.missing"))).toEqual([2339]);
  });

  it("lets a later cell re-declare a name with another type", () => {
    run(ls, "let v = 1;", "const v = 'now a string';");
    expect(ls.check("v.toUpperCase()")).toEqual([]);
    expect(ls.check("const n: number = v;")).toMatchObject([{ line: 1, column: 7, code: 2322 }]);
  });

  it("gives the same answer when a cell is checked again, and a new one when the scope changed", () => {
    const cell = "cachedName.toFixed(2)";
    expect(codes(ls.check(cell))).toEqual([2304]);
    expect(codes(ls.check(cell))).toEqual([2304]);
    ls.commit("1 + 1"); // declares nothing: the scope and the answer stay
    expect(codes(ls.check(cell))).toEqual([2304]);
    run(ls, "const cachedName = 1.5;");
    expect(ls.check(cell)).toEqual([]);
    run(ls, "const cachedName = 'text';");
    expect(codes(ls.check(cell))).toEqual([2551]);
  });

  it("type-checks assignments to an earlier cell's let", () => {
    run(ls, "let count = 0;");
    expect(ls.check("count = count + 1;")).toEqual([]);
    expect(ls.check("count = 'x';")).toMatchObject([{ code: 2322, message: "Type 'string' is not assignable to type 'number'." }]);
    expect(codes(ls.check("const fixed = 1;\nfixed = 2;"))).toEqual([2588]);
  });

  it("keeps the types an older cell had when a name it used is re-declared later", () => {
    run(ls, "let base = 1;", "const wrapped = [base];", "const base = 'text';");
    expect(ls.check("wrapped[0].toFixed(2)")).toEqual([]);
    expect(ls.check("base.toUpperCase()")).toEqual([]);
  });

  it("shares classes, interfaces, generic type aliases, enums, namespaces and overloads", () => {
    run(
      ls,
      "class Box<T> {\n  constructor(public value: T) {}\n}",
      "interface Pair<A, B = string> { a: A; b: B }\ntype List<T> = T[];",
      "enum Color { Red, Green }\nnamespace Geo { export const origin = 0; export type Point = [number, number]; }",
      "function over(a: string): string;\nfunction over(a: number): number;\nfunction over(a: unknown) { return a; }",
    );
    const cell = [
      "const b: Box<number> = new Box(1);",
      "const n: number = b.value;",
      "class Labeled extends Box<string> {}",
      "const p: Pair<number> = { a: 1, b: 'x' };",
      "const l: List<string> = ['a'];",
      "const c: Color = Color.Green;",
      "const r: Color.Red = Color.Red;",
      "const pt: Geo.Point = [Geo.origin, 1];",
      "const s: string = over('a');",
      "const m: number = over(2);",
    ].join("\n");
    expect(ls.check(cell)).toEqual([]);
    expect(ls.check("const q: Pair<number> = { a: 1, b: 2 };")).toMatchObject([{ code: 2322 }]);
    expect(codes(ls.check("over(true)"))).toEqual([2769]);
  });

  it("shares exported, destructured and namespace-imported names", () => {
    run(ls, "export const exported = 1;\nexport function ef() {}\nconst { a1, b1: [c1] } = { a1: 1, b1: ['s'] };\nimport * as nodePath from 'node:path';");
    expect(ls.check("const n: number = exported + ef.length + a1;\nconst s: string = c1;\nnodePath.join('a', 'b').length;")).toEqual([]);
  });

  it("names a type that a later cell shadowed without the virtual file's path", () => {
    run(ls, "interface Shape { k: 1 }\nconst shape: Shape = { k: 1 };", "interface Shape { other: 2 }");
    expect(ls.check("const s: Shape = shape;")).toEqual([
      { line: 1, column: 7, message: "Property 'other' is missing in type '(earlier cell) Shape' but required in type 'Shape'.", code: 2741, category: "error" },
    ]);
  });

  it("re-running a cell re-declares its names", () => {
    run(ls, "let again = 1;", "let again = 1;");
    expect(ls.check("again = 2;")).toEqual([]);
  });

  it("imports an npm package from Sluice's own node_modules (value and namespace meanings)", () => {
    run(ls, 'import ts from "typescript";');
    expect(ls.check('const kind: ts.SyntaxKind = ts.SyntaxKind.Identifier;\nts.createSourceFile("a.ts", "x", ts.ScriptTarget.ES2022).statements.length;')).toEqual([]);
    expect(ls.complete("ts.", 3).matches).toEqual(expect.arrayContaining(["createSourceFile", "SyntaxKind", "version"]));
    const completion = ls.complete("ts.createSo", 11);
    expect(completion.matches).toContain("createSourceFile");
    expect(completion).toMatchObject({ cursorStart: 3, cursorEnd: 11 });
  });

  it("imports a local .ts file with or without its extension and sees it change on disk", () => {
    expect(ls.check('import { double } from "./util.ts";\nconst s: string = double(2);')).toMatchObject([{ line: 2, column: 7, code: 2322 }]);
    expect(ls.check('import { double } from "./util";\nconst n: number = double(2);')).toEqual([]);
    const file = path.join(directory, "util.ts");
    writeFileSync(file, "export function double(n: number): string {\n  return String(n * 2);\n}\n");
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    expect(ls.check('import { double } from "./util.ts";\nconst s: string = double(2);')).toEqual([]);
    expect(codes(ls.check('import { missing } from "./nowhere.ts";'))).toEqual([2307]);
  });

  it("accepts top-level await and for await", () => {
    expect(ls.check("const v = await Promise.resolve(1);\nfor await (const x of [Promise.resolve(2)]) { x.toFixed(); }\nv.toFixed();")).toEqual([]);
  });

  it("honours // @ts-nocheck but still reports syntax errors", () => {
    expect(ls.check("// @ts-nocheck\nconst n: number = 'x';")).toEqual([]);
    expect(ls.check("// @ts-nocheck\nconst n: number = ;")).toMatchObject([{ line: 2, code: 1109 }]);
  });

  it("types the kernel globals", () => {
    expect(ls.check("display.html('<b>x</b>');\nclearOutput(true);\nconst answer: string = await input('?');")).toEqual([]);
    expect(ls.check("clearOutput(1)")).toMatchObject([{ line: 1, column: 13, code: 2345 }]);
    expect(ls.complete("display.", 8).matches).toEqual(expect.arrayContaining(["html", "markdown"]));
  });

  it("lets a cell re-declare a kernel global and a name Node already declares globally", () => {
    run(ls, "const password = 42;", "const crypto = { mine: 1 };");
    expect(ls.check("const n: number = password + crypto.mine;")).toEqual([]);
    expect(ls.check("const crypto = 'local';\ncrypto.toUpperCase();")).toEqual([]);
  });
});

describe("CellLanguageService: completion", () => {
  let ls: CellLanguageService;
  beforeAll(() => {
    ls = service();
  });
  afterAll(() => ls.dispose());

  it("completes members of a committed value and filters by the case-sensitive prefix", () => {
    run(ls, "const point = { x: 1, xy: 2, y: 3 };", "const alpha = 1, alphabet = 2, beta = 3;");
    const members = ls.complete("point.", 6);
    expect(members.matches).toEqual(["x", "xy", "y"]);
    expect(members).toMatchObject({ cursorStart: 6, cursorEnd: 6 });

    const prefixed = ls.complete("point.x", 7);
    expect(prefixed.matches).toEqual(["x", "xy"]);
    expect(prefixed).toMatchObject({ cursorStart: 6, cursorEnd: 7 });

    const globals = ls.complete("alp", 3);
    expect(globals.matches).toEqual(expect.arrayContaining(["alpha", "alphabet"]));
    expect(globals.matches.every((m) => m.startsWith("alp"))).toBe(true);
    expect(globals).toMatchObject({ cursorStart: 0, cursorEnd: 3 });
    expect(ls.complete("Alp", 3).matches).not.toContain("alpha");
  });

  it("reports each match's kind in _jupyter_types_experimental", () => {
    run(ls, "function helperFn() {}\nclass HelperClass {}");
    const result = ls.complete("helper", 6);
    expect(result.metadata["_jupyter_types_experimental"]).toEqual([{ start: 0, end: 6, text: "helperFn", type: "function" }]);
    const cls = ls.complete("HelperC", 7);
    expect(cls.metadata["_jupyter_types_experimental"]).toEqual([{ start: 0, end: 7, text: "HelperClass", type: "class" }]);
  });

  it("counts cursor positions in code points (an emoji before the cursor)", () => {
    const code = "const s = '😀';\ns.toUpper";
    const cursor = points(code);
    expect(cursor).toBe(code.length - 1);
    const result = ls.complete(code, cursor);
    expect(result.matches).toEqual(["toUpperCase"]);
    expect(result).toMatchObject({ cursorStart: cursor - 7, cursorEnd: cursor });
  });

  it("completes module paths inside an import's string", () => {
    const local = ls.complete('import { double } from "./ut', 28);
    expect(local.matches).toEqual(["util"]);
    expect(local).toMatchObject({ cursorStart: 26, cursorEnd: 28 });
    expect(ls.complete('import fs from "node:f', 22).matches).toEqual(expect.arrayContaining(["node:fs", "node:fs/promises"]));
  });

  it("gives no matches where nothing completes, and refuses a cursor past the end", () => {
    expect(ls.complete("const zz = 'abc", 15).matches).toEqual([]);
    expect(() => ls.complete("abc", 4)).toThrow(/cursor position 4 is past the end of the code \(3 code points\)/);
    expect(() => ls.complete("abc", -1)).toThrow(/non-negative integer/);
  });

  it("reports diagnostic columns in code points", () => {
    expect(ls.check("const s = '😀'; const n: number = s;")).toMatchObject([{ line: 1, column: 22, code: 2322 }]);
  });
});

describe("CellLanguageService: inspect", () => {
  let ls: CellLanguageService;
  beforeAll(() => {
    ls = service();
  });
  afterAll(() => ls.dispose());

  it("shows console.log's signature and Node's documentation", () => {
    const result = ls.inspect("console.log", 11, 0);
    expect(result.found).toBe(true);
    const plain = result.data["text/plain"] as string;
    expect(plain).toMatch(/^\(method\) Console\.log\(/);
    expect(plain).toContain("stdout");
    expect(result.data["text/markdown"] as string).toMatch(/^```typescript\n\(method\) Console\.log\(/);
  });

  it("shows a JSDoc'd function from an earlier cell, at the end of its name or inside its call", () => {
    run(ls, "/**\n * Adds two numbers.\n * @param a the first\n */\nfunction add(a: number, b: number) {\n  return a + b;\n}");
    const atName = ls.inspect("add(1, 2)", 3, 0);
    expect(atName.found).toBe(true);
    expect(atName.data["text/plain"]).toBe("function add(a: number, b: number): number\n\nAdds two numbers.\n\n@param a the first");
    expect(atName.data["text/markdown"]).toBe("```typescript\nfunction add(a: number, b: number): number\n```\n\nAdds two numbers.\n\n*@param* — a the first");
    expect(ls.inspect("add(1, ", 7, 0).data["text/plain"]).toBe(atName.data["text/plain"]);
    const detailed = ls.inspect("add", 3, 1).data["text/plain"] as string;
    expect(detailed).toContain("Source:\nfunction add(a: number, b: number) {\n  return a + b;\n}");
  });

  it("shows the real declaration of a global re-declared in the notebook, and of a kernel global", () => {
    run(ls, "/** How many. */\nlet total = 3;", 'import { readFileSync } from "node:fs";');
    expect(ls.inspect("total", 5, 0).data["text/plain"]).toBe("let total: number\n\nHow many.");
    expect(ls.inspect("clearOutput", 0, 0).data["text/plain"]).toBe("function clearOutput(wait?: boolean): void\n\nClears the cell's output; with `wait`, when the next output arrives.");
    const fromImport = ls.inspect("readFileSync", 12, 0).data["text/plain"] as string;
    expect(fromImport).toMatch(/^function readFileSync\(/);
    expect(fromImport).not.toContain("__sluice");
  });

  it("finds nothing on blank space and counts the cursor in code points", () => {
    expect(ls.inspect("   ", 1, 0)).toEqual({ found: false, data: {}, metadata: {} });
    const code = "'😀'; Math.max";
    expect(ls.inspect(code, points(code), 0).data["text/plain"]).toMatch(/^\(method\) Math\.max\(/);
  });
});

describe("CellLanguageService: options and bad input", () => {
  it("refuses a missing notebook directory or sluice entry with an error naming it", () => {
    expect(() => new CellLanguageService({ directory: path.join(directory, "nope"), sluiceEntry: kernelEntry })).toThrow(/notebook directory .*nope does not exist/);
    expect(() => new CellLanguageService({ directory, sluiceEntry: "relative.ts" })).toThrow(/sluiceEntry. must be an absolute path/);
    expect(() => new CellLanguageService({ directory, sluiceEntry: path.join(directory, "missing.d.ts") })).toThrow(/missing\.d\.ts do not exist/);
  });

  it("refuses non-string code", () => {
    const ls = service();
    expect(() => ls.check(undefined as unknown as string)).toThrow(/check: code must be a string, got undefined/);
    ls.dispose();
    expect(() => ls.check("1")).toThrow(/after dispose/);
  });

  it("applies compiler option overrides and refuses invalid ones on first use", () => {
    const loose = new CellLanguageService({ directory, sluiceEntry: kernelEntry, compilerOptions: { strict: false } });
    expect(loose.check("function f(a) { return a; }")).toEqual([]);
    loose.dispose();
    const strict = service();
    expect(codes(strict.check("function f(a) { return a; }"))).toEqual([7006]);
    strict.dispose();
    const invalid = new CellLanguageService({ directory, sluiceEntry: kernelEntry, compilerOptions: { noEmit: false } });
    expect(() => invalid.check("1")).toThrow(/invalid compiler options: Option 'allowImportingTsExtensions'/);
  });

  it("works with the real module \"sluice\" (src/index.ts)", () => {
    const ls = new CellLanguageService({ directory, sluiceEntry: path.join(REPO, "src", "index.ts") });
    expect(ls.complete("display.", 8).matches).toEqual(expect.arrayContaining(["html", "markdown", "json"]));
    expect(codes(ls.check("clearOutput(1)"))).toEqual([2345]);
    ls.dispose();
  });

  it("merges exactly the declaration files a plain program loads for the same libs and types", () => {
    const options = notebookCompilerOptions();
    const host = ts.createCompilerHost(options);
    const root = path.join(directory, "__empty.ts");
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (name, ...rest) => (name === root ? ts.createSourceFile(name, "", ts.ScriptTarget.ES2022) : getSourceFile(name, ...rest));
    const fileExists = host.fileExists;
    host.fileExists = (name) => name === root || fileExists(name);
    const program = ts.createProgram({ rootNames: [root], options, host });
    const nodeTypes = ts.resolveTypeReferenceDirective("node", root, options, ts.sys).resolvedTypeReferenceDirective!.resolvedFileName!;
    const bundle = buildAmbientBundle({ libFiles: [path.join(path.dirname(ts.getDefaultLibFilePath(options)), "lib.es2023.d.ts")], typeEntries: [nodeTypes] });
    const loaded = program
      .getSourceFiles()
      .filter((f) => f.fileName !== root && !ts.isExternalModule(f))
      .map((f) => path.resolve(f.fileName))
      .sort();
    expect([...bundle.mergedFiles].sort()).toEqual(loaded);
    const loadedModules = new Set(program.getSourceFiles().map((f) => path.resolve(f.fileName)));
    for (const file of bundle.moduleFiles) expect(loadedModules.has(file), file).toBe(true);
  });
});
