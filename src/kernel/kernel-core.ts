/**
 * The kernel's protocol work, independent of sockets and of the language: it takes decoded requests
 * from a Transport, wraps each in iopub `busy`/`idle` with the request as parent, dispatches by
 * msg_type (handler-table.ts), keeps the execution count, serialises shell requests while control
 * requests go first, routes stdin replies, and aborts queued executes after an error.
 */
import type { Channel, JsonObject, JupyterMessage } from "../protocol/message.js";
import { makeMessage, type SenderIdentity } from "../protocol/header.js";
import type { Transport } from "../transport/transport.js";
import { HANDLERS } from "./handler-table.js";
import type { Interpreter } from "./interpreter.js";
import type { CommAccess, HistoryAccess, InterpreterExtras, KernelRuntime, RequestContext } from "./request-context.js";
import { RequestOutput, type OutputChannels } from "./request-output.js";

/** What the kernel is built from. */
export interface KernelCoreOptions {
  transport: Transport;
  interpreter: Interpreter & InterpreterExtras;
  sender: SenderIdentity;
  history?: HistoryAccess;
  comms?: CommAccess;
  /** Kernel log; defaults to stderr. */
  log?: (message: string) => void;
  /** Called after a shutdown_request was answered and everything is closed. */
  onShutdown?: (restart: boolean) => void;
  /** Extra cleanup run at shutdown, before the transport closes (history flush, etc.). */
  beforeClose?: () => Promise<void>;
}

type QueuedRequest = { channel: "shell" | "control"; message: JupyterMessage };

export class KernelCore implements KernelRuntime {
  readonly interpreter: Interpreter & InterpreterExtras;
  readonly history: HistoryAccess | undefined;
  readonly comms: CommAccess | undefined;
  executionCount = 0;
  private readonly transport: Transport;
  private readonly sender: SenderIdentity;
  private readonly shellQueue: QueuedRequest[] = [];
  private shellBusy = false;
  private readonly aborted = new Set<string>();
  private readonly interruptedBeforeStart = new Set<string>();
  /** The shell request being handled now. */
  private handling: JupyterMessage | undefined;
  /** The execute_request handled now or last (display updates from background work are sent under it). */
  private lastExecute: JupyterMessage | undefined;
  private pendingInput: { resolve: (value: string) => void; reject: (e: Error) => void } | undefined;
  private warmedUp = false;
  /** The shell request being (or last) handled: parent of kernel-initiated comm messages. */
  private currentParent: JupyterMessage | undefined;
  private stopping = false;
  readonly log: (message: string) => void;

  constructor(private readonly options: KernelCoreOptions) {
    this.transport = options.transport;
    this.interpreter = options.interpreter;
    this.sender = options.sender;
    this.history = options.history;
    this.comms = options.comms;
    this.log = options.log ?? ((m) => process.stderr.write(`[sluice] ${m}\n`));
  }

  get interruptsViaSignal(): boolean {
    return this.transport.deliversInterruptsAsSigint;
  }

  /** Starts receiving requests. */
  async start(): Promise<void> {
    await this.transport.start((channel, message) => this.receive(channel, message));
  }

  /**
   * Publishes a kernel-side comm message (comm_open/comm_msg/comm_close from a cell's comm) with the
   * request being handled as parent.
   */
  publishComm(msgType: string, content: JsonObject, metadata: JsonObject = {}, buffers: Uint8Array[] = [], parent?: JupyterMessage): void {
    this.transport.send("iopub", makeMessage(msgType, content, this.sender, parent ?? this.currentParent, { metadata, buffers }));
  }

  /** Publishes on iopub with `parent` as parent header. */
  publish(msgType: string, content: JsonObject, parent?: JupyterMessage): void {
    this.transport.send("iopub", makeMessage(msgType, content, this.sender, parent));
  }

  private receive(channel: Exclude<Channel, "iopub">, message: JupyterMessage): void {
    if (this.stopping) return;
    if (channel === "stdin") {
      this.receiveStdin(message);
      return;
    }
    if (channel === "control") {
      void this.handle({ channel, message });
      return;
    }
    this.shellQueue.push({ channel, message });
    void this.pumpShell();
  }

  private async pumpShell(): Promise<void> {
    if (this.shellBusy) return;
    this.shellBusy = true;
    try {
      let next: QueuedRequest | undefined;
      while ((next = this.shellQueue.shift()) && !this.stopping) {
        this.handling = next.message;
        if (next.message.header.msg_type === "execute_request") this.lastExecute = next.message;
        try {
          await this.handle(next);
        } finally {
          this.handling = undefined;
        }
      }
    } finally {
      this.shellBusy = false;
    }
  }

