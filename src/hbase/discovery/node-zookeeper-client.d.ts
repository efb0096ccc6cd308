/**
 * Types for the parts of `node-zookeeper-client` (1.1.x, plain JavaScript, no types of its own) that
 * `zookeeper-session.ts` uses. Only that file imports the package; nothing here is re-exported.
 */
declare module "node-zookeeper-client" {
  import type { EventEmitter } from "node:events";

  /** A node's metadata; 64-bit fields arrive as 8-byte big-endian buffers. */
  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export interface Event {
    type: number;
    name: string;
    path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
  }

  /** What every failed call passes to its callback. */
  export interface Exception extends Error {
    code: number;
    name: string;
    path?: string;
    getCode(): number;
    getName(): string;
    getPath(): string | undefined;
  }

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
  }

  export type Watcher = (event: Event) => void;
  export type ACL = object;

  export interface Client extends EventEmitter {
    connect(): void;
    close(): void;
    getSessionId(): Buffer;
    getSessionTimeout(): number;
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: (error: Exception | null, path: string) => void): void;
    remove(path: string, version: number, callback: (error: Exception | null) => void): void;
    setData(path: string, data: Buffer, version: number, callback: (error: Exception | null, stat: Stat) => void): void;
    getData(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, data: Buffer | undefined, stat: Stat) => void): void;
    exists(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, stat: Stat | null) => void): void;
    getChildren(path: string, watcher: Watcher | undefined, callback: (error: Exception | null, children: string[], stat: Stat) => void): void;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;

  export const ACL: { OPEN_ACL_UNSAFE: ACL[] };
  export const CreateMode: { PERSISTENT: number; PERSISTENT_SEQUENTIAL: number; EPHEMERAL: number; EPHEMERAL_SEQUENTIAL: number };
  export const Event: { NODE_CREATED: number; NODE_DELETED: number; NODE_DATA_CHANGED: number; NODE_CHILDREN_CHANGED: number };
  export const Exception: {
    OK: number;
    CONNECTION_LOSS: number;
    OPERATION_TIMEOUT: number;
    NO_NODE: number;
    NODE_EXISTS: number;
    NOT_EMPTY: number;
    BAD_VERSION: number;
    NO_CHILDREN_FOR_EPHEMERALS: number;
    SESSION_EXPIRED: number;
    NO_AUTH: number;
    AUTH_FAILED: number;
  };

  const zookeeper: {
    createClient: typeof createClient;
    ACL: typeof ACL;
    CreateMode: typeof CreateMode;
    Event: typeof Event;
    Exception: typeof Exception;
  };
  export default zookeeper;
}
