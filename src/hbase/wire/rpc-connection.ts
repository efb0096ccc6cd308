/**
 * Client side of one HBase RPC connection: one TCP socket to one server and one service
 * ("ClientService" or "MasterService"), calls pipelined and matched by call id (answers may come in any
 * order), a timeout per call, server exceptions as `HBaseRemoteError`, and connection loss failing every
 * pending call with `HBaseConnectionError`. No reconnection here: whoever owns the connection opens a
 * new one (the native client's connection pool).
 */
import net from "node:net";
import os from "node:os";
import { HBaseCallTimeoutError, HBaseConnectionError, HBaseFramingError, HBaseRemoteError } from "./errors.js";
import { type MethodName, type RequestOf, type ResponseOf, SERVICES, type ServiceName, type MessageCodec } from "./hbase-protos.js";
import { CONNECTION_CALL_ID, encodeConnectionHeader, encodePreamble, encodeRequest, FrameDecoder, parseResponse } from "./rpc-framing.js";

export interface RpcConnectionOptions<S extends ServiceName> {
  host: string;
  port: number;
  service: S;
  /** The effective user of the connection header (default: the OS user name). */
  user?: string;
  /** Connecting (TCP) gives up after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Default per-call timeout (default 60 s, HBase's `hbase.rpc.timeout`). */
  callTimeoutMs?: number;
  /** Largest response frame accepted (default 256 MiB). */
  maxFrameSize?: number;
}

export interface CallOptions {
  /** This call's timeout (default: the connection's). Sent to the server too (RequestHeader.timeout). */
  timeoutMs?: number;
  /** RequestHeader.priority (HBase: 0 normal, 200 high, e.g. for hbase:meta). */
  priority?: number;
}

