/**
 * The TypeScript implementation of the kernel's Interpreter port: type-checks each cell against the
 * cells before it, compiles it (cell-compiler.ts), runs it in the kernel's own realm with its output
 * routed to the cell, and reports errors with the cell's own coordinates.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { setDisplaySinkResolver } from "../display/display-sink.js";
import { runKernelShutdownHooks } from "../display/shutdown-hooks.js";

/** How long shutdown waits for the cells' background work (jobs) to stop, ms. */
const SHUTDOWN_HOOKS_TIMEOUT_MS = 10_000;
import { formatValue } from "../display/format.js";
import { input, password, setInputSinkResolver } from "../display/input.js";
import { clearOutput, display } from "../display/display-api.js";
import { comms } from "../display/comms.js";
import type { JsonObject } from "../protocol/message.js";
import type {
  CellOutput,
  CompleteResult,
  ErrorContent,
  ExecuteOutcome,
  ExecuteRequest,
  InspectResult,
  Interpreter,
  IsCompleteResult,
  KernelInfo,
} from "../kernel/interpreter.js";
import type { CellCompiler } from "./cell-compiler.js";
import { cellContext, type CellContext } from "./cell-context.js";
import type { CellLanguageService, CellDiagnostic } from "./cell-language-service.js";
import { CellSources } from "./cell-sources.js";
import { kernel, parseTypeCheckMode, type KernelSettings } from "./kernel-settings.js";
import { interopDefault, ModuleLoader } from "./module-loader.js";
import { installOutputCapture, kernelLog } from "./output-capture.js";
import { RUNTIME_GLOBAL } from "./runtime-global.js";
import { buildErrorContent, diagnosticsErrorContent } from "./traceback.js";

const require = createRequire(import.meta.url);
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function readVersion(pkgJson: string): string {
  return (JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string }).version;
}

/** Raised into a running cell by an interrupt. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
  constructor() {
    super("Interrupted");
  }
}

/** Options of the TypeScript interpreter. */
export interface TypeScriptInterpreterOptions {
  /** The notebook's directory: module resolution, relative imports, the language service root. */
  directory: string;
  /** Initial type-check mode; default from $SLUICE_TYPECHECK, else "error". */
  typeCheck?: KernelSettings["typeCheck"];
}

