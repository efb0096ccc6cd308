import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, it } from "vitest";
import type { CellOutput, ExecuteOutcome, ExecuteRequest } from "../../src/kernel/interpreter.js";
import { TypeScriptInterpreter } from "../../src/evaluator/ts-interpreter.js";

type Event = { kind: string; [k: string]: unknown };

/** A CellOutput that records what the interpreter publishes. */
class RecordingOutput implements CellOutput {
  readonly events: Event[] = [];
  inputs: string[] = [];
  constructor(private readonly allowStdin = false) {}
  stream(name: "stdout" | "stderr", text: string): void {
    const last = this.events.at(-1);
    if (last?.kind === "stream" && last["name"] === name) last["text"] += text;
    else this.events.push({ kind: "stream", name, text });
  }
  displayData(data: Record<string, unknown>, metadata?: Record<string, unknown>, transient?: { display_id?: string }): void {
    this.events.push({ kind: "display_data", data, metadata, transient });
  }
  updateDisplayData(data: Record<string, unknown>, metadata: Record<string, unknown> | undefined, transient: { display_id: string }): void {
    this.events.push({ kind: "update_display_data", data, transient });
  }
  clearOutput(wait: boolean): void {
    this.events.push({ kind: "clear_output", wait });
  }
  executeResult(data: Record<string, unknown>): void {
    this.events.push({ kind: "execute_result", data });
  }
  error(ename: string, evalue: string, traceback: string[]): void {
    this.events.push({ kind: "error", ename, evalue, traceback });
  }
  async input(prompt: string, password: boolean): Promise<string> {
    if (!this.allowStdin) throw new Error("stdin not allowed");
    this.inputs.push(`${prompt}|${password}`);
    return "typed";
  }
  text(name: "stdout" | "stderr"): string {
    return this.events.filter((e) => e.kind === "stream" && e["name"] === name).map((e) => e["text"]).join("");
  }
  result(): unknown {
    return (this.events.find((e) => e.kind === "execute_result")?.["data"] as Record<string, unknown> | undefined)?.["text/plain"];
  }
}

let dir: string;
let interp: TypeScriptInterpreter;
let count = 0;

async function run(code: string, output = new RecordingOutput(), extra: Partial<ExecuteRequest> = {}): Promise<{ outcome: ExecuteOutcome; output: RecordingOutput }> {
  const request: ExecuteRequest = {
    code,
    silent: false,
    storeHistory: true,
    allowStdin: false,
    stopOnError: true,
    userExpressions: {},
    executionCount: ++count,
    ...extra,
  };
  const outcome = await interp.execute(request, output);
  return { outcome, output };
}

function plain(text: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(text).replace(/\u001b\[[0-9;]*m/g, "");
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "sluice-interp-"));
  writeFileSync(path.join(dir, "helper.ts"), "export function twice(n: number): number { return n * 2; }\nexport const label: string = 'local';\n");
  const pkg = path.join(dir, "node_modules", "nb-only-pkg");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "nb-only-pkg", type: "module", exports: "./index.js", types: "./index.d.ts" }));
  writeFileSync(path.join(pkg, "index.js"), "export const answer = 42;\n");
  writeFileSync(path.join(pkg, "index.d.ts"), "export declare const answer: number;\n");
  interp = new TypeScriptInterpreter({ directory: dir, typeCheck: "error" });
});

