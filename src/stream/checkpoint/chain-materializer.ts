/**
 * Background materialisation of incremental checkpoints (as Flink's changelog state backend
 * materialises asynchronously): a checkpoint at the end of a chain (base + deltas) becomes a new base by
 * folding the chain off the job's thread — the store's files are read asynchronously, a worker thread
 * decodes, folds and encodes them, and the store swaps the checkpoint's delta for the folded full state
 * atomically (`CheckpointStore.materialize`). The job itself then only ever writes deltas (after its
 * first checkpoint), and a restore still reads short chains.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { sourceLoaderRegistration } from "../runtime/parallel/source-loader.js";
import type { CheckpointInfo, CheckpointStore } from "./checkpoint-store.js";
import { chainOf } from "./checkpoint-chain.js";

/** A message to the worker: a chain's stored snapshots, base first. */
export interface MaterializeRequest {
  readonly id: number;
  readonly chain: readonly Uint8Array[];
}

/** The worker's answer: the folded full snapshot's bytes, or why it failed. */
export type MaterializeReply = { readonly id: number; readonly state: Uint8Array } | { readonly id: number; readonly error: string };

/** A store that can swap an incremental checkpoint for its materialised full state. */
export type MaterializingStore = CheckpointStore & Required<Pick<CheckpointStore, "materialize">>;

/** Whether `store` can take materialised bases (and so lets jobs write deltas only). */
export function canMaterialize(store: CheckpointStore): store is MaterializingStore {
  return typeof store.materialize === "function";
}

/** One job's materialiser: a worker thread started on first use, ended by {@link close}. */
export class ChainMaterializer {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private closed = false;

  /**
   * Turns checkpoint `id` (an incremental checkpoint in `store`) into a base: reads its chain, folds it
   * on the worker thread and has the store replace the delta by the full state (`onCommit` sees that
   * last step's promise as it starts: a caller ending may wait for it, not for the fold). Resolves with
   * the checkpoint as now stored (no `parent`); rejects when the chain is gone (retention removed it),
   * the fold fails or the materialiser was closed — the chain is then left as it was, still valid.
   */
  async materialize(store: MaterializingStore, id: number, onCommit?: (commit: Promise<CheckpointInfo>) => void): Promise<CheckpointInfo> {
    const all = await store.list();
    const current = all.find((c) => c.kind === "checkpoint" && c.id === id);
    if (current === undefined) throw new Error(`checkpoint ${id} is no longer in the checkpoint storage`);
    if (current.parent === undefined) return current;
    const parts = await Promise.all(chainOf(current, all).map((c) => store.read(c)));
    const full = await this.fold(parts);
    if (this.closed) throw new Error("the materialiser was closed");
    const commit = store.materialize(current, full);
    onCommit?.(commit);
    return commit;
  }

  /** Folds encoded snapshots (base first) into one encoded full snapshot on the worker thread. */
  fold(chain: readonly Uint8Array[]): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error("the materialiser was closed"));
    const owned = chain.map((b) => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b)));
    const id = this.nextId++;
    const worker = this.start();
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: MaterializeRequest = { id, chain: owned };
      worker.postMessage(request, owned.map((b) => b.buffer as ArrayBuffer));
    });
  }

  /** Ends the worker thread; pending folds reject. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error("the materialiser was closed"));
    if (worker !== undefined) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startMaterializeWorker();
    worker.unref();
    worker.on("message", (reply: MaterializeReply) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if ("error" in reply) waiter.reject(new Error(`materialising a checkpoint chain failed: ${reply.error}`));
      else waiter.resolve(reply.state);
    });
    const lost = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(error);
    };
    worker.on("error", (error) => lost(error));
    worker.on("exit", (code) => lost(new Error(`the materialisation worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiters) w.reject(error);
  }
}

/** Starts a thread running `materialize-worker` (compiled, or from the TypeScript sources through the development loader). */
function startMaterializeWorker(): Worker {
  const here = import.meta.url;
  const name = "sluice checkpoint materialiser";
  const compiled = new URL("./materialize-worker.js", here);
  if (!here.endsWith(".ts") || existsSync(fileURLToPath(compiled))) return new Worker(compiled, { name });
  const sources = new URL("./materialize-worker.ts", here).href;
  const { specifier, options } = sourceLoaderRegistration();
  const boot =
    `require("node:module").register(${JSON.stringify(specifier)}, ${JSON.stringify(options)});` +
    `import(${JSON.stringify(sources)}).catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(boot, { eval: true, name });
}
