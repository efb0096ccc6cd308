/**
 * A real Apache ZooKeeper server for tests: Debian's `libzookeeper-java` on the machine's Java, one
 * standalone server on 127.0.0.1 and a free port with a temp data dir, stopped (and its dir removed)
 * by `stop()`, and at the latest when this process exits.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port.mjs";

/** Where Debian's libzookeeper-java puts the server and the logging backend it uses here. */
export const ZOOKEEPER_JAR = "/usr/share/java/zookeeper.jar";
export const SLF4J_SIMPLE_JAR = "/usr/share/java/slf4j-simple.jar";

const HOST = "127.0.0.1";
const SETUP_HINT = "run .ci/setup (it installs Debian's libzookeeper-java)";
/** The last this many characters of the server's output are kept for error messages. */
const OUTPUT_LIMIT = 64 * 1024;

/**
 * @typedef {object} StartZooKeeperOptions
 * @property {string} [java]            the java command (default `$SLUICE_JAVA`, else `java` on PATH)
 * @property {string} [jar]             the ZooKeeper server jar (default {@link ZOOKEEPER_JAR})
 * @property {number} [tickTimeMs]      ZooKeeper's tick (default 2000); sessions may last 2 to 20 ticks
 * @property {number} [startTimeoutMs]  how long to wait for `ruok` → `imok` and serving (default 30 s)
 * @property {number} [attempts]        tries on a fresh port when the server dies while starting (default 3)
 */

/**
 * @typedef {object} ZooKeeperServer
 * @property {string} connectString  `127.0.0.1:PORT`, for clients (add a chroot such as `/hbase` yourself)
 * @property {string} host           always 127.0.0.1
 * @property {number} port
 * @property {number} pid            the Java process
 * @property {string} dataDir        the temp data dir (removed by `stop()`)
 * @property {number} startupMs      from spawn to serving (of the latest start)
 * @property {() => string} output   the server's stdout and stderr so far (the last 64 KiB, across restarts)
 * @property {(command: string) => Promise<string>} fourLetterWord  ask a whitelisted four-letter word (`ruok`, `srvr`)
 * @property {() => Promise<void>} stopProcess  stop the server but keep its data dir and port (for `restart()`)
 * @property {() => Promise<void>} restart  stop the server if running, then start it again on the same port
 *   and data: sessions and znodes survive (a session lives if it reconnects within its timeout)
 * @property {() => Promise<void>} stop  kill the server and remove its temp dir; idempotent
 */

