/**
 * How a job's state becomes bytes: Node's structured serialisation (v8.serialize — numbers, bigints,
 * strings, plain objects, arrays, Maps, Sets, typed arrays), behind a header naming the format version,
 * so a checkpoint of another format is refused with a clear message instead of misread.
 */
import { deserialize, serialize } from "node:v8";

const MAGIC = "sluice-checkpoint";
const VERSION = 1;

/** Encodes a snapshot; throws naming the path of a value that cannot be stored (a function, a class instance's methods are lost). */
export function encodeSnapshot(snapshot: unknown): Uint8Array {
  try {
    return serialize({ magic: MAGIC, version: VERSION, snapshot });
  } catch (error) {
    throw new Error(`the job's state cannot be stored in a checkpoint: ${(error as Error).message} (state must be plain data: numbers, strings, bigints, arrays, plain objects, Maps, Sets)`, { cause: error });
  }
}

/** Decodes {@link encodeSnapshot}'s bytes. */
export function decodeSnapshot(bytes: Uint8Array): unknown {
  let envelope: unknown;
  try {
    envelope = deserialize(bytes);
  } catch (error) {
    throw new Error(`not a Sluice checkpoint (unreadable state: ${(error as Error).message})`, { cause: error });
  }
  const e = envelope as { magic?: unknown; version?: unknown; snapshot?: unknown };
  if (e === null || typeof e !== "object" || e.magic !== MAGIC) throw new Error("not a Sluice checkpoint");
  if (e.version !== VERSION) throw new Error(`a checkpoint of format version ${String(e.version)}, this Sluice reads version ${VERSION}`);
  return e.snapshot;
}
