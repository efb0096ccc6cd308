import type { JsonObject } from "../../protocol/message.js";
import type { ExecuteRequest } from "../interpreter.js";
import type { RequestHandler } from "../request-context.js";

function asBoolean(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function asStringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object") return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/**
 * execute_request: count, echo the input, run through the interpreter, publish the error, reply,
 * and abort the queued executes after an error when stop_on_error is set.
 */
export const handleExecute: RequestHandler = async ({ kernel, message, reply, publish }) => {
  const content = message.content;
  const code = typeof content["code"] === "string" ? content["code"] : "";
  const silent = asBoolean(content["silent"], false);
  const storeHistory = silent ? false : asBoolean(content["store_history"], true);
  const stopOnError = asBoolean(content["stop_on_error"], true);

  if (kernel.takeAborted(message)) {
    reply({ status: "aborted", execution_count: kernel.executionCount });
    return;
  }
  if (typeof content["code"] !== "string") {
    kernel.log(`execute_request ${message.header.msg_id} has no string "code"; treating it as empty`);
  }

  const executionCount = storeHistory ? ++kernel.executionCount : kernel.executionCount;
  if (!silent) publish("execute_input", { code, execution_count: executionCount });
  if (storeHistory) kernel.history?.record(executionCount, code);

  const request: ExecuteRequest = {
    code,
    silent,
    storeHistory,
    allowStdin: asBoolean(content["allow_stdin"], true),
    stopOnError,
    userExpressions: asStringRecord(content["user_expressions"]),
    executionCount,
  };
  const output = kernel.createOutput(message, executionCount, request.allowStdin, silent);
  let outcome;
  try {
    outcome = kernel.takeInterrupted(message)
      ? { status: "error" as const, ename: "InterruptedError", evalue: "Interrupted", traceback: ["InterruptedError: Interrupted (before the cell started)"] }
      : await kernel.interpreter.execute(request, output);
  } catch (error) {
    kernel.log(`interpreter failed on execute: ${(error as Error).stack ?? String(error)}`);
    outcome = { status: "error" as const, ename: "KernelError", evalue: String((error as Error).message ?? error), traceback: [] };
  }
  output.flush();

  if (outcome.status === "ok") {
    const replyContent: JsonObject = {
      status: "ok",
      execution_count: executionCount,
      payload: outcome.payload ?? [],
      user_expressions: outcome.userExpressions ?? {},
    };
    reply(replyContent);
    return;
  }
  const { ename, evalue, traceback } = outcome;
  if (!silent) publish("error", { ename, evalue, traceback });
  if (stopOnError && !silent) await kernel.abortQueuedExecutes();
  reply({ status: "error", execution_count: executionCount, ename, evalue, traceback, user_expressions: {}, payload: [] });
};
