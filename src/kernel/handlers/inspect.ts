import type { RequestHandler } from "../request-context.js";

/** inspect_request → inspect_reply (found, mime bundle of documentation). */
export const handleInspect: RequestHandler = async ({ kernel, message, reply }) => {
  const code = typeof message.content["code"] === "string" ? message.content["code"] : "";
  const cursor = typeof message.content["cursor_pos"] === "number" ? message.content["cursor_pos"] : [...code].length;
  const detail = message.content["detail_level"] === 1 ? 1 : 0;
  try {
    const r = await kernel.interpreter.inspect(code, cursor, detail);
    reply({ status: "ok", found: r.found, data: r.data, metadata: r.metadata });
  } catch (error) {
    kernel.log(`inspection failed: ${(error as Error).stack ?? String(error)}`);
    reply({ status: "ok", found: false, data: {}, metadata: {} });
  }
};
