/**
 * Server side of HBase RPC, for the local HBase-compatible endpoint: a TCP server that checks each
 * connection's preamble and ConnectionHeader, decodes requests, dispatches `(service, method, param
 * bytes)` to the handlers it was given, and answers with the response bytes or an ExceptionResponse
 * carrying an HBase class name. Bad input closes only that connection; the server never throws from a
 * socket event.
 */
import net from "node:net";
import { HBaseExceptions, HBaseFramingError, HBaseRemoteError } from "./errors.js";
import type { ExceptionResponse, MethodName, RequestOf, ResponseOf, ServiceName } from "./hbase-protos.js";
import { SERVICES, type MessageCodec } from "./hbase-protos.js";
import { CONNECTION_CALL_ID, decodeConnectionHeader, encodeResponse, encodeResponseHead, FrameDecoder, parseRequest, type RequestFrame } from "./rpc-framing.js";

/** Bodies from this size on are written after their frame's head as they are (one writev), not copied into one frame. */
const UNCOPIED_BODY_BYTES = 16 * 1024;

export interface RpcConnectionInfo {
  /** A number unique within the server. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** From the ConnectionHeader. */
  readonly service: string;
  readonly user: string | undefined;
  readonly cellBlockCodec: string | undefined;
}

export interface RpcCallContext {
  readonly connection: RpcConnectionInfo;
  readonly method: string;
  readonly callId: number;
  readonly priority: number | undefined;
  /** The client's timeout for this call, if it sent one (2.x clients do). */
  readonly timeoutMs: number | undefined;
  /** A cell block that followed the param, if any (only with a codec in the ConnectionHeader). */
  readonly cellBlock: Uint8Array | undefined;
}

/** Answers one call: the response message's bytes, or throws (an `HBaseRemoteError` for a class name). */
export type RpcMethodHandler = (param: Uint8Array, context: RpcCallContext) => Uint8Array | Promise<Uint8Array>;

/** Service name → method name → handler. */
export type RpcServiceHandlers = Readonly<Record<string, Readonly<Record<string, RpcMethodHandler>>>>;

export interface RpcServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  services: RpcServiceHandlers;
  /** Largest request frame accepted; a larger length closes the connection (default 256 MiB). */
  maxFrameSize?: number;
  /** A connection that has not sent its preamble and header within this closes (default 10 s). */
  handshakeTimeoutMs?: number;
  /**
   * Calls of one connection handled at once; more wait, and the socket is paused meanwhile (default 256).
   * Reading also pauses while the client does not read its answers (the socket's write buffer is full).
   */
  maxInFlightPerConnection?: number;
  /**
   * Class name answered for a method the service lacks (default UnknownProtocolException, doNotRetry;
   * HBase's own server answers `java.lang.UnsupportedOperationException`).
   */
  unknownMethodException?: string;
  /** Told about each connection closed for bad input (for logs); never required. */
  onProtocolError?: (error: Error, connection: { remoteAddress: string; remotePort: number }) => void;
}

/** Typed handlers for one service: requests decoded, responses encoded with HBase's messages. */
export type TypedServiceImpl<S extends ServiceName> = {
  [M in MethodName<S>]?: (request: RequestOf<S, M>, context: RpcCallContext) => ResponseOf<S, M> | Promise<ResponseOf<S, M>>;
};

/**
 * Handlers for `service` from typed functions. A param that does not decode as the method's request
 * is answered with DoNotRetryIOException.
 */
