/**
 * Making sure nothing a test started outlives it.
 */
import { readdir, readFile } from "node:fs/promises";

/**
 * Resolves true when `exit` settles within `ms`, false otherwise.
 * @param {Promise<unknown>} exit
 * @param {number} ms
 * @returns {Promise<boolean>}
 */
export async function waitForExit(exit, ms) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([exit.then(() => true), timeout]);
  clearTimeout(timer);
  return /** @type {boolean} */ (result);
}

/**
 * Process ids of live kernels launched by the Jupyter process `parentPid`: jupyter_client starts each
 * kernel in a new session with JPY_PARENT_PID=<its pid> in the environment. Linux only (/proc); elsewhere
 * it returns [].
 * @param {number} parentPid
 * @returns {Promise<number[]>}
 */
export async function findKernelsOf(parentPid) {
  /** @type {string[]} */
  let entries;
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const marker = `JPY_PARENT_PID=${parentPid}`;
  /** @type {number[]} */
  const found = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, "latin1");
      if (environ.split("\0").includes(marker)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * Kills (SIGKILL, by pid) every kernel that Jupyter process `parentPid` launched and that is still
 * alive; returns their pids so a test can assert there were none.
 * @param {number} parentPid
 * @returns {Promise<number[]>}
 */
export async function killOrphanKernels(parentPid) {
  const pids = await findKernelsOf(parentPid);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return pids;
}
