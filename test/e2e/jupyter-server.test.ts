/**
 * End to end through a real jupyter-server: the kernel is started, driven, restarted and shut down by
 * the server, and this test talks to it the way JupyterLab does (@jupyterlab/services over REST and
 * WebSocket).
 *
 * The kernel under test is "sluice" unless $SLUICE_E2E_KERNEL names another one; "python3" (Debian's
 * ipykernel) runs the same checks with Python code, which validates the harness itself.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { KernelManager, ServerConnection, SessionManager } from "@jupyterlab/services";
import type { Kernel, KernelMessage, Session } from "@jupyterlab/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJupyterEnv, type JupyterEnv } from "../support/jupyter-env.mjs";
import { startJupyterServer, type RunningJupyterServer } from "../support/jupyter-server.mjs";
import { ensureSluiceBuilt, prepareKernel } from "../support/kernelspec.mjs";
import { findKernelsOf } from "../support/process-cleanup.mjs";

const KERNEL = process.env["SLUICE_E2E_KERNEL"] ?? "sluice";
/** Generous limit for tests whose first execution waits for a fresh kernel's warm-up. */
const FRESH_KERNEL_TIMEOUT = 120_000;

/** The code each check runs, per kernel language, and what the kernel must answer. */
interface Samples {
  implementation: string;
  language: string;
  addition: string;
  /** Displays `<i>a</i>` as text/html with display id "d1", then updates that display with `<i>b</i>`. */
  displayWithId: string;
  /** Creates a display with a generated id, then updates it to text/plain containing "second". */
  displayNew: string;
  /** Prints "hello from the kernel" to stdout and "careful" to stderr. */
  streams: string;
  /** Defines `before` (checked to be gone after a restart). */
  define: string;
  /** Whether `before` exists, with its expected text/plain before and after the restart. */
  probe: string;
  probeDefined: string;
  probeAfterRestart: string;
}

const SAMPLES: Record<string, Samples> = {
  sluice: {
    implementation: "sluice",
    language: "typescript",
    addition: "1 + 1",
    displayWithId: 'const h = display.html("<i>a</i>", { id: "d1" });\nh.update("<i>b</i>");',
    displayNew: 'const fresh = display.new();\nfresh.update("second");',
    streams: 'console.log("hello from the kernel");\nconsole.error("careful");',
    define: "const before = 41;",
    // Top-level declarations live on the global object; `in` keeps the probe type-correct after a restart.
    probe: '"before" in globalThis',
    probeDefined: "true",
    probeAfterRestart: "false",
  },
  python3: {
    implementation: "ipython",
    language: "python",
    addition: "1 + 1",
    displayWithId: 'from IPython.display import display, HTML\nh = display(HTML("<i>a</i>"), display_id="d1")\nh.update(HTML("<i>b</i>"))',
    displayNew: 'fresh = display("", display_id=True)\nfresh.update("second")',
    streams: 'import sys\nprint("hello from the kernel")\nprint("careful", file=sys.stderr)',
    define: "before = 41",
    probe: "'before' in globals()",
    probeDefined: "True",
    probeAfterRestart: "False",
  },
};

const samples = SAMPLES[KERNEL];
if (!samples) throw new Error(`$SLUICE_E2E_KERNEL=${KERNEL}: no samples for this kernel (known: ${Object.keys(SAMPLES).join(", ")})`);

/** A finished execute request: its reply and every iopub message addressed to it, in order. */
interface Execution {
  reply: KernelMessage.IExecuteReplyMsg;
  iopub: KernelMessage.IIOPubMessage[];
}

async function execute(kernel: Kernel.IKernelConnection, code: string): Promise<Execution> {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code, stop_on_error: false });
  future.onIOPub = (msg) => {
    iopub.push(msg);
  };
  // `done` resolves once both the reply and the idle status of this request arrived.
  const reply = await future.done;
  return { reply, iopub };
}

function ofType<T extends KernelMessage.IIOPubMessage>(execution: Execution, type: T["header"]["msg_type"]): T[] {
  return execution.iopub.filter((msg): msg is T => msg.header.msg_type === type);
}

