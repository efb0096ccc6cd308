/**
 * `sluice install`: writes the kernelspec directory `<kernels dir>/<name>/` (kernel.json + logos)
 * where Jupyter looks for it. The locations are jupyter_client's:
 * - user: `$JUPYTER_DATA_DIR`, else `~/.local/share/jupyter` (`$XDG_DATA_HOME/jupyter` when set) on
 *   Linux, `~/Library/Jupyter` on macOS, `%APPDATA%\jupyter` on Windows — then `/kernels`;
 * - prefix DIR: `DIR/share/jupyter/kernels`;
 * - sys-prefix: the prefix of the Python that runs `jupyter` (found from the `jupyter` script's
 *   shebang, else `python3`/`python` on PATH), then as prefix.
 * An existing spec of the same name is replaced, as `jupyter kernelspec install` does.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { userDataDir } from "../protocol/jupyter-paths.js";

export { userDataDir };
import { fileURLToPath } from "node:url";
import { buildKernelSpec, checkKernelName, DEFAULT_KERNEL_NAME, type KernelSpec } from "./kernelspec.js";

/** Where to install. */
export type InstallTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };

/** Options of {@link installKernelSpec}. */
export interface InstallOptions {
  /** Default `{kind: "user"}`. */
  target?: InstallTarget;
  /** Kernelspec name (directory name); default "sluice". */
  name?: string;
  /** Display name; default "TypeScript (Sluice)". */
  displayName?: string;
  /** Environment consulted for JUPYTER_DATA_DIR, XDG_DATA_HOME, APPDATA, PATH; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** What was installed. */
export interface InstallResult {
  /** The kernel name as stored (lower case). */
  name: string;
  /** The kernelspec directory written. */
  directory: string;
  spec: KernelSpec;
}

/** An install that cannot be done (bad target, no Python for --sys-prefix, unbuilt package...). */
export class InstallError extends Error {
  override readonly name = "InstallError";
}

/** The root of this copy of the package (holds package.json, kernel/ and dist/). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The version in this copy's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * `sys.prefix` of the Python that runs Jupyter: the interpreter named by the `jupyter` script's
 * shebang when there is one, else `python3`, else `python` on PATH.
 * @throws InstallError when none of them can be run.
 */
export function jupyterPythonPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  const jupyter = which("jupyter", env);
  if (jupyter) {
    const python = scriptInterpreter(jupyter, env);
    if (python) candidates.push(python);
  }
  for (const name of ["python3", "python"]) {
    const found = which(name, env);
    if (found) candidates.push(found);
  }
  for (const python of candidates) {
    try {
      const prefix = execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      if (prefix && path.isAbsolute(prefix)) return prefix;
    } catch {
      // not runnable: try the next one
    }
  }
  throw new InstallError(
    "--sys-prefix: cannot find the Python that runs Jupyter (no `jupyter` script naming a Python, no python3 or python on PATH); " +
      "use --user or --prefix DIR instead",
  );
}

/** The `kernels` directory a target installs into. */
export function kernelsDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case "user":
      return path.join(userDataDir(env), "kernels");
    case "prefix":
      if (!target.prefix) throw new InstallError("--prefix: the directory is empty");
      return path.join(path.resolve(target.prefix), "share", "jupyter", "kernels");
    case "sys-prefix":
      return path.join(jupyterPythonPrefix(env), "share", "jupyter", "kernels");
  }
}

/** Logo files copied from the package's kernel/ directory when present. */
const LOGOS = ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"];

/**
 * Writes the kernelspec of this copy of Sluice: argv runs `process.execPath` on this copy's
 * `dist/cli/main.js`.
 * @throws InstallError when the package is not built or the target cannot be found; fs errors
 *   (e.g. EACCES) as they come.
 */
export function installKernelSpec(options: InstallOptions = {}): InstallResult {
  const env = options.env ?? process.env;
  let name: string;
  try {
    name = checkKernelName(options.name ?? DEFAULT_KERNEL_NAME);
  } catch (error) {
    throw new InstallError((error as Error).message);
  }
  const mainScript = path.join(PACKAGE_ROOT, "dist", "cli", "main.js");
  if (!existsSync(mainScript)) throw new InstallError(`${mainScript} does not exist: build the package first (npm run build)`);
  let spec: KernelSpec;
  try {
    spec = buildKernelSpec({
      nodePath: process.execPath,
      mainScript: realpathSync(mainScript),
      version: packageVersion(),
      ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
    });
  } catch (error) {
    throw new InstallError((error as Error).message);
  }
  const directory = path.join(kernelsDir(options.target ?? { kind: "user" }, env), name);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, "kernel.json"), `${JSON.stringify(spec, null, 2)}\n`);
  for (const logo of LOGOS) {
    const source = path.join(PACKAGE_ROOT, "kernel", logo);
    if (existsSync(source)) copyFileSync(source, path.join(directory, logo));
  }
  return { name, directory, spec };
}

/** First executable file called `command` on env.PATH (with PATHEXT on Windows). */
function which(command: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env["PATH"] ?? "").split(path.delimiter).filter(Boolean);
  const exts = process.platform === "win32" ? ["", ...(env["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";")] : [""];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // absent
      }
    }
  }
  return undefined;
}

/**
 * The Python a script runs under, from its first lines: `#!/path/python`, `#!/usr/bin/env python3`,
 * or pip's long-path form (`#!/bin/sh` then `'''exec' "/path/python" "$0" "$@"`).
 */
function scriptInterpreter(script: string, env: NodeJS.ProcessEnv): string | undefined {
  let head: string;
  try {
    head = readFileSync(script, "latin1").slice(0, 4096);
  } catch {
    return undefined;
  }
  const lines = head.split(/\r?\n/);
  const shebang = /^#!\s*(.+)$/.exec(lines[0] ?? "")?.[1]?.trim();
  if (!shebang) return undefined;
  if (/^\/bin\/(ba)?sh$/.test(shebang)) {
    const exec = /^'''exec' (['"])(.+?)\1/.exec(lines[1] ?? "");
    return exec ? exec[2] : undefined;
  }
  const quoted = /^"([^"]+)"/.exec(shebang);
  const parts = quoted ? [quoted[1]!] : shebang.split(/\s+/);
  if (path.basename(parts[0]!) === "env") {
    const program = parts.slice(1).find((p) => !p.startsWith("-"));
    return program && /python/i.test(program) ? which(program, env) : undefined;
  }
  return /python/i.test(path.basename(parts[0]!)) ? parts[0] : undefined;
}
