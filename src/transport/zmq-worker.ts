/**
 * The ZeroMQ transport's worker thread: owns the kernel's five sockets so that heartbeat and control
 * keep answering while the main thread runs user code.
 *
 * Incoming messages are decoded, verified and replay-checked here; refused ones are logged to stderr
 * (one line: channel and reason; at most 10 lines a second, the rest counted) and never reach the main
 * thread. A valid `interrupt_request` on control sets the shared interrupt flag (when given) and raises
 * SIGINT in the process before it is forwarded. Outgoing messages are signed, framed and sent in order
 * through one queue per socket.
 *
 * Started by `zmq-transport.ts`; not meant to be imported.
 */
import { writeSync } from "node:fs";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { Publisher, Router, type Socket } from "zeromq";
import { endpoint, isIpv6, type SocketName } from "../protocol/connection-file.js";
import type { Channel, JupyterMessage } from "../protocol/message.js";
import { ReplayGuard } from "../protocol/replay-guard.js";
import { createSigner } from "../protocol/signer.js";
import { decode, encodeForSocket, type WireFrame } from "../protocol/wire-codec.js";
import { SendQueue } from "./send-queue.js";
import type { FromWorker, RequestChannel, ToWorker, WorkerConfig } from "./worker-messages.js";

/** Longest time `close` waits for pending sends to reach peers. */
const CLOSE_FLUSH_MS = 1000;

if (isMainThread || parentPort === null) {
  throw new Error("zmq-worker.js runs only as the ZeroMQ transport's worker thread");
}
const port = parentPort;
const config = workerData as WorkerConfig;
const { connection, reportDrops, interruptFlag } = config;

const signer = createSigner(connection.signature_scheme, connection.key);
const replayGuard = new ReplayGuard({ enabled: signer.enabled });

/** Writes one line to stderr at once (the main thread may be busy, so process.stderr could lag). */
function logLine(text: string): void {
  try {
    writeSync(2, `[sluice] transport: ${text}\n`);
  } catch {
    // stderr is gone or would block; nothing better to do with a log line.
  }
}

function post(message: FromWorker): void {
  port.postMessage(message);
}

const socketOptions = { linger: CLOSE_FLUSH_MS, ipv6: isIpv6(connection) };
const shell = new Router(socketOptions);
const control = new Router(socketOptions);
const stdin = new Router(socketOptions);
const iopub = new Publisher(socketOptions);
const heartbeat = new Router(socketOptions);

const socketsByName: Record<SocketName, Socket> = { shell, control, stdin, iopub, hb: heartbeat };
const allSockets: Socket[] = [shell, control, stdin, iopub, heartbeat];

function sendFailed(channel: Channel) {
  return (error: unknown): void => logLine(`send on ${channel} failed: ${(error as Error).message ?? String(error)}`);
}

const queues: Record<Channel, SendQueue> = {
  shell: new SendQueue(shell, sendFailed("shell")),
  control: new SendQueue(control, sendFailed("control")),
  stdin: new SendQueue(stdin, sendFailed("stdin")),
  iopub: new SendQueue(iopub, sendFailed("iopub")),
};

let closing = false;

/** At most this many refused-message lines per second; the rest are counted and summarised. */
const DROP_LINES_PER_SECOND = 10;
let dropWindowStart = 0;
let dropLinesInWindow = 0;
let dropsSuppressed = 0;

function drop(channel: RequestChannel, reason: string): void {
  if (reportDrops) post({ kind: "dropped", channel, reason });
  const now = Date.now();
  if (now - dropWindowStart >= 1000) {
    dropWindowStart = now;
    dropLinesInWindow = 0;
  }
  if (dropLinesInWindow >= DROP_LINES_PER_SECOND) {
    dropsSuppressed++;
    return;
  }
  dropLinesInWindow++;
  const suppressed = flushSuppressedDrops();
  logLine(`dropped message on ${channel}: ${reason}${suppressed}`);
}

/** A note on how many refused messages went unlogged since the last line (and resets the count). */
function flushSuppressedDrops(): string {
  if (dropsSuppressed === 0) return "";
  const note = ` (${dropsSuppressed} more refused message${dropsSuppressed === 1 ? "" : "s"} not logged before this one)`;
  dropsSuppressed = 0;
  return note;
}

/**
 * A frame whose bytes are a slice of a larger ArrayBuffer is copied, so that structured clone does
 * not copy the whole backing store.
 */
function compact(frames: Uint8Array[]): Uint8Array[] {
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    if (frame.byteLength !== frame.buffer.byteLength) frames[i] = new Uint8Array(frame);
  }
  return frames;
}

function handleIncoming(channel: RequestChannel, frames: Buffer[]): void {
  const result = decode(frames, signer);
  if (!result.ok) {
    drop(channel, result.reason);
    return;
  }
  if (!replayGuard.check(result.signature)) {
    drop(channel, "replayed signature (message already received)");
    return;
  }
  const message = result.message;
  if (channel === "control" && message.header.msg_type === "interrupt_request") {
    if (interruptFlag !== undefined) Atomics.store(interruptFlag, 0, 1);
    process.kill(process.pid, "SIGINT");
  }
  compact(message.identities);
  compact(message.buffers);
  post({ kind: "message", channel, message });
}

/** Consecutive receive errors after which a socket's loop gives up (a healthy socket never gets here). */
const MAX_RECEIVE_ERRORS = 100;

