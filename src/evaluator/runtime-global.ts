/** Name of the global object holding the runtime helpers that compiled cells call. */
export const RUNTIME_GLOBAL = "__sluice";

/**
 * The runtime object's stand-in in a worker thread of a parallel job (functions of cells run there
 * too, and their loops check the interrupt flag): a flag that never rises — an interrupt stops the
 * job from the main thread instead. Self-contained, as it travels as source.
 */
export const workerRuntimeStandIn = (): unknown => Object.freeze({ interruptFlag: new Int32Array(1), interrupted: () => {} });
