/**
 * Compiles one TypeScript cell to a script the runner can evaluate: types erased, top-level
 * declarations moved onto the global object (see cell-transformer.ts), a source map back to the cell.
 */
import ts from "./typescript.cjs";
import { createCellTransformer, createRuntimeHooksTransformer, type CellShape } from "./cell-transformer.js";

/** A compiled cell. */
export interface CompiledCell {
  /** The script text (no sourceMappingURL comment). */
  script: string;
  /** Source map (v3 JSON) from `script` to the cell's text. */
  sourceMap: string;
  shape: CellShape;
}

/** A syntax error found while compiling, with 1-based cell coordinates. */
export interface CellSyntaxError {
  line: number;
  column: number;
  message: string;
}

export type CompileResult = { ok: true; cell: CompiledCell } | { ok: false; errors: CellSyntaxError[] };

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  sourceMap: true,
  inlineSources: false,
  isolatedModules: true,
  // Keep every import: a notebook imports in one cell what later cells use.
  verbatimModuleSyntax: true,
  moduleDetection: ts.ModuleDetectionKind.Force,
  useDefineForClassFields: true,
  experimentalDecorators: false,
  esModuleInterop: true,
  jsx: ts.JsxEmit.React,
};

/**
 * Compiles cells, remembering recent results: notebooks re-run the same cell text often, and the
 * compilation of a cell depends on nothing but its text.
 */
export class CellCompiler {
  private readonly cache = new Map<string, CompileResult>();
  private static readonly CACHE_LIMIT = 256;

  compile(code: string): CompileResult {
    const cached = this.cache.get(code);
    if (cached) {
      this.cache.delete(code);
      this.cache.set(code, cached);
      return cached;
    }
    const result = compileCell(code);
    this.cache.set(code, result);
    if (this.cache.size > CellCompiler.CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return result;
  }
}

/** Compiles a cell without caching. */
export function compileCell(code: string): CompileResult {
  const shape: CellShape = { declaredNames: [], hasResult: false };
  const out = ts.transpileModule(code, {
    compilerOptions: COMPILER_OPTIONS,
    fileName: "cell.ts",
    reportDiagnostics: true,
    transformers: { after: [createRuntimeHooksTransformer(), createCellTransformer(shape)] },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    return {
      ok: false,
      errors: errors.map((d) => {
        const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
        return { line: pos.line + 1, column: pos.character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") };
      }),
    };
  }
  const script = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  return { ok: true, cell: { script, sourceMap: out.sourceMapText ?? "", shape } };
}
