/**
 * notebooks/hbase-basics.ipynb executed by nbconvert against the embedded HBase-model store: no error
 * outputs, and the cells show what HBase's semantics say they must. The notebook runs from a copy in a
 * temporary directory, so its data directory (./.sluice/hbase beside it) is temporary too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JupyterEnv } from "../support/jupyter-env.mjs";
import { notebookProblems, outputsOf, resultText } from "../support/notebook-outputs.mjs";
import { executeRepoNotebookCopy, type ExecutedNotebook } from "../support/notebook-runner.mjs";

describe("notebooks/hbase-basics.ipynb on the embedded store", () => {
  let jupyter: JupyterEnv;
  let run: ExecutedNotebook;

  beforeAll(async () => {
    ({ run, jupyter } = await executeRepoNotebookCopy("hbase-basics.ipynb"));
  }, 300_000);

  afterAll(async () => {
    await jupyter?.cleanup();
  });

  it("runs every cell without an error output", () => {
    expect(run.ok, run.stderr).toBe(true);
    expect(notebookProblems(run.notebook!)).toEqual([]);
  });

  it("shows HBase's semantics: versions, filters, time ranges, tombstones", () => {
    const nb = run.notebook!;
    expect(resultText(outputsOf(nb, "write"))).toBe("3");
    expect(resultText(outputsOf(nb, "get"))).toBe("[ 11, [ 4000, 1000 ] ]");
    expect(resultText(outputsOf(nb, "scan-typed"))).toContain("price: 11");
    expect(resultText(outputsOf(nb, "scan-filter"))).toBe("[ 'auction-1#0002', 'auction-2#0001' ]");
    expect(resultText(outputsOf(nb, "scan-time"))).toContain("2 rows, 2 cells");
    expect(resultText(outputsOf(nb, "delete"))).toBe("true");
  });
});
