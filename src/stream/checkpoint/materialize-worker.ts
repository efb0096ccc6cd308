/**
 * The materialisation worker thread's code: receives a chain's stored snapshots (base first, as encoded
 * bytes), folds them into one full snapshot and sends its encoded bytes back (buffers transferred, not
 * copied). Started by `chain-materializer.ts`; nothing here touches files or the job.
 */
import { parentPort } from "node:worker_threads";
import { decodeSnapshot, encodeSnapshot } from "./snapshot-codec.js";
import { foldJobSnapshot, type JobSnapshot } from "./job-snapshot.js";
import type { MaterializeReply, MaterializeRequest } from "./chain-materializer.js";

const port = parentPort;
if (port === null) throw new Error("materialize-worker runs as a worker thread");
port.on("message", (request: MaterializeRequest) => {
  let reply: MaterializeReply;
  const transfer: ArrayBuffer[] = [];
  try {
    let state: JobSnapshot | undefined;
    for (const bytes of request.chain) {
      const snapshot = decodeSnapshot(bytes) as JobSnapshot;
      state = state === undefined ? snapshot : foldJobSnapshot(state, snapshot);
    }
    if (state === undefined) throw new Error("an empty chain");
    const encoded = encodeSnapshot(state);
    // Transfer the result when it owns its memory (a large serialisation does); else a copy.
    const own = encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength && encoded.buffer instanceof ArrayBuffer ? encoded : new Uint8Array(encoded);
    transfer.push(own.buffer as ArrayBuffer);
    reply = { id: request.id, state: own };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message ?? String(error) };
  }
  port.postMessage(reply, transfer);
});
