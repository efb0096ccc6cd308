import { describe, expect, it } from "vitest";
import { makeMessage } from "../../src/protocol/header.js";
import type { JsonObject, JupyterMessage } from "../../src/protocol/message.js";
import { RequestOutput } from "../../src/kernel/request-output.js";

function setup(latest: () => JupyterMessage | undefined = () => undefined) {
  const published: { msgType: string; content: JsonObject }[] = [];
  const parents: JupyterMessage[] = [];
  const parent = makeMessage("execute_request", { code: "" }, { session: "s", username: "u" });
  const output = new RequestOutput(
    {
      publish: (msgType, content, p) => {
        published.push({ msgType, content });
        parents.push(p);
      },
      requestInput: async () => "",
      latestExecute: latest,
    },
    parent,
    7,
    false,
  );
  return { output, published, parents, parent };
}

describe("RequestOutput", () => {
  it("sends display updates under the execute request running now (a background job updating its chart)", () => {
    let latest: JupyterMessage | undefined;
    const { output, parents, parent } = setup(() => latest);
    output.displayData({ "text/plain": "chart" }, {}, { display_id: "d1" });
    output.updateDisplayData({ "text/plain": "chart v2" }, undefined, { display_id: "d1" });
    expect(parents).toEqual([parent, parent]);
    latest = makeMessage("execute_request", { code: "2" }, { session: "s", username: "u" });
    output.updateDisplayData({ "text/plain": "chart v3" }, undefined, { display_id: "d1" });
    output.stream("stdout", "late print\n");
    output.flush();
    // The update goes with the cell running now; other output stays with its own cell.
    expect(parents.slice(2)).toEqual([latest, parent]);
  });

  it("coalesces consecutive writes to one stream into one message on the next tick", async () => {
    const { output, published } = setup();
    output.stream("stdout", "a");
    output.stream("stdout", "b\n");
    expect(published).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(published).toEqual([{ msgType: "stream", content: { name: "stdout", text: "ab\n" } }]);
  });

  it("keeps the order of streams and other output", () => {
    const { output, published } = setup();
    output.stream("stdout", "out");
    output.stream("stderr", "err");
    output.displayData({ "text/plain": "d" });
    expect(published.map((p) => [p.msgType, p.content["name"] ?? ""])).toEqual([
      ["stream", "stdout"],
      ["stream", "stderr"],
      ["display_data", ""],
    ]);
  });

  it("sends text that waited 50 ms even while the event loop is blocked", () => {
    const { output, published } = setup();
    output.stream("stdout", "tick 1\n");
    const until = performance.now() + 60;
    while (performance.now() < until) {
      // a busy synchronous cell
    }
    output.stream("stdout", "tick 2\n");
    expect(published).toEqual([{ msgType: "stream", content: { name: "stdout", text: "tick 1\ntick 2\n" } }]);
  });

  it("refuses input when the request does not allow stdin, naming why", async () => {
    const { output } = setup();
    await expect(output.input("Name?", false)).rejects.toThrow(/allow_stdin is false/);
  });

  it("numbers execute results with the request's execution count", () => {
    const { output, published } = setup();
    output.executeResult({ "text/plain": "2" });
    expect(published[0]).toEqual({ msgType: "execute_result", content: { execution_count: 7, data: { "text/plain": "2" }, metadata: {} } });
  });
});
