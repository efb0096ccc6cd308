/**
 * Starting a worker thread on this folder's `worker-main`. From the build (`dist/`, as the kernel and
 * benchmarks run) that is the compiled `worker-main.js`. When the engine itself runs from its
 * TypeScript sources (vitest, a script run through a TS loader), the worker gets a small module loader
 * that compiles `.ts` files with the project's TypeScript on the fly (`./x.js` imports resolve to
 * `x.ts`; compiled files are cached by content in the temp directory, `sluice-worker-sources/`); that
 * is a development path only — the built engine needs no TypeScript.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { workerGlobalStandIns } from "./worker-globals.js";

/** The module loader (run by Node's loader thread in the worker). */
const LOADER = `
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
let compiler;
let compilerPath;
let cacheDir;
export function initialize(data) { compilerPath = data.compiler; cacheDir = data.cache; }
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent !== undefined && parent.startsWith("file:") && parent.endsWith(".ts") && /^\\.\\.?\\//.test(specifier) && specifier.endsWith(".js")) {
    const js = new URL(specifier, parent);
    if (!existsSync(fileURLToPath(js))) {
      const ts = new URL(specifier.slice(0, -3) + ".ts", parent);
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: "module", shortCircuit: true };
    }
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.startsWith("file:") && url.endsWith(".ts")) {
    const file = fileURLToPath(url);
    const text = readFileSync(file, "utf8");
    // Compiled files are cached by content: workers after the first start without loading the compiler.
    const cached = join(cacheDir, createHash("sha256").update(compilerPath).update("\0").update(text).digest("hex") + ".js");
    if (existsSync(cached)) return { format: "module", source: readFileSync(cached, "utf8"), shortCircuit: true };
    compiler ??= createRequire(compilerPath)(compilerPath);
    const out = compiler.transpileModule(text, {
      fileName: file,
      compilerOptions: { module: compiler.ModuleKind.ESNext, target: compiler.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    try {
      mkdirSync(cacheDir, { recursive: true });
      const partial = cached + "." + process.pid + "." + Math.random().toString(36).slice(2);
      writeFileSync(partial, out);
      renameSync(partial, cached);
    } catch {}
    return { format: "module", source: out, shortCircuit: true };
  }
  return next(url, context);
}
`;

/** The compiler the development loader uses (resolved from this file; absent in a deployment without it). */
const COMPILER_PACKAGE = "typescript";

/**
 * The development loader as arguments of `module.register(specifier, options)`: lets a thread or a
 * process import the engine's `.ts` sources (the workers use it; so can a test's child process).
 */
export function sourceLoaderRegistration(): { specifier: string; options: { data: { compiler: string; cache: string } } } {
  let compiler: string;
  try {
    compiler = createRequire(import.meta.url).resolve(COMPILER_PACKAGE);
  } catch {
    throw new Error("parallel execution from the engine's TypeScript sources needs the typescript package; build the project (npm run build) or install it");
  }
  return {
    specifier: `data:text/javascript,${encodeURIComponent(LOADER)}`,
    options: { data: { compiler, cache: join(tmpdir(), "sluice-worker-sources") } },
  };
}

/** Starts a worker running `worker-main` (compiled, or from sources through the loader). */
export function startWorkerThread(name: string): Worker {
  const here = import.meta.url;
  const compiled = new URL("./worker-main.js", here);
  const workerData = { standIns: workerGlobalStandIns() };
  if (!here.endsWith(".ts") || existsSync(fileURLToPath(compiled))) return new Worker(compiled, { name, workerData });
  const sources = new URL("./worker-main.ts", here).href;
  const { specifier, options } = sourceLoaderRegistration();
  const boot =
    `require("node:module").register(${JSON.stringify(specifier)}, ${JSON.stringify(options)});` +
    `import(${JSON.stringify(sources)}).catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(boot, { eval: true, name, workerData });
}
