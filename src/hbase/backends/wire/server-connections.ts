/**
 * One RPC connection per (server, service), opened on first use, shared by every call (calls are
 * pipelined on it), and opened again after it was lost or closed.
 */
import { SERVICES, type MessageCodec, type ServiceName } from "../../wire/hbase-protos.js";
import { RpcConnection } from "../../wire/rpc-connection.js";
import { WireConnectionClosedError } from "./wire-errors.js";

/** A server's address. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** The services a connection can be opened for ("AdminService" when hbase-protos.ts declares its methods). */
export type AnyService = ServiceName | "AdminService";

interface Codecs {
  request: MessageCodec<unknown>;
  response: MessageCodec<unknown>;
}

/** The codecs of a service's method, or a TypeError naming what is missing. */
export function methodCodecs(service: AnyService, method: string): Codecs {
  const table = (SERVICES as unknown as Record<string, Record<string, Codecs> | undefined>)[service];
  const codecs = table !== undefined && Object.prototype.hasOwnProperty.call(table, method) ? table[method] : undefined;
  if (codecs === undefined) throw new TypeError(`${service} method ${method} is not declared in src/hbase/wire/hbase-protos.ts`);
  return codecs;
}

export interface ServerConnectionsOptions {
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** What a call on the closed pool says. */
  readonly closedMessage: () => string;
}

/** The pool of RPC connections of one wire connection. */
export class ServerConnections {
  private readonly open = new Map<string, Promise<RpcConnection>>();
  private closed = false;

  constructor(private readonly options: ServerConnectionsOptions) {}

  /** The connection to `server` for `service`, connecting when there is none (or it was lost). */
  connection(server: ServerAddress, service: AnyService): Promise<RpcConnection> {
    if (this.closed) return Promise.reject(new WireConnectionClosedError(this.options.closedMessage()));
    const key = `${service}@${server.host}:${server.port}`;
    const existing = this.open.get(key);
    if (existing !== undefined) {
      return existing.then((c) => {
        if (!c.closed) return c;
        if (this.open.get(key) === existing) this.open.delete(key);
        return this.connection(server, service);
      });
    }
    const opening = RpcConnection.connect({
      host: server.host,
      port: server.port,
      service: service as ServiceName,
      callTimeoutMs: this.options.callTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
    });
    this.open.set(key, opening);
    opening.then(
      (c) => c.onClose(() => {
        if (this.open.get(key) === opening) this.open.delete(key);
      }),
      () => {
        if (this.open.get(key) === opening) this.open.delete(key);
      },
    );
    return opening;
  }

  /** A call with plain-object request and response (the method's protobuf messages). */
  async call<Res = unknown>(server: ServerAddress, service: AnyService, method: string, request: unknown, timeoutMs?: number): Promise<Res> {
    const codecs = methodCodecs(service, method);
    const param = codecs.request.encode(request);
    const connection = await this.connection(server, service);
    const body = await connection.callRaw(method, param, timeoutMs === undefined ? {} : { timeoutMs });
    return codecs.response.decode(body) as Res;
  }

  /** Closes the connections to `server` (all services), e.g. after it stopped answering. */
  async drop(server: ServerAddress): Promise<void> {
    const suffix = `@${server.host}:${server.port}`;
    const dropped: Promise<RpcConnection>[] = [];
    for (const [key, c] of this.open) {
      if (key.endsWith(suffix)) {
        this.open.delete(key);
        dropped.push(c);
      }
    }
    await Promise.allSettled(dropped.map(async (p) => (await p).close()));
  }

  /** Closes every connection; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}
