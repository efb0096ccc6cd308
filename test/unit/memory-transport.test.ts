import { describe, expect, it } from "vitest";
import { makeMessage } from "../../src/protocol/header.js";
import type { JupyterMessage } from "../../src/protocol/message.js";
import { MemoryTransport } from "../../src/transport/memory-transport.js";

const sender = { session: "kernel-session", username: "kernel" };
const client = { session: "client-session", username: "alice" };
const ofType = (type: string) => (message: JupyterMessage) => message.header.msg_type === type;

describe("MemoryTransport", () => {
  it("delivers requests to the handler as they would arrive off the wire", async () => {
    const transport = new MemoryTransport();
    expect(transport.deliversInterruptsAsSigint).toBe(false);
    const received: [string, JupyterMessage][] = [];
    await transport.start((channel, message) => received.push([channel, message]));
    const request = makeMessage("kernel_info_request", { nested: { n: 1 } }, client, undefined, {
      identities: [new Uint8Array([1, 2, 3])],
      buffers: [new Uint8Array([7])],
    });
    transport.deliver("shell", request);
    transport.deliver("control", makeMessage("interrupt_request", {}, client));
    expect(received.map(([channel, message]) => [channel, message.header.msg_type])).toEqual([
      ["shell", "kernel_info_request"],
      ["control", "interrupt_request"],
    ]);
    const [, delivered] = received[0]!;
    expect(delivered).not.toBe(request);
    expect(delivered.content).toEqual({ nested: { n: 1 } });
    expect([...delivered.identities[0]!]).toEqual([1, 2, 3]);
    expect([...delivered.buffers[0]!]).toEqual([7]);
  });

  it("records sends per channel as wire copies", async () => {
    const transport = new MemoryTransport();
    await transport.start(() => {});
    const content = { status: "ok", list: [1] };
    transport.send("shell", makeMessage("kernel_info_reply", content, sender));
    transport.send("iopub", makeMessage("status", { execution_state: "idle" }, sender));
    content.list.push(2);
    expect(transport.sent.shell.map((message) => message.content)).toEqual([{ status: "ok", list: [1] }]);
    expect(transport.sentOfType("iopub", "status")).toHaveLength(1);
    expect(transport.sent.control).toEqual([]);
  });

  it("passes objects through unchanged with wire: false", async () => {
    const transport = new MemoryTransport({ wire: false });
    await transport.start(() => {});
    const message = makeMessage("kernel_info_reply", {}, sender);
    transport.send("shell", message);
    expect(transport.sent.shell[0]).toBe(message);
  });

  it("next() returns earlier matches first, each message once, and waits for later ones", async () => {
    const transport = new MemoryTransport();
    await transport.start(() => {});
    transport.send("iopub", makeMessage("status", { execution_state: "busy" }, sender));
    transport.send("iopub", makeMessage("stream", { name: "stdout", text: "a" }, sender));
    expect((await transport.next("iopub", ofType("stream"))).content).toEqual({ name: "stdout", text: "a" });
    expect((await transport.next("iopub")).header.msg_type).toBe("status");

    const waiting = transport.next("iopub", ofType("execute_result"));
    const nextAny = transport.next("iopub");
    transport.send("iopub", makeMessage("stream", { name: "stdout", text: "b" }, sender));
    transport.send("iopub", makeMessage("execute_result", { data: {} }, sender));
    expect((await waiting).header.msg_type).toBe("execute_result");
    expect((await nextAny).content).toEqual({ name: "stdout", text: "b" });
  });

  it("next() times out naming what was sent", async () => {
    const transport = new MemoryTransport();
    await transport.start(() => {});
    transport.send("shell", makeMessage("kernel_info_reply", {}, sender));
    await expect(transport.next("shell", ofType("execute_reply"), 20)).rejects.toThrow(
      /next\(shell\): no matching message within 20 ms; sent so far: kernel_info_reply/,
    );
  });

  it("refuses messages that cannot go over the wire", async () => {
    const transport = new MemoryTransport();
    await transport.start(() => {});
    expect(() => transport.send("shell", makeMessage("bad_reply", { n: 1n }, sender))).toThrow(/send on shell: message cannot be encoded/);
    expect(transport.sent.shell).toEqual([]);
  });

  it("refuses delivery before start and any use after close", async () => {
    const transport = new MemoryTransport();
    expect(() => transport.deliver("shell", makeMessage("kernel_info_request", {}, client))).toThrow(/not started/);
    await transport.start(() => {});
    await expect(transport.start(() => {})).rejects.toThrow(/already started/);
    await transport.close();
    expect(transport.closed).toBe(true);
    expect(() => transport.send("iopub", makeMessage("status", {}, sender))).toThrow(/closed/);
    expect(() => transport.deliver("shell", makeMessage("kernel_info_request", {}, client))).toThrow(/closed/);
  });
});
