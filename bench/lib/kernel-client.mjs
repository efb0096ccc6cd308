/**
 * A minimal Jupyter client over ZeroMQ for benchmarks: writes a connection file, spawns a kernel from
 * its kernelspec argv, signs requests with HMAC-SHA256 and matches replies and iopub messages to them.
 * Only what the benchmarks need (shell, iopub, control); not a general-purpose client.
 */
import { spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import * as zmq from "zeromq";
import { freePort } from "../../test/support/free-port.mjs";

const DELIMITER = "<IDS|MSG>";
const PROTOCOL_VERSION = "5.3";

/**
 * @typedef {{ [key: string]: unknown }} JsonObject
 * @typedef {{ msg_id: string, msg_type: string, session: string, username: string, date: string, version: string }} Header
 * @typedef {{ header: Header, parent_header: Partial<Header>, metadata: JsonObject, content: JsonObject }} Message
 */

/**
 * @typedef {object} KernelLaunch
 * @property {string[]} argv      the kernelspec's argv (with `{connection_file}`)
 * @property {NodeJS.ProcessEnv} env  environment of the kernel (the spec's own env is merged over it)
 * @property {Record<string, string>} [specEnv]
 * @property {string} runtimeDir  where the connection file is written
 * @property {string} [cwd]
 */

export class KernelClient {
  /** @type {import("node:child_process").ChildProcess} */
  #process;
  /** @type {Buffer} */
  #key;
  #session = randomUUID();
  /** @type {zmq.Dealer} */
  #shell;
  /** @type {zmq.Dealer} */
  #control;
  /** @type {zmq.Subscriber} */
  #iopub;
  /** @type {Map<string, (message: Message) => void>} */
  #shellWaiters = new Map();
  /** @type {((message: Message) => void) | undefined} */
  #iopubListener;
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  exited;
  #stderr = "";
  #closed = false;
  /** performance.now() just before the kernel process was spawned. */
  spawnedAt = 0;

  /**
   * @param {import("node:child_process").ChildProcess} child
   * @param {Buffer} key
   * @param {Record<"shell" | "control" | "iopub", string>} endpoints
   */
  constructor(child, key, endpoints) {
    this.#process = child;
    this.#key = key;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.once("error", (error) => {
        this.#stderr += `cannot start the kernel: ${error.message}\n`;
        resolve({ code: null, signal: null });
      });
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk) => {
      if (this.#stderr.length < 20_000) this.#stderr += chunk;
    });
    // The kernel binds after it starts: retry connecting every 2 ms (ZeroMQ's default, 100 ms, would
    // round start-up times up to the next retry).
    const options = { linger: 0, reconnectInterval: 2 };
    this.#shell = new zmq.Dealer(options);
    this.#control = new zmq.Dealer(options);
    this.#iopub = new zmq.Subscriber(options);
    this.#shell.connect(endpoints.shell);
    this.#control.connect(endpoints.control);
    this.#iopub.connect(endpoints.iopub);
    this.#iopub.subscribe();
    void this.#pump(this.#shell, (message) => {
      const waiter = this.#shellWaiters.get(String(message.parent_header.msg_id));
      if (waiter) waiter(message);
    });
    void this.#pump(this.#control, (message) => {
      const waiter = this.#shellWaiters.get(String(message.parent_header.msg_id));
      if (waiter) waiter(message);
    });
    void this.#pump(this.#iopub, (message) => this.#iopubListener?.(message));
  }

  /**
   * Writes a fresh connection file (random key, free TCP ports on 127.0.0.1), spawns the kernel and
   * connects the client's sockets; the kernel may still be starting when this resolves.
   * @param {KernelLaunch} launch
   * @returns {Promise<KernelClient>}
   */
  static async launch(launch) {
    const ports = new Set();
    while (ports.size < 5) ports.add(await freePort());
    const [shell, iopub, stdin, control, hb] = [...ports];
    const key = randomBytes(32).toString("hex");
    const connection = {
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: shell,
      iopub_port: iopub,
      stdin_port: stdin,
      control_port: control,
      hb_port: hb,
      key,
      signature_scheme: "hmac-sha256",
    };
    const file = path.join(launch.runtimeDir, `kernel-bench-${randomUUID()}.json`);
    await writeFile(file, JSON.stringify(connection));
    const argv = launch.argv.map((arg) => arg.replaceAll("{connection_file}", file));
    const spawnedAt = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...launch.env, ...(launch.specEnv ?? {}) },
      cwd: launch.cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const endpoint = (/** @type {number} */ port) => `tcp://127.0.0.1:${port}`;
    const client = new KernelClient(child, Buffer.from(key, "utf8"), {
      shell: endpoint(shell),
      control: endpoint(control),
      iopub: endpoint(iopub),
    });
    client.spawnedAt = spawnedAt;
    return client;
  }

  /** What the kernel wrote on stderr (first 20 kB), for error messages. */
  get stderr() {
    return this.#stderr;
  }

  /**
   * Sends a request on shell (or control) and resolves with the reply. With `resendMs`, the request is
   * sent again (new msg_id) every resendMs until a reply arrives — for a kernel that is still binding.
   * @param {string} msgType
   * @param {JsonObject} content
   * @param {{ channel?: "shell" | "control", timeoutMs?: number, resendMs?: number }} [options]
   * @returns {Promise<Message>}
   */
  request(msgType, content, options = {}) {
    const socket = options.channel === "control" ? this.#control : this.#shell;
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      /** @type {string[]} */
      const ids = [];
      /** @type {NodeJS.Timeout | undefined} */
      let resend;
      const finish = () => {
        clearTimeout(timer);
        clearInterval(resend);
        for (const id of ids) this.#shellWaiters.delete(id);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${msgType} reply within ${timeoutMs} ms; kernel stderr:\n${this.#stderr}`));
      }, timeoutMs);
      const send = () => {
        const message = this.#message(msgType, content);
        ids.push(message.header.msg_id);
        this.#shellWaiters.set(message.header.msg_id, (reply) => {
          finish();
          resolve(reply);
        });
        socket.send(this.#encode(message)).catch((error) => {
          finish();
          reject(error);
        });
      };
      send();
      if (options.resendMs) resend = setInterval(send, options.resendMs);
      this.exited.then(({ code, signal }) => {
        if (ids.some((id) => this.#shellWaiters.has(id))) {
          finish();
          reject(new Error(`the kernel exited (code ${code}, signal ${signal}) before replying to ${msgType}:\n${this.#stderr}`));
        }
      });
    });
  }

  /**
   * Sends execute_request and resolves once BOTH its execute_reply (shell) and its `idle` status
   * (iopub) have arrived — the moment a frontend considers the cell done.
   * @param {string} code
   * @param {number} [timeoutMs]
   * @returns {Promise<Message>}  the execute_reply
   */
  execute(code, timeoutMs = 30_000) {
    const message = this.#message("execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    const id = message.header.msg_id;
    return new Promise((resolve, reject) => {
      /** @type {Message | undefined} */
      let reply;
      let idle = false;
      const done = () => {
        if (!reply || !idle) return;
        clearTimeout(timer);
        this.#shellWaiters.delete(id);
        this.#iopubListener = undefined;
        resolve(reply);
      };
      const timer = setTimeout(() => {
        this.#shellWaiters.delete(id);
        this.#iopubListener = undefined;
        reject(new Error(`execute of ${JSON.stringify(code)} did not finish within ${timeoutMs} ms (reply: ${!!reply}, idle: ${idle})`));
      }, timeoutMs);
      this.#iopubListener = (msg) => {
        if (msg.parent_header.msg_id === id && msg.header.msg_type === "status" && msg.content.execution_state === "idle") {
          idle = true;
          done();
        }
      };
      this.#shellWaiters.set(id, (msg) => {
        reply = msg;
        done();
      });
      this.#shell.send(this.#encode(message)).catch(reject);
    });
  }

  /**
   * Resolves once an iopub message has arrived (the subscription is live): sends kernel_info_request
   * until a status message for one of them is seen.
   * @param {number} [timeoutMs]
   * @returns {Promise<void>}
   */
  async waitForIopub(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let seen = false;
    this.#iopubListener = () => {
      seen = true;
    };
    try {
      while (!seen) {
        if (Date.now() > deadline) throw new Error(`no iopub message within ${timeoutMs} ms; kernel stderr:\n${this.#stderr}`);
        await this.request("kernel_info_request", {});
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      this.#iopubListener = undefined;
    }
  }

  /**
   * Asks the kernel to shut down (shutdown_request on control), waits for the process to exit and
   * SIGKILLs it after `graceMs`; closes the sockets.
   * @param {number} [graceMs]
   * @returns {Promise<void>}
   */
  async shutdown(graceMs = 5_000) {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      try {
        await this.request("shutdown_request", { restart: false }, { channel: "control", timeoutMs: graceMs });
      } catch {
        // killed below
      }
      /** @type {NodeJS.Timeout | undefined} */
      let timer;
      const killed = new Promise((resolve) => {
        timer = setTimeout(() => {
          this.#process.kill("SIGKILL");
          resolve(undefined);
        }, graceMs);
      });
      await Promise.race([this.exited, killed]);
      clearTimeout(timer);
      await this.exited;
    }
    this.#shell.close();
    this.#control.close();
    this.#iopub.close();
  }

  /**
   * @param {string} msgType
   * @param {JsonObject} content
   * @returns {Message}
   */
  #message(msgType, content) {
    return {
      header: {
        msg_id: randomUUID(),
        msg_type: msgType,
        session: this.#session,
        username: "bench",
        date: new Date().toISOString(),
        version: PROTOCOL_VERSION,
      },
      parent_header: {},
      metadata: {},
      content,
    };
  }

  /**
   * @param {Message} message
   * @returns {(string | Buffer)[]}
   */
  #encode(message) {
    const parts = [message.header, message.parent_header, message.metadata, message.content].map((part) => Buffer.from(JSON.stringify(part)));
    return [DELIMITER, this.#sign(parts), ...parts];
  }

  /**
   * @param {Buffer[]} parts
   * @returns {string}
   */
  #sign(parts) {
    const hmac = createHmac("sha256", this.#key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  /**
   * Receives until the socket closes, decoding and verifying each message.
   * @param {zmq.Dealer | zmq.Subscriber} socket
   * @param {(message: Message) => void} onMessage
   */
  async #pump(socket, onMessage) {
    try {
      for await (const frames of socket) {
        const message = this.#decode(frames);
        if (message) onMessage(message);
      }
    } catch (error) {
      if (!this.#closed) process.stderr.write(`kernel-client: receive failed: ${String(error)}\n`);
    }
  }

  /**
   * @param {Buffer[]} frames
   * @returns {Message | undefined}
   */
  #decode(frames) {
    const at = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString("latin1") === DELIMITER);
    if (at < 0 || frames.length < at + 6) return undefined;
    const signature = frames[at + 1];
    const parts = frames.slice(at + 2, at + 6);
    const expected = Buffer.from(this.#sign(parts), "latin1");
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      process.stderr.write("kernel-client: dropped a message with a bad signature\n");
      return undefined;
    }
    const [header, parent_header, metadata, content] = parts.map((part) => JSON.parse(part.toString("utf8")));
    return { header, parent_header, metadata, content };
  }
}
