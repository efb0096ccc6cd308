/**
 * Shipping user code to worker threads: the free-variable analysis (a real scope walk), and the
 * child-process check that a parallel job leaves no thread behind: none is alive once the job finished
 * or was cancelled, and the process exits by itself (a pending worker request would hold it).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freeVariables, parseFunction } from "../../src/stream/runtime/parallel/free-variables.js";
import { sourceLoaderRegistration } from "../../src/stream/runtime/parallel/source-loader.js";

const free = (source: string): string[] => freeVariables(parseFunction(source).node);

describe("free variables of a function's source", () => {
  it("parameters, locals and the function's own name are bound; everything else is free", () => {
    expect(free("(a, b) => a + b + c")).toEqual(["c"]);
    expect(free("function f(x) { var y = x; let z = y; return f(z) + w; }")).toEqual(["w"]);
    expect(free("({ a, b: [c, ...d] } = {}, e = a + g) => a + c + d + e")).toEqual(["g"]);
    expect(free("(x) => Math.max(x, limit)")).toEqual(["Math", "limit"]);
  });

  it("hoisting: var and function declarations anywhere in the body, used before they appear", () => {
    expect(free("function () { g(); if (true) { var late = 1; } return late; function g() {} }")).toEqual([]);
  });

  it("block scopes: a let inside a block does not bind the same name outside it", () => {
    expect(free("() => { { let hidden = 1; } return hidden; }")).toEqual(["hidden"]);
    expect(free("() => { for (let i = 0; i < 3; i++) {} return i; }")).toEqual(["i"]);
    expect(free("() => { try { return 1; } catch (err) { return err; } }")).toEqual([]);
    expect(free("() => { try { return 1; } catch { return err; } }")).toEqual(["err"]);
  });

  it("property names, labels and member accesses are not variables; computed ones are", () => {
    expect(free("(o) => { outer: for (const k of o.items) { if (k.x) break outer; } return { n: o.n, [key]: 1 }; }")).toEqual(["key"]);
    expect(free("(o) => o[field]")).toEqual(["field"]);
    expect(free("(o) => ({ shorthand })")).toEqual(["shorthand"]);
  });

  it("assignments to outer variables are uses of them", () => {
    expect(free("(x) => { total += x; [a, b] = [1, 2]; }")).toEqual(["total", "a", "b"]);
  });

  it("classes: the class name is bound inside, its superclass and computed members are read", () => {
    expect(free("() => class C extends Base { m() { return C; } [name]() {} static s = helper(); }")).toEqual(["Base", "name", "helper"]);
  });

  it("arguments inside a function; arrows see the enclosing one", () => {
    expect(free("function () { return () => arguments.length; }")).toEqual([]);
    expect(free("() => arguments")).toEqual(["arguments"]);
  });

  it("method shorthand (as Function.prototype.toString gives it)", () => {
    const o = {
      processElement(v: number) {
        return v + 1;
      },
      async load() {
        return fetchIt();
      },
    };
    expect(free(o.processElement.toString())).toEqual([]);
    expect(free(o.load.toString())).toEqual(["fetchIt"]);
    expect(parseFunction(o.processElement.toString()).expression).toMatch(/^Object\.values\(\{/);
  });

  it("native and bound functions have no shippable source", () => {
    expect(() => parseFunction(Math.max.toString())).toThrow(SyntaxError);
    expect(() => parseFunction(((x: number) => x).bind(null).toString())).toThrow(SyntaxError);
  });
});

function fetchIt(): number {
  return 1;
}

describe("worker threads do not outlive a job", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Runs `body` (ES module code; `stream` holds the engine, sources, windowing and aggregates) in a child process from the engine's sources. */
  function runChild(body: string): { status: number | null; stdout: string; stderr: string } {
    const dir = mkdtempSync(path.join(tmpdir(), "sluice-parallel-exit-"));
    dirs.push(dir);
    const modules = ["index", "sources/index", "windowing/index", "aggregates/index", "runtime/parallel/worker-handle"].map((m) => pathToFileURL(path.resolve(`src/stream/${m}.ts`)).href);
    const script = path.join(dir, "job.mjs");
    const { specifier, options } = sourceLoaderRegistration();
    writeFileSync(
      script,
      `import { register } from "node:module";\n` +
        `register(${JSON.stringify(specifier)}, ${JSON.stringify(options)});\n` +
        `const stream = Object.assign({}, ...(await Promise.all(${JSON.stringify(modules)}.map((m) => import(m)))));\n${body}\n`,
    );
    // The timeout only catches a hang (a leaked thread keeps the process alive); it is not a speed check.
    const result = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 120_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it("the process exits on its own after a parallel job finished, and after one was cancelled", { timeout: 300_000 }, () => {
    const finished = runChild(`
      const out = stream.collect();
      const job = stream.from(stream.fromArray(Array.from({ length: 500 }, (_, i) => ({ k: i % 7, ts: i }))))
        .withTimestamps((r) => r.ts).keyBy((r) => r.k).window(stream.tumbling(50)).aggregate(stream.count())
        .to(out).start({ parallelism: 3 });
      await job.done;
      console.log("finished", out.records.length, "live threads", stream.liveWorkerThreads());
    `);
    expect(finished.stderr).toBe("");
    expect(finished.stdout.trim()).toBe("finished 70 live threads 0");
    expect(finished.status).toBe(0);

    const cancelled = runChild(`
      const job = stream.from(stream.nexmark({ seed: 1 })).filter((e) => e.kind === "bid")
        .withTimestamps((b) => b.dateTime).keyBy((b) => b.auction).window(stream.sliding(10_000, 2_000)).aggregate(stream.count())
        .to(stream.collect()).start({ parallelism: 2 });
      while (job.metrics().recordsIn < 5_000) await new Promise((r) => setTimeout(r, 10));
      await job.cancel();
      console.log(job.status, "live threads", stream.liveWorkerThreads());
    `);
    expect(cancelled.stderr).toBe("");
    expect(cancelled.stdout.trim()).toBe("cancelled live threads 0");
    expect(cancelled.status).toBe(0);
  });
});
