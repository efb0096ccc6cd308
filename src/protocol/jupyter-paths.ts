/**
 * Jupyter's per-user directories, computed as jupyter_core computes them. Shared by the kernelspec
 * installer and the kernel's history store.
 */
import { existsSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Jupyter's per-user data directory, as jupyter_core's `jupyter_data_dir()` computes it. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (env["JUPYTER_DATA_DIR"]) return env["JUPYTER_DATA_DIR"];
  const realHome = existsSync(home) ? realpathSync(home) : home;
  if (platform === "darwin") return path.join(realHome, "Library", "Jupyter");
  if (platform === "win32") {
    if (env["APPDATA"]) return path.resolve(env["APPDATA"], "jupyter");
    return path.join(env["JUPYTER_CONFIG_DIR"] || path.join(realHome, ".jupyter"), "data");
  }
  return path.join(env["XDG_DATA_HOME"] || path.join(realHome, ".local", "share"), "jupyter");
}