/**
 * Runs `handle` for every multipart message `socket` receives until the socket closes. A failed receive
 * is logged and retried, so one odd message cannot silence a socket.
 */
async function receiveLoop(name: string, socket: Router, handle: (frames: Buffer[]) => void | Promise<void>): Promise<void> {
  let errors = 0;
  while (!socket.closed) {
    let frames: Buffer[];
    try {
      frames = await socket.receive();
    } catch (error) {
      if (closing || socket.closed) return;
      logLine(`receive on ${name} failed: ${(error as Error).message}`);
      if (++errors >= MAX_RECEIVE_ERRORS) {
        logLine(`giving up receiving on ${name} after ${errors} consecutive errors`);
        return;
      }
      continue;
    }
    errors = 0;
    const pending = handle(frames);
    if (pending !== undefined) await pending;
  }
}

/**
 * Heartbeat: every message is sent back unchanged, routing id included, so a REQ (or DEALER) peer gets
 * exactly its frames back. A Router rather than a Reply socket: a Reply socket's request state machine
 * can be wedged by a peer that sends a message without the request envelope.
 */
async function echo(frames: Buffer[]): Promise<void> {
  try {
    await heartbeat.send(frames);
  } catch (error) {
    if (!closing && !heartbeat.closed) logLine(`heartbeat echo failed: ${(error as Error).message}`);
  }
}

/** The iopub topic: any prefix works for subscribers that subscribe to everything. */
function iopubTopic(message: JupyterMessage): Uint8Array {
  const session = typeof message.header.session === "string" && message.header.session !== "" ? message.header.session : "sluice";
  return Buffer.from(`kernel.${session}.${message.header.msg_type}`, "utf8");
}

/**
 * zeromq.js sends binary frames longer than this without copying, holding a reference that it releases
 * on this thread once libzmq is done with the frame. Strings are always copied into memory libzmq owns.
 */
const ZERO_COPY_THRESHOLD = 128;
/** Extra wait after the linger period before this thread may end (see `closeAll`). */
const RELEASE_MARGIN_MS = 250;
/** Whether any binary frame above {@link ZERO_COPY_THRESHOLD} was handed to ZeroMQ. */
let zeroCopySent = false;

function send(channel: Channel, message: JupyterMessage): void {
  if (closing) {
    logLine(`not sending ${message.header?.msg_type} on ${channel}: transport is closing`);
    return;
  }
  let frames: WireFrame[];
  try {
    frames = channel === "iopub" ? encodeForSocket(message, signer, [iopubTopic(message)]) : encodeForSocket(message, signer);
  } catch (error) {
    logLine(`cannot send ${message.header?.msg_type} on ${channel}: ${(error as Error).message}`);
    return;
  }
  if (!zeroCopySent) {
    for (const frame of frames) {
      if (typeof frame !== "string" && frame.byteLength > ZERO_COPY_THRESHOLD) zeroCopySent = true;
    }
  }
  queues[channel].push(frames);
}

async function closeAll(): Promise<void> {
  if (closing) return;
  closing = true;
  const deadline = Date.now() + CLOSE_FLUSH_MS;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(Object.values(queues).map((queue) => queue.idle())),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_FLUSH_MS);
    }),
  ]);
  clearTimeout(timer);
  const linger = Math.max(0, deadline - Date.now());
  for (const socket of allSockets) {
    if (socket.closed) continue;
    // Synchronous on purpose: the async variants run libzmq on a thread-pool thread while this thread
    // may still poll the socket for a pending receive, and libzmq sockets are not thread-safe.
    const bound = socket.lastEndpoint;
    if (bound !== null) {
      try {
        socket.unbindSync(bound);
      } catch {
        // Closing releases the endpoint anyway.
      }
    }
    socket.linger = linger;
    socket.close();
  }
  // libzmq may still hold zero-copy frames for up to `linger` ms and then releases them through this
  // thread's zeromq module; ending the thread before that corrupts memory. Strings (all JSON frames)
  // are copied, so the wait is needed only when large binary frames were sent.
  if (zeroCopySent) await new Promise((resolve) => setTimeout(resolve, linger + RELEASE_MARGIN_MS));
}

/** Binds every socket to exactly its connection-file endpoint (synchronously; see `closeAll`). */
function bindAll(): void {
  for (const name of Object.keys(socketsByName) as SocketName[]) {
    const address = endpoint(connection, name);
    try {
      socketsByName[name].bindSync(address);
    } catch (error) {
      throw new Error(`cannot bind the ${name} socket to ${address}: ${(error as Error).message}`);
    }
  }
}

function end(): void {
  if (dropsSuppressed > 0) logLine(`${dropsSuppressed} refused messages were not logged`);
  post({ kind: "closed" });
  port.close();
}

port.on("message", (message: ToWorker) => {
  if (message.kind === "send") send(message.channel, message.message);
  else if (message.kind === "close") void closeAll().then(end);
});

try {
  bindAll();
} catch (error) {
  closing = true;
  for (const socket of allSockets) {
    socket.linger = 0;
    socket.close();
  }
  post({ kind: "bind-error", error: (error as Error).message });
  port.close();
}
if (!closing) {
  void receiveLoop("shell", shell, (frames) => handleIncoming("shell", frames));
  void receiveLoop("control", control, (frames) => handleIncoming("control", frames));
  void receiveLoop("stdin", stdin, (frames) => handleIncoming("stdin", frames));
  void receiveLoop("hb", heartbeat, echo);
  post({ kind: "ready" });
}
