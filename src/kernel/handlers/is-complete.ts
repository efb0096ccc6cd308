import type { RequestHandler } from "../request-context.js";

/** is_complete_request → is_complete_reply (complete / incomplete + indent / invalid / unknown). */
export const handleIsComplete: RequestHandler = async ({ kernel, message, reply }) => {
  const code = typeof message.content["code"] === "string" ? message.content["code"] : "";
  try {
    reply({ ...(await kernel.interpreter.isComplete(code)) });
  } catch (error) {
    kernel.log(`is_complete failed: ${(error as Error).stack ?? String(error)}`);
    reply({ status: "unknown" });
  }
};
