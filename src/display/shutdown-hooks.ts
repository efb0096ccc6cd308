/**
 * Work to finish before the kernel shuts down or restarts (background jobs stop with a final
 * checkpoint, files are flushed): hooks registered by user code or by Sluice's own layers, run by the
 * kernel on shutdown_request — each with a time limit, so a stuck hook cannot hold the kernel. Shared
 * through a global symbol, like the display sink resolver.
 */

/** A shutdown hook: may return a promise the kernel waits for (up to the time limit). */
export type ShutdownHook = () => void | Promise<void>;

const KEY = Symbol.for("sluice.kernel.shutdownHooks");

function hooks(): Set<ShutdownHook> {
  const holder = globalThis as Record<symbol, Set<ShutdownHook> | undefined>;
  return (holder[KEY] ??= new Set());
}

/**
 * Runs `hook` when the kernel shuts down or restarts; returns the function that removes it.
 * @example `onKernelShutdown(() => conn.close())`
 */
export function onKernelShutdown(hook: ShutdownHook): () => void {
  if (typeof hook !== "function") throw new TypeError(`onKernelShutdown takes a function, got ${typeof hook}`);
  hooks().add(hook);
  return () => void hooks().delete(hook);
}

/**
 * Runs every hook (concurrently), waiting at most `timeoutMs`; returns the errors of hooks that failed
 * or did not finish in time (the kernel logs them and shuts down anyway).
 */
export async function runKernelShutdownHooks(timeoutMs: number): Promise<Error[]> {
  const errors: Error[] = [];
  const all = [...hooks()];
  hooks().clear();
  await Promise.all(
    all.map(async (hook) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(hook),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`a shutdown hook did not finish within ${timeoutMs} ms`)), timeoutMs);
            timer.unref();
          }),
        ]);
      } catch (error) {
        errors.push(error instanceof Error ? error : new Error(String(error)));
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    }),
  );
  return errors;
}
