import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InstallError, jupyterPythonPrefix, kernelsDir, userDataDir } from "../../src/cli/install.js";
import { buildKernelSpec, checkKernelName } from "../../src/cli/kernelspec.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const DEBIAN_PYTHON = "/usr/bin/python3";
const scratch = mkdtempSync(path.join(os.tmpdir(), "sluice-install-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tempDir(name: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("kernelspec object", () => {
  it("runs the given node on the given main.js with Jupyter's connection file placeholder", () => {
    const spec = buildKernelSpec({ nodePath: "/opt/node/bin/node", mainScript: "/opt/sluice/dist/cli/main.js", version: "1.2.3" });
    expect(spec).toEqual({
      argv: ["/opt/node/bin/node", "/opt/sluice/dist/cli/main.js", "kernel", "-f", "{connection_file}"],
      display_name: "TypeScript (Sluice)",
      language: "typescript",
      interrupt_mode: "message",
      metadata: { debugger: false, sluice: { version: "1.2.3" } },
    });
    expect(buildKernelSpec({ nodePath: "/n", mainScript: "/m.js", version: "1", displayName: "TS" }).display_name).toBe("TS");
  });

  it("refuses relative paths and an empty display name", () => {
    expect(() => buildKernelSpec({ nodePath: "node", mainScript: "/m.js", version: "1" })).toThrow(/nodePath must be an absolute path/);
    expect(() => buildKernelSpec({ nodePath: "/n", mainScript: "dist/cli/main.js", version: "1" })).toThrow(/mainScript must be an absolute path/);
    expect(() => buildKernelSpec({ nodePath: "/n", mainScript: "/m.js", version: "1", displayName: " " })).toThrow(/display name is empty/);
  });

  it("accepts Jupyter's kernel names, lower-cased, and refuses others", () => {
    expect(checkKernelName("Sluice-Dev_2.0")).toBe("sluice-dev_2.0");
    expect(() => checkKernelName("bad name")).toThrow(/invalid kernel name "bad name"/);
    expect(() => checkKernelName("")).toThrow(/invalid kernel name/);
  });
});

describe("install locations", () => {
  it("follow jupyter_core's data dir per platform", () => {
    const home = "/nonexistent-home";
    expect(userDataDir({ JUPYTER_DATA_DIR: "/jd" }, "linux", home)).toBe("/jd");
    expect(userDataDir({}, "linux", home)).toBe("/nonexistent-home/.local/share/jupyter");
    expect(userDataDir({ XDG_DATA_HOME: "/xdg" }, "linux", home)).toBe("/xdg/jupyter");
    expect(userDataDir({}, "darwin", home)).toBe("/nonexistent-home/Library/Jupyter");
    expect(userDataDir({ APPDATA: "/appdata" }, "win32", home)).toBe(path.resolve("/appdata", "jupyter"));
  });

  it("agree with Debian's jupyter on the user data dir", () => {
    const dataDir = tempDir("paths-data");
    const env = { ...process.env, JUPYTER_DATA_DIR: dataDir };
    const out = spawnSync(DEBIAN_PYTHON, ["-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"], { env, encoding: "utf8" });
    expect(out.stdout.trim()).toBe(userDataDir(env));
    const noEnv = { ...process.env };
    delete noEnv["JUPYTER_DATA_DIR"];
    delete noEnv["XDG_DATA_HOME"];
    const out2 = spawnSync(DEBIAN_PYTHON, ["-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"], { env: noEnv, encoding: "utf8" });
    expect(out2.stdout.trim()).toBe(userDataDir(noEnv));
  });

  it("put --prefix kernels under DIR/share/jupyter/kernels", () => {
    expect(kernelsDir({ kind: "prefix", prefix: "/p" })).toBe("/p/share/jupyter/kernels");
    expect(kernelsDir({ kind: "user" }, { JUPYTER_DATA_DIR: "/jd" })).toBe("/jd/kernels");
  });

  it("find --sys-prefix from the shebang of the jupyter script on PATH", () => {
    const expected = spawnSync(DEBIAN_PYTHON, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).stdout.trim();
    const direct = tempDir("bin-direct");
    writeFileSync(path.join(direct, "jupyter"), `#!${DEBIAN_PYTHON}\nimport sys\n`);
    chmodSync(path.join(direct, "jupyter"), 0o755);
    expect(jupyterPythonPrefix({ PATH: direct })).toBe(expected);

    const pipLong = tempDir("bin-pip-long");
    writeFileSync(path.join(pipLong, "jupyter"), `#!/bin/sh\n'''exec' '${DEBIAN_PYTHON}' "$0" "$@"\n' '''\nimport sys\n`);
    expect(jupyterPythonPrefix({ PATH: pipLong })).toBe(expected);

    const viaEnv = tempDir("bin-env");
    writeFileSync(path.join(viaEnv, "jupyter"), "#!/usr/bin/env python3\n");
    expect(jupyterPythonPrefix({ PATH: `${viaEnv}${path.delimiter}${path.dirname(DEBIAN_PYTHON)}` })).toBe(expected);
  });

  it("fail --sys-prefix clearly when there is no Python", () => {
    const empty = tempDir("bin-empty");
    expect(() => jupyterPythonPrefix({ PATH: empty })).toThrow(InstallError);
    expect(() => jupyterPythonPrefix({ PATH: empty })).toThrow(/--sys-prefix: cannot find the Python that runs Jupyter/);
  });
});

