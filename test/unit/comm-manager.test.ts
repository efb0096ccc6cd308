import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { comms, CommsUnavailableError, setCommBackendResolver, type Comm } from "../../src/display/comms.js";
import { CommManager, type CommMessageType } from "../../src/kernel/comm-manager.js";
import type { JsonObject } from "../../src/protocol/message.js";

interface Sent {
  msgType: CommMessageType;
  content: JsonObject;
  metadata: JsonObject;
  buffers: Uint8Array[];
}

let sent: Sent[];
let logs: string[];
let reported: { error: unknown; context: string }[];
let manager: CommManager;

beforeEach(() => {
  sent = [];
  logs = [];
  reported = [];
  manager = new CommManager((msgType, content, metadata, buffers) => sent.push({ msgType, content, metadata, buffers }), {
    log: (m) => logs.push(m),
    reportError: (error, context) => reported.push({ error, context }),
  });
  manager.install();
});
afterEach(() => setCommBackendResolver(undefined));

const flushMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Registers `target` through the cell-facing API and opens a comm to it as the frontend would. */
function openFromFrontend(target: string, commId: string, data: JsonObject = {}, buffers: Uint8Array[] = []): { comm: Comm; data: JsonObject; buffers: Uint8Array[] } {
  let opened: { comm: Comm; data: JsonObject; buffers: Uint8Array[] } | undefined;
  comms.registerTarget(target, (comm, openData, openBuffers) => {
    opened = { comm, data: openData, buffers: openBuffers };
  });
  manager.handleOpen({ comm_id: commId, target_name: target, data }, {}, buffers);
  if (!opened) throw new Error("target handler was not called");
  return opened;
}

describe("comms opened by the frontend", () => {
  it("calls the target handler with the comm, data and buffers", () => {
    const buffer = new Uint8Array([1, 2, 3]);
    const { comm, data, buffers } = openFromFrontend("jupyter.widget", "c1", { state: { value: 3 } }, [buffer]);
    expect(comm.id).toBe("c1");
    expect(comm.targetName).toBe("jupyter.widget");
    expect(comm.closed).toBe(false);
    expect(data).toEqual({ state: { value: 3 } });
    expect(buffers).toEqual([buffer]);
    expect(sent).toEqual([]); // a frontend-opened comm is not echoed
  });

  it("comm.send publishes comm_msg with metadata and buffers", () => {
    const { comm } = openFromFrontend("t", "c1");
    const buffer = new Uint8Array([9]);
    comm.send({ method: "update", value: 1 }, { version: "2" }, [buffer]);
    comm.send();
    expect(sent).toEqual([
      { msgType: "comm_msg", content: { comm_id: "c1", data: { method: "update", value: 1 } }, metadata: { version: "2" }, buffers: [buffer] },
      { msgType: "comm_msg", content: { comm_id: "c1", data: {} }, metadata: {}, buffers: [] },
    ]);
  });

  it("delivers frontend comm_msg to every onMsg callback until removed", () => {
    const { comm } = openFromFrontend("t", "c1");
    const first: JsonObject[] = [];
    const second: [JsonObject, Uint8Array[], JsonObject][] = [];
    const removeFirst = comm.onMsg((data) => void first.push(data));
    comm.onMsg((data, buffers, metadata) => void second.push([data, buffers, metadata]));
    const buffer = new Uint8Array([4]);
    manager.handleMsg({ comm_id: "c1", data: { n: 1 } }, { m: true }, [buffer]);
    removeFirst();
    manager.handleMsg({ comm_id: "c1", data: { n: 2 } }, {}, []);
    expect(first).toEqual([{ n: 1 }]);
    expect(second).toEqual([
      [{ n: 1 }, [buffer], { m: true }],
      [{ n: 2 }, [], {}],
    ]);
  });

  it("closes from the frontend: onClose runs, comm is forgotten, no echo", () => {
    const { comm } = openFromFrontend("t", "c1");
    const closes: JsonObject[] = [];
    comm.onClose((data) => void closes.push(data));
    manager.handleClose({ comm_id: "c1", data: { reason: "bye" } }, {}, []);
    expect(comm.closed).toBe(true);
    expect(closes).toEqual([{ reason: "bye" }]);
    expect(manager.info()).toEqual({});
    expect(sent).toEqual([]);
    expect(() => comm.send({ late: true })).toThrow(/comm c1 \(target "t"\) is closed/);
    manager.handleMsg({ comm_id: "c1", data: {} }, {}, []);
    expect(logs.at(-1)).toMatch(/comm_msg for unknown comm id "c1": ignored/);
  });

  it("closes from the kernel: comm_close is sent once and onClose runs", () => {
    const { comm } = openFromFrontend("t", "c1");
    const closes: JsonObject[] = [];
    comm.onClose((data) => void closes.push(data));
    comm.close({ done: true });
    comm.close();
    expect(sent).toEqual([{ msgType: "comm_close", content: { comm_id: "c1", data: { done: true } }, metadata: {}, buffers: [] }]);
    expect(closes).toEqual([{ done: true }]);
    expect(manager.info()).toEqual({});
  });

  it("answers comm_open for an unknown target with comm_close and a log line", () => {
    manager.handleOpen({ comm_id: "zz", target_name: "nobody", data: {} }, {}, []);
    expect(sent).toEqual([{ msgType: "comm_close", content: { comm_id: "zz", data: {} }, metadata: {}, buffers: [] }]);
    expect(logs).toEqual([expect.stringMatching(/comm_open for unknown target "nobody": closing comm zz/)]);
    expect(manager.info()).toEqual({});
  });

  it("stops serving a target after unregisterTarget", () => {
    comms.registerTarget("t", () => undefined);
    expect(comms.unregisterTarget("t")).toBe(true);
    expect(comms.unregisterTarget("t")).toBe(false);
    manager.handleOpen({ comm_id: "c9", target_name: "t", data: {} }, {}, []);
    expect(sent.map((s) => s.msgType)).toEqual(["comm_close"]);
  });

  it("ignores comm_msg and comm_close for unknown ids with a log line", () => {
    manager.handleMsg({ comm_id: "ghost", data: {} }, {}, []);
    manager.handleClose({ comm_id: "ghost", data: {} }, {}, []);
    manager.handleOpen({ target_name: "t", data: {} }, {}, []);
    expect(logs).toEqual([
      expect.stringMatching(/comm_msg for unknown comm id "ghost": ignored/),
      expect.stringMatching(/comm_close for unknown comm id "ghost": ignored/),
      expect.stringMatching(/comm_open without a comm_id/),
    ]);
    expect(sent).toEqual([]);
  });
});

