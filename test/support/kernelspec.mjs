/**
 * Kernelspecs in a temp Jupyter environment: build and install Sluice's, and read any spec the way
 * Jupyter resolves it (`jupyter kernelspec list --json`).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { JUPYTER_PYTHON, REPO_ROOT, SLUICE_CLI } from "./paths.mjs";
import { runCommand } from "./run-command.mjs";

/**
 * @typedef {object} KernelSpec
 * @property {string[]} argv
 * @property {string} display_name
 * @property {string} language
 * @property {Record<string, string>} [env]
 * @property {string} [interrupt_mode]
 * @property {Record<string, unknown>} [metadata]
 */

/**
 * @typedef {object} ResolvedKernelSpec
 * @property {string} name
 * @property {string} resourceDir
 * @property {KernelSpec} spec
 */

/**
 * Makes sure dist/ holds the built kernel: compiles with the repository's tsc when dist/cli/main.js is
 * missing (or always, with `force`).
 * @param {{ force?: boolean, echo?: boolean }} [options]
 * @returns {Promise<void>}
 */
export async function ensureSluiceBuilt(options = {}) {
  if (!options.force && existsSync(SLUICE_CLI)) return;
  const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  await runCommand(process.execPath, [tsc, "-p", path.join(REPO_ROOT, "tsconfig.json")], {
    cwd: REPO_ROOT,
    timeoutMs: 300_000,
    echo: options.echo ?? false,
  });
  if (!existsSync(SLUICE_CLI)) {
    throw new Error(`the build finished but ${path.relative(REPO_ROOT, SLUICE_CLI)} does not exist`);
  }
}

/**
 * Installs the Sluice kernelspec into `<prefix>/share/jupyter/kernels/sluice` with the built CLI
 * (`node dist/cli/main.js install --prefix <prefix>`) and returns the path of its kernel.json.
 * @param {string} prefix
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<string>}
 */
export async function installSluiceKernelspec(prefix, env = process.env) {
  if (!existsSync(SLUICE_CLI)) {
    throw new Error(`${SLUICE_CLI} does not exist: build the kernel first (npm run build)`);
  }
  await runCommand(process.execPath, [SLUICE_CLI, "install", "--prefix", prefix], { env, cwd: REPO_ROOT });
  const kernelJson = path.join(prefix, "share", "jupyter", "kernels", "sluice", "kernel.json");
  if (!existsSync(kernelJson)) {
    throw new Error(`\`sluice install --prefix ${prefix}\` succeeded but wrote no ${kernelJson}`);
  }
  // Fail here, not later in Jupyter, when the file is not a kernelspec.
  const spec = JSON.parse(await readFile(kernelJson, "utf8"));
  if (!Array.isArray(spec.argv) || spec.argv.length === 0) throw new Error(`${kernelJson} has no argv`);
  return kernelJson;
}

/**
 * Every kernelspec Jupyter sees with `env`, keyed by name.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<Record<string, ResolvedKernelSpec>>}
 */
export async function listKernelspecs(env) {
  const { stdout } = await runCommand(JUPYTER_PYTHON, ["-m", "jupyter", "kernelspec", "list", "--json"], { env });
  /** @type {{ kernelspecs: Record<string, { resource_dir: string, spec: KernelSpec }> }} */
  const listing = JSON.parse(stdout);
  /** @type {Record<string, ResolvedKernelSpec>} */
  const result = {};
  for (const [name, entry] of Object.entries(listing.kernelspecs)) {
    result[name] = { name, resourceDir: entry.resource_dir, spec: entry.spec };
  }
  return result;
}

/**
 * Makes kernel `name` available in the environment and returns its resolved spec. For "sluice" this
 * installs the kernelspec into `prefix` first (the kernel must be built); other names (e.g. Debian's
 * "python3") must already be installed.
 * @param {{ env: NodeJS.ProcessEnv, prefix: string }} jupyterEnv
 * @param {string} name
 * @returns {Promise<ResolvedKernelSpec>}
 */
export async function prepareKernel(jupyterEnv, name) {
  if (name === "sluice") await installSluiceKernelspec(jupyterEnv.prefix, jupyterEnv.env);
  const specs = await listKernelspecs(jupyterEnv.env);
  const found = specs[name];
  if (!found) {
    throw new Error(`kernel "${name}" is not installed; Jupyter sees: ${Object.keys(specs).join(", ") || "(none)"}`);
  }
  return found;
}