/** A cell whose whole text is `expr?` or `expr??`: show the inspection in the pager. */
const PAGE_REQUEST = /^\s*([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*|\[\s*(?:\d+|"[^"]*"|'[^']*')\s*\])*)\s*(\?\??)\s*$/;

export class TypeScriptInterpreter implements Interpreter {
  readonly settings: KernelSettings;
  private readonly sources = new CellSources();
  /** TypeScript-backed parts, loaded after start-up so the kernel answers kernel_info quickly. */
  private engine: Promise<Engine> | undefined;
  private readonly loader: ModuleLoader;
  private readonly scripts = new Map<string, { script: vm.Script; fileName: string }>();
  /** The execution in progress: interrupting it rejects `interrupted` (from its first step on). */
  private running: { interrupt: () => void; interrupted: Promise<never> } | undefined;
  /**
   * Set to 1 to stop loops in cell code (checked at every loop iteration). Shared memory, so another
   * thread (the transport's) can set it while this one is busy.
   */
  readonly interruptFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly sluiceVersion = readVersion(path.join(PACKAGE_ROOT, "package.json"));
  private readonly typescriptVersion = readVersion(require.resolve("typescript/package.json"));

  constructor(private readonly options: TypeScriptInterpreterOptions) {
    const envMode = process.env["SLUICE_TYPECHECK"];
    const mode = options.typeCheck ?? (envMode ? parseTypeCheckMode(envMode, "$SLUICE_TYPECHECK") : "error");
    this.settings = kernel;
    this.settings.typeCheck = mode;
    this.loader = new ModuleLoader(options.directory);
    installOutputCapture();
    setDisplaySinkResolver(() => cellContext.getStore()?.output);
    setInputSinkResolver(() => {
      const output = cellContext.getStore()?.output;
      return output && { input: (prompt: string, password: boolean) => output.input(prompt, password) };
    });
    this.installRuntime();
  }

  kernelInfo(): KernelInfo {
    return {
      implementation: "sluice",
      implementation_version: this.sluiceVersion,
      language_info: {
        name: "typescript",
        version: this.typescriptVersion,
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "typescript" },
        pygments_lexer: "typescript",
      },
      banner:
        `Sluice ${this.sluiceVersion} — TypeScript ${this.typescriptVersion} on Node ${process.versions.node}\n` +
        "Streaming pipelines against HBase with live Vega-Lite charts. `expr?` shows documentation.",
      help_links: [
        { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
        { text: "Node.js API", url: "https://nodejs.org/api/" },
        { text: "Vega-Lite", url: "https://vega.github.io/vega-lite/docs/" },
      ],
    };
  }

  /** Loads TypeScript and its libraries into the language service so the first cell checks quickly. */
  warmUp(): void {
    void this.loadEngine()
      .then((engine) => engine.service.warmUp())
      .catch((error: unknown) => kernelLog(`TypeScript warm-up failed: ${(error as Error).stack ?? String(error)}`));
  }

  private loadEngine(): Promise<Engine> {
    this.engine ??= (async () => {
      const [{ CellCompiler }, { CellLanguageService }, { isComplete }] = await Promise.all([
        import("./cell-compiler.js"),
        import("./cell-language-service.js"),
        import("./is-complete.js"),
      ]);
      return {
        compiler: new CellCompiler(),
        service: new CellLanguageService({
          directory: this.options.directory,
          sluiceEntry: sluiceTypesEntry(),
          kernelGlobals: ["display", "clearOutput", "input", "password", "comms", "kernel"],
        }),
        isComplete,
      };
    })();
    return this.engine;
  }

  private installRuntime(): void {
    const loader = this.loader;
    const notebookUrl = pathToFileURL(path.join(this.options.directory, "notebook.ts")).href;
    const runtime = {
      import: (specifier: unknown, opts?: { with?: Record<string, string> }) => loader.import(specifier, opts),
      interopDefault,
      interruptFlag: this.interruptFlag,
      interrupted: (): never => {
        throw new InterruptedError();
      },
      importMeta: {
        url: notebookUrl,
        dirname: this.options.directory,
        filename: fileURLToPath(notebookUrl),
        resolve: (specifier: string) => loader.resolve(specifier),
      },
    };
    Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: runtime, writable: false, configurable: true, enumerable: false });
    // The notebook API every cell sees without importing it (also importable from "sluice").
    // `require` too (typed by @types/node): CommonJS loading relative to the notebook's directory.
    const require = createRequire(path.join(this.options.directory, "notebook.cjs"));
    const globals: Record<string, unknown> = { kernel: this.settings, display, clearOutput, input, password, comms, require };
    for (const [name, value] of Object.entries(globals)) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }

  async execute(request: ExecuteRequest, output: CellOutput): Promise<ExecuteOutcome> {
    Atomics.store(this.interruptFlag, 0, 0);
    let interrupt!: (e: Error) => void;
    const interrupted = new Promise<never>((_, reject) => (interrupt = reject));
    interrupted.catch(() => {});
    this.running = { interrupt: () => interrupt(new InterruptedError()), interrupted };
    try {
      return await Promise.race([this.executeCell(request, output), interrupted]);
    } catch (error) {
      if (error instanceof InterruptedError) return interruptedOutcome();
      throw error;
    } finally {
      this.running = undefined;
    }
  }

  private async executeCell(request: ExecuteRequest, output: CellOutput): Promise<ExecuteOutcome> {
    const label = `Cell In[${request.executionCount}]`;
    const code = request.code;
    if (code.trim() === "") return { status: "ok" };

    const page = PAGE_REQUEST.exec(code);
    if (page) {
      const expr = page[1]!;
      const info = await this.inspect(expr, expr.length, page[2] === "??" ? 1 : 0);
      if (!info.found) return { status: "error", ...diagnosticsErrorContent("NameError", label, code, [{ line: 1, column: 1, message: `No documentation found for '${expr}'` }]) };
      return { status: "ok", payload: [{ source: "page", data: info.data, start: 0 }] };
    }

    const engine = await this.loadEngine();
    const mode = this.settings.typeCheck;
    if (mode !== "off") {
      const diagnostics = this.safeCheck(engine.service, code);
      if (diagnostics.length > 0) {
        const content = diagnosticsErrorContent("TypeScriptError", label, code, diagnostics);
        if (mode === "error") return { status: "error", ...content };
        output.stream("stderr", content.traceback.join("\n") + "\n");
      }
    }

    const compiled = engine.compiler.compile(code);
    if (!compiled.ok) {
      return { status: "error", ...diagnosticsErrorContent("SyntaxError", label, code, compiled.errors) };
    }

    let entry = this.scripts.get(code);
    if (entry) {
      this.sources.relabel(entry.fileName, label);
    } else {
      const fileName = this.sources.add({ label, code, sourceMap: compiled.cell.sourceMap });
      const script = new vm.Script(compiled.cell.script, { filename: fileName });
      entry = { script, fileName };
      this.scripts.set(code, entry);
      if (this.scripts.size > 512) this.scripts.delete(this.scripts.keys().next().value!);
    }

    const context: CellContext = { output, label };
    const outcome = await this.run(entry.script, context);
    this.safeCommit(engine.service, code);
    if (outcome.status === "error") return outcome;
    if (!request.silent) {
      let formatted;
      try {
        formatted = formatValue(outcome.value);
      } catch (error) {
        return { status: "error", ...buildErrorContent(error, this.sources) };
      }
      if (formatted) output.executeResult(formatted.data, formatted.metadata);
    }
    const userExpressions = await this.evaluateUserExpressions(engine.compiler, request.userExpressions, context);
    return userExpressions ? { status: "ok", userExpressions } : { status: "ok" };
  }

  /** Runs a compiled cell in the cell's context; interruptible while synchronous (SIGINT) and while awaiting. */
  private async run(script: vm.Script, context: CellContext): Promise<{ status: "ok"; value: unknown } | ({ status: "error" } & ErrorContent)> {
    try {
      const completion = cellContext.run(context, () => script.runInThisContext({ breakOnSigint: true, displayErrors: false })) as Promise<unknown>;
      const value = await (this.running ? Promise.race([completion, this.running.interrupted]) : completion);
      return { status: "ok", value };
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" || error instanceof InterruptedError) {
        return interruptedOutcome();
      }
      return { status: "error", ...buildErrorContent(error, this.sources) };
    }
  }

  private async evaluateUserExpressions(compiler: CellCompiler, expressions: Record<string, string>, context: CellContext): Promise<JsonObject | undefined> {
    const names = Object.keys(expressions);
    if (names.length === 0) return undefined;
    const results: JsonObject = {};
    for (const name of names) {
      const compiled = compiler.compile(`(${expressions[name]})`);
      if (!compiled.ok) {
        results[name] = { status: "error", ...diagnosticsErrorContent("SyntaxError", name, expressions[name]!, compiled.errors) };
        continue;
      }
      const fileName = this.sources.add({ label: `user_expressions[${name}]`, code: `(${expressions[name]})`, sourceMap: compiled.cell.sourceMap });
      const outcome = await this.run(new vm.Script(compiled.cell.script, { filename: fileName }), context);
      if (outcome.status === "error") {
        results[name] = { status: "error", ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
      } else {
        const formatted = formatValue(outcome.value) ?? { data: { "text/plain": "undefined" }, metadata: {} };
        results[name] = { status: "ok", data: formatted.data, metadata: formatted.metadata };
      }
    }
    return results;
  }

  private safeCheck(service: CellLanguageService, code: string): CellDiagnostic[] {
    try {
      return service.check(code).filter((d) => d.category === "error");
    } catch (error) {
      kernelLog(`type check failed, running the cell unchecked: ${(error as Error).stack ?? String(error)}`);
      return [];
    }
  }

  private safeCommit(service: CellLanguageService, code: string): void {
    try {
      service.commit(code);
    } catch (error) {
      kernelLog(`language service could not record the cell: ${(error as Error).stack ?? String(error)}`);
    }
  }

  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    return (await this.loadEngine()).service.complete(code, cursorPos);
  }

  async inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
    return (await this.loadEngine()).service.inspect(code, cursorPos, detailLevel);
  }

  async isComplete(code: string): Promise<IsCompleteResult> {
    return (await this.loadEngine()).isComplete(code);
  }

  interrupt(): void {
    Atomics.store(this.interruptFlag, 0, 1);
    this.running?.interrupt();
  }

  /** Runs `fn` with output attributed to `output` (comm handlers, for instance). */
  runWithOutput<T>(output: CellOutput, label: string, fn: () => T): T {
    return cellContext.run({ output, label }, fn);
  }

  /** Reports an error that surfaced outside a cell's execution (timer, unhandled rejection). */
  reportAsyncError(error: unknown): void {
    const ctx = cellContext.getStore();
    const content = buildErrorContent(error, this.sources);
    if (ctx) ctx.output.error(content.ename, content.evalue, content.traceback);
    else kernelLog(`uncaught error outside any cell: ${content.ename}: ${content.evalue}`);
  }

  async shutdown(): Promise<void> {
    this.running?.interrupt();
    // Background work of the cells (jobs, connections) finishes first: stopped with a final checkpoint.
    for (const error of await runKernelShutdownHooks(SHUTDOWN_HOOKS_TIMEOUT_MS)) console.error(`[sluice] at shutdown: ${error.message}`);
    const engine = this.engine;
    this.engine = undefined;
    if (engine) (await engine.catch(() => undefined))?.service.dispose();
  }
}

function interruptedOutcome(): { status: "error" } & ErrorContent {
  return {
    status: "error",
    ename: "InterruptedError",
    evalue: "Interrupted",
    traceback: ["\u001b[0;31mInterruptedError\u001b[0m: Interrupted (the cell was stopped; variables of earlier cells are kept)"],
  };
}

/** The TypeScript-backed parts of the interpreter. */
interface Engine {
  compiler: CellCompiler;
  service: CellLanguageService;
  isComplete: (code: string) => IsCompleteResult;
}

/** Where the types of the `sluice` module (the cells' globals) live: dist/index.d.ts, or src/index.ts. */
function sluiceTypesEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dts = path.join(here, "..", "index.d.ts");
  return existsSync(dts) ? dts : path.join(here, "..", "index.ts");
}
