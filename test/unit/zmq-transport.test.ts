/**
 * The ZeroMQ transport against real ZeroMQ client sockets. Imports the compiled transport from dist/
 * (its worker thread runs dist/transport/zmq-worker.js): build first with `npx tsc -p tsconfig.json`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Dealer, Reply, Request, Router, Subscriber, Publisher, type Socket } from "zeromq";
import { readConnectionFile, endpoint, type ConnectionInfo, type SocketName } from "../../dist/protocol/connection-file.js";
import { makeMessage } from "../../dist/protocol/header.js";
import type { JupyterMessage } from "../../dist/protocol/message.js";
import { createSigner, type Signer } from "../../dist/protocol/signer.js";
import { decode, DELIMITER, encode } from "../../dist/protocol/wire-codec.js";
import { ZmqTransport } from "../../dist/transport/zmq-transport.js";
import { freePort } from "../support/free-port.mjs";

const KEY = "0f3c9a6e-6b5e-4d8e-9c1a-2b7f4e8d1c00";
const signer = createSigner("hmac-sha256", KEY);
const client = { session: "client-session", username: "tester" };
const kernel = { session: "kernel-session", username: "kernel" };
const utf8 = (frame: Uint8Array): string => Buffer.from(frame).toString("utf8");

type Received = { channel: string; message: JupyterMessage };

/** A started transport plus everything it delivered and refused. */
interface Harness {
  info: ConnectionInfo;
  transport: ZmqTransport;
  received: Received[];
  drops: { channel: string; reason: string }[];
  /** Resolves with the first delivered message whose msg_id is `msgId` (already delivered or future). */
  arrival(msgId: string): Promise<Received>;
  /** Resolves once `count` drops have been reported. */
  dropsReached(count: number): Promise<void>;
}

let directory: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "sluice-zmq-"));
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function connectionFile(key = KEY): Promise<ConnectionInfo> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [shell, iopub, stdin, control, hb] = [...ports];
  const file = path.join(directory, `kernel-${randomBytes(4).toString("hex")}.json`);
  await writeFile(
    file,
    JSON.stringify({
      shell_port: shell,
      iopub_port: iopub,
      stdin_port: stdin,
      control_port: control,
      hb_port: hb,
      ip: "127.0.0.1",
      key,
      transport: "tcp",
      signature_scheme: "hmac-sha256",
      kernel_name: "sluice",
    }),
  );
  return readConnectionFile(file);
}

async function startHarness(options: { interruptFlag?: Int32Array; key?: string } = {}): Promise<Harness> {
  let lastError: unknown;
  // Free ports can be taken by someone else between probing and binding: retry with fresh ones.
  for (let attempt = 0; attempt < 3; attempt++) {
    const info = await connectionFile(options.key);
    const received: Received[] = [];
    const drops: { channel: string; reason: string }[] = [];
    const arrivalWaiters: { msgId: string; resolve: (r: Received) => void }[] = [];
    const dropWaiters: { count: number; resolve: () => void }[] = [];
    const transport = new ZmqTransport(info, {
      interruptFlag: options.interruptFlag,
      onDrop: (channel, reason) => {
        drops.push({ channel, reason });
        for (const waiter of dropWaiters.filter((w) => drops.length >= w.count)) waiter.resolve();
      },
    });
    try {
      await transport.start((channel, message) => {
        const entry = { channel, message };
        received.push(entry);
        for (const waiter of arrivalWaiters.filter((w) => w.msgId === message.header.msg_id)) waiter.resolve(entry);
      });
    } catch (error) {
      lastError = error;
      await transport.close();
      continue;
    }
    cleanups.push(() => transport.close());
    return {
      info,
      transport,
      received,
      drops,
      arrival: (msgId) => {
        const found = received.find((entry) => entry.message.header.msg_id === msgId);
        if (found) return Promise.resolve(found);
        return new Promise((resolve) => arrivalWaiters.push({ msgId, resolve }));
      },
      dropsReached: (count) =>
        drops.length >= count ? Promise.resolve() : new Promise((resolve) => dropWaiters.push({ count, resolve })),
    };
  }
  throw lastError;
}

