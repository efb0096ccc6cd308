import type { RequestHandler } from "../request-context.js";

/** complete_request → complete_reply (matches, cursor span, metadata). */
export const handleComplete: RequestHandler = async ({ kernel, message, reply }) => {
  const code = typeof message.content["code"] === "string" ? message.content["code"] : "";
  const cursor = typeof message.content["cursor_pos"] === "number" ? message.content["cursor_pos"] : [...code].length;
  try {
    const r = await kernel.interpreter.complete(code, cursor);
    reply({ status: "ok", matches: r.matches, cursor_start: r.cursorStart, cursor_end: r.cursorEnd, metadata: r.metadata });
  } catch (error) {
    kernel.log(`completion failed: ${(error as Error).stack ?? String(error)}`);
    reply({ status: "ok", matches: [], cursor_start: cursor, cursor_end: cursor, metadata: {} });
  }
};
