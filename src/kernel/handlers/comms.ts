import type { RequestContext, RequestHandler } from "../request-context.js";

function route(kind: "handleOpen" | "handleMsg" | "handleClose"): RequestHandler {
  return (context: RequestContext) => {
    const { kernel, message } = context;
    const comms = kernel.comms;
    if (!comms) return;
    const deliver = (): void => comms[kind](message.content, message.metadata, message.buffers);
    const output = kernel.createOutput(message, kernel.executionCount, false, false);
    try {
      if (kernel.interpreter.runWithOutput) kernel.interpreter.runWithOutput(output, "comm", deliver);
      else deliver();
    } finally {
      output.flush();
    }
  };
}

/** comm_open / comm_msg / comm_close from the frontend: routed to handlers registered by cells. */
export const handleCommOpen = route("handleOpen");
export const handleCommMsg = route("handleMsg");
export const handleCommClose = route("handleClose");

/** comm_info_request → comm_info_reply listing open comms (optionally of one target). */
export const handleCommInfo: RequestHandler = ({ kernel, message, reply }) => {
  const target = typeof message.content["target_name"] === "string" ? message.content["target_name"] : undefined;
  reply({ status: "ok", comms: kernel.comms?.info(target) ?? {} });
};