function expectOk(execution: Execution): void {
  const content = execution.reply.content;
  if (content.status === "error") {
    throw new Error(`the kernel answered an error: ${content.ename}: ${content.evalue}\n${content.traceback.join("\n")}`);
  }
  expect(content.status).toBe("ok");
  expect(ofType(execution, "error")).toEqual([]);
}

function resultText(execution: Execution): string {
  const results = ofType<KernelMessage.IExecuteResultMsg>(execution, "execute_result");
  expect(results).toHaveLength(1);
  return String(results[0]!.content.data["text/plain"]);
}

/**
 * Waits until the WebSocket is connected and the kernel answered kernel_info; fails early, with the
 * server's log (where the kernel's own stderr ends up), when the kernel dies or does not answer.
 */
async function waitUntilReady(connection: Kernel.IKernelConnection, server: RunningJupyterServer, timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onStatus: ((sender: Kernel.IKernelConnection, status: Kernel.Status) => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    const fail = (why: string) => reject(new Error(`kernel "${KERNEL}" ${why}; jupyter-server log:\n${server.log().slice(-6000)}`));
    timer = setTimeout(() => fail(`did not answer kernel_info within ${timeoutMs} ms`), timeoutMs);
    onStatus = (_, status) => {
      if (status === "dead") fail("died while starting");
    };
    connection.statusChanged.connect(onStatus);
  });
  try {
    await Promise.race([connection.info, failure]);
  } finally {
    clearTimeout(timer);
    if (onStatus) connection.statusChanged.disconnect(onStatus);
  }
}

