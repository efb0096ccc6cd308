/**
 * The Jupyter connection file: where the kernel's five sockets bind and how messages are signed.
 */
import { readFile } from "node:fs/promises";
import { createSigner } from "./signer.js";

/** The five kernel sockets, named as in the connection file's `<name>_port` fields. */
export type SocketName = "shell" | "iopub" | "stdin" | "control" | "hb";

/** All socket names, in connection-file order. */
export const SOCKET_NAMES: readonly SocketName[] = ["shell", "iopub", "stdin", "control", "hb"];

/** A validated connection file. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  /** For tcp an address (or `*`); for ipc the path prefix of the socket files. */
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  /** HMAC key; empty means messages are not signed. */
  key: string;
  /** E.g. `"hmac-sha256"`. */
  signature_scheme: string;
  kernel_name?: string;
}

/** The connection file is unreadable or a field is missing or wrong; the message names the field. */
export class ConnectionFileError extends Error {
  override readonly name = "ConnectionFileError";
}

function fail(source: string, message: string): never {
  throw new ConnectionFileError(`${source}: ${message}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  return `${JSON.stringify(value)} (${value === null ? "null" : Array.isArray(value) ? "array" : typeof value})`;
}

/**
 * Validates parsed connection-file JSON. Unknown extra fields are ignored.
 *
 * @param source Named in error messages (e.g. the file path).
 * @throws {ConnectionFileError} naming the first bad field.
 */
export function parseConnectionInfo(value: unknown, source = "connection file"): ConnectionInfo {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(source, `expected a JSON object, got ${describe(value)}`);
  }
  const raw = value as Record<string, unknown>;

  const transport = raw.transport;
  if (transport !== "tcp" && transport !== "ipc") {
    fail(source, `field "transport" must be "tcp" or "ipc", got ${describe(transport)}`);
  }
  const ip = raw.ip;
  if (typeof ip !== "string" || ip.trim() === "") {
    fail(source, `field "ip" must be a non-empty string, got ${describe(ip)}`);
  }

  const ports = {} as Record<SocketName, number>;
  const byPort = new Map<number, string>();
  for (const name of SOCKET_NAMES) {
    const field = `${name}_port`;
    const port = raw[field];
    const valid =
      typeof port === "number" &&
      Number.isInteger(port) &&
      (transport === "tcp" ? port >= 1 && port <= 65535 : port >= 0);
    if (!valid) {
      const range = transport === "tcp" ? "an integer 1-65535" : "a non-negative integer";
      fail(source, `field "${field}" must be ${range}, got ${describe(port)}`);
    }
    const other = byPort.get(port);
    if (other !== undefined) fail(source, `fields "${other}" and "${field}" are both ${port}; each socket needs its own port`);
    byPort.set(port, field);
    ports[name] = port;
  }

  const key = raw.key;
  if (typeof key !== "string") fail(source, `field "key" must be a string (empty for no signing), got ${describe(key)}`);
  const scheme = raw.signature_scheme;
  if (typeof scheme !== "string") {
    fail(source, `field "signature_scheme" must be a string such as "hmac-sha256", got ${describe(scheme)}`);
  }
  try {
    createSigner(scheme, key);
  } catch (error) {
    fail(source, `field "signature_scheme": ${(error as Error).message}`);
  }
  const kernelName = raw.kernel_name;
  if (kernelName !== undefined && typeof kernelName !== "string") {
    fail(source, `field "kernel_name" must be a string when present, got ${describe(kernelName)}`);
  }

  const info: ConnectionInfo = {
    transport,
    ip,
    shell_port: ports.shell,
    iopub_port: ports.iopub,
    stdin_port: ports.stdin,
    control_port: ports.control,
    hb_port: ports.hb,
    key,
    signature_scheme: scheme,
  };
  if (kernelName !== undefined) info.kernel_name = kernelName;
  return info;
}

/**
 * Reads and validates a connection file.
 *
 * @throws {ConnectionFileError} when the file cannot be read, is not JSON, or a field is bad.
 */
export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    fail(path, `cannot read connection file: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(path, `connection file is not valid JSON: ${(error as Error).message}`);
  }
  return parseConnectionInfo(json, path);
}

/** The port of `socket` in `info`. */
export function portOf(info: ConnectionInfo, socket: SocketName): number {
  switch (socket) {
    case "shell":
      return info.shell_port;
    case "iopub":
      return info.iopub_port;
    case "stdin":
      return info.stdin_port;
    case "control":
      return info.control_port;
    case "hb":
      return info.hb_port;
  }
}

/** True when `info.ip` is an IPv6 address (tcp), which ZeroMQ needs bracketed and `ipv6` enabled for. */
export function isIpv6(info: ConnectionInfo): boolean {
  return info.transport === "tcp" && info.ip.includes(":");
}

/**
 * The ZeroMQ endpoint of `socket`: `tcp://IP:PORT`, or for ipc `ipc://IP-PORT` (jupyter_client's
 * naming, where `ip` is a path prefix). IPv6 addresses are bracketed.
 */
export function endpoint(info: ConnectionInfo, socket: SocketName): string {
  const port = portOf(info, socket);
  if (info.transport === "ipc") return `ipc://${info.ip}-${port}`;
  const host = isIpv6(info) && !info.ip.startsWith("[") ? `[${info.ip}]` : info.ip;
  return `tcp://${host}:${port}`;
}
