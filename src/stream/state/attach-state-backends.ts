/**
 * Gives a job's keyed operators the state backend `start({ state })` asks for: nothing to do for the
 * heap (operators start on it); for "disk", one LMDB environment per job and a database per operator.
 */
import type { Operator } from "../runtime/operator.js";
import type { KeyedStateBackend } from "./keyed-state-backend.js";
import type { StateOptions } from "./state-options.js";
import { DEFAULT_CACHE_KEYS } from "./state-options.js";
import { DiskStateBackend } from "./disk-state-backend.js";
import { DiskStateEnvironment } from "./disk-state-environment.js";

/** An operator whose keyed state can move to another backend before the job runs. */
interface BackendUser {
  useStateBackend(backend: KeyedStateBackend<never>): void;
}

function usesBackend(operator: Operator): operator is Operator & BackendUser {
  return typeof (operator as Partial<BackendUser>).useStateBackend === "function";
}

/** An operator holding keyed state it can drop when the job has ended. */
interface StateReleaser {
  releaseState(): void;
}

/**
 * Drops the keyed state of a job's operators once the job has ended (finished jobs stay listed with
 * their metrics; their state must not stay in memory with them).
 */
export function releaseKeyedState(operators: readonly { operator: Operator }[]): void {
  for (const { operator } of operators) {
    const o = operator as Partial<StateReleaser>;
    if (typeof o.releaseState === "function") o.releaseState();
  }
}

/**
 * Attaches backends to the operators (keyed by their plan key); returns the disk environment to close
 * when the job ends (undefined for the heap).
 */
export function attachStateBackends(operators: readonly { key: string; operator: Operator }[], options: StateOptions): DiskStateEnvironment | undefined {
  if (options.backend === "heap") return undefined;
  const users = operators.filter((o) => usesBackend(o.operator));
  if (users.length === 0) return undefined;
  const env = new DiskStateEnvironment(options.path);
  try {
    for (const { key, operator } of users) {
      (operator as Operator & BackendUser).useStateBackend(new DiskStateBackend<never>(env.database(key), options.cacheKeys ?? DEFAULT_CACHE_KEYS));
    }
  } catch (error) {
    env.close();
    throw error;
  }
  return env;
}