/** Servers of this process not stopped yet, killed synchronously when the process exits. */
/** @type {Set<{ child: import("node:child_process").ChildProcess, dir: string }>} */
const running = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const server of running) {
      try {
        server.child.kill("SIGKILL");
      } catch {
        // already gone
      }
      rmSync(server.dir, { recursive: true, force: true });
    }
    running.clear();
  });
  // A signal ends the process without "exit": clean up, then die of the same signal, but only when no
  // one else handles it (otherwise our listener would change how the process reacts to it).
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
    if (process.listenerCount(signal) > 0) continue;
    const onSignal = () => {
      process.off(signal, onSignal);
      for (const server of running) {
        try {
          server.child.kill("SIGKILL");
        } catch {
          // already gone
        }
        rmSync(server.dir, { recursive: true, force: true });
      }
      running.clear();
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/**
 * Checks that Java and the ZooKeeper jar are there; throws an error that says what to do otherwise.
 * @param {string} java
 * @param {string} jar
 */
function checkPrerequisites(java, jar) {
  if (!existsSync(jar)) {
    throw new Error(`ZooKeeper is not installed: ${jar} is missing; ${SETUP_HINT}`);
  }
  const probe = spawnSync(java, ["-version"], { encoding: "utf8", timeout: 30_000 });
  if (probe.error) {
    throw new Error(`cannot run Java (\`${java} -version\`: ${probe.error.message}); ZooKeeper needs a Java runtime; ${SETUP_HINT} and install a JRE (Debian: default-jre-headless)`);
  }
  if (probe.status !== 0) {
    throw new Error(`\`${java} -version\` failed (exit ${probe.status}): ${probe.stderr.trim()}`);
  }
}

/**
 * Sends a ZooKeeper four-letter word and resolves with the whole answer ("" when the server closes
 * without one). Rejects on connection errors and after `timeoutMs`.
 * @param {number} port
 * @param {string} command   `ruok`, `srvr`, … (the server must whitelist it)
 * @param {number} [timeoutMs]
 * @returns {Promise<string>}
 */
export function fourLetterWord(port, command, timeoutMs = 2_000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`ZooKeeper on ${HOST}:${port} did not answer \`${command}\` within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.end(command));
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(answer);
    });
  });
}

/**
 * Starts one standalone ZooKeeper server and resolves once it answers `ruok` with `imok` and serves
 * requests (`srvr` shows its version rather than "not currently serving requests").
 *
 * Runs `java -Xmx256m -cp zookeeper.jar:slf4j-simple.jar org.apache.zookeeper.server.ZooKeeperServerMain
 * zoo.cfg` with a config in a fresh temp dir (`tickTime`, `dataDir`, `clientPort`,
 * `clientPortAddress=127.0.0.1`, `admin.enableServer=false`, `4lw.commands.whitelist=ruok,srvr`). If the
 * server dies while starting (another process took the port), it tries again on a new port.
 * @param {StartZooKeeperOptions} [options]
 * @returns {Promise<ZooKeeperServer>}
 */
export async function startZooKeeper(options = {}) {
  const {
    java = process.env.SLUICE_JAVA || "java",
    jar = ZOOKEEPER_JAR,
    tickTimeMs = 2_000,
    startTimeoutMs = 30_000,
    attempts = 3,
  } = options;
  checkPrerequisites(java, jar);
  /** @type {unknown} */
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await startOnce(java, jar, tickTimeMs, startTimeoutMs);
    } catch (error) {
      lastError = error;
      if (!(error instanceof ServerDiedError)) throw error;
    }
  }
  throw lastError;
}

/** The server process exited before it answered `imok` (often: the port was taken meanwhile). */
class ServerDiedError extends Error {}

/**
 * @typedef {object} Launched
 * @property {import("node:child_process").ChildProcess} child
 * @property {() => boolean} alive           false once the process exited (or failed to spawn)
 * @property {Promise<void>} exited          resolves when the process has exited
 */

/**
 * @param {string} java
 * @param {string} jar
 * @param {number} tickTimeMs
 * @param {number} startTimeoutMs
 * @returns {Promise<ZooKeeperServer>}
 */
async function startOnce(java, jar, tickTimeMs, startTimeoutMs) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-zookeeper-"));
  const dataDir = path.join(dir, "data");
  const config = path.join(dir, "zoo.cfg");
  writeFileSync(
    config,
    [
      `tickTime=${tickTimeMs}`,
      `dataDir=${dataDir}`,
      `clientPort=${port}`,
      `clientPortAddress=${HOST}`,
      "admin.enableServer=false",
      "4lw.commands.whitelist=ruok,srvr",
      "",
    ].join("\n"),
  );
  const classpath = [jar, ...(existsSync(SLF4J_SIMPLE_JAR) ? [SLF4J_SIMPLE_JAR] : [])].join(":");
  const args = ["-Xmx256m", "-cp", classpath, "org.apache.zookeeper.server.ZooKeeperServerMain", config];
  const shown = `${java} ${args.join(" ")}`;

  let output = "";
  /** @param {string} chunk */
  const keep = (chunk) => {
    output += chunk;
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };

  /** The current server process; replaced by restart(). */
  const entry = { child: /** @type {import("node:child_process").ChildProcess} */ (/** @type {unknown} */ (null)), dir };
  installExitHook();

  /**
   * Spawns the server and waits for `imok`; on failure kills it and throws (the temp dir stays).
   * @returns {Promise<Launched>}
   */
  const launch = async () => {
    const started = performance.now();
    const child = spawn(java, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    entry.child = child;
    running.add(entry);
    child.stdout?.setEncoding("utf8").on("data", keep);
    child.stderr?.setEncoding("utf8").on("data", keep);
    /** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
    let status = null;
    /** @type {Error | null} */
    let spawnError = null;
    /** @type {Promise<void>} */
    const exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        status = { code, signal };
        resolve();
      });
      child.once("error", (error) => {
        spawnError = error;
        resolve();
      });
    });
    const launched = { child, exited, alive: () => status === null && spawnError === null };
    const deadline = started + startTimeoutMs;
    for (;;) {
      if (spawnError !== null) {
        throw new Error(`cannot start ZooKeeper (\`${shown}\`): ${/** @type {Error} */ (spawnError).message}; ${SETUP_HINT}`);
      }
      if (status !== null) {
        const { code, signal } = /** @type {{ code: number | null, signal: NodeJS.Signals | null }} */ (status);
        throw new ServerDiedError(
          `ZooKeeper exited while starting (code ${code}, signal ${signal}) on port ${port}\n` +
            `command: ${shown}\n--- output ---\n${output}`,
        );
      }
      // `imok` only says the process runs; `srvr` shows when it serves requests (before that, a client's
      // session request may go unanswered).
      const answer = await fourLetterWord(port, "ruok", 1_000).catch(() => "");
      if (answer === "imok" && (await fourLetterWord(port, "srvr", 1_000).catch(() => "")).startsWith("Zookeeper version:")) break;
      if (performance.now() > deadline) {
        await kill(launched);
        throw new Error(
          `ZooKeeper on ${HOST}:${port} did not answer ruok with imok and serve requests within ${startTimeoutMs} ms\n` +
            `command: ${shown}\n--- output ---\n${output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    server.startupMs = Math.round(performance.now() - started);
    return launched;
  };

  let stopped = false;
  /** @type {Launched | null} */
  let current = null;

  /** @type {ZooKeeperServer} */
  const server = {
    connectString: `${HOST}:${port}`,
    host: HOST,
    port,
    get pid() {
      return /** @type {number} */ (entry.child.pid);
    },
    dataDir,
    startupMs: 0,
    output: () => output,
    fourLetterWord: (command) => fourLetterWord(port, command),
    stopProcess: async () => {
      if (current !== null) await kill(current);
    },
    restart: async () => {
      if (stopped) throw new Error("restart: this ZooKeeper was stopped");
      if (current !== null) await kill(current);
      current = null;
      current = await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (current !== null) await kill(current);
      else if (entry.child !== null) entry.child.kill("SIGKILL");
      running.delete(entry);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    current = await launch();
  } catch (error) {
    if (entry.child !== null) entry.child.kill("SIGKILL");
    running.delete(entry);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/**
 * SIGTERM, then SIGKILL after 5 s; resolves once the process has exited.
 * @param {Launched} launched
 */
async function kill(launched) {
  if (!launched.alive()) return;
  launched.child.kill("SIGTERM");
  const timer = setTimeout(() => launched.child.kill("SIGKILL"), 5_000);
  await launched.exited;
  clearTimeout(timer);
}
