/**
 * The kernel.json of Sluice's kernelspec, built as a plain object (pure; install.ts writes it).
 * Field meanings follow the Jupyter kernelspec format: `argv` launches the kernel with the connection
 * file substituted for `{connection_file}`; `interrupt_mode: "message"` makes frontends interrupt with
 * an interrupt_request on the control channel instead of a signal.
 */
import path from "node:path";

/** Kernelspec directory name used when none is given. */
export const DEFAULT_KERNEL_NAME = "sluice";

/** Name shown in the frontend's launcher and kernel picker when none is given. */
export const DEFAULT_DISPLAY_NAME = "TypeScript (Sluice)";

/** The contents of a kernel.json. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: "typescript";
  interrupt_mode: "message";
  metadata: { debugger: false; sluice: { version: string } };
}

/** What {@link buildKernelSpec} needs. */
export interface KernelSpecOptions {
  /** Absolute path of the node executable that runs the kernel (normally `process.execPath`). */
  nodePath: string;
  /** Absolute path of this copy's `dist/cli/main.js`. */
  mainScript: string;
  /** The package version, recorded in the metadata. */
  version: string;
  /** Display name; default {@link DEFAULT_DISPLAY_NAME}. */
  displayName?: string;
}

/**
 * The kernel.json object for a Sluice install.
 * @throws TypeError if a path is not absolute or the display name is empty.
 */
export function buildKernelSpec(options: KernelSpecOptions): KernelSpec {
  for (const key of ["nodePath", "mainScript"] as const) {
    const value = options[key];
    if (typeof value !== "string" || !path.isAbsolute(value)) {
      throw new TypeError(`kernelspec: ${key} must be an absolute path, got ${JSON.stringify(value)}`);
    }
  }
  const displayName = options.displayName ?? DEFAULT_DISPLAY_NAME;
  if (displayName.trim().length === 0) throw new TypeError("kernelspec: the display name is empty");
  return {
    argv: [options.nodePath, options.mainScript, "kernel", "-f", "{connection_file}"],
    display_name: displayName,
    language: "typescript",
    interrupt_mode: "message",
    metadata: { debugger: false, sluice: { version: options.version } },
  };
}

/** Kernel names Jupyter accepts: ASCII letters, digits, `-`, `.`, `_` (jupyter_client's rule). */
const KERNEL_NAME = /^[a-z0-9._-]+$/i;

/**
 * Checks a kernelspec name and returns it lower-cased, as jupyter_client stores it.
 * @throws TypeError naming the allowed characters.
 */
export function checkKernelName(name: string): string {
  if (!KERNEL_NAME.test(name)) {
    throw new TypeError(`invalid kernel name ${JSON.stringify(name)}: use only ASCII letters, digits, "-", "." and "_"`);
  }
  return name.toLowerCase();
}
