/**
 * An in-process {@link Transport} for tests of the kernel core: the test delivers requests and reads
 * what the kernel sent, per channel. By default every message goes through the real wire codec both
 * ways (encode + decode with a signing key), so the kernel sees, and the test reads, exactly what a
 * client would, and anything that would not survive the wire fails loudly.
 */
import type { Channel, JupyterMessage } from "../protocol/message.js";
import { createSigner, type Signer } from "../protocol/signer.js";
import { decode, encode } from "../protocol/wire-codec.js";
import type { IncomingHandler, Transport } from "./transport.js";
import type { RequestChannel } from "./worker-messages.js";

/** Options for {@link MemoryTransport}. */
export interface MemoryTransportOptions {
  /**
   * When true (default), messages are encoded and decoded with the wire codec on the way in and out,
   * so each side gets a fresh copy in exactly wire shape. False passes the objects through as they are.
   */
  wire?: boolean;
  /** Default timeout of {@link MemoryTransport.next}, in ms (default 10 000). */
  timeoutMs?: number;
}

/** Selects a message in {@link MemoryTransport.next}. */
export type MessagePredicate = (message: JupyterMessage) => boolean;

interface Waiter {
  predicate: MessagePredicate;
  resolve: (message: JupyterMessage) => void;
}

/** In-memory transport. `deliversInterruptsAsSigint` is false: interrupts arrive only as messages. */
export class MemoryTransport implements Transport {
  readonly deliversInterruptsAsSigint = false;
  /** Everything the kernel sent, per channel, in order. */
  readonly sent: Record<Channel, JupyterMessage[]> = { shell: [], control: [], stdin: [], iopub: [] };

  private readonly signer: Signer | undefined;
  private readonly timeoutMs: number;
  private readonly taken: Record<Channel, Set<number>> = {
    shell: new Set(),
    control: new Set(),
    stdin: new Set(),
    iopub: new Set(),
  };
  private readonly waiters: Record<Channel, Waiter[]> = { shell: [], control: [], stdin: [], iopub: [] };
  private handler: IncomingHandler | undefined;
  private closedFlag = false;

  constructor(options: MemoryTransportOptions = {}) {
    this.signer = options.wire === false ? undefined : createSigner("hmac-sha256", "memory-transport-key");
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Remembers the handler; resolves at once. */
  async start(onMessage: IncomingHandler): Promise<void> {
    if (this.handler !== undefined) throw new Error("MemoryTransport.start: already started");
    if (this.closedFlag) throw new Error("MemoryTransport.start: transport is closed");
    this.handler = onMessage;
  }

  /**
   * Records `message` on `channel` and wakes waiters that match it.
   *
   * @throws {Error} when the transport is closed, or when the message does not survive the wire codec.
   */
  send(channel: Channel, message: JupyterMessage): void {
    if (this.closedFlag) throw new Error(`MemoryTransport.send(${channel}, ${message.header.msg_type}): transport is closed`);
    const recorded = this.throughWire(message, `send on ${channel}`);
    const index = this.sent[channel].push(recorded) - 1;
    const waiters = this.waiters[channel];
    for (let i = 0; i < waiters.length; i++) {
      const waiter = waiters[i]!;
      if (waiter.predicate(recorded)) {
        waiters.splice(i, 1);
        this.taken[channel].add(index);
        waiter.resolve(recorded);
        return;
      }
    }
  }

  /**
   * Hands `message` to the kernel as if it arrived on `channel` (synchronously).
   *
   * @throws {Error} when not started or closed, or when the message does not survive the wire codec.
   */
  deliver(channel: RequestChannel, message: JupyterMessage): void {
    if (this.closedFlag) throw new Error(`MemoryTransport.deliver(${channel}): transport is closed`);
    if (this.handler === undefined) throw new Error(`MemoryTransport.deliver(${channel}): transport not started`);
    this.handler(channel, this.throughWire(message, `deliver on ${channel}`));
  }

  /**
   * The earliest message sent on `channel` that matches `predicate` and was not returned by an earlier
   * `next` call; waits for one if none is there yet. Each sent message is returned at most once.
   *
   * @throws {Error} after `timeoutMs` (default from the options), listing the message types seen.
   */
  next(channel: Channel, predicate: MessagePredicate = () => true, timeoutMs = this.timeoutMs): Promise<JupyterMessage> {
    const sent = this.sent[channel];
    const taken = this.taken[channel];
    for (let i = 0; i < sent.length; i++) {
      if (!taken.has(i) && predicate(sent[i]!)) {
        taken.add(i);
        return Promise.resolve(sent[i]!);
      }
    }
    return new Promise<JupyterMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters[channel].indexOf(waiter);
        if (index >= 0) this.waiters[channel].splice(index, 1);
        const seen = this.sent[channel].map((message) => message.header.msg_type).join(", ") || "nothing";
        reject(new Error(`MemoryTransport.next(${channel}): no matching message within ${timeoutMs} ms; sent so far: ${seen}`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      this.waiters[channel].push(waiter);
    });
  }

  /** Messages sent on `channel` with the given `msg_type`, in order (whether or not `next` returned them). */
  sentOfType(channel: Channel, msgType: string): JupyterMessage[] {
    return this.sent[channel].filter((message) => message.header.msg_type === msgType);
  }

  /** Marks the transport closed; later sends and deliveries throw. */
  async close(): Promise<void> {
    this.closedFlag = true;
  }

  private throughWire(message: JupyterMessage, what: string): JupyterMessage {
    if (this.signer === undefined) return message;
    let frames: Uint8Array[];
    try {
      frames = encode(message, this.signer).map((frame) => new Uint8Array(frame));
    } catch (error) {
      throw new Error(`MemoryTransport ${what}: message cannot be encoded: ${(error as Error).message}`, { cause: error });
    }
    const result = decode(frames, this.signer);
    if (!result.ok) throw new Error(`MemoryTransport ${what}: message does not survive the wire: ${result.reason}`);
    return result.message;
  }
}