describe("comms opened by the kernel", () => {
  it("comms.open sends comm_open with a fresh id and the comm receives replies", () => {
    const buffer = new Uint8Array([7]);
    const comm = comms.open("frontend.target", { hello: 1 }, { meta: "m" }, [buffer]);
    const other = comms.open("frontend.target");
    expect(comm.id).toMatch(/^[0-9a-f]{32}$/);
    expect(other.id).not.toBe(comm.id);
    expect(sent[0]).toEqual({
      msgType: "comm_open",
      content: { comm_id: comm.id, target_name: "frontend.target", data: { hello: 1 } },
      metadata: { meta: "m" },
      buffers: [buffer],
    });
    const got: JsonObject[] = [];
    comm.onMsg((data) => void got.push(data));
    manager.handleMsg({ comm_id: comm.id, data: { reply: true } }, {}, []);
    expect(got).toEqual([{ reply: true }]);
  });

  it("rejects bad arguments with errors that name the problem", () => {
    expect(() => comms.open("")).toThrow(/comm target name must be a non-empty string/);
    expect(() => comms.open("t", [] as unknown as JsonObject)).toThrow(/comm open data must be a plain JSON object, got an array/);
    expect(() => comms.open("t", {}, {}, ["x"] as unknown as Uint8Array[])).toThrow(/comm open buffers\[0\] must be a Uint8Array/);
    expect(() => comms.registerTarget("t", "nope" as never)).toThrow(/comm target "t" needs a handler function/);
    const comm = comms.open("t");
    expect(() => comm.send(null as unknown as JsonObject)).toThrow(/comm data must be a plain JSON object, got null/);
    expect(sent.map((s) => s.msgType)).toEqual(["comm_open"]);
  });

  it("forgets a comm whose comm_open could not be sent", () => {
    const failing = new CommManager(() => {
      throw new Error("iopub closed");
    });
    expect(() => failing.open("t")).toThrow(/iopub closed/);
    expect(failing.info()).toEqual({});
  });
});

