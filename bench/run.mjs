#!/usr/bin/env node
/**
 * `npm run bench -- NAME [ARGS...]` runs the benchmark bench/NAME.mjs (or bench/NAME/index.mjs): its
 * default export `main(args: string[]): Promise<number>` gets the remaining arguments and returns the
 * exit code. Without a name it lists the benchmarks.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const NOT_BENCHES = new Set(["run.mjs", "lib"]);

/** Names of the benchmarks in bench/. */
function available() {
  return readdirSync(BENCH_DIR, { withFileTypes: true })
    .filter((entry) => !NOT_BENCHES.has(entry.name))
    .flatMap((entry) => {
      if (entry.isFile() && entry.name.endsWith(".mjs")) return [entry.name.slice(0, -".mjs".length)];
      if (entry.isDirectory() && existsSync(path.join(BENCH_DIR, entry.name, "index.mjs"))) return [entry.name];
      return [];
    })
    .sort();
}

async function run() {
  const [name, ...args] = process.argv.slice(2);
  const names = available();
  if (!name || name === "--help" || name === "-h") {
    const out = name ? console.log : console.error;
    out(`usage: npm run bench -- NAME [ARGS...]\nbenchmarks: ${names.join(", ") || "(none)"}`);
    return name ? 0 : 2;
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !names.includes(name)) {
    console.error(`bench: no benchmark named ${JSON.stringify(name)}; available: ${names.join(", ")}`);
    return 2;
  }
  const file = existsSync(path.join(BENCH_DIR, `${name}.mjs`)) ? path.join(BENCH_DIR, `${name}.mjs`) : path.join(BENCH_DIR, name, "index.mjs");
  const module = await import(pathToFileURL(file).href);
  if (typeof module.default !== "function") {
    console.error(`bench: ${path.relative(process.cwd(), file)} has no default export main(args)`);
    return 2;
  }
  return module.default(args);
}

run().then(
  (code) => {
    process.exitCode = typeof code === "number" ? code : 0;
  },
  (error) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
