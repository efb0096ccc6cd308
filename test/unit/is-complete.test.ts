import { describe, expect, it } from "vitest";
import { isComplete } from "../../src/evaluator/is-complete.js";

describe("isComplete", () => {
  it.each([
    [""],
    ["   \n\t\n"],
    ["x = 1"],
    ["const x = 1;\nconsole.log(x)"],
    ["await Promise.resolve(1)"],
    ["for await (const x of gen()) {}"],
    ["{ a: 1 }"],
    ["function f()"],
    ["`multi\nline`"],
    ["x = /[(]/.test(s)"],
    ["if (!/[(]/.test(s)) f()"],
    ["a / b / c"],
    ["const s = `${ {a: 1}.a }`"],
    ["x // trailing comment"],
    ["x /* block */"],
    ["#!/usr/bin/env node\nx"],
    ["'\\u{1F600}' + '😀'"],
    ["x = 1;\n\n   \n"],
  ])("%j is complete", (code) => {
    expect(isComplete(code)).toEqual({ status: "complete" });
  });

  it.each([
    ["{", "    "],
    ["function f() {", "    "],
    ["function f() {\n  if (x) {", "        "],
    ["foo(1,", "    "],
    ["foo(1 +", "        "],
    ["[1, [2,", "        "],
    ["let x = {\n  a: 1,\n", "    "],
    ["let a =", "    "],
    ["1 +", "    "],
    ["x.", "    "],
    ["const f = () =>", "    "],
    ["if (x)", "    "],
    ["class A extends", "    "],
    ["a ? b", "    "],
    ["x = a ??", "    "],
    ["let x: Array<", "    "],
    ["@decorator", "    "],
    ["x = `abc", ""],
    ["x = `abc ${y}", ""],
    ["x = `abc ${y", ""],
    ["x = `outer ${ `inner ${a}` }", ""],
    ["/* a comment", ""],
    ["x = 'line continues\\\n", ""],
    ["x = 'unterminated", ""],
    ['console.log("abc', ""],
  ])("%j is incomplete with indent %j", (code, indent) => {
    expect(isComplete(code)).toEqual({ status: "incomplete", indent });
  });

  it.each([
    [")"],
    ["(]"],
    ["foo(1))"],
    ["let 1x = 2"],
    ["1 +* 2"],
    ["else"],
    ["const s = 'abc\nfoo()"],
    ["x = 1 +* 2\nfoo("],
    ["}"],
  ])("%j is invalid", (code) => {
    expect(isComplete(code)).toEqual({ status: "invalid" });
  });

  it("refuses a non-string with an error naming the problem", () => {
    expect(() => isComplete(42 as unknown as string)).toThrow(/code must be a string, got number/);
  });
});
