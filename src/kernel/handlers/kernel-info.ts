import { PROTOCOL_VERSION } from "../../protocol/message.js";
import type { RequestHandler } from "../request-context.js";

/** kernel_info_request → kernel_info_reply (status, protocol version, implementation, language). */
export const handleKernelInfo: RequestHandler = ({ kernel, reply }) => {
  const info = kernel.interpreter.kernelInfo();
  reply({
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: info.implementation,
    implementation_version: info.implementation_version,
    language_info: { ...info.language_info },
    banner: info.banner,
    help_links: info.help_links,
    debugger: false,
  });
};
