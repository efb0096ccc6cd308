/**
 * An iopub listener for benchmarks that need every message a kernel publishes (KernelClient only
 * surfaces the status of the request it is waiting for): a second ZeroMQ subscriber on the kernel's
 * iopub port, read from the connection file KernelClient wrote. Each message is stamped with its
 * arrival time (`performance.timeOrigin + performance.now()`, epoch ms with sub-ms resolution) taken
 * when its frames are received, BEFORE the signature check and JSON decoding.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as zmq from "zeromq";

const DELIMITER = "<IDS|MSG>";

/**
 * @typedef {import("./kernel-client.mjs").Message} Message
 * @typedef {{ ip: string, iopub_port: number, key: string }} Connection
 */

/** Epoch ms with sub-ms resolution, comparable across processes on one machine (up to clock slew). */
export function wallNow() {
  return performance.timeOrigin + performance.now();
}

/**
 * Reads the single `kernel-bench-*.json` connection file in `runtimeDir` (give each launch its own
 * directory).
 * @param {string} runtimeDir
 * @returns {Promise<Connection>}
 */
export async function readConnection(runtimeDir) {
  const files = (await readdir(runtimeDir)).filter((name) => name.startsWith("kernel-bench-") && name.endsWith(".json"));
  if (files.length !== 1) throw new Error(`expected one kernel-bench-*.json in ${runtimeDir}, found ${files.length}`);
  return JSON.parse(await readFile(path.join(runtimeDir, files[0]), "utf8"));
}

export class IopubTap {
  /** @type {zmq.Subscriber} */
  #socket;
  /** @type {Buffer} */
  #key;
  #closed = false;
  /** @type {((message: Message, arrivedAt: number) => void) | undefined} */
  listener;

  /** @param {Connection} connection */
  constructor(connection) {
    this.#key = Buffer.from(connection.key, "utf8");
    this.#socket = new zmq.Subscriber({ linger: 0, reconnectInterval: 2, receiveHighWaterMark: 0 });
    this.#socket.connect(`tcp://${connection.ip}:${connection.iopub_port}`);
    this.#socket.subscribe();
    void this.#pump();
  }

  async #pump() {
    try {
      for await (const frames of this.#socket) {
        const arrivedAt = wallNow();
        const message = this.#decode(frames);
        if (message) this.listener?.(message, arrivedAt);
      }
    } catch (error) {
      if (!this.#closed) process.stderr.write(`iopub-tap: receive failed: ${String(error)}\n`);
    }
  }

  /**
   * @param {Buffer[]} frames
   * @returns {Message | undefined}
   */
  #decode(frames) {
    const at = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString("latin1") === DELIMITER);
    if (at < 0 || frames.length < at + 6) return undefined;
    const parts = frames.slice(at + 2, at + 6);
    const hmac = createHmac("sha256", this.#key);
    for (const part of parts) hmac.update(part);
    const expected = Buffer.from(hmac.digest("hex"), "latin1");
    const signature = frames[at + 1];
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
    const [header, parent_header, metadata, content] = parts.map((part) => JSON.parse(part.toString("utf8")));
    return { header, parent_header, metadata, content };
  }

  close() {
    this.#closed = true;
    this.#socket.close();
  }
}
