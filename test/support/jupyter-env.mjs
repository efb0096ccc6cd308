/**
 * A throw-away Jupyter environment: every directory Jupyter, IPython and Sluice write to points into
 * one temp dir, so tests and benchmarks never read or write $HOME.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * @typedef {object} JupyterEnv
 * @property {string} root     the temp dir holding everything below
 * @property {string} prefix   an install prefix: kernelspecs go to `<prefix>/share/jupyter/kernels`
 * @property {string} kernelsDir  `<prefix>/share/jupyter/kernels`
 * @property {NodeJS.ProcessEnv} env  the environment to run Jupyter tools and kernels with
 * @property {() => Promise<void>} cleanup  removes `root` (only if it was created here)
 */

/**
 * @typedef {object} JupyterEnvOptions
 * @property {string} [root]   use (and keep) this directory instead of a fresh temp dir
 * @property {string} [prefix] the install prefix (default `<root>/prefix`)
 * @property {NodeJS.ProcessEnv} [baseEnv]  environment to extend (default process.env)
 */

/**
 * Creates the directories and the environment: JUPYTER_PATH (the prefix's share/jupyter), JUPYTER_DATA_DIR,
 * JUPYTER_RUNTIME_DIR, JUPYTER_CONFIG_DIR, IPYTHONDIR, SLUICE_HISTORY_FILE. Debian's own kernelspecs
 * (python3 in /usr/share/jupyter) stay visible through the system path.
 * @param {JupyterEnvOptions} [options]
 * @returns {Promise<JupyterEnv>}
 */
export async function createJupyterEnv(options = {}) {
  const owned = options.root === undefined;
  const root = options.root ?? (await mkdtemp(path.join(os.tmpdir(), "sluice-jupyter-")));
  const prefix = options.prefix ?? path.join(root, "prefix");
  const kernelsDir = path.join(prefix, "share", "jupyter", "kernels");
  const dirs = {
    data: path.join(root, "data"),
    runtime: path.join(root, "runtime"),
    config: path.join(root, "config"),
    ipython: path.join(root, "ipython"),
  };
  await Promise.all([kernelsDir, ...Object.values(dirs)].map((dir) => mkdir(dir, { recursive: true })));

  /** @type {NodeJS.ProcessEnv} */
  const env = { ...(options.baseEnv ?? process.env) };
  // Debian's Python must not pick up another interpreter's modules.
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  Object.assign(env, {
    JUPYTER_PATH: path.join(prefix, "share", "jupyter"),
    JUPYTER_DATA_DIR: dirs.data,
    JUPYTER_RUNTIME_DIR: dirs.runtime,
    JUPYTER_CONFIG_DIR: dirs.config,
    IPYTHONDIR: dirs.ipython,
    SLUICE_HISTORY_FILE: path.join(root, "sluice-history.sqlite"),
    // Quiet, deterministic tools: no platformdirs migration warning, no debugpy frozen-module notice.
    JUPYTER_PLATFORM_DIRS: "1",
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    PYTHONNOUSERSITE: "1",
  });

  return {
    root,
    prefix,
    kernelsDir,
    env,
    cleanup: async () => {
      if (owned) await rm(root, { recursive: true, force: true });
    },
  };
}
