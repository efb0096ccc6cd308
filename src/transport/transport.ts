import type { Channel, JupyterMessage } from "../protocol/message.js";

/** A message arriving on a request channel, already verified and decoded. */
export type IncomingHandler = (channel: Exclude<Channel, "iopub">, message: JupyterMessage) => void;

/**
 * The kernel's view of its sockets. Implementations: ZeroMQ (a worker thread owning the five sockets)
 * and an in-memory transport for tests.
 *
 * Interrupts: a transport that can receive `interrupt_request` while the main thread is blocked raises
 * SIGINT in the process (see {@link Transport.deliversInterruptsAsSigint}); the kernel's SIGINT handling
 * does the interrupting, and the kernel's `interrupt_request` handler only replies.
 */
export interface Transport {
  /** True when `interrupt_request` on control has already been turned into a SIGINT by the transport. */
  readonly deliversInterruptsAsSigint: boolean;
  /** Binds/starts and begins delivering messages to `onMessage`. */
  start(onMessage: IncomingHandler): Promise<void>;
  /** Signs, frames and sends. On iopub the topic is derived from the message type. */
  send(channel: Channel, message: JupyterMessage): void;
  /** Flushes pending sends and closes every socket. */
  close(): Promise<void>;
}
