/**
 * The kernel's ZeroMQ transport: a worker thread owns the five sockets (shell, control, stdin: Router;
 * iopub: Publisher; heartbeat: Router echoing every message back to its sender, which REQ peers see as
 * a Reply socket), so heartbeat and control stay responsive while user code blocks the main thread.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ConnectionInfo } from "../protocol/connection-file.js";
import type { Channel, JupyterMessage } from "../protocol/message.js";
import type { IncomingHandler, Transport } from "./transport.js";
import type { FromWorker, RequestChannel, ToWorker, WorkerConfig } from "./worker-messages.js";

/** How long `close` waits for the worker to end on its own before terminating it. */
const WORKER_EXIT_GRACE_MS = 5000;

/** Options for {@link ZmqTransport}. */
export interface ZmqTransportOptions {
  /**
   * Called for every incoming message the worker refused (bad frames, bad or missing signature,
   * replay). The worker logs these to stderr in any case; this hook is for tests and diagnostics.
   */
  onDrop?: (channel: RequestChannel, reason: string) => void;
  /**
   * Where main-thread transport events go (worker failures), one line each; default: stderr. The
   * worker writes its own lines (refused messages, send failures) straight to stderr, since the main
   * thread may be busy.
   */
  log?: (message: string) => void;
  /**
   * An Int32Array over a SharedArrayBuffer; on a valid interrupt_request the worker stores 1 at index 0
   * (before raising SIGINT), so code polling the flag stops even when SIGINT is not observed.
   */
  interruptFlag?: Int32Array;
}

/**
 * True when the connection's key is empty, i.e. messages are neither signed nor verified (and replay
 * protection is off).
 */
export function isUnsigned(connection: ConnectionInfo): boolean {
  return connection.key === "";
}

/**
 * {@link Transport} over ZeroMQ, binding exactly the connection file's endpoints.
 *
 * `deliversInterruptsAsSigint` is true: a valid `interrupt_request` on control raises SIGINT in this
 * process before it is delivered. The process must therefore handle SIGINT (a `process.on("SIGINT")`
 * listener, or code running under `vm` with `breakOnSigint`), otherwise Node's default action ends it.
 */
export class ZmqTransport implements Transport {
  readonly deliversInterruptsAsSigint = true;
  /** False when the connection key is empty (no signing, no replay protection). */
  readonly signingEnabled: boolean;

  private worker: Worker | undefined;
  private state: "new" | "starting" | "running" | "closing" | "closed" = "new";
  private exited: Promise<void> | undefined;

  private readonly log: (message: string) => void;

  /**
   * @throws {TypeError} when `options.interruptFlag` is not an Int32Array over a SharedArrayBuffer.
   */
  constructor(
    private readonly connection: ConnectionInfo,
    private readonly options: ZmqTransportOptions = {},
  ) {
    this.signingEnabled = !isUnsigned(connection);
    const flag = options.interruptFlag;
    if (flag !== undefined && !(flag instanceof Int32Array && flag.buffer instanceof SharedArrayBuffer && flag.length >= 1)) {
      throw new TypeError("ZmqTransport: interruptFlag must be an Int32Array (length >= 1) over a SharedArrayBuffer");
    }
    this.log = options.log ?? ((message) => process.stderr.write(`[sluice] transport: ${message}\n`));
  }

  /**
   * Starts the worker and binds the sockets; resolves once all five are bound.
   *
   * @throws {Error} naming the socket and endpoint when a bind fails, or when called twice.
   */
  start(onMessage: IncomingHandler): Promise<void> {
    if (this.state !== "new") return Promise.reject(new Error(`ZmqTransport.start: transport already ${this.state}`));
    this.state = "starting";
    const config: WorkerConfig = {
      connection: this.connection,
      reportDrops: this.options.onDrop !== undefined,
      interruptFlag: this.options.interruptFlag,
    };
    const workerUrl = new URL("./zmq-worker.js", import.meta.url);
    if (!existsSync(workerUrl)) {
      this.state = "closed";
      return Promise.reject(
        new Error(`ZmqTransport: worker script ${fileURLToPath(workerUrl)} not found; run the compiled transport from dist/`),
      );
    }
    const worker = new Worker(workerUrl, { workerData: config });
    this.worker = worker;
    this.exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

    return new Promise<void>((resolve, reject) => {
      const onDrop = this.options.onDrop;
      const onError = (error: Error): void => {
        if (this.state === "starting") {
          this.state = "closed";
          reject(new Error(`ZmqTransport: worker failed to start: ${error.message}`, { cause: error }));
        } else {
          this.log(`worker failed: ${error.stack ?? error.message}`);
        }
      };
      worker.on("error", onError);
      worker.on("message", (message: FromWorker) => {
        switch (message.kind) {
          case "message":
            try {
              onMessage(message.channel, message.message);
            } catch (error) {
              const type = message.message.header.msg_type;
              this.log(`handler failed for ${type} on ${message.channel}: ${(error as Error)?.stack ?? String(error)}`);
            }
            return;
          case "ready":
            this.state = "running";
            resolve();
            return;
          case "bind-error":
            this.state = "closed";
            reject(new Error(`ZmqTransport: ${message.error}`));
            return;
          case "dropped":
            onDrop?.(message.channel, message.reason);
            return;
          case "closed":
            return;
        }
      });
      worker.once("exit", (code) => {
        if (this.state === "starting") {
          this.state = "closed";
          reject(new Error(`ZmqTransport: worker exited with code ${code} before binding`));
        } else if (this.state === "running") {
          this.state = "closed";
          this.log(`worker exited unexpectedly with code ${code}`);
        }
      });
    });
  }

  /**
   * Queues `message` for the worker, which signs, frames and sends it. Order is preserved per channel.
   * On iopub the topic is `kernel.<session>.<msg_type>`; on other channels the message's identities
   * route it.
   *
   * @throws {Error} when the transport is not running, or (DataCloneError) when the message holds
   * values structured clone cannot copy, such as functions.
   */
  send(channel: Channel, message: JupyterMessage): void {
    if (this.state !== "running" || this.worker === undefined) {
      throw new Error(`ZmqTransport.send(${channel}, ${message.header.msg_type}): transport is ${this.state}, not running`);
    }
    const request: ToWorker = { kind: "send", channel, message };
    this.worker.postMessage(request);
  }

  /**
   * Flushes pending sends (up to about a second), unbinds and closes every socket and ends the worker.
   * Resolves when the worker has ended and the endpoints are released. Safe to call more than once.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined || this.exited === undefined) {
      this.state = "closed";
      return;
    }
    if (this.state === "running" || this.state === "starting") {
      this.state = "closing";
      const request: ToWorker = { kind: "close" };
      worker.postMessage(request);
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), WORKER_EXIT_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) await worker.terminate();
    this.state = "closed";
  }
}
