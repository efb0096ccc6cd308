/**
 * One worker thread seen from the main thread: requests answered in order, a crashed or exited worker
 * failing every pending and later request, and termination. Counts live workers (for tests: none may
 * be left behind once a job ended).
 */
import type { Worker } from "node:worker_threads";
import { startWorkerThread } from "./source-loader.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";

let live = 0;

/** Worker threads of parallel operators currently running in this process. */
export function liveWorkerThreads(): number {
  return live;
}

/** A keyed-operator worker thread. */
export class WorkerHandle {
  private readonly worker: Worker;
  private readonly pending: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }[] = [];
  private broken: Error | undefined;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(readonly name: string) {
    this.worker = startWorkerThread(name);
    live++;
    this.worker.on("message", (reply: WorkerReply) => {
      this.pending.shift()?.resolve(reply);
      if (this.pending.length === 0) this.worker.unref();
    });
    this.worker.on("error", (error: Error) => this.fail(new Error(`worker ${name} crashed: ${error.message}`, { cause: error })));
    this.exit = new Promise<void>((resolve) => {
      this.worker.once("exit", (code) => {
        this.exited = true;
        live--;
        this.fail(new Error(`worker ${name} exited (code ${code})`));
        resolve();
      });
    });
    // An idle worker must not keep the process alive on its own; one with a request pending does.
    this.worker.unref();
  }

  /** Sends `request` (moving the `transfer` buffers to the worker); resolves with its reply. */
  request(request: WorkerRequest, transfer: readonly ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<WorkerReply>((resolve, reject) => {
      if (this.pending.length === 0) this.worker.ref();
      this.pending.push({ resolve, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  /** Stops the thread (pending requests fail); resolves once it has exited. */
  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
    await this.exit;
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.broken);
  }
}