function connect<S extends Socket>(socket: S, info: ConnectionInfo, name: SocketName): S {
  socket.linger = 0;
  socket.connect(endpoint(info, name));
  cleanups.push(() => socket.close());
  return socket;
}

function request(type: string, content: Record<string, unknown> = {}): JupyterMessage {
  return makeMessage(type, content, client);
}

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function prng(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

describe("ZmqTransport", () => {
  it("echoes heartbeats frame for frame", async () => {
    const { info } = await startHarness();
    const hb = connect(new Request(), info, "hb");
    for (const frames of [[Buffer.from("ping")], [Buffer.from("a"), randomBytes(300), Buffer.alloc(0)]]) {
      await hb.send(frames);
      const echoed = await hb.receive();
      expect(echoed.map((frame) => [...frame])).toEqual(frames.map((frame) => [...frame]));
    }
  });

  it("delivers a signed shell request with identities and routes the reply back", async () => {
    const harness = await startHarness();
    expect(harness.transport.signingEnabled).toBe(true);
    expect(harness.transport.deliversInterruptsAsSigint).toBe(true);
    const dealer = connect(new Dealer({ routingId: "client-A" }), harness.info, "shell");
    const kernelInfo = request("kernel_info_request");
    await dealer.send(encode(kernelInfo, signer));

    const { channel, message } = await harness.arrival(kernelInfo.header.msg_id);
    expect(channel).toBe("shell");
    expect(message.header).toEqual(kernelInfo.header);
    expect(message.identities.map(utf8)).toEqual(["client-A"]);

    const reply = makeMessage("kernel_info_reply", { status: "ok" }, kernel, message, { identities: message.identities });
    harness.transport.send("shell", reply);
    const frames = await dealer.receive();
    expect(utf8(frames[0]!)).toBe(DELIMITER); // the router consumed our routing id
    const decoded = decode(frames, signer);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message.header.msg_type).toBe("kernel_info_reply");
    expect(decoded.message.parent_header).toEqual(kernelInfo.header);
    expect(decoded.message.content).toEqual({ status: "ok" });
  });

  it("publishes iopub messages in order under a kernel topic", async () => {
    const harness = await startHarness();
    const subscriber = connect(new Subscriber(), harness.info, "iopub");
    subscriber.subscribe();
    // A subscription takes a moment to reach the publisher: publish probes until one gets through.
    const firstReceive = subscriber.receive();
    let first: Buffer[] | undefined;
    while (first === undefined) {
      harness.transport.send("iopub", makeMessage("status", { execution_state: "starting" }, kernel));
      first = await Promise.race([firstReceive, new Promise<undefined>((resolve) => setTimeout(resolve, 50))]);
    }
    expect(utf8(first[0]!)).toBe("kernel.kernel-session.status");
    const probe = decode(first, signer);
    if (!probe.ok) throw new Error(probe.reason);
    expect(probe.message.identities.map(utf8)).toEqual(["kernel.kernel-session.status"]);

    for (let i = 0; i < 100; i++) {
      harness.transport.send("iopub", makeMessage("stream", { name: "stdout", text: `line ${i}` }, kernel));
    }
    const texts: string[] = [];
    while (texts.length < 100) {
      const decoded = decode(await subscriber.receive(), signer);
      if (!decoded.ok) throw new Error(decoded.reason);
      if (decoded.message.header.msg_type === "stream") texts.push(decoded.message.content.text as string);
    }
    expect(texts).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i}`));
  });

  it("refuses wrong-key, unsigned and replayed messages", async () => {
    const harness = await startHarness();
    const dealer = connect(new Dealer(), harness.info, "shell");
    const wrongKey = request("execute_request", { code: "wrong key" });
    const unsigned = request("execute_request", { code: "unsigned" });
    const valid = request("execute_request", { code: "valid" });
    const last = request("execute_request", { code: "last" });
    const validFrames = encode(valid, signer);

    await dealer.send(encode(wrongKey, createSigner("hmac-sha256", "not-the-key")));
    await dealer.send(encode(unsigned, createSigner("hmac-sha256", "")));
    await dealer.send(validFrames);
    await dealer.send(validFrames);
    await dealer.send(encode(last, signer));

    await harness.arrival(last.header.msg_id);
    expect(harness.received.map((entry) => entry.message.content.code)).toEqual(["valid", "last"]);
    expect(harness.drops).toEqual([
      { channel: "shell", reason: "bad signature" },
      { channel: "shell", reason: "missing signature" },
      { channel: "shell", reason: "replayed signature (message already received)" },
    ]);
  });

  it("survives random garbage on every socket and keeps working", async () => {
    const harness = await startHarness();
    const random = prng(20240101);
    const frameOf = (): Buffer => {
      switch (random(6)) {
        case 0:
          return Buffer.from(DELIMITER);
        case 1:
          return Buffer.from(JSON.stringify({ msg_id: "x", msg_type: "execute_request" }));
        case 2:
          return Buffer.alloc(0);
        case 3:
          return Buffer.from(signer.sign([Buffer.from("x")]));
        default:
          return randomBytes(random(200));
      }
    };
    const garbage = (): Buffer[] => Array.from({ length: 1 + random(9) }, frameOf);

    const channels = ["shell", "control", "stdin"] as const;
    const dealers = channels.map((name) => connect(new Dealer(), harness.info, name));
    const perChannel = 150;
    for (let i = 0; i < perChannel; i++) {
      for (const dealer of dealers) await dealer.send(garbage());
    }
    // Heartbeat: a Request peer gets every garbage message echoed; a Dealer peer without the
    // request envelope is ignored by the Reply socket.
    const hb = connect(new Request(), harness.info, "hb");
    const rawHb = connect(new Dealer(), harness.info, "hb");
    for (let i = 0; i < 100; i++) {
      await rawHb.send(garbage());
      const frames = garbage();
      await hb.send(frames);
      expect((await hb.receive()).map((frame) => [...frame])).toEqual(frames.map((frame) => [...frame]));
    }

    const valid = channels.map((name) => request(name === "stdin" ? "input_reply" : "kernel_info_request"));
    for (let i = 0; i < channels.length; i++) await dealers[i]!.send(encode(valid[i]!, signer));
    for (let i = 0; i < channels.length; i++) {
      const { channel } = await harness.arrival(valid[i]!.header.msg_id);
      expect(channel).toBe(channels[i]);
    }
    // Each dealer's messages arrive in order, so every garbage message was refused before the valid one.
    expect(harness.received).toHaveLength(channels.length);
    for (const name of channels) {
      expect(harness.drops.filter((drop) => drop.channel === name)).toHaveLength(perChannel);
    }
    await hb.send([Buffer.from("still alive")]);
    expect(utf8((await hb.receive())[0]!)).toBe("still alive");
  });

  it("raises SIGINT and sets the interrupt flag for a valid interrupt_request on control", async () => {
    const interruptFlag = new Int32Array(new SharedArrayBuffer(4));
    const harness = await startHarness({ interruptFlag });
    let onSigint: () => void = () => {};
    const sigint = new Promise<void>((resolve) => {
      onSigint = () => resolve();
    });
    process.on("SIGINT", onSigint);
    cleanups.push(() => {
      process.off("SIGINT", onSigint);
    });

    const dealer = connect(new Dealer(), harness.info, "control");
    // A forged interrupt (wrong key) must neither interrupt nor arrive.
    await dealer.send(encode(request("interrupt_request"), createSigner("hmac-sha256", "forged")));
    const interrupt = request("interrupt_request");
    await dealer.send(encode(interrupt, signer));
    const { channel } = await harness.arrival(interrupt.header.msg_id);
    expect(channel).toBe("control");
    expect(Atomics.load(interruptFlag, 0)).toBe(1);
    await sigint; // the listener fired (a hang here fails on the test timeout)
    expect(harness.received).toHaveLength(1);
    expect(harness.drops).toEqual([{ channel: "control", reason: "bad signature" }]);
  });

  it("works unsigned when the key is empty", async () => {
    const harness = await startHarness({ key: "" });
    expect(harness.transport.signingEnabled).toBe(false);
    const unsigned = createSigner("hmac-sha256", "");
    const dealer = connect(new Dealer(), harness.info, "shell");
    const first = request("kernel_info_request");
    await dealer.send(encode(first, unsigned));
    await dealer.send(encode(first, unsigned)); // no replay protection without signatures
    const second = request("kernel_info_request");
    await dealer.send(encode(second, unsigned));
    await harness.arrival(second.header.msg_id);
    expect(harness.received.map((entry) => entry.message.header.msg_id)).toEqual([
      first.header.msg_id,
      first.header.msg_id,
      second.header.msg_id,
    ]);
    harness.transport.send("shell", makeMessage("kernel_info_reply", {}, kernel, harness.received[2]!.message, {
      identities: harness.received[2]!.message.identities,
    }));
    const reply = await dealer.receive();
    expect(reply[1]!.byteLength).toBe(0); // empty signature
  });

  it("binds ipc endpoints named IP-PORT", async () => {
    const base = await connectionFile();
    const info: ConnectionInfo = {
      ...base,
      transport: "ipc",
      ip: path.join(directory, "ipc-kernel"),
      shell_port: 1,
      iopub_port: 2,
      stdin_port: 3,
      control_port: 4,
      hb_port: 5,
    };
    const transport = new ZmqTransport(info);
    cleanups.push(() => transport.close());
    await transport.start(() => {});
    expect(endpoint(info, "hb")).toBe(`ipc://${info.ip}-5`);
    const hb = connect(new Request(), info, "hb");
    await hb.send([Buffer.from("ipc beat")]);
    expect(utf8((await hb.receive())[0]!)).toBe("ipc beat");
  });

  it("rejects a start whose port is taken, naming the socket and endpoint", async () => {
    const info = await connectionFile();
    const squatter = new Router({ linger: 0 });
    await squatter.bind(endpoint(info, "control"));
    cleanups.push(() => squatter.close());
    const transport = new ZmqTransport(info);
    await expect(transport.start(() => {})).rejects.toThrow(
      new RegExp(`cannot bind the control socket to tcp://127\\.0\\.0\\.1:${info.control_port}`),
    );
    expect(() => transport.send("shell", request("x"))).toThrow(/not running/);
    await transport.close();
  });

  it("refuses sends before start and after close", async () => {
    const info = await connectionFile();
    const transport = new ZmqTransport(info);
    expect(() => transport.send("iopub", request("status"))).toThrow(/transport is new, not running/);
    await transport.close();
    expect(() => new ZmqTransport(info, { interruptFlag: new Int32Array(1) })).toThrow(/SharedArrayBuffer/);
  });

  it("keeps heartbeat and control answering while the main thread is blocked, and interrupts it", async () => {
    const info = await connectionFile();
    const file = path.join(directory, "blocking-kernel.mjs");
    const dist = (relative: string): string => pathToFileURL(path.resolve("dist", relative)).href;
    // A minimal kernel process: execute_request blocks its main thread in a loop that only SIGINT ends.
    await writeFile(
      file,
      `
import vm from "node:vm";
import { ZmqTransport } from ${JSON.stringify(dist("transport/zmq-transport.js"))};
import { makeMessage } from ${JSON.stringify(dist("protocol/header.js"))};
const sender = { session: "blocking", username: "kernel" };
const transport = new ZmqTransport(JSON.parse(process.argv[2]));
process.on("SIGINT", () => {});
await transport.start((channel, message) => {
  const reply = (type, content) =>
    transport.send(channel, makeMessage(type, content, sender, message, { identities: message.identities }));
  if (message.header.msg_type === "execute_request") {
    process.stdout.write("blocking\\n");
    try {
      vm.runInThisContext("while (true) {}", { breakOnSigint: true });
      reply("execute_reply", { status: "ok" });
    } catch (error) {
      reply("execute_reply", { status: "error", ename: error.code });
    }
  } else if (message.header.msg_type === "interrupt_request") {
    reply("interrupt_reply", { status: "ok" });
  } else if (message.header.msg_type === "shutdown_request") {
    reply("shutdown_reply", { status: "ok" });
    transport.close().then(() => process.exit(0));
  }
});
process.stdout.write("ready\\n");
`,
    );
    const child = spawn(process.execPath, [file, JSON.stringify(info)], { stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const lines: string[] = [];
    const lineWaiters: { line: string; resolve: () => void }[] = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      lines.push(...chunk.split("\n").filter(Boolean));
      for (const waiter of lineWaiters.filter((w) => lines.includes(w.line))) waiter.resolve();
    });
    const line = (wanted: string): Promise<void> =>
      lines.includes(wanted) ? Promise.resolve() : new Promise((resolve) => lineWaiters.push({ line: wanted, resolve }));
    await line("ready");

    const shell = connect(new Dealer(), info, "shell");
    const control = connect(new Dealer(), info, "control");
    const hb = connect(new Request(), info, "hb");
    const execute = request("execute_request", { code: "while (true) {}" });
    await shell.send(encode(execute, signer));
    await line("blocking");

    for (let i = 0; i < 3; i++) {
      await hb.send([Buffer.from(`beat ${i}`)]);
      expect(utf8((await hb.receive())[0]!)).toBe(`beat ${i}`);
    }

    // A SIGINT that lands just before the loop starts is swallowed by the child's listener, as in a
    // real kernel between cells: interrupt again until the cell reports the interruption.
    const replyFrames = shell.receive();
    let frames: Buffer[] | undefined;
    while (frames === undefined) {
      await control.send(encode(request("interrupt_request"), signer));
      frames = await Promise.race([replyFrames, new Promise<undefined>((resolve) => setTimeout(resolve, 500))]);
    }
    const executeReply = decode(frames, signer);
    if (!executeReply.ok) throw new Error(executeReply.reason);
    expect(executeReply.message.parent_header).toEqual(execute.header);
    expect(executeReply.message.content).toEqual({ status: "error", ename: "ERR_SCRIPT_EXECUTION_INTERRUPTED" });
    const interruptReply = decode(await control.receive(), signer);
    if (!interruptReply.ok) throw new Error(interruptReply.reason);
    expect(interruptReply.message.header.msg_type).toBe("interrupt_reply");

    await control.send(encode(request("shutdown_request"), signer));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });

  it("flushes pending sends on close and releases every port", async () => {
    const harness = await startHarness();
    const dealer = connect(new Dealer({ routingId: "flush" }), harness.info, "shell");
    const hello = request("kernel_info_request");
    await dealer.send(encode(hello, signer));
    const { message } = await harness.arrival(hello.header.msg_id);
    for (let i = 0; i < 200; i++) {
      harness.transport.send("shell", makeMessage("stream_reply", { i }, kernel, message, { identities: message.identities }));
    }
    await harness.transport.close();
    await harness.transport.close(); // idempotent
    expect(() => harness.transport.send("shell", hello)).toThrow(/closed/);

    const numbers: unknown[] = [];
    while (numbers.length < 200) {
      const decoded = decode(await dealer.receive(), signer);
      if (!decoded.ok) throw new Error(decoded.reason);
      numbers.push(decoded.message.content.i);
    }
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i));

    const names: SocketName[] = ["shell", "iopub", "stdin", "control", "hb"];
    const rebound = [new Router(), new Publisher(), new Router(), new Router(), new Reply()];
    for (let i = 0; i < names.length; i++) {
      rebound[i]!.linger = 0;
      cleanups.push(() => rebound[i]!.close());
      await rebound[i]!.bind(endpoint(harness.info, names[i]!));
    }
  });
});
