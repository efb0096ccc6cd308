/**
 * Node module customization hooks (registered with `module.register`) that let cells import local
 * TypeScript files: `load` transpiles `.ts`/`.mts`/`.tsx` to JavaScript with an inline source map, and
 * `resolve` applies TypeScript's extension rules to relative imports made from those files
 * (`./util` or `./util.js` finding `./util.ts`). Runs on Node's hooks thread.
 */
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

type Resolved = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: { parentURL?: string }) => Promise<Resolved>;
type Loaded = { format: string; source?: string | ArrayBuffer | Uint8Array; shortCircuit?: boolean };
type NextLoad = (url: string, context: { format?: string | null }) => Promise<Loaded>;

const TS_FILE = /\.(m?ts|tsx)$/;

let tsModule: typeof import("typescript") | undefined;
async function typescript(): Promise<typeof import("typescript")> {
  // require, not import: see typescript.cts.
  tsModule ??= createRequire(import.meta.url)("typescript") as typeof import("typescript");
  return tsModule;
}

async function exists(url: URL): Promise<boolean> {
  try {
    return (await stat(url)).isFile();
  } catch {
    return false;
  }
}

export async function resolve(specifier: string, context: { parentURL?: string }, nextResolve: NextResolve): Promise<Resolved> {
  const parent = context.parentURL;
  if (parent && TS_FILE.test(new URL(parent).pathname) && (specifier.startsWith("./") || specifier.startsWith("../"))) {
    const base = new URL(specifier, parent);
    const candidates: URL[] = [];
    if (/\.(m?js|jsx)$/.test(base.pathname)) {
      candidates.push(new URL(base.href.replace(/\.(m?)js(x?)$/, ".$1ts$2")));
    } else if (!/\.[a-z]+$/i.test(base.pathname)) {
      candidates.push(new URL(base.href + ".ts"), new URL(base.href + "/index.ts"));
    }
    for (const c of candidates) if (await exists(c)) return { url: c.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url: string, context: { format?: string | null }, nextLoad: NextLoad): Promise<Loaded> {
  if (url.startsWith("file:") && TS_FILE.test(new URL(url).pathname)) {
    const ts = await typescript();
    const file = fileURLToPath(url);
    const text = await readFile(file, "utf8");
    const out = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        inlineSourceMap: true,
        inlineSources: true,
        esModuleInterop: true,
        jsx: ts.JsxEmit.React,
      },
    });
    return { format: "module", source: out.outputText, shortCircuit: true };
  }
  return nextLoad(url, context);
}
