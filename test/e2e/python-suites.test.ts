/**
 * Runs the pytest suites in test/python (jupyter_kernel_test conformance, protocol tests with
 * jupyter_client and pyzmq) so that `npm test` covers them: one vitest test per pytest file, each
 * with its own temporary Jupyter environment. pytest's output is streamed as it runs; a failing
 * pytest run fails the vitest test with the tail of that output.
 *
 * The kernels come from dist/ (`npm test` builds first). $SLUICE_TEST_KERNELS (sluice, ipykernel;
 * default both) is passed through; $SLUICE_JUPYTER_PYTHON overrides the interpreter (default Debian's
 * /usr/bin/python3, where .ci/setup installs the Jupyter packages).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const suiteDir = path.join(repoRoot, "test", "python");
const python = process.env["SLUICE_JUPYTER_PYTHON"] ?? "/usr/bin/python3";
const suites = readdirSync(suiteDir)
  .filter((name) => /^test_.*\.py$/.test(name))
  .sort();

/** How long one pytest file may run before it is stopped (it normally takes well under a minute). */
const SUITE_TIMEOUT_MS = 15 * 60_000;
/** After SIGINT (pytest then tears its kernels down), how long before SIGKILL. */
const INTERRUPT_GRACE_MS = 30_000;

interface PytestRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/** Every Jupyter/IPython/Sluice state location inside `home` (the conftest derives the same from it). */
function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SLUICE_TEST_HOME: home,
    JUPYTER_PATH: path.join(home, "share", "jupyter"),
    JUPYTER_DATA_DIR: path.join(home, "data"),
    JUPYTER_RUNTIME_DIR: path.join(home, "runtime"),
    JUPYTER_CONFIG_DIR: path.join(home, "config"),
    IPYTHONDIR: path.join(home, "ipython"),
    SLUICE_HISTORY_FILE: path.join(home, "sluice-history.jsonl"),
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONUNBUFFERED: "1",
  };
}

function runPytest(suite: string, env: NodeJS.ProcessEnv): Promise<PytestRun> {
  const args = ["-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", path.join("test", "python", suite)];
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let timedOut = false;
    const collect = (sink: NodeJS.WriteStream) => (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      sink.write(text);
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGINT");
      killer = setTimeout(() => child.kill("SIGKILL"), INTERRUPT_GRACE_MS);
    }, SUITE_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${python} (install the Jupyter stack with ./.ci/setup): ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      resolve({ code, signal, output, timedOut });
    });
  });
}

function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}

describe("pytest suites with real Jupyter clients (test/python)", () => {
  it("finds the suites and the Python that runs them", () => {
    expect(suites).toEqual(expect.arrayContaining(["test_conformance.py", "test_protocol.py"]));
    expect(existsSync(python), `${python} is missing: run ./.ci/setup`).toBe(true);
  });

  for (const suite of suites) {
    it(
      suite,
      async () => {
        const home = mkdtempSync(path.join(tmpdir(), "sluice-pytest-"));
        try {
          const run = await runPytest(suite, isolatedEnv(home));
          const verdict = run.timedOut
            ? `pytest ${suite} did not finish within ${SUITE_TIMEOUT_MS / 60_000} minutes`
            : `pytest ${suite} exited with ${run.signal ?? `code ${run.code}`}`;
          expect(run.code, `${verdict}\n${tail(run.output, 80)}`).toBe(0);
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      },
      SUITE_TIMEOUT_MS + INTERRUPT_GRACE_MS + 60_000,
    );
  }
});