interface PendingCall {
  method: string;
  resolve: (body: Uint8Array) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const EMPTY = new Uint8Array(0);

function defaultUser(): string {
  try {
    return os.userInfo().username || "sluice";
  } catch {
    return "sluice";
  }
}

export class RpcConnection<S extends ServiceName = ServiceName> {
  readonly host: string;
  readonly port: number;
  readonly service: S;
  private readonly callTimeoutMs: number;
  private readonly pending = new Map<number, PendingCall>();
  private readonly decoder: FrameDecoder;
  private readonly closeListeners: Array<(error: Error | undefined) => void> = [];
  private nextCallId = 0;
  private failure: Error | undefined;
  private closing = false;
  private isClosed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    options: RpcConnectionOptions<S>,
  ) {
    this.host = options.host;
    this.port = options.port;
    this.service = options.service;
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.decoder = new FrameDecoder(options.maxFrameSize === undefined ? {} : { maxFrameSize: options.maxFrameSize });
    this.closedPromise = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => {
      this.failure ??= this.connectionError(`connection to ${this.address} failed: ${err.message}`, err);
    });
    socket.on("close", () => this.handleClose());
  }

  /** Opens the TCP connection (TCP_NODELAY), sends the preamble and the connection header. */
  static connect<S extends ServiceName>(options: RpcConnectionOptions<S>): Promise<RpcConnection<S>> {
    const { host, port } = options;
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new HBaseConnectionError(`connecting to ${host}:${port} timed out after ${options.connectTimeoutMs ?? 10_000} ms`, host, port));
      }, options.connectTimeoutMs ?? 10_000);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(new HBaseConnectionError(`cannot connect to ${host}:${port} (${options.service}): ${err.message}`, host, port, { cause: err }));
      };
      socket.once("error", onError);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", onError);
        socket.setNoDelay(true);
        const connection = new RpcConnection(socket, options);
        const header = encodeConnectionHeader({
          user_info: { effective_user: options.user ?? defaultUser() },
          service_name: options.service,
        });
        socket.write(Buffer.concat([encodePreamble(), header]));
        resolve(connection);
      });
    });
  }

  /** "host:port". */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once the connection is closed or lost: every call then fails at once. */
  get closed(): boolean {
    return this.isClosed || this.closing || this.failure !== undefined;
  }

  /** Calls in flight. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Called once when the connection closes, with the error if it was lost rather than closed. */
  onClose(listener: (error: Error | undefined) => void): void {
    if (this.isClosed) listener(this.failure);
    else this.closeListeners.push(listener);
  }

  /** A typed call: the method's request encoded, its response decoded. */
  async call<M extends MethodName<S>>(method: M, request: RequestOf<S, M>, options?: CallOptions): Promise<ResponseOf<S, M>> {
    const codecs = (SERVICES[this.service] as unknown as Record<string, { request: MessageCodec<unknown>; response: MessageCodec<unknown> }>)[method];
    if (!codecs) throw new TypeError(`${this.service} has no method ${method}`);
    const body = await this.callRaw(method, codecs.request.encode(request), options);
    return codecs.response.decode(body) as ResponseOf<S, M>;
  }

  /** A call with the request's bytes; resolves with the response message's bytes. */
  callRaw(method: string, param: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    if (this.closed) {
      return Promise.reject(this.failure ?? this.connectionError(`connection to ${this.address} is closed`));
    }
    const callId = this.allocateCallId();
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(callId)) reject(new HBaseCallTimeoutError(method, callId, timeoutMs));
      }, timeoutMs);
      this.pending.set(callId, { method, resolve, reject, timer });
      const frame = encodeRequest(
        {
          call_id: callId,
          method_name: method,
          ...(options.priority === undefined ? {} : { priority: options.priority }),
          timeout: Math.min(Math.max(0, Math.round(timeoutMs)), 0xffffffff),
        },
        param,
      );
      this.socket.write(frame);
    });
  }

  /** Closes the connection; pending calls fail with `HBaseConnectionError`. */
  async close(): Promise<void> {
    if (!this.isClosed) {
      this.closing = true;
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      await this.closedPromise;
      clearTimeout(timer);
    }
  }

  private allocateCallId(): number {
    for (;;) {
      const id = this.nextCallId;
      this.nextCallId = (this.nextCallId + 1) & 0x7fffffff;
      if (!this.pending.has(id)) return id;
    }
  }

  private onData(chunk: Buffer): void {
    try {
      for (const unit of this.decoder.push(chunk)) {
        if (unit.kind !== "frame") continue;
        this.onResponse(unit.payload);
      }
    } catch (e) {
      const message = e instanceof HBaseFramingError ? e.message : String(e);
      this.fail(this.connectionError(`protocol error from ${this.address}: ${message}`, e));
    }
  }

  private onResponse(payload: Uint8Array): void {
    const { header, body } = parseResponse(payload);
    const callId = header.call_id!;
    const ex = header.exception;
    if (callId === CONNECTION_CALL_ID && !this.pending.has(callId)) {
      // A fatal connection error (bad connection header, unknown service): the server closes.
      const remote = new HBaseRemoteError(remoteFields(ex));
      this.fail(this.connectionError(`${this.address} refused the connection: ${remote.message}`, remote));
      return;
    }
    const call = this.pending.get(callId);
    if (!call) return; // timed out earlier: its late answer is dropped
    this.pending.delete(callId);
    clearTimeout(call.timer);
    if (ex) call.reject(new HBaseRemoteError(remoteFields(ex)));
    else call.resolve(body ?? EMPTY);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.socket.destroy();
  }

  private handleClose(): void {
    this.isClosed = true;
    const error = this.failure ?? this.connectionError(this.closing ? `connection to ${this.address} closed` : `connection to ${this.address} lost`);
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      this.pending.delete(id);
      call.reject(error);
    }
    const lost = this.closing && !this.failure ? undefined : error;
    this.failure ??= error;
    for (const listener of this.closeListeners.splice(0)) listener(lost);
  }

  private connectionError(message: string, cause?: unknown): HBaseConnectionError {
    return new HBaseConnectionError(message, this.host, this.port, cause === undefined ? undefined : { cause });
  }
}

function remoteFields(ex: { exception_class_name?: string; stack_trace?: string; do_not_retry?: boolean; hostname?: string; port?: number } | undefined) {
  return {
    className: ex?.exception_class_name ?? "java.io.IOException",
    doNotRetry: ex?.do_not_retry ?? false,
    ...(ex?.stack_trace === undefined ? {} : { stackTrace: ex.stack_trace }),
    ...(ex?.hostname === undefined ? {} : { hostname: ex.hostname }),
    ...(ex?.port === undefined ? {} : { port: ex.port }),
  };
}
