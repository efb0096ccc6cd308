/**
 * msg_type → handler. Requests not listed are logged and ignored (as ipykernel does).
 */
import { handleCommClose, handleCommInfo, handleCommMsg, handleCommOpen } from "./handlers/comms.js";
import { handleComplete } from "./handlers/complete.js";
import { handleExecute } from "./handlers/execute.js";
import { handleHistory } from "./handlers/history.js";
import { handleInspect } from "./handlers/inspect.js";
import { handleIsComplete } from "./handlers/is-complete.js";
import { handleKernelInfo } from "./handlers/kernel-info.js";
import { handleInterrupt, handleShutdown } from "./handlers/lifecycle.js";
import type { RequestHandler } from "./request-context.js";

export const HANDLERS: Readonly<Record<string, RequestHandler>> = {
  kernel_info_request: handleKernelInfo,
  execute_request: handleExecute,
  complete_request: handleComplete,
  inspect_request: handleInspect,
  is_complete_request: handleIsComplete,
  history_request: handleHistory,
  comm_open: handleCommOpen,
  comm_msg: handleCommMsg,
  comm_close: handleCommClose,
  comm_info_request: handleCommInfo,
  shutdown_request: handleShutdown,
  interrupt_request: handleInterrupt,
};

/** Messages that are not requests: no reply type, and (for comms) no reply at all. */
export const NO_REPLY = new Set(["comm_open", "comm_msg", "comm_close"]);
