import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  resolve: {
    // src/evaluator/typescript.cts re-exports the `typescript` package through require (a start-up
    // saving at run time); Vite does not compile .cts, so tests take the package directly.
    alias: [{ find: /^\.\/typescript\.cjs$/, replacement: "typescript" }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // One file at a time: the end-to-end files start kernels, jupyter-server and nbconvert, and time
    // the kernel's answers (an interrupt within 2 s); on a small machine they must not compete.
    fileParallelism: false,
  },
});
