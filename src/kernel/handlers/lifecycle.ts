import type { RequestHandler } from "../request-context.js";

/** shutdown_request → shutdown_reply with the same restart flag, then the kernel stops. */
export const handleShutdown: RequestHandler = async ({ kernel, message, reply }) => {
  const restart = message.content["restart"] === true;
  reply({ status: "ok", restart });
  await kernel.shutdown(restart);
};

/**
 * interrupt_request → interrupt_reply. When the transport already raised SIGINT for this request
 * (it can reach a busy main thread; a message cannot), the kernel's SIGINT handling did the work.
 */
export const handleInterrupt: RequestHandler = ({ kernel, reply }) => {
  if (!kernel.interruptsViaSignal) kernel.interrupt();
  reply({ status: "ok" });
};
