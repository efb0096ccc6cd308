/**
 * Starts Debian's jupyter-server (1.x) on a free local port with a random token, waits until its REST API
 * answers, and stops it (and any kernel it left behind) again.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { freePort } from "./free-port.mjs";
import { JUPYTER_PYTHON } from "./paths.mjs";
import { killOrphanKernels, waitForExit } from "./process-cleanup.mjs";

/**
 * @typedef {object} RunningJupyterServer
 * @property {string} baseUrl   e.g. http://127.0.0.1:PORT/
 * @property {string} wsUrl     e.g. ws://127.0.0.1:PORT/
 * @property {string} token
 * @property {number} pid
 * @property {() => string} log  everything the server printed so far
 * @property {() => Promise<number[]>} stop  SIGTERM (the server shuts its kernels down), SIGKILL after 15 s,
 *   then kills any kernel process the server started that is still alive and resolves with those pids
 *   (empty when the server cleaned up after itself)
 */

/**
 * @typedef {object} StartJupyterServerOptions
 * @property {NodeJS.ProcessEnv} env  environment of the server and its kernels (see createJupyterEnv)
 * @property {string} rootDir          the server's root_dir (notebooks and session paths are relative to it)
 * @property {number} [startTimeoutMs] default 60 s
 */

/**
 * Starts the server; rejects with the server's output when it exits or does not answer in time.
 * Retries on another port if the chosen one was taken in the meantime.
 * @param {StartJupyterServerOptions} options
 * @returns {Promise<RunningJupyterServer>}
 */
export async function startJupyterServer(options) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options, await freePort());
    } catch (error) {
      lastError = error;
      if (!/address already in use|Errno 98/i.test(String(error))) throw error;
    }
  }
  throw lastError;
}

/**
 * @param {StartJupyterServerOptions} options
 * @param {number} port
 * @returns {Promise<RunningJupyterServer>}
 */
async function startOnce(options, port) {
  const token = randomBytes(24).toString("hex");
  const args = [
    "-m",
    "jupyter_server",
    "--no-browser",
    "--allow-root",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.token=${token}`,
    `--ServerApp.root_dir=${options.rootDir}`,
  ];
  const child = spawn(JUPYTER_PYTHON, args, { env: options.env, cwd: options.rootDir, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${JUPYTER_PYTHON} -m jupyter_server`);
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
  /** @type {{ code: number | null, signal: string | null } | undefined} */
  let exited;
  const exitPromise = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolve(undefined);
    }),
  );
  // A test runner that dies without afterAll must not leave the server behind.
  const killOnExit = () => {
    if (!exited) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const baseUrl = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      process.removeListener("exit", killOnExit);
      throw new Error(`jupyter-server exited (code ${exited.code}, signal ${exited.signal}) before answering:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await exitPromise;
      process.removeListener("exit", killOnExit);
      throw new Error(`jupyter-server did not answer ${baseUrl}api within the time limit:\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}api`, { headers: { Authorization: `token ${token}` } });
      if (response.ok) {
        const body = await response.json();
        if (typeof body?.version === "string") break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  let stopped = false;
  return {
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/`,
    token,
    pid,
    log: () => output,
    stop: async () => {
      if (stopped) return [];
      stopped = true;
      if (!exited) {
        child.kill("SIGTERM");
        if (!(await waitForExit(exitPromise, 15_000))) {
          child.kill("SIGKILL");
          await exitPromise;
        }
      }
      process.removeListener("exit", killOnExit);
      return killOrphanKernels(pid);
    },
  };
}
