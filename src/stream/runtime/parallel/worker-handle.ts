/**
 * One worker thread seen from the main thread: requests answered in order, pushes (messages a worker fed
 * by the keyed exchange posts unasked) handed to a listener, a crashed or exited worker failing every
 * pending and later request, and termination. Counts live workers (for tests: none may be left behind
 * once a job ended).
 */
import type { TransferListItem, Worker } from "node:worker_threads";
import { startWorkerThread } from "./source-loader.js";
import type { WorkerPush, WorkerReply, WorkerRequest } from "./worker-protocol.js";

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
  /** Waiting for the next push (see {@link nextPush}). */
  private pushWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /** `onPush` takes the worker's pushes, in order (before {@link nextPush} resolves). */
  constructor(
    readonly name: string,
    private readonly onPush: (push: WorkerPush) => void = () => {},
  ) {
    this.worker = startWorkerThread(name);
    live++;
    this.worker.on("message", (message: WorkerReply | WorkerPush) => {
      if (message.type === "push") {
        this.onPush(message);
        const waiters = this.pushWaiters;
        this.pushWaiters = [];
        for (const w of waiters) w.resolve();
      } else {
        this.pending.shift()?.resolve(message);
      }
      this.updateRef();
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

  /** Sends `request` (moving the `transfer` buffers and ports to the worker); resolves with its reply. */
  request(request: WorkerRequest, transfer: readonly TransferListItem[] = []): Promise<WorkerReply> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.updateRef();
      this.worker.postMessage(request, transfer);
    });
  }

  /** Resolves once the worker's next push has been handed to the listener (rejects when the worker fails). */
  nextPush(): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<void>((resolve, reject) => {
      this.pushWaiters.push({ resolve, reject });
      this.updateRef();
    });
  }

  /** Someone waits for this worker (a reply or a push): it keeps the process alive; otherwise it does not. */
  private updateRef(): void {
    if (this.exited) return;
    if (this.pending.length > 0 || this.pushWaiters.length > 0) this.worker.ref();
    else this.worker.unref();
  }

  /** Stops the thread (pending requests fail); resolves once it has exited. */
  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
    await this.exit;
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.broken);
    for (const w of this.pushWaiters.splice(0)) w.reject(this.broken);
  }
}
