/**
 * One owner per LMDB data directory also between the threads of one process (owner-lock.ts): a worker
 * thread's open of a directory the main thread holds is refused with the usual message, and the other
 * way round; once the holder closes, the other thread opens it. The worker runs the built package
 * (dist/, made by `npm run build` / `npm test`).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { tempDir } from "./hbase-embedded-support.js";

const connectUrl = pathToFileURL(path.resolve(import.meta.dirname, "../../dist/hbase/connect.js")).href;

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await tempDir());
});
afterEach(async () => {
  await remove();
});

/**
 * A worker thread that opens `directory`, reports "open" or the error's message, and closes the store
 * when told "close" (then reports "closed").
 */
function opener(directory: string): { first: Promise<string>; close: () => Promise<string>; worker: Worker } {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require("node:worker_threads");
    (async () => {
      const { connect } = await import(workerData.connectUrl);
      let connection;
      try {
        connection = await connect({ path: workerData.directory });
        parentPort.postMessage("open");
      } catch (error) {
        parentPort.postMessage("error: " + error.message);
        return;
      }
      parentPort.on("message", async () => {
        await connection.close();
        parentPort.postMessage("closed");
        parentPort.close();
      });
    })();
    `,
    { eval: true, workerData: { directory, connectUrl } },
  );
  const messages: string[] = [];
  const waiters: ((m: string) => void)[] = [];
  worker.on("message", (m: string) => {
    const waiter = waiters.shift();
    if (waiter) waiter(m);
    else messages.push(m);
  });
  const next = () => new Promise<string>((resolve, reject) => {
    const m = messages.shift();
    if (m !== undefined) return resolve(m);
    waiters.push(resolve);
    worker.once("error", reject);
  });
  return {
    first: next(),
    close: () => {
      worker.postMessage("close");
      return next();
    },
    worker,
  };
}

describe("owner lock between threads of one process (LMDB)", () => {
  it("refuses a worker thread's open while the main thread holds the directory, and opens once it is closed", async () => {
    const main = await connect({ path: dir });
    const refused = opener(dir);
    expect(await refused.first).toBe(`error: the HBase data directory ${path.resolve(dir)} is in use by another process`);
    await refused.worker.terminate();
    await main.close();
    const later = opener(dir);
    expect(await later.first).toBe("open");
    expect(await later.close()).toBe("closed");
    await later.worker.terminate();
  }, 60_000);

  it("refuses the main thread's open while a worker thread holds it, and opens once the worker closed it", async () => {
    const holder = opener(dir);
    expect(await holder.first).toBe("open");
    await expect(connect({ path: dir })).rejects.toThrow(`the HBase data directory ${path.resolve(dir)} is in use by another process`);
    expect(await holder.close()).toBe("closed");
    await holder.worker.terminate();
    const main = await connect({ path: dir });
    await main.close();
  }, 60_000);
});
