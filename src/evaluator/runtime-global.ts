/** Name of the global object holding the runtime helpers that compiled cells call. */
export const RUNTIME_GLOBAL = "__sluice";
