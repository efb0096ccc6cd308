/**
 * `sluice kernel -f CONNECTION_FILE`: composes the kernel from its parts — the ZeroMQ transport named
 * by the connection file, the TypeScript interpreter for the notebook's directory (the working
 * directory Jupyter starts kernels in), the persistent history, comms — and runs it until a
 * shutdown_request or SIGTERM.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { readConnectionFile } from "../protocol/connection-file.js";
import { ZmqTransport } from "../transport/zmq-transport.js";
import { TypeScriptInterpreter } from "../evaluator/ts-interpreter.js";
import { kernelLog } from "../evaluator/output-capture.js";
import { KernelCore } from "../kernel/kernel-core.js";
import { HistoryStore } from "../kernel/history-store.js";
import { CommManager } from "../kernel/comm-manager.js";
import { RequestOutput } from "../kernel/request-output.js";
import { cellContext } from "../evaluator/cell-context.js";

/** Starts a kernel for the connection file; resolves once it serves requests. */
export async function runKernelCommand(connectionFile: string): Promise<void> {
  const info = await readConnectionFile(connectionFile);
  const interpreter = new TypeScriptInterpreter({ directory: process.cwd() });
  const transport = new ZmqTransport(info, { log: kernelLog, interruptFlag: interpreter.interruptFlag });
  const history = await HistoryStore.open();
  const sender = { session: randomUUID(), username: os.userInfo().username || "sluice" };

  let kernel: KernelCore | undefined;
  // A cell's comm messages are children of the cell that sends them (also later, from its timers);
  // otherwise of the request being handled.
  const comms = new CommManager(
    (msgType, content, metadata, buffers) => {
      const output = cellContext.getStore()?.output;
      kernel?.publishComm(msgType, content, metadata, buffers, output instanceof RequestOutput ? output.parent : undefined);
    },
    { log: kernelLog },
  );
  comms.install();

  kernel = new KernelCore({
    transport,
    interpreter,
    sender,
    history,
    comms,
    log: kernelLog,
    beforeClose: () => history.close(),
    onShutdown: () => process.exit(0),
  });

  // Interrupts: SIGINT (from Jupyter's signal mode, or raised by the transport thread for an
  // interrupt_request) stops the running cell; a synchronous loop is stopped by V8 itself.
  process.on("SIGINT", () => kernel?.interrupt());
  const stop = (signal: string) => () => {
    kernelLog(`received ${signal}; shutting down`);
    void kernel?.shutdown(false);
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", stop("SIGTERM"));
  process.on("SIGHUP", stop("SIGHUP"));
  // Errors thrown from timers and unhandled rejections go to the cell that scheduled them and never
  // end the kernel.
  process.on("uncaughtException", (error) => interpreter.reportAsyncError(error));
  process.on("unhandledRejection", (reason) => interpreter.reportAsyncError(reason));

  await kernel.start();
  kernelLog(`kernel ${sender.session} serving ${connectionFile}`);
}