  private async handle({ channel, message }: QueuedRequest): Promise<void> {
    const msgType = message.header.msg_type;
    if (channel === "shell") this.currentParent = message;
    const handler = HANDLERS[msgType];
    this.publish("status", { execution_state: "busy" }, message);
    try {
      if (!handler) {
        this.log(`ignoring unknown message type ${JSON.stringify(msgType)} on ${channel}`);
      } else {
        await handler(this.context(channel, message));
      }
    } catch (error) {
      this.log(`handler for ${msgType} failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      if (!this.stopping || msgType === "shutdown_request") this.publish("status", { execution_state: "idle" }, message);
    }
    if (msgType === "kernel_info_request" && !this.warmedUp) this.scheduleWarmUp();
  }

  private scheduleWarmUp(): void {
    this.warmedUp = true;
    const warm = this.interpreter.warmUp?.bind(this.interpreter);
    if (!warm) return;
    setTimeout(() => {
      try {
        warm();
      } catch (error) {
        this.log(`warm-up failed: ${(error as Error).stack ?? String(error)}`);
      }
    }, 5).unref();
  }

  private context(channel: "shell" | "control", message: JupyterMessage): RequestContext {
    const replyType = message.header.msg_type.replace(/_request$/, "_reply");
    return {
      channel,
      message,
      kernel: this,
      reply: (content, metadata) => {
        this.transport.send(
          channel,
          makeMessage(replyType, content, this.sender, message, { identities: message.identities, metadata: metadata ?? {} }),
        );
      },
      publish: (msgType, content) => this.publish(msgType, content, message),
    };
  }

  private readonly outputChannels: OutputChannels = {
    publish: (msgType, content, parent) => this.publish(msgType, content, parent),
    latestExecute: () => this.lastExecute,
    requestInput: (prompt, password, parent) => {
      this.pendingInput?.reject(new Error("input request superseded by a newer one"));
      return new Promise<string>((resolve, reject) => {
        this.pendingInput = { resolve, reject };
        this.transport.send(
          "stdin",
          makeMessage("input_request", { prompt, password }, this.sender, parent, { identities: parent.identities }),
        );
      });
    },
  };

  private receiveStdin(message: JupyterMessage): void {
    if (message.header.msg_type !== "input_reply") {
      this.log(`ignoring ${message.header.msg_type} on stdin`);
      return;
    }
    const pending = this.pendingInput;
    if (!pending) {
      this.log("input_reply with no input request pending; ignored");
      return;
    }
    this.pendingInput = undefined;
    const value = message.content["value"];
    if (message.content["status"] === "error" || typeof value !== "string") {
      pending.reject(new Error("the frontend answered the input request with an error"));
    } else {
      pending.resolve(value);
    }
  }

  createOutput(parent: JupyterMessage, executionCount: number, allowStdin: boolean, silent: boolean): RequestOutput {
    return new RequestOutput(this.outputChannels, parent, executionCount, allowStdin, silent);
  }

  /** Cancels a pending input request (interrupt). */
  cancelInput(): void {
    const pending = this.pendingInput;
    this.pendingInput = undefined;
    pending?.reject(new Error("Interrupted"));
  }

  /**
   * Interrupts the running cell (SIGINT, or interrupt_request). When no cell is running at this
   * instant, the cell the user is waiting for may still be on its way in (sent before the interrupt,
   * not yet started because the kernel was busy): after letting queued requests arrive, the first
   * waiting execute_request is answered "Interrupted" instead of being run.
   */
  interrupt(): void {
    this.cancelInput();
    if (this.handling?.header.msg_type === "execute_request") {
      this.interpreter.interrupt();
      return;
    }
    setImmediate(() =>
      setImmediate(() => {
        if (this.handling?.header.msg_type === "execute_request") {
          this.interpreter.interrupt();
          return;
        }
        const waiting = this.shellQueue.find((q) => q.message.header.msg_type === "execute_request");
        if (waiting) this.interruptedBeforeStart.add(waiting.message.header.msg_id);
      }),
    );
  }

  takeInterrupted(message: JupyterMessage): boolean {
    return this.interruptedBeforeStart.delete(message.header.msg_id);
  }

  async abortQueuedExecutes(): Promise<void> {
    // Let requests already received by the transport thread arrive in the queue first.
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setImmediate(r));
    for (const queued of this.shellQueue) {
      if (queued.message.header.msg_type === "execute_request") this.aborted.add(queued.message.header.msg_id);
    }
  }

  takeAborted(message: JupyterMessage): boolean {
    return this.aborted.delete(message.header.msg_id);
  }

  async shutdown(restart: boolean): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.cancelInput();
    try {
      await this.interpreter.shutdown(restart);
      await this.options.beforeClose?.();
    } catch (error) {
      this.log(`error while shutting down: ${(error as Error).stack ?? String(error)}`);
    }
    // idle for the shutdown request is published by handle() after this returns; give it a moment.
    setImmediate(async () => {
      await this.transport.close();
      this.options.onShutdown?.(restart);
    });
  }
}