describe("TypeScriptInterpreter", () => {
  it("returns the trailing expression as execute_result text/plain", async () => {
    const { outcome, output } = await run("1 + 1");
    expect(outcome.status).toBe("ok");
    expect(output.result()).toBe("2");
  });

  it("keeps declarations across cells and lets cells re-declare them", async () => {
    await run("const x = 1; let y: number = 2;");
    await run("y = y + 40;");
    expect((await run("x + y")).output.result()).toBe("43");
    await run('const x = "now a string";');
    expect((await run("x.toUpperCase()")).output.result()).toBe("'NOW A STRING'");
    // re-running the same cell text
    expect((await run('const x = "now a string";')).outcome.status).toBe("ok");
  });

  it("keeps types and interfaces across cells", async () => {
    await run("interface Point { x: number; y: number } type Pair<T> = [T, T];");
    const { outcome, output } = await run("const pts: Pair<Point> = [{ x: 1, y: 2 }, { x: 3, y: 4 }]; pts[1].y");
    expect(outcome.status).toBe("ok");
    expect(output.result()).toBe("4");
  });

  it("supports top-level await", async () => {
    const { output } = await run("const slept = await new Promise<string>((r) => setTimeout(() => r('done'), 20)); slept");
    expect(output.result()).toBe("'done'");
  });

  it("imports ESM and CommonJS packages from Sluice's own node_modules and the notebook's", async () => {
    const esm = await run('import { resolve } from "import-meta-resolve"; typeof resolve');
    expect(esm.outcome.status).toBe("ok");
    expect(esm.output.result()).toBe("'function'");
    const cjs = await run('import ts from "typescript"; typeof ts.createSourceFile');
    expect(cjs.output.result()).toBe("'function'");
    const nb = await run('import { answer } from "nb-only-pkg"; answer');
    expect(nb.output.result()).toBe("42");
  });

  it("offers require() resolving from the notebook's directory", async () => {
    const { outcome, output } = await run('const os = require("node:os"); typeof os.cpus');
    expect(outcome.status).toBe("ok");
    expect(output.result()).toBe("'function'");
  });

  it("imports local .ts files and sees edits when the import is re-run", async () => {
    const first = await run('import { twice, label } from "./helper"; [twice(21), label]');
    if (first.outcome.status === "error") console.log(first.outcome);
    expect(first.outcome.status).toBe("ok");
    expect(first.output.result()).toBe("[ 42, 'local' ]");
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(path.join(dir, "helper.ts"), "export function twice(n: number): number { return n * 3; }\nexport const label: string = 'edited';\n");
    const again = await run('import { twice, label } from "./helper.ts"; [twice(1), label]');
    expect(again.output.result()).toBe("[ 3, 'edited' ]");
  });

  it("routes console output to the cell, also when printed later from a timer", async () => {
    const output = new RecordingOutput();
    await run('console.log("hello, world"); console.error("oops"); setTimeout(() => console.log("late"), 30);', output);
    expect(output.text("stdout")).toContain("hello, world");
    expect(output.text("stderr")).toContain("oops");
    await new Promise((r) => setTimeout(r, 80));
    expect(output.text("stdout")).toContain("late");
  });

  it("reports runtime errors with the cell's own line and column", async () => {
    const { outcome } = await run('const ok = 1;\nfunction boom(): never {\n  throw new RangeError("too far");\n}\nboom();');
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.ename).toBe("RangeError");
    expect(outcome.evalue).toBe("too far");
    const tb = plain(outcome.traceback.join("\n"));
    expect(tb).toMatch(/at boom \(Cell In\[\d+\]:3:9\)/);
    expect(tb).toMatch(/Cell In\[\d+\]:5:1/);
    expect(tb).not.toContain("sluice-cell-");
    expect(tb).not.toContain("ts-interpreter");
  });

  it("blocks a cell with type errors and names line:col and the TypeScript message", async () => {
    const { outcome } = await run('const n: number = 1;\nconst s: string = n;');
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.ename).toBe("TypeScriptError");
    expect(plain(outcome.evalue)).toContain(":2:7");
    expect(plain(outcome.evalue)).toContain("Type 'number' is not assignable to type 'string'");
    // the blocked cell did not run
    expect((await run('typeof (globalThis as Record<string, unknown>)["s"]')).output.result()).toBe("'undefined'");
  });

  it("runs a cell with type errors under // @ts-nocheck and in warn mode", async () => {
    const nocheck = await run('// @ts-nocheck\nconst t1: number = "x"; t1');
    expect(nocheck.outcome.status).toBe("ok");
    expect(nocheck.output.result()).toBe("'x'");
    await run('kernel.typeCheck = "warn";');
    const warned = await run('const t2: number = "y"; t2');
    expect(warned.outcome.status).toBe("ok");
    expect(warned.output.text("stderr")).toContain("not assignable");
    await run('kernel.typeCheck = "error";');
    const bad = await run('kernel.typeCheck = "sometimes" as any;');
    expect(bad.outcome.status).toBe("error");
  });

  it("reports syntax errors with cell coordinates", async () => {
    const { outcome } = await run("const a = 1;\nconst b = ;");
    expect(outcome.status).toBe("error");
    if (outcome.status === "error") expect(plain(outcome.evalue)).toContain(":2:11");
  });

  it("interrupts a pending top-level await and keeps earlier state", async () => {
    await run("const kept = 41;");
    const pending = run("await new Promise(() => {});");
    setTimeout(() => interp.interrupt(), 50);
    const { outcome } = await pending;
    expect(outcome.status).toBe("error");
    if (outcome.status === "error") expect(outcome.evalue).toBe("Interrupted");
    expect((await run("kept + 1")).output.result()).toBe("42");
  });

  it("an interrupt stops the cell, not the background jobs it started; jobs.stopAll() stops them", async () => {
    await run('import { from, nexmark, collect, jobs } from "sluice";\nconst bg = from(nexmark({ seed: 1, eventsPerSecond: 2_000, pace: true })).to(collect()).start({ name: "bg" });');
    const pending = run("await new Promise(() => {});");
    setTimeout(() => interp.interrupt(), 100);
    const { outcome } = await pending;
    expect(outcome.status).toBe("error");
    const before = Number((await run("bg.metrics().recordsIn")).output.result());
    await run("await new Promise((r) => setTimeout(r, 200));");
    expect((await run("bg.status")).output.result()).toBe("'running'");
    expect(Number((await run("bg.metrics().recordsIn")).output.result())).toBeGreaterThan(before);
    expect((await run("await jobs.stopAll(); bg.status")).output.result()).toBe("'stopped'");
  });

  it("a cell's function with a loop (an interrupt check in it) runs on a parallel job's worker threads", async () => {
    const cell = [
      'import { from, fromArray, aggregate, tumbling, collect } from "sluice";',
      'import type { WindowResult } from "sluice";',
      "const out = collect<WindowResult<number, number>>();",
      "const job = from(fromArray(Array.from({ length: 400 }, (_, i) => i)))",
      "  .withTimestamps((n) => n)",
      "  .keyBy((n) => n % 4)",
      "  .window(tumbling(100))",
      "  .aggregate(aggregate({",
      "    create: () => 0,",
      "    add: (acc: number, n: number) => { let s = acc; for (let i = 0; i < 3; i++) s += n; return s; },",
      "    merge: (a: number, b: number) => a + b,",
      "    result: (s: number) => s,",
      "  }))",
      "  .to(out)",
      '  .start({ name: "parallel loops", parallelism: 2 });',
      "await job.done;",
      "[job.status, out.records.reduce((a, w) => a + w.value, 0)]",
    ].join("\n");
    const { outcome, output } = await run(cell);
    expect(outcome.status, JSON.stringify([outcome, output.events])).toBe("ok");
    expect(output.result()).toBe(`[ 'finished', ${3 * ((399 * 400) / 2)} ]`);
  });

  it("interrupts a busy loop that runs after an await (flag set from another thread)", async () => {
    const worker = new Worker("const { workerData } = require('node:worker_threads'); setTimeout(() => Atomics.store(workerData, 0, 1), 300);", {
      eval: true,
      workerData: interp.interruptFlag,
    });
    const { outcome } = await run("await null;\nlet spins = 0;\nwhile (true) { spins++; }");
    await worker.terminate();
    expect(outcome.status).toBe("error");
    if (outcome.status === "error") expect(outcome.ename).toBe("InterruptedError");
  });

  it("publishes displays from cells", async () => {
    const { output } = await run('const h = display.html("<b>hi</b>", { id: "d1" }); h.update("<i>bye</i>");');
    expect(output.events.find((e) => e.kind === "display_data")).toMatchObject({ data: { "text/html": "<b>hi</b>" }, transient: { display_id: "d1" } });
    expect(output.events.find((e) => e.kind === "update_display_data")).toMatchObject({ transient: { display_id: "d1" } });
    expect(output.result()).toBeUndefined();
  });

  it("asks for input through the cell's output, and refuses without stdin", async () => {
    const withStdin = new RecordingOutput(true);
    const { output } = await run('const who = await input("Name?"); who', withStdin, { allowStdin: true });
    expect(output.result()).toBe("'typed'");
    expect(withStdin.inputs).toEqual(["Name?|false"]);
    const refused = await run('await password("pw")');
    expect(refused.outcome.status).toBe("error");
  });

  it("pages the inspection for `expr?`", async () => {
    const { outcome } = await run("Math.max?");
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    const page = outcome.payload?.[0] as { source: string; data: Record<string, string>; start: number };
    expect(page.source).toBe("page");
    expect(page.data["text/plain"]).toContain("max");
  });

  it("evaluates user_expressions after the cell", async () => {
    const { outcome } = await run("const ue = 5;", new RecordingOutput(), { userExpressions: { a: "ue * 2", b: "nope(" } });
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    expect(outcome.userExpressions?.["a"]).toMatchObject({ status: "ok", data: { "text/plain": "10" } });
    expect(outcome.userExpressions?.["b"]).toMatchObject({ status: "error" });
  });

  it("completes members of earlier cells' values", async () => {
    await run("const p = { xCoord: 1, yCoord: 2 };");
    const r = await interp.complete("p.xC", 4);
    expect(r.matches).toContain("xCoord");
  });
});
