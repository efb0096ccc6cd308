/**
 * A FIFO of outgoing multipart messages for one ZeroMQ socket. zeromq v6 allows one pending `send` per
 * socket, so sends are chained: each starts when the previous one settled, preserving order.
 */

import type { WireFrame } from "../protocol/wire-codec.js";

/** The part of a zeromq socket the queue needs. */
export interface MultipartSender {
  send(frames: WireFrame[]): Promise<void>;
}

/** Serialises sends on one socket. */
export class SendQueue {
  private readonly pending: (WireFrame[] | undefined)[] = [];
  private head = 0;
  private draining: Promise<void> | undefined;

  /**
   * @param socket The socket to send on.
   * @param onError Called when a send fails (the message is dropped and the queue goes on).
   */
  constructor(
    private readonly socket: MultipartSender,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Number of messages waiting or being sent. */
  get length(): number {
    return this.pending.length - this.head;
  }

  /** Queues `frames`; sending starts at once when the socket is idle. */
  push(frames: WireFrame[]): void {
    this.pending.push(frames);
    this.draining ??= this.drain();
  }

  /** Resolves when every queued message has been handed to ZeroMQ (or failed). */
  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.head < this.pending.length) {
      const frames = this.pending[this.head]!;
      this.pending[this.head++] = undefined;
      try {
        await this.socket.send(frames);
      } catch (error) {
        this.onError(error);
      }
    }
    this.pending.length = 0;
    this.head = 0;
    this.draining = undefined;
  }
}
