/**
 * Executes a notebook with Debian's Jupyter tools — `jupyter nbconvert --execute` or nbclient — in a
 * given Jupyter environment, and returns the executed notebook.
 */
import { copyFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createJupyterEnv } from "./jupyter-env.mjs";
import { ensureSluiceBuilt, prepareKernel } from "./kernelspec.mjs";
import { JUPYTER_PYTHON, REPO_ROOT } from "./paths.mjs";
import { runCommand } from "./run-command.mjs";

/**
 * @typedef {import("./notebook-outputs.mjs").Notebook} Notebook
 */

/**
 * @typedef {object} ExecuteNotebookOptions
 * @property {NodeJS.ProcessEnv} env   environment with the kernelspec visible (see createJupyterEnv)
 * @property {string} input            the notebook to execute (not modified); its directory is the kernel's cwd
 * @property {string} outputDir        where the executed notebook is written
 * @property {string} outputName       file name of the executed notebook, e.g. "tour.out.ipynb"
 * @property {string} [kernelName]     overrides the notebook's kernelspec
 * @property {number} [cellTimeoutSec] per-cell time limit (default 120)
 * @property {number} [timeoutMs]      limit for the whole run (default 300 s)
 * @property {boolean} [allowErrors]   keep executing after a cell fails (its error is recorded in the
 *   notebook, and the tool still exits 0): one broken cell does not hide the outputs of the others
 * @property {boolean} [echo]          copy the tool's output to this process's output
 */

/**
 * @typedef {object} ExecutedNotebook
 * @property {boolean} ok           the tool exited with code 0
 * @property {string} outputPath
 * @property {Notebook | undefined} notebook  the executed notebook (undefined when none was written)
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * Runs `jupyter nbconvert --to notebook --execute INPUT --output-dir DIR --output NAME`. Resolves even
 * when execution fails (a cell raised without `allowErrors`, the kernel died): `ok` is false and
 * `stderr` says why.
 * @param {ExecuteNotebookOptions} options
 * @returns {Promise<ExecutedNotebook>}
 */
export async function executeWithNbconvert(options) {
  const args = [
    "-m",
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    options.input,
    "--output-dir",
    options.outputDir,
    "--output",
    options.outputName,
    `--ExecutePreprocessor.timeout=${options.cellTimeoutSec ?? 120}`,
  ];
  if (options.kernelName) args.push(`--ExecutePreprocessor.kernel_name=${options.kernelName}`);
  if (options.allowErrors) args.push("--allow-errors");
  const result = await runCommand(JUPYTER_PYTHON, args, {
    env: options.env,
    cwd: path.dirname(options.input),
    timeoutMs: options.timeoutMs ?? 300_000,
    check: false,
    echo: options.echo ?? false,
  });
  return finish(options, result);
}

/**
 * Exports an executed notebook to HTML with `jupyter nbconvert --to html` (nothing is executed) and
 * returns the HTML file's path; throws with the tool's output when it fails.
 * @param {{ env: NodeJS.ProcessEnv, notebook: string, outputDir: string, outputName: string }} options
 * @returns {Promise<string>}
 */
export async function exportHtml(options) {
  const result = await runCommand(
    JUPYTER_PYTHON,
    ["-m", "nbconvert", "--to", "html", options.notebook, "--output-dir", options.outputDir, "--output", options.outputName],
    { env: options.env, cwd: options.outputDir, timeoutMs: 120_000, check: false, echo: false },
  );
  if (result.code !== 0) throw new Error(`nbconvert --to html failed (exit code ${result.code}):\n${result.stderr}`);
  return path.join(options.outputDir, options.outputName.endsWith(".html") ? options.outputName : `${options.outputName}.html`);
}

/**
 * Executes the notebook with nbclient's NotebookClient (what nbconvert uses underneath, driven
 * directly), writing the executed notebook to `outputDir/outputName`.
 * @param {ExecuteNotebookOptions} options
 * @returns {Promise<ExecutedNotebook>}
 */
export async function executeWithNbclient(options) {
  const script = [
    "import sys, os, nbformat",
    "from nbclient import NotebookClient",
    "source, target, kernel, timeout, allow = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == '1'",
    "nb = nbformat.read(source, as_version=4)",
    "extra = {'kernel_name': kernel} if kernel else {}",
    "client = NotebookClient(nb, timeout=timeout, allow_errors=allow, resources={'metadata': {'path': os.path.dirname(source)}}, **extra)",
    "try:",
    "    client.execute()",
    "finally:",
    "    nbformat.write(nb, target)",
  ].join("\n");
  const outputPath = path.join(options.outputDir, options.outputName);
  const result = await runCommand(
    JUPYTER_PYTHON,
    ["-c", script, options.input, outputPath, options.kernelName ?? "", String(options.cellTimeoutSec ?? 120), options.allowErrors ? "1" : "0"],
    {
      env: options.env,
      cwd: path.dirname(options.input),
      timeoutMs: options.timeoutMs ?? 300_000,
      check: false,
      echo: options.echo ?? false,
    },
  );
  return finish(options, result);
}

/**
 * @param {ExecuteNotebookOptions} options
 * @param {import("./run-command.mjs").CommandResult} result
 * @returns {Promise<ExecutedNotebook>}
 */
async function finish(options, result) {
  const outputPath = path.join(options.outputDir, options.outputName);
  /** @type {Notebook | undefined} */
  let notebook;
  try {
    notebook = JSON.parse(await readFile(outputPath, "utf8"));
  } catch {
    notebook = undefined;
  }
  return { ok: result.code === 0, outputPath, notebook, stdout: result.stdout, stderr: result.stderr };
}

/**
 * @typedef {object} NotebookCopyRun
 * @property {ExecutedNotebook} run                 the executed copy
 * @property {import("./jupyter-env.mjs").JupyterEnv} jupyter  the temporary Jupyter environment (call cleanup())
 */

/**
 * @typedef {object} NotebookCopyOptions
 * @property {Record<string, string>} [env]  extra environment variables for nbconvert and so for the
 *   kernel it starts (e.g. `SLUICE_ZOOKEEPER`), added to the temporary Jupyter environment's
 */

/**
 * Executes `notebooks/<name>` from a copy in a fresh temporary Jupyter environment with Sluice's
 * kernelspec installed (so files the notebook writes beside itself, such as ./.sluice/hbase, are temporary
 * too), letting every cell run even after an error.
 * @param {string} name  the notebook's file name in notebooks/
 * @param {NotebookCopyOptions} [options]
 * @returns {Promise<NotebookCopyRun>}
 */
export async function executeRepoNotebookCopy(name, options = {}) {
  await ensureSluiceBuilt();
  const jupyter = await createJupyterEnv();
  await prepareKernel(jupyter, "sluice");
  const work = path.join(jupyter.root, "work");
  await mkdir(work, { recursive: true });
  const input = path.join(work, name);
  await copyFile(path.join(REPO_ROOT, "notebooks", name), input);
  const env = { ...jupyter.env, ...options.env };
  const run = await executeWithNbconvert({ env, input, outputDir: work, outputName: "out.ipynb", kernelName: "sluice", allowErrors: true });
  return { run, jupyter };
}