describe("the sluice CLI, built", () => {
  // A copy of the package as npm would install it: package.json, kernel/ and dist/ built with tsc.
  const copy = path.join(scratch, "package");
  const main = path.join(copy, "dist", "cli", "main.js");

  beforeAll(() => {
    mkdirSync(copy, { recursive: true });
    cpSync(path.join(REPO, "package.json"), path.join(copy, "package.json"));
    cpSync(path.join(REPO, "kernel"), path.join(copy, "kernel"), { recursive: true });
    // Other parts of the tree may be mid-edit; tsc still emits, and only our files must come out.
    spawnSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(REPO, "tsconfig.json"), "--outDir", path.join(copy, "dist")], {
      cwd: REPO,
      encoding: "utf8",
    });
    expect(existsSync(main), `tsc did not emit ${main}`).toBe(true);
  });

  function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
    const result = spawnSync(process.execPath, [main, ...args], { env, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function jupyterEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return {
      ...process.env,
      JUPYTER_CONFIG_DIR: tempDir("jupyter-config"),
      JUPYTER_RUNTIME_DIR: tempDir("jupyter-runtime"),
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
      ...extra,
    };
  }

  function kernelspecs(env: NodeJS.ProcessEnv): Record<string, { resource_dir: string; spec: Record<string, unknown> }> {
    const out = spawnSync(DEBIAN_PYTHON, ["-m", "jupyter", "kernelspec", "list", "--json"], { env, encoding: "utf8" });
    expect(out.status, out.stderr).toBe(0);
    return (JSON.parse(out.stdout) as { kernelspecs: Record<string, { resource_dir: string; spec: Record<string, unknown> }> }).kernelspecs;
  }

  it("prints the package version", () => {
    const version = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;
    expect(cli(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("prints help on stdout with exit 0", () => {
    const result = cli(["help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: sluice <command>/);
    expect(result.stdout).toContain("--sys-prefix");
  });

  it("installs into --prefix, and Jupyter lists the kernel with this copy's argv", () => {
    const prefix = tempDir("prefix");
    const result = cli(["install", "--prefix", prefix]);
    expect(result.code, result.stderr).toBe(0);
    const dir = path.join(prefix, "share", "jupyter", "kernels", "sluice");
    expect(result.stdout).toContain(`Installed kernelspec sluice (TypeScript (Sluice)) in ${dir}`);
    for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
      expect(readFileSync(path.join(dir, logo))).toEqual(readFileSync(path.join(REPO, "kernel", logo)));
    }
    const specs = kernelspecs(jupyterEnv({ JUPYTER_PATH: path.join(prefix, "share", "jupyter"), JUPYTER_DATA_DIR: tempDir("prefix-data-empty") }));
    expect(specs["sluice"]?.resource_dir).toBe(dir);
    expect(specs["sluice"]?.spec).toMatchObject({
      argv: [process.execPath, realpathSync(main), "kernel", "-f", "{connection_file}"],
      display_name: "TypeScript (Sluice)",
      language: "typescript",
      interrupt_mode: "message",
    });
  });

  it("installs into JUPYTER_DATA_DIR by default and with --user, with --name and --display-name", () => {
    const dataDir = tempDir("user-data");
    const env = jupyterEnv({ JUPYTER_DATA_DIR: dataDir, JUPYTER_PATH: "" });
    const byDefault = cli(["install"], env);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(existsSync(path.join(dataDir, "kernels", "sluice", "kernel.json"))).toBe(true);

    const named = cli(["install", "--user", "--name", "Sluice-Dev", "--display-name", "TS dev"], env);
    expect(named.code, named.stderr).toBe(0);
    const specs = kernelspecs(env);
    expect(specs["sluice-dev"]?.resource_dir).toBe(path.join(dataDir, "kernels", "sluice-dev"));
    expect(specs["sluice-dev"]?.spec).toMatchObject({ display_name: "TS dev", argv: [process.execPath, realpathSync(main), "kernel", "-f", "{connection_file}"] });
    expect(specs["sluice"]?.spec).toMatchObject({ display_name: "TypeScript (Sluice)" });
  });

  it("replaces an existing spec of the same name", () => {
    const prefix = tempDir("replace");
    expect(cli(["install", "--prefix", prefix, "--display-name", "old"]).code).toBe(0);
    const dir = path.join(prefix, "share", "jupyter", "kernels", "sluice");
    writeFileSync(path.join(dir, "stale.txt"), "left over");
    expect(cli(["install", "--prefix", prefix]).code).toBe(0);
    expect(existsSync(path.join(dir, "stale.txt"))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(dir, "kernel.json"), "utf8"))).toMatchObject({ display_name: "TypeScript (Sluice)" });
  });

  it.each([
    [["install", "--bogus"], /Unknown option '--bogus'/],
    [["install", "--user", "--prefix", "/tmp/x"], /--user and --prefix exclude each other/],
    [["install", "--prefix"], /--prefix/],
    [["install", "extra"], /positional/i],
    [["kernel"], /kernel: missing -f CONNECTION_FILE/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["--frobnicate"], /unknown option --frobnicate/],
    [[], /missing command/],
  ])("exits 2 with the usage on stderr for %j", (args, message) => {
    const result = cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Usage: sluice <command>");
    expect(result.stdout).toBe("");
  });

  it("exits 1 with a clear message for an invalid kernel name", () => {
    const result = cli(["install", "--prefix", tempDir("badname"), "--name", "bad name"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sluice install: invalid kernel name "bad name"/);
  });
});
