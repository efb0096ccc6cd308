/**
 * The example notebooks executed end to end (from temporary copies, so their embedded stores and
 * checkpoints are temporary): no error outputs, and the values they exist to show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JupyterEnv } from "../support/jupyter-env.mjs";
import { notebookProblems, outputsOf, resultText } from "../support/notebook-outputs.mjs";
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
