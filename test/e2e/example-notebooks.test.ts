/**
 * The example notebooks executed end to end (from temporary copies, so their embedded stores and
 * checkpoints are temporary): no error outputs, and the values they exist to show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JupyterEnv } from "../support/jupyter-env.mjs";
import { joinText, notebookProblems, outputsOf, resultText } from "../support/notebook-outputs.mjs";
import { executeRepoNotebookCopy, type ExecutedNotebook } from "../support/notebook-runner.mjs";

/** Executes `notebooks/<name>` once for the tests `checks` adds (after "runs without error outputs"). */
function describeNotebook(name: string, checks: (notebook: () => ExecutedNotebook) => void): void {
  describe(`notebooks/${name}`, () => {
    let jupyter: JupyterEnv | undefined;
    let run: ExecutedNotebook;
    beforeAll(async () => {
      ({ run, jupyter } = await executeRepoNotebookCopy(name));
    }, 300_000);
    afterAll(async () => {
      await jupyter?.cleanup();
    });

    it("runs without error outputs", () => {
      expect(run.ok, run.stderr).toBe(true);
      expect(notebookProblems(run.notebook!)).toEqual([]);
    });

    checks(() => run);
  });
}

describeNotebook("recovery.ipynb", (executed) => {
  it("crashes a checkpointed job, restores it, and ends with a table identical to a run without failure", () => {
    const nb = executed().notebook!;
    expect(resultText(outputsOf(nb, "crash"))).toMatch(/status: 'cancelled', lastCheckpoint: \d+/);
    const reference = Number(resultText(outputsOf(nb, "reference")));
    expect(reference).toBeGreaterThan(100);
    expect(Number(resultText(outputsOf(nb, "restore")))).toBe(reference);
    expect(resultText(outputsOf(nb, "compare"))).toBe(`{ cells: ${reference}, identical: true }`);
  });

  it("restarts a running job from a final checkpoint, and replays it from a savepoint: unchanged → empty diff, changed filter → its differences", () => {
    const nb = executed().notebook!;
    type Output = { output_type: string; data?: Record<string, unknown> };
    expect(resultText(outputsOf(nb, "restart"))).toBe("{ first: 'stopped', second: 'finished', identical: true }");
    const result = (id: string) => (outputsOf(nb, id) as Output[]).find((o) => o.output_type === "execute_result")!.data!;
    const same = result("replay");
    expect(joinText(same["text/plain"] as string | string[])).toMatch(/^replay from savepoint "middle" \(checkpoint \d+\), [\d,]+ records read; compared: cells with timestamps ≥ \d+ .*\ncounts_restarted → counts_replay: identical \(\d+ cells\)$/);
    expect(same["application/vnd.sluice.table-diff+json"]).toMatchObject({ identical: true, reference: "counts_restarted", other: "counts_replay" });
    const changed = result("replay-changed");
    expect(joinText(changed["text/html"] as string | string[])).toMatch(/<table>[\s\S]*<td>(removed|changed)<\/td>/);
    expect(changed["application/vnd.sluice.table-diff+json"]).toMatchObject({ identical: false, truncated: true });
    expect(resultText(outputsOf(nb, "replay-check"))).toBe("{ unchanged: true, removed: true, added: 0, onlyTenthAuctions: true }");
  });
});

describeNotebook("hbase-basics.ipynb", (executed) => {
  it("charts a scan in one line: Vega-Lite 5 with the decoded rows, a PNG, its Markdown image fallback, a summary", () => {
    const outputs = outputsOf(executed().notebook!, "chart-scan") as { output_type: string; data?: Record<string, unknown> }[];
    const chart = outputs.find((o) => o.output_type === "execute_result")!.data!;
    expect(Object.keys(chart)).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/markdown", "text/plain"]);
    const spec = chart["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: { rowKey: string; d: { price: number } }[] } };
    expect(spec.$schema).toContain("vega-lite/v5");
    expect(spec.data.values.map((v) => [v.rowKey, v.d.price])).toEqual([
      ["auction-1#0001", 11],
      ["auction-1#0002", 12],
      ["auction-2#0001", 99],
    ]);
    expect(joinText(chart["text/markdown"] as string | string[])).toMatch(/^<img src="data:image\/png;base64,[A-Za-z0-9+/]{100,}=*" alt="chart \(latest price per bid\): [^"]+">$/);
  });
});

describeNotebook("hbase-tail.ipynb", (executed) => {
  it("tails every click written by another job, once, and charts them", () => {
    const nb = executed().notebook!;
    expect(resultText(outputsOf(nb, "write"))).toBe("600");
    expect(resultText(outputsOf(nb, "total"))).toBe("{ clicks: 600, users: [ 'ada', 'grace', 'linus' ] }");
    const outputs = outputsOf(nb, "tail") as { output_type: string; data?: Record<string, unknown> }[];
    expect(outputs.some((o) => o.data?.["application/vnd.vegalite.v5+json"] !== undefined && o.data?.["image/png"] !== undefined)).toBe(true);
  });
});

describeNotebook("nexmark.ipynb", (executed) => {
  it("charts q7 and q5, lists q11's longest sessions, and catches late bids in a side output", () => {
    const nb = executed().notebook!;
    type Output = { output_type: string; data?: Record<string, unknown> };
    const hasChart = (id: string) =>
      (outputsOf(nb, id) as Output[]).some((o) => o.data?.["application/vnd.vegalite.v5+json"] !== undefined && o.data?.["image/png"] !== undefined);
    expect(hasChart("q7")).toBe(true);
    expect(hasChart("q5")).toBe(true);
    expect(Number(resultText(outputsOf(nb, "q7")))).toBeGreaterThan(3);
    expect(resultText(outputsOf(nb, "q11"))).toMatch(/bidder: \d+, bids: \d+, seconds: /);
    expect(resultText(outputsOf(nb, "late"))).toMatch(/^\{ counted: \d+, late: [1-9]\d*, nothingLost: true \}$/);
  });
});
