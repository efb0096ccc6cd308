/**
 * Runs asynchronous tasks one at a time, in the order they were given: a checkpoint store's writes,
 * materialisations, prunes and deletions never interleave. A failed task does not stop the ones after it.
 */
export class SerialQueue {
  /** The tail of the queue. */
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task given before it has settled; resolves or rejects as `task` does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
