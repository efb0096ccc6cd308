import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionFileError,
  endpoint,
  parseConnectionInfo,
  readConnectionFile,
  type ConnectionInfo,
} from "../../src/protocol/connection-file.js";

const GOOD = {
  shell_port: 50001,
  iopub_port: 50002,
  stdin_port: 50003,
  control_port: 50004,
  hb_port: 50005,
  ip: "127.0.0.1",
  key: "a0436f6c-1916-498b-8eb9-e81ab9368e84",
  transport: "tcp",
  signature_scheme: "hmac-sha256",
  kernel_name: "sluice",
  jupyter_session: "/home/u/notebook.ipynb",
};

function without(field: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...GOOD };
  delete copy[field];
  return copy;
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "sluice-connection-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("connection file", () => {
  it("reads a good file and ignores unknown fields", async () => {
    const file = path.join(directory, "kernel-good.json");
    await writeFile(file, JSON.stringify(GOOD));
    const info = await readConnectionFile(file);
    expect(info).toEqual({
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: 50001,
      iopub_port: 50002,
      stdin_port: 50003,
      control_port: 50004,
      hb_port: 50005,
      key: GOOD.key,
      signature_scheme: "hmac-sha256",
      kernel_name: "sluice",
    } satisfies ConnectionInfo);
  });

  it("accepts an empty key (no signing) and a missing kernel_name", () => {
    const info = parseConnectionInfo({ ...without("kernel_name"), key: "" });
    expect(info.key).toBe("");
    expect("kernel_name" in info).toBe(false);
  });

  it.each(["transport", "ip", "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port", "key", "signature_scheme"])(
    "names the missing field %s",
    (field) => {
      expect(() => parseConnectionInfo(without(field), "k.json")).toThrow(ConnectionFileError);
      expect(() => parseConnectionInfo(without(field), "k.json")).toThrow(new RegExp(`^k\\.json: field "${field}".*missing`));
    },
  );

  it.each([
    ["transport", "udp"],
    ["ip", ""],
    ["ip", 127],
    ["shell_port", "50001"],
    ["iopub_port", 0],
    ["stdin_port", 70000],
    ["control_port", 1.5],
    ["hb_port", -1],
    ["key", null],
    ["signature_scheme", "md5"],
    ["signature_scheme", "hmac-nosuchhash"],
    ["kernel_name", 3],
  ])("names the bad field %s = %j", (field, value) => {
    expect(() => parseConnectionInfo({ ...GOOD, [field]: value })).toThrow(new RegExp(`field "${field}"`));
  });

  it("refuses two sockets on one port", () => {
    expect(() => parseConnectionInfo({ ...GOOD, hb_port: GOOD.shell_port })).toThrow(
      /fields "shell_port" and "hb_port" are both 50001/,
    );
  });

  it("refuses a non-object, a missing file and bad JSON", async () => {
    expect(() => parseConnectionInfo([1, 2])).toThrow(/expected a JSON object/);
    await expect(readConnectionFile(path.join(directory, "absent.json"))).rejects.toThrow(/absent\.json: cannot read connection file/);
    const bad = path.join(directory, "bad.json");
    await writeFile(bad, "{ not json");
    await expect(readConnectionFile(bad)).rejects.toThrow(/bad\.json: connection file is not valid JSON/);
  });

  it("builds tcp and ipc endpoints the way jupyter_client names them", () => {
    const tcp = parseConnectionInfo(GOOD);
    expect(endpoint(tcp, "shell")).toBe("tcp://127.0.0.1:50001");
    expect(endpoint(tcp, "iopub")).toBe("tcp://127.0.0.1:50002");
    expect(endpoint(tcp, "stdin")).toBe("tcp://127.0.0.1:50003");
    expect(endpoint(tcp, "control")).toBe("tcp://127.0.0.1:50004");
    expect(endpoint(tcp, "hb")).toBe("tcp://127.0.0.1:50005");
    const ipc = parseConnectionInfo({ ...GOOD, transport: "ipc", ip: "/tmp/kernel-abc", shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 });
    expect(endpoint(ipc, "shell")).toBe("ipc:///tmp/kernel-abc-1");
    expect(endpoint(ipc, "hb")).toBe("ipc:///tmp/kernel-abc-5");
    expect(endpoint(parseConnectionInfo({ ...GOOD, ip: "::1" }), "control")).toBe("tcp://[::1]:50004");
  });
});
