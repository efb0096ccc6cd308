import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { compileCell } from "../../src/evaluator/cell-compiler.js";

/** Runs cells in a fresh context, as the kernel does, and returns each cell's value. */
async function runCells(...cells: string[]): Promise<{ values: unknown[]; context: vm.Context }> {
  const imports: string[] = [];
  const context = vm.createContext({
    __sluice: {
      interruptFlag: new Int32Array(new SharedArrayBuffer(4)),
      interrupted: () => {
        throw new Error("Interrupted");
      },
      import: async (spec: string) => {
        imports.push(spec);
        if (spec === "lib") return { default: { kind: "default" }, named: 42 };
        if (spec === "cjs-esm") return { default: { __esModule: true, default: "inner", x: 1 } };
        throw new Error(`no module ${spec}`);
      },
      interopDefault: (ns: Record<string, unknown>) => {
        const v = ns["default"] as { __esModule?: boolean; default?: unknown } | undefined;
        return v && v.__esModule ? v.default : v;
      },
    },
  });
  const values: unknown[] = [];
  for (const code of cells) {
    const r = compileCell(code);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    values.push(await (vm.runInContext(r.cell.script, context) as Promise<unknown>));
  }
  return { values, context };
}

describe("cell compiler", () => {
  it("makes top-level const/let/function/class visible to later cells", async () => {
    const { values } = await runCells(
      "const x: number = 1; let y = 2; function f(n: number) { return n * 10; } class C { v = 3 }",
      "x + y + f(1) + new C().v",
    );
    expect(values[1]).toBe(16);
  });

  it("lets a later cell re-declare a name with another type, and re-running a cell works", async () => {
    const { values } = await runCells("const x = 1;", "const x = 'now a string';", "const x = 'now a string';", "x");
    expect(values[3]).toBe("now a string");
  });

  it("lets a later cell reassign a let and closures see the global binding", async () => {
    const { values } = await runCells("let count = 0; const inc = () => ++count; await null;", "count = 10; inc()", "count");
    expect(values[1]).toBe(11);
    expect(values[2]).toBe(11);
  });

  it("hoists function declarations within the cell", async () => {
    const { values } = await runCells("g() + 1; function g() { return 1 }", "g() + 1");
    expect(values[0]).toBeUndefined();
    expect(values[1]).toBe(2);
  });

  it("supports destructuring declarations", async () => {
    const { values } = await runCells("const { a, b: [c = 5, , d], ...rest } = { a: 1, b: [undefined, 0, 4], e: 9 };", "[a, c, d, rest]");
    expect(values[1]).toEqual([1, 5, 4, { e: 9 }]);
  });

  it("supports top-level await and returns the trailing expression", async () => {
    const { values } = await runCells("const v = await Promise.resolve(7); v * 2");
    expect(values[0]).toBe(14);
  });

  it("turns imports into loads through the runtime, default and named", async () => {
    const { values } = await runCells('import lib, { named } from "lib"; import * as ns from "lib"; import inner from "cjs-esm";', "[lib, named, ns.named, inner]");
    expect(values[1]).toEqual([{ kind: "default" }, 42, 42, "inner"]);
  });

  it("keeps enums and erases types", async () => {
    const { values } = await runCells("enum Color { Red, Green } type T = string; interface I { a: T }", "Color.Green");
    expect(values[1]).toBe(1);
  });

  it("has no value for a cell ending in a declaration", async () => {
    const { values } = await runCells("const z = 1;");
    expect(values[0]).toBeUndefined();
  });

  it("checks for interrupts in loops that run after an await", async () => {
    const r = compileCell("let i = 0; await null; while (true) { i++; }");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const context = vm.createContext({
      __sluice: { interruptFlag: flag, interrupted: () => { throw new Error("Interrupted"); } },
    });
    const running = vm.runInContext(r.cell.script, context) as Promise<unknown>;
    Atomics.store(flag, 0, 1); // set before the continuation runs: the loop's first check throws
    await expect(running).rejects.toThrow("Interrupted");
  });

  it("reports syntax errors with cell coordinates", () => {
    const r = compileCell("const a = 1;\nconst b = ;");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ line: 2, column: 11 });
  });

  it("maps the generated script back to the cell", () => {
    const r = compileCell("const a = 1;\nthrow new Error('x');");
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(r.cell.sourceMap).mappings.length).toBeGreaterThan(0);
  });
});