export function typedService<S extends ServiceName>(service: S, impl: TypedServiceImpl<S>): Record<string, RpcMethodHandler> {
  const codecs = SERVICES[service] as unknown as Record<string, { request: MessageCodec<unknown>; response: MessageCodec<unknown> }>;
  const out: Record<string, RpcMethodHandler> = {};
  for (const [method, fn] of Object.entries(impl) as Array<[string, ((req: unknown, ctx: RpcCallContext) => unknown) | undefined]>) {
    const c = codecs[method];
    if (!fn || !c) continue;
    out[method] = async (param, context) => {
      let request: unknown;
      try {
        request = c.request.decode(param);
      } catch (e) {
        throw new HBaseRemoteError(
          { className: HBaseExceptions.DoNotRetryIOException, doNotRetry: true },
          `cannot parse the ${method} request: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      return c.response.encode(await fn(request, context));
    };
  }
  return out;
}

/** ExceptionResponse for what a handler threw. */
export function exceptionResponseOf(error: unknown): ExceptionResponse {
  if (error instanceof HBaseRemoteError) {
    return {
      exception_class_name: error.className,
      stack_trace: error.stackTrace ?? error.message,
      do_not_retry: error.doNotRetry,
      ...(error.hostname === undefined ? {} : { hostname: error.hostname }),
      ...(error.port === undefined ? {} : { port: error.port }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exception_class_name: HBaseExceptions.IOException, stack_trace: message, do_not_retry: false };
}

class ServerConnection {
  private readonly decoder: FrameDecoder;
  private state: "preamble" | "header" | "ready" | "closed" = "preamble";
  private info: RpcConnectionInfo | undefined;
  private inFlight = 0;
  private paused = false;
  /** Answers not yet flushed past the socket's high-water mark: stop reading until they drain. */
  private writeBlocked = false;
  private readonly waiting: RequestFrame[] = [];
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly options: RpcServerOptions,
  ) {
    this.decoder = new FrameDecoder({ expectPreamble: true, ...(options.maxFrameSize === undefined ? {} : { maxFrameSize: options.maxFrameSize }) });
    socket.setNoDelay(true);
    this.handshakeTimer = setTimeout(() => {
      if (this.state !== "ready") this.protocolError(new HBaseFramingError("no preamble and connection header in time"));
    }, options.handshakeTimeoutMs ?? 10_000);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => {
      /* a reset by the peer: 'close' follows */
    });
    socket.on("close", () => {
      this.state = "closed";
      clearTimeout(this.handshakeTimer);
    });
  }

  end(): void {
    this.state = "closed";
    clearTimeout(this.handshakeTimer);
    this.socket.end();
  }

  destroy(): void {
    this.state = "closed";
    clearTimeout(this.handshakeTimer);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.state === "closed") return;
    try {
      for (const unit of this.decoder.push(chunk)) {
        if ((this.state as string) === "closed") return;
        if (unit.kind === "preamble") {
          this.state = "header";
        } else if (this.state === "header") {
          this.onConnectionHeader(unit.payload);
        } else {
          this.onRequest(unit.payload);
        }
      }
    } catch (e) {
      this.protocolError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private onConnectionHeader(payload: Uint8Array): void {
    const header = decodeConnectionHeader(payload);
    const service = header.service_name ?? "";
    if (!Object.prototype.hasOwnProperty.call(this.options.services, service)) {
      this.fatal(HBaseExceptions.UnknownServiceException, `unknown service: ${service}`);
      return;
    }
    this.info = {
      id: this.id,
      remoteAddress: this.socket.remoteAddress ?? "",
      remotePort: this.socket.remotePort ?? 0,
      service,
      user: header.user_info?.effective_user,
      cellBlockCodec: header.cell_block_codec_class,
    };
    this.state = "ready";
    clearTimeout(this.handshakeTimer);
  }

  private onRequest(payload: Uint8Array): void {
    const request = parseRequest(payload);
    if (this.inFlight >= this.maxInFlight) {
      // over the limit: hold the call and stop reading until calls finish
      this.waiting.push(request);
      this.updateReading();
      return;
    }
    this.dispatch(request);
  }

  private get maxInFlight(): number {
    return Math.max(1, this.options.maxInFlightPerConnection ?? 256);
  }

  private dispatch({ header, param, cellBlock }: RequestFrame): void {
    const info = this.info!;
    const callId = header.call_id!;
    const method = header.method_name ?? "";
    const handler = Object.prototype.hasOwnProperty.call(this.options.services[info.service]!, method)
      ? this.options.services[info.service]![method]
      : undefined;
    if (!handler) {
      this.write(
        encodeResponse(callId, {
          exception: {
            exception_class_name: this.options.unknownMethodException ?? HBaseExceptions.UnknownProtocolException,
            stack_trace: `${info.service} has no method ${JSON.stringify(method)}`,
            do_not_retry: true,
          },
        }),
      );
      return;
    }
    const context: RpcCallContext = {
      connection: info,
      method,
      callId,
      priority: header.priority,
      timeoutMs: header.timeout,
      cellBlock,
    };
    this.inFlight++;
    let result: Promise<Uint8Array>;
    try {
      result = Promise.resolve(handler(param ?? new Uint8Array(0), context));
    } catch (e) {
      result = Promise.reject(e);
    }
    result
      .then(
        (body) => {
          if (!(body instanceof Uint8Array)) throw new TypeError(`handler for ${method} returned no bytes`);
          // a large body (a scan's answer) is not copied into a frame: head and body go in one writev
          return body.length >= UNCOPIED_BODY_BYTES ? ([encodeResponseHead(callId, body.length), body] as const) : ([encodeResponse(callId, { body })] as const);
        },
        (error: unknown) => [encodeResponse(callId, { exception: exceptionResponseOf(error) })] as const,
      )
      .catch((error: unknown) => [encodeResponse(callId, { exception: exceptionResponseOf(error) })] as const)
      .then((parts: readonly [Uint8Array, Uint8Array?]) => {
        this.inFlight--;
        this.write(parts[0], parts[1]);
        this.drainWaiting();
      })
      .catch(() => {
        /* encoding an exception cannot fail; nothing is left to answer */
      });
  }

  private drainWaiting(): void {
    while (this.state === "ready" && this.waiting.length > 0 && this.inFlight < this.maxInFlight) this.dispatch(this.waiting.shift()!);
    this.updateReading();
  }

  /** Reads while no call waits for a slot and the client takes its answers. */
  private updateReading(): void {
    const pause = this.state === "ready" && (this.waiting.length > 0 || this.writeBlocked);
    if (pause && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!pause && this.paused && this.state === "ready") {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Writes one frame, given whole or as its head and body. */
  private write(frame: Uint8Array, body?: Uint8Array): void {
    if (this.state === "closed" || this.socket.destroyed || !this.socket.writable) return;
    let flowing: boolean;
    if (body === undefined) flowing = this.socket.write(frame);
    else {
      this.socket.cork();
      this.socket.write(frame);
      flowing = this.socket.write(body);
      this.socket.uncork();
    }
    if (!flowing && !this.writeBlocked) {
      this.writeBlocked = true;
      this.updateReading();
      this.socket.once("drain", () => {
        this.writeBlocked = false;
        this.updateReading();
      });
    }
  }

  /** A fatal connection error: answered with call id -1, then the connection closes. */
  private fatal(className: string, message: string): void {
    this.write(encodeResponse(CONNECTION_CALL_ID, { exception: { exception_class_name: className, stack_trace: message, do_not_retry: true } }));
    this.options.onProtocolError?.(new HBaseFramingError(message), { remoteAddress: this.socket.remoteAddress ?? "", remotePort: this.socket.remotePort ?? 0 });
    this.end();
  }

  private protocolError(error: Error): void {
    if (this.state === "closed") return;
    try {
      this.options.onProtocolError?.(error, { remoteAddress: this.socket.remoteAddress ?? "", remotePort: this.socket.remotePort ?? 0 });
    } catch {
      /* a listener's failure must not take the server down */
    }
    this.destroy();
  }
}

/** A running HBase RPC server. */
export class RpcServer {
  private readonly connections = new Map<number, ServerConnection>();
  private nextId = 1;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: net.Server,
    private readonly options: RpcServerOptions,
  ) {
    server.on("connection", (socket) => this.accept(socket));
    server.on("error", () => {
      /* listening errors surface through start(); later ones (EMFILE…) drop that accept only */
    });
  }

  /** Listens on host:port (127.0.0.1 and a free port by default). */
  static start(options: RpcServerOptions): Promise<RpcServer> {
    const server = net.createServer({ noDelay: true });
    const rpc = new RpcServer(server, options);
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once("error", onError);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.off("error", onError);
        resolve(rpc);
      });
    });
  }

  get host(): string {
    const a = this.server.address();
    return a && typeof a === "object" ? a.address : (this.options.host ?? "127.0.0.1");
  }

  get port(): number {
    const a = this.server.address();
    return a && typeof a === "object" ? a.port : 0;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, closes every connection (answers still being computed are dropped). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const c of this.connections.values()) c.end();
      setTimeout(() => {
        for (const c of this.connections.values()) c.destroy();
      }, 1000).unref();
    });
    return this.closing;
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const id = this.nextId++;
    const connection = new ServerConnection(id, socket, this.options);
    this.connections.set(id, connection);
    socket.on("close", () => this.connections.delete(id));
  }
}
