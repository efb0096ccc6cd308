import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMessage } from "../../src/protocol/header.js";
import type { JsonObject, JupyterMessage } from "../../src/protocol/message.js";
import { MemoryTransport } from "../../src/transport/memory-transport.js";
import { KernelCore } from "../../src/kernel/kernel-core.js";
import { TypeScriptInterpreter } from "../../src/evaluator/ts-interpreter.js";

const client = { session: "client-session", username: "tester" };
let transport: MemoryTransport;
let kernel: KernelCore;
let shutdowns: boolean[] = [];

function request(msgType: string, content: JsonObject): JupyterMessage {
  return makeMessage(msgType, content, client, undefined, { identities: [Buffer.from("client-id")] });
}

function execute(code: string, extra: JsonObject = {}): JupyterMessage {
  const msg = request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra });
  transport.deliver("shell", msg);
  return msg;
}

const childOf = (parent: JupyterMessage) => (m: JupyterMessage) => (m.parent_header as { msg_id?: string }).msg_id === parent.header.msg_id;
const idleFor = (parent: JupyterMessage) => (m: JupyterMessage) => childOf(parent)(m) && m.header.msg_type === "status" && m.content["execution_state"] === "idle";

async function replyTo(parent: JupyterMessage, channel: "shell" | "control" = "shell"): Promise<JupyterMessage> {
  return transport.next(channel, childOf(parent));
}

function iopubFor(parent: JupyterMessage): JupyterMessage[] {
  return transport.sent.iopub.filter(childOf(parent));
}

beforeAll(async () => {
  transport = new MemoryTransport();
  const interpreter = new TypeScriptInterpreter({ directory: mkdtempSync(path.join(tmpdir(), "sluice-core-")), typeCheck: "error" });
  kernel = new KernelCore({ transport, interpreter, sender: { session: "kernel-session", username: "kernel" }, log: () => {}, onShutdown: (r) => shutdowns.push(r) });
  await kernel.start();
});

afterAll(async () => {
  await transport.close();
});