describe("comm_info", () => {
  it("lists open comms, filtered by target name when given", () => {
    openFromFrontend("a", "c1");
    openFromFrontend("b", "c2");
    const k = comms.open("a");
    expect(manager.info()).toEqual({ c1: { target_name: "a" }, c2: { target_name: "b" }, [k.id]: { target_name: "a" } });
    expect(manager.info("a")).toEqual({ c1: { target_name: "a" }, [k.id]: { target_name: "a" } });
    expect(manager.info("b")).toEqual({ c2: { target_name: "b" } });
    expect(manager.info("none")).toEqual({});
    expect(manager.info("")).toEqual(manager.info());
  });
});

describe("cell callbacks that fail", () => {
  it("a throwing target handler is reported and its comm is closed", () => {
    comms.registerTarget("boom", () => {
      throw new Error("handler exploded");
    });
    expect(() => manager.handleOpen({ comm_id: "c1", target_name: "boom", data: {} }, {}, [])).not.toThrow();
    expect(reported).toHaveLength(1);
    expect((reported[0]!.error as Error).message).toBe("handler exploded");
    expect(reported[0]!.context).toMatch(/comm target "boom" failed to open comm c1/);
    expect(logs.some((l) => l.includes("handler exploded"))).toBe(true);
    expect(sent).toEqual([{ msgType: "comm_close", content: { comm_id: "c1", data: {} }, metadata: {}, buffers: [] }]);
    expect(manager.info()).toEqual({});
  });

  it("a rejected async target handler is reported and its comm is closed", async () => {
    comms.registerTarget("later", async () => {
      await Promise.resolve();
      throw new Error("async failure");
    });
    manager.handleOpen({ comm_id: "c1", target_name: "later", data: {} }, {}, []);
    await flushMicrotasks();
    expect(reported.map((r) => (r.error as Error).message)).toEqual(["async failure"]);
    expect(sent.map((s) => s.msgType)).toEqual(["comm_close"]);
  });

  it("a throwing onMsg callback is reported, the others still run, and the comm stays open", () => {
    const { comm } = openFromFrontend("t", "c1");
    const seen: JsonObject[] = [];
    comm.onMsg(() => {
      throw new TypeError("bad message");
    });
    comm.onMsg((data) => void seen.push(data));
    expect(() => manager.handleMsg({ comm_id: "c1", data: { x: 1 } }, {}, [])).not.toThrow();
    expect(seen).toEqual([{ x: 1 }]);
    expect(reported.map((r) => r.context)).toEqual([expect.stringMatching(/message handler of comm c1 \(target "t"\) failed/)]);
    expect(comm.closed).toBe(false);
  });

  it("a throwing onClose callback is reported and the comm is still closed", () => {
    const { comm } = openFromFrontend("t", "c1");
    comm.onClose(() => {
      throw new Error("close failed");
    });
    expect(() => manager.handleClose({ comm_id: "c1", data: {} }, {}, [])).not.toThrow();
    expect(comm.closed).toBe(true);
    expect(reported.map((r) => r.context)).toEqual([expect.stringMatching(/close handler of comm c1/)]);
  });

  it("without a reportError option the error goes to process.stderr", () => {
    const plain = new CommManager(() => undefined, { log: () => undefined });
    plain.registerTarget("boom", () => {
      throw new Error("to stderr");
    });
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      plain.handleOpen({ comm_id: "c1", target_name: "boom" }, {}, []);
    } finally {
      process.stderr.write = original;
    }
    expect(written.join("")).toMatch(/comm target "boom" failed to open comm c1\nError: to stderr/);
  });
});

describe("outside a kernel", () => {
  it("the cell API throws a clear error when no kernel installed a backend", () => {
    setCommBackendResolver(undefined);
    expect(() => comms.open("t")).toThrow(CommsUnavailableError);
    expect(() => comms.open("t")).toThrow(/comms\.open\(\) needs a running Sluice kernel/);
    expect(() => comms.registerTarget("t", () => undefined)).toThrow(/comms\.registerTarget\(\) needs a running Sluice kernel/);
  });
});
