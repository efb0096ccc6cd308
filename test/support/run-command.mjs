/**
 * Runs a command to completion, collecting its output, with a hard time limit.
 */
import { spawn } from "node:child_process";

/**
 * @typedef {object} CommandResult
 * @property {number | null} code   exit code (null when killed by a signal)
 * @property {NodeJS.Signals | null} signal
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * @typedef {object} RunCommandOptions
 * @property {NodeJS.ProcessEnv} [env]   the whole environment of the child (default: this process's)
 * @property {string} [cwd]
 * @property {number} [timeoutMs]        SIGKILL after this long (default 120 s)
 * @property {boolean} [check]           reject when the exit code is not 0 (default true)
 * @property {boolean} [echo]            also copy the child's output to this process's stdout/stderr
 */

/**
 * Runs `command args...` and resolves with its exit status and output. With `check` (the default) a
 * non-zero exit, a signal or the time limit rejects with an error that shows the command and its stderr.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {RunCommandOptions} [options]
 * @returns {Promise<CommandResult>}
 */
export function runCommand(command, args, options = {}) {
  const { env = process.env, cwd, timeoutMs = 120_000, check = true, echo = false } = options;
  const shown = [command, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
      if (echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run \`${shown}\`: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      if (timedOut) {
        reject(new Error(`\`${shown}\` did not finish within ${timeoutMs} ms (killed)\n--- stderr ---\n${stderr}`));
      } else if (check && code !== 0) {
        const status = code === null ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`\`${shown}\` failed with ${status}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
      } else {
        resolve(result);
      }
    });
  });
}