describe(`kernel "${KERNEL}" through jupyter-server and @jupyterlab/services`, () => {
  let jupyter: JupyterEnv;
  let server: RunningJupyterServer | undefined;
  let kernelManager: KernelManager | undefined;
  let sessionManager: SessionManager | undefined;
  let session: Session.ISessionConnection;

  function kernel(): Kernel.IKernelConnection {
    const connection = session.kernel;
    if (!connection) throw new Error("the session has no kernel");
    return connection;
  }

  beforeAll(async () => {
    if (KERNEL === "sluice") await ensureSluiceBuilt();
    jupyter = await createJupyterEnv();
    await prepareKernel(jupyter, KERNEL);
    const rootDir = path.join(jupyter.root, "notebooks");
    await mkdir(rootDir, { recursive: true });
    server = await startJupyterServer({ env: jupyter.env, rootDir });
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: server.baseUrl,
      wsUrl: server.wsUrl,
      token: server.token,
      appendToken: true,
    });
    kernelManager = new KernelManager({ serverSettings });
    sessionManager = new SessionManager({ kernelManager, serverSettings });
    await sessionManager.ready;
    session = await sessionManager.startNew({
      name: "e2e.ipynb",
      path: "e2e.ipynb",
      type: "notebook",
      kernel: { name: KERNEL },
    });
    await waitUntilReady(kernel(), server);
  });

  afterAll(async () => {
    sessionManager?.dispose();
    kernelManager?.dispose();
    const leftovers = (await server?.stop()) ?? [];
    await jupyter?.cleanup();
    // The server must have shut its kernels down itself; stop() killed any it had not.
    expect(leftovers).toEqual([]);
  });

  it("answers kernel_info through the session's kernel", async () => {
    expect((await kernel().info).implementation).toBe(samples.implementation);
    const reply = await kernel().requestKernelInfo();
    expect(reply).toBeDefined();
    const info = reply!.content;
    expect(info.status).toBe("ok");
    if (info.status !== "ok") return;
    expect(info.implementation).toBe(samples.implementation);
    expect(info.language_info.name).toBe(samples.language);
    expect(info.protocol_version).toMatch(/^5\./);
  });

  it("executes 1 + 1 and returns the execute_result 2", async () => {
    const run = await execute(kernel(), samples.addition);
    expectOk(run);
    expect(resultText(run)).toBe("2");
    const result = ofType<KernelMessage.IExecuteResultMsg>(run, "execute_result")[0]!;
    expect(result.content.execution_count).toBe(run.reply.content.execution_count);
    const statuses = ofType<KernelMessage.IStatusMsg>(run, "status").map((msg) => msg.content.execution_state);
    expect(statuses).toEqual(["busy", "idle"]);
  }, FRESH_KERNEL_TIMEOUT);

  it("sends display_data with display id d1 and then update_display_data for it", async () => {
    const run = await execute(kernel(), samples.displayWithId);
    expectOk(run);
    const shown = ofType<KernelMessage.IDisplayDataMsg>(run, "display_data");
    const updated = ofType<KernelMessage.IUpdateDisplayDataMsg>(run, "update_display_data");
    expect(shown).toHaveLength(1);
    expect(shown[0]!.content.transient?.display_id).toBe("d1");
    expect(shown[0]!.content.data["text/html"]).toBe("<i>a</i>");
    expect(updated).toHaveLength(1);
    expect(updated[0]!.content.transient.display_id).toBe("d1");
    // How the new value is formatted is the display API's business (unit-tested there); it must carry it.
    expect(Object.values(updated[0]!.content.data).map(String).join("\n")).toContain("<i>b</i>");
    expect(run.iopub.indexOf(shown[0]!)).toBeLessThan(run.iopub.indexOf(updated[0]!));
  });

  it("creates a display with a generated id and updates it", async () => {
    const run = await execute(kernel(), samples.displayNew);
    expectOk(run);
    const shown = ofType<KernelMessage.IDisplayDataMsg>(run, "display_data");
    const updated = ofType<KernelMessage.IUpdateDisplayDataMsg>(run, "update_display_data");
    expect(shown).toHaveLength(1);
    const id = shown[0]!.content.transient?.display_id;
    expect(typeof id).toBe("string");
    expect(id).not.toBe("");
    expect(updated).toHaveLength(1);
    expect(updated[0]!.content.transient.display_id).toBe(id);
    expect(String(updated[0]!.content.data["text/plain"])).toContain("second");
  });

  it("streams stdout and stderr", async () => {
    const run = await execute(kernel(), samples.streams);
    expectOk(run);
    const streams = ofType<KernelMessage.IStreamMsg>(run, "stream");
    const stdout = streams.filter((msg) => msg.content.name === "stdout").map((msg) => msg.content.text).join("");
    const stderr = streams.filter((msg) => msg.content.name === "stderr").map((msg) => msg.content.text).join("");
    expect(stdout).toBe("hello from the kernel\n");
    expect(stderr).toBe("careful\n");
  });

  it("restarts through the server: state is gone and execution works again", async () => {
    expectOk(await execute(kernel(), samples.define));
    const defined = await execute(kernel(), samples.probe);
    expectOk(defined);
    expect(resultText(defined)).toBe(samples.probeDefined);

    const idBefore = kernel().id;
    await kernel().restart();
    expect(kernel().id).toBe(idBefore);
    // The connection re-requests kernel_info after a restart; wait for the new kernel's answer.
    await waitUntilReady(kernel(), server!);
    expect((await kernel().info).implementation).toBe(samples.implementation);

    const probe = await execute(kernel(), samples.probe);
    expectOk(probe);
    expect(resultText(probe)).toBe(samples.probeAfterRestart);
    expect(probe.reply.content.execution_count).toBe(1);
    const again = await execute(kernel(), samples.addition);
    expectOk(again);
    expect(resultText(again)).toBe("2");
  }, FRESH_KERNEL_TIMEOUT);

  it("shuts the session down: the server lists no session and the kernel process is gone", async () => {
    await session.shutdown();
    const response = await ServerConnection.makeRequest(
      `${server!.baseUrl}api/sessions`,
      {},
      ServerConnection.makeSettings({ baseUrl: server!.baseUrl, wsUrl: server!.wsUrl, token: server!.token, appendToken: true }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
    // The server waits for the kernel to exit before answering the shutdown; allow a little slack.
    let alive = await findKernelsOf(server!.pid);
    for (let i = 0; i < 100 && alive.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      alive = await findKernelsOf(server!.pid);
    }
    expect(alive).toEqual([]);
  });
});