describe("KernelCore", () => {
  it("answers kernel_info inside busy/idle with the request as parent", async () => {
    const msg = request("kernel_info_request", {});
    transport.deliver("shell", msg);
    const reply = await replyTo(msg);
    await transport.next("iopub", idleFor(msg));
    expect(reply.header.msg_type).toBe("kernel_info_reply");
    expect(reply.content).toMatchObject({ status: "ok", protocol_version: "5.3", implementation: "sluice", language_info: { name: "typescript", mimetype: "text/typescript", file_extension: ".ts" } });
    expect(reply.identities.map((b) => Buffer.from(b).toString())).toEqual(["client-id"]);
    const statuses = iopubFor(msg).filter((m) => m.header.msg_type === "status").map((m) => m.content["execution_state"]);
    expect(statuses).toEqual(["busy", "idle"]);
  });

  it("echoes the input, counts executions and publishes the result before idle", async () => {
    const first = execute("1 + 1");
    const r1 = await replyTo(first);
    await transport.next("iopub", idleFor(first));
    const types = iopubFor(first).map((m) => m.header.msg_type);
    expect(types).toEqual(["status", "execute_input", "execute_result", "status"]);
    const input = iopubFor(first).find((m) => m.header.msg_type === "execute_input")!;
    expect(input.content).toMatchObject({ code: "1 + 1", execution_count: r1.content["execution_count"] });
    expect(iopubFor(first).find((m) => m.header.msg_type === "execute_result")!.content).toMatchObject({ data: { "text/plain": "2" } });
    const second = execute("2");
    const r2 = await replyTo(second);
    expect(r2.content["execution_count"]).toBe((r1.content["execution_count"] as number) + 1);
    const silent = execute("3", { silent: true });
    const r3 = await replyTo(silent);
    expect(r3.content["execution_count"]).toBe(r2.content["execution_count"]);
    await transport.next("iopub", idleFor(silent));
    expect(iopubFor(silent).map((m) => m.header.msg_type)).toEqual(["status", "status"]);
  });

  it("publishes one error output and an error reply", async () => {
    const msg = execute('throw new Error("boom")');
    const reply = await replyTo(msg);
    await transport.next("iopub", idleFor(msg));
    expect(reply.content).toMatchObject({ status: "error", ename: "Error", evalue: "boom" });
    const outputs = iopubFor(msg).filter((m) => !["status", "execute_input"].includes(m.header.msg_type));
    expect(outputs.map((m) => m.header.msg_type)).toEqual(["error"]);
  });

  it("aborts queued executes after an error when stop_on_error is set", async () => {
    const bad = execute('throw new Error("stop")');
    const later1 = execute("globalThis.ranAfterError = true");
    const later2 = execute("globalThis.ranAfterError = true");
    expect((await replyTo(bad)).content["status"]).toBe("error");
    expect((await replyTo(later1)).content["status"]).toBe("aborted");
    expect((await replyTo(later2)).content["status"]).toBe("aborted");
    const check = execute('typeof (globalThis as Record<string, unknown>)["ranAfterError"]');
    await replyTo(check);
    expect(iopubFor(check).find((m) => m.header.msg_type === "execute_result")!.content).toMatchObject({ data: { "text/plain": "'undefined'" } });
  });

  it("asks for input on stdin and resumes with the reply", async () => {
    const msg = execute('const answer = await input("Name?"); answer', { allow_stdin: true });
    const ask = await transport.next("stdin", childOf(msg));
    expect(ask.header.msg_type).toBe("input_request");
    expect(ask.content).toMatchObject({ prompt: "Name?", password: false });
    transport.deliver("stdin", makeMessage("input_reply", { value: "Ada" }, client, ask));
    await replyTo(msg);
    expect(iopubFor(msg).find((m) => m.header.msg_type === "execute_result")!.content).toMatchObject({ data: { "text/plain": "'Ada'" } });
  });

  it("interrupts a pending await on interrupt_request and keeps state", async () => {
    execute("const kept = 41;");
    const hang = execute("await new Promise(() => {});");
    await transport.next("iopub", (m) => childOf(hang)(m) && m.header.msg_type === "execute_input");
    const interrupt = request("interrupt_request", {});
    transport.deliver("control", interrupt);
    expect((await replyTo(interrupt, "control")).content).toMatchObject({ status: "ok" });
    expect((await replyTo(hang)).content).toMatchObject({ status: "error", evalue: "Interrupted" });
    const after = execute("kept + 1");
    await replyTo(after);
    expect(iopubFor(after).find((m) => m.header.msg_type === "execute_result")!.content).toMatchObject({ data: { "text/plain": "42" } });
  });

  it("applies an interrupt that overtook the execute it was meant for", async () => {
    kernel.interrupt(); // as SIGINT handled before the execute message was dispatched
    const hang = execute("await new Promise(() => {});");
    expect((await replyTo(hang)).content).toMatchObject({ status: "error", ename: "InterruptedError" });
  });

  it("ignores an interrupt while idle: a later cell runs normally", async () => {
    kernel.interrupt();
    await new Promise((r) => setTimeout(r, 20));
    const later = execute("40 + 2");
    expect((await replyTo(later)).content).toMatchObject({ status: "ok" });
  });

  it("attributes output printed later by a timer to the cell that scheduled it", async () => {
    const msg = execute('setTimeout(() => console.log("late"), 50);');
    await transport.next("iopub", idleFor(msg));
    const late = await transport.next("iopub", (m) => childOf(msg)(m) && m.header.msg_type === "stream");
    expect(late.content).toMatchObject({ name: "stdout", text: "late\n" });
  });

  it("answers is_complete, complete and inspect", async () => {
    const isc = request("is_complete_request", { code: "function f() {" });
    transport.deliver("shell", isc);
    expect((await replyTo(isc)).content).toMatchObject({ status: "incomplete" });
    const comp = request("complete_request", { code: "Math.PI.toFix", cursor_pos: 13 });
    transport.deliver("shell", comp);
    expect((await replyTo(comp)).content).toMatchObject({ status: "ok", matches: ["toFixed"], cursor_start: 8, cursor_end: 13 });
    const insp = request("inspect_request", { code: "Math.max", cursor_pos: 8, detail_level: 0 });
    transport.deliver("shell", insp);
    expect((await replyTo(insp)).content).toMatchObject({ status: "ok", found: true });
  });

  it("replies to shutdown_request with the restart flag and stops", async () => {
    const msg = request("shutdown_request", { restart: true });
    transport.deliver("control", msg);
    expect((await replyTo(msg, "control")).content).toMatchObject({ status: "ok", restart: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(shutdowns).toEqual([true]);
  });
});
