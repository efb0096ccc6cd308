/**
 * notebooks/quickstart.ipynb executed by nbconvert: Nexmark pipelines with event-time windows, a
 * check against a plain loop, and the HBase sink into the embedded store. The notebook runs from a copy
 * in a temporary directory, so its data directory (./.sluice/hbase beside it) is temporary too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JupyterEnv } from "../support/jupyter-env.mjs";
import { notebookProblems, outputsOf, resultText } from "../support/notebook-outputs.mjs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { executeRepoNotebookCopy, exportHtml, type ExecutedNotebook } from "../support/notebook-runner.mjs";

describe("notebooks/quickstart.ipynb : pipelines, windows and the HBase sink", () => {
  let jupyter: JupyterEnv;
  let run: ExecutedNotebook;

  beforeAll(async () => {
    ({ run, jupyter } = await executeRepoNotebookCopy("quickstart.ipynb"));
  }, 300_000);

  afterAll(async () => {
    await jupyter?.cleanup();
  });

  it("runs every cell without an error output", () => {
    expect(run.ok, run.stderr).toBe(true);
    expect(notebookProblems(run.notebook!)).toEqual([]);
  });

  it("computes Nexmark q7 and q5, checks q7 against a plain loop, and writes counts to HBase", () => {
    const nb = run.notebook!;
    const q7 = resultText(outputsOf(nb, "q7"));
    expect(q7).toContain("start: '2024-01-01T00:00:00.000Z'");
    expect(q7).toContain("start: '2024-01-01T00:00:10.000Z'");
    expect(resultText(outputsOf(nb, "q7-check"))).toBe("true");
    expect(resultText(outputsOf(nb, "q5"))).toContain("auction:");
    expect(Number(resultText(outputsOf(nb, "sink")))).toBeGreaterThan(10);
    expect(resultText(outputsOf(nb, "scan"))).toContain("5 rows, 5 cells");
    expect(resultText(outputsOf(nb, "metrics"))).toContain("status: 'finished'");
  });

  it("exports to HTML with the chart visible as an image", async () => {
    const html = await exportHtml({ env: jupyter.env, notebook: run.outputPath, outputDir: path.dirname(run.outputPath), outputName: "out.html" });
    const text = await readFile(html, "utf8");
    expect(text).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/]{100,}/);
  });

  it("shows each job's status under the cell that started it, final when the job ended", () => {
    const outputs = outputsOf(run.notebook!, "q7") as { output_type: string; data?: Record<string, unknown> }[];
    const status = outputs.filter((o) => o.output_type === "display_data" && String(o.data?.["text/plain"] ?? "").startsWith("job q7:"));
    expect(status).toHaveLength(1);
    expect(String(status[0]!.data!["text/plain"])).toMatch(/^job q7: finished — [\d,]+ in, 3 out, /);
  });

  it("shows a chart with a Vega-Lite 5 spec and a PNG fallback, updated in place", () => {
    const outputs = outputsOf(run.notebook!, "chart") as { output_type: string; data?: Record<string, unknown> }[];
    const charts = outputs.filter((o) => o.output_type === "display_data" && o.data?.["application/vnd.vegalite.v5+json"] !== undefined);
    expect(charts).toHaveLength(1);
    const data = charts[0]!.data!;
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/markdown", "text/plain"]);
    const spec = data["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: unknown[] } };
    expect(spec.$schema).toContain("vega-lite/v5");
    expect(spec.data.values.length).toBeGreaterThan(10);
    expect(String(data["text/plain"])).toContain("chart (Bids per 2 s by price band): 12 windows × 3 keys");
  });
});
