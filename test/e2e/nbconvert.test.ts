/**
 * The tour notebook (notebooks/kernel-tour.ipynb) executed end to end by Jupyter's own tools:
 * `jupyter nbconvert --to notebook --execute` and nbclient. The executed notebook must contain no error
 * output, and key cells must show what the tour says they show.
 *
 * The kernel under test is "sluice" unless $SLUICE_E2E_KERNEL names another one; with "python3"
 * (Debian's ipykernel) a small Python notebook with the same cell ids stands in for the tour, which
 * validates the harness itself.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJupyterEnv, type JupyterEnv } from "../support/jupyter-env.mjs";
import { ensureSluiceBuilt, prepareKernel } from "../support/kernelspec.mjs";
import {
  joinText,
  notebookProblems,
  outputsOf,
  resultText,
  richOutputs,
  streamText,
  type Notebook,
  type Output,
} from "../support/notebook-outputs.mjs";
import { executeWithNbclient, executeWithNbconvert, type ExecutedNotebook } from "../support/notebook-runner.mjs";
import { TOUR_NOTEBOOK } from "../support/paths.mjs";

const KERNEL = process.env["SLUICE_E2E_KERNEL"] ?? "sluice";
const RUN_TIMEOUT = 300_000;

type Check = (outputs: Output[]) => void;

function expectResult(expected: string): Check {
  return (outputs) => expect(resultText(outputs)).toBe(expected);
}

/** Spot checks of the tour, by cell id. */
const TOUR_CHECKS: Record<string, Check> = {
  expression: expectResult("2"),
  "object-result": (outputs) => expect(resultText(outputs)).toContain("name: 'sluice'"),
  "use-x": expectResult("11"),
  "redeclare-x": expectResult("'NOW A STRING'"),
  "area-v1": expectResult("[ '3.1416', 2 ]"),
  redefine: expectResult("[ 6, 10 ]"),
  "use-types": expectResult("[ 'inlet: 70.7 °F', 'outlet: 66.2 °F' ]"),
  await: expectResult("true"),
  "import-esm": expectResult("true"),
  "import-cjs": expectResult("'export const answer = 42;'"),
  "import-builtin": expectResult("[ 64, 'flows' ]"),
  "import-local": expectResult("'intake: 3 readings, mean 4'"),
  "custom-display": (outputs) => {
    const [bundle] = richOutputs(outputs);
    expect(bundle?.["text/plain"]).toBe("reservoir: 72%");
    expect(String(bundle?.["text/html"])).toContain("<meter");
  },
  console: (outputs) => {
    expect(streamText(outputs, "stdout")).toBe(
      "console.log goes to stdout\nso does console.info\n{ nested: { values: [ 1, 2, 3 ] } }\n",
    );
    expect(streamText(outputs, "stderr")).toBe("console.warn goes to stderr\nso does console.error\n");
  },
  timer: (outputs) => expect(streamText(outputs, "stdout")).toBe("the cell goes on\nprinted by a timer 50 ms later\n"),
  progress: (outputs) => {
    const bundles = richOutputs(outputs);
    expect(bundles).toHaveLength(1);
    expect(bundles[0]?.["text/plain"]).toBe("'step 5 of 5'");
  },
  "display-value": (outputs) => {
    const bundles = richOutputs(outputs);
    expect(bundles).toHaveLength(3);
    expect(bundles[0]?.["text/plain"]).toBe("{ id: 7, ok: true }");
    expect(bundles[1]?.["text/html"]).toBe("<b>bold</b> and <i>italic</i> HTML");
    expect(bundles[2]?.["text/markdown"]).toBe("**Markdown** with a [link](https://jupyter.org)");
  },
  "display-svg": (outputs) => expect(String(richOutputs(outputs)[0]?.["image/svg+xml"])).toContain("<svg"),
  "display-json": (outputs) =>
    expect(richOutputs(outputs)[0]?.["application/json"]).toEqual({
      pipeline: "intake",
      stages: ["read", "filter", "write"],
      parallelism: 4,
    }),
  vegalite: (outputs) => {
    const spec = richOutputs(outputs)[0]?.["application/vnd.vegalite.v5+json"] as
      | { $schema?: string; data?: { values?: unknown[] } }
      | undefined;
    expect(spec?.$schema).toMatch(/vega-lite\/v5/);
    expect(spec?.data?.values).toHaveLength(24);
  },
  // Updated by the next cell: the executed notebook shows the final content.
  "display-id": (outputs) => expect(richOutputs(outputs).map((b) => b["text/html"])).toEqual(["<b>done</b>"]),
  "display-update": expectResult("'pipeline-status'"),
  "clear-output": (outputs) =>
    expect(outputs.map((o) => [o.output_type, o.name, joinText(o.text)])).toEqual([
      ["stream", "stdout", "only this line remains\n"],
    ]),
  "ts-nocheck": expectResult("'8080'"),
  "typecheck-warned": (outputs) => {
    expect(resultText(outputs)).toBe("'three'");
    expect(streamText(outputs, "stderr")).toMatch(/not assignable to type 'number'/);
  },
  "typecheck-error": expectResult("'error'"),
  comms: expectResult("'target tour-echo registered'"),
  summary: (outputs) => {
    const text = resultText(outputs) ?? "";
    for (const part of ["x: 'now a string'", "total: 11", "area: 20", "readings: 2", "intake: 4", "status: 'pipeline-status'"]) {
      expect(text).toContain(part);
    }
  },
};

/** The Python stand-in for the tour (same cell ids for the checks that make sense in Python). */
const PYTHON_CELLS: Array<[id: string, source: string, tags?: string[]]> = [
  ["expression", "1 + 1"],
  ["redeclare-x", 'x = "now a string"\nx.upper()'],
  [
    "custom-display",
    "class Gauge:\n    def _repr_html_(self):\n        return '<div>reservoir: <meter value=\"0.72\"></meter> 72%</div>'\n    def __repr__(self):\n        return 'reservoir: 72%'\nGauge()",
  ],
  ["console", 'import sys\nprint("console.log goes to stdout")\nprint("console.warn goes to stderr", file=sys.stderr)', ["expected-stderr"]],
  [
    "timer",
    'import threading, time\nthreading.Timer(0.05, lambda: print("printed by a timer 50 ms later")).start()\nprint("the cell goes on")\ntime.sleep(0.3)',
  ],
  [
    "progress",
    'import time\nfrom IPython.display import display\nprogress = display("starting…", display_id=True)\nfor step in range(1, 6):\n    time.sleep(0.02)\n    progress.update(f"step {step} of 5")',
  ],
  ["display-id", 'from IPython.display import HTML\nstatus = display(HTML("<i>waiting…</i>"), display_id="pipeline-status")'],
  ["display-update", 'status.update(HTML("<b>done</b>"))\nstatus.display_id'],
  [
    "clear-output",
    'from IPython.display import clear_output\nprint("this line disappears")\nclear_output(wait=True)\nprint("only this line remains")',
  ],
];

const PYTHON_CHECKS: Record<string, Check> = {
  expression: expectResult("2"),
  "redeclare-x": expectResult("'NOW A STRING'"),
  "custom-display": TOUR_CHECKS["custom-display"]!,
  console: (outputs) => {
    expect(streamText(outputs, "stdout")).toBe("console.log goes to stdout\n");
    expect(streamText(outputs, "stderr")).toBe("console.warn goes to stderr\n");
  },
  timer: TOUR_CHECKS["timer"]!,
  progress: TOUR_CHECKS["progress"]!,
  "display-id": TOUR_CHECKS["display-id"]!,
  "display-update": expectResult("'pipeline-status'"),
  "clear-output": TOUR_CHECKS["clear-output"]!,
};

function pythonNotebook(cells: Array<[id: string, source: string, tags?: string[]]>): Notebook {
  return {
    cells: cells.map(([id, source, tags]) => ({
      cell_type: "code",
      id,
      source,
      metadata: tags ? { tags } : {},
      outputs: [],
      execution_count: null,
    })),
    metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" }, language_info: { name: "python" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function tsNotebook(cells: Array<[id: string, source: string]>): Notebook {
  return {
    cells: cells.map(([id, source]) => ({ cell_type: "code", id, source, metadata: {}, outputs: [], execution_count: null })),
    metadata: {
      kernelspec: { name: "sluice", display_name: "TypeScript (Sluice)", language: "typescript" },
      language_info: { name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const FAILING_CELLS: Record<string, Notebook> = {
  sluice: tsNotebook([
    ["fine", "const before = 1;"],
    ["boom", 'throw new Error("boom from the tour");'],
    ["after", "console.log('never runs');"],
  ]),
  python3: pythonNotebook([
    ["fine", "before = 1"],
    ["boom", 'raise ValueError("boom from the tour")'],
    ["after", "print('never runs')"],
  ]),
};

function explain(run: ExecutedNotebook): string {
  return `${run.ok ? "" : `the tool failed:\n${run.stderr}\n`}${run.notebook ? notebookProblems(run.notebook).join("\n\n") : "no notebook written"}`;
}

describe(`the tour notebook executed by Jupyter tools (kernel "${KERNEL}")`, () => {
  let jupyter: JupyterEnv;
  let notebookPath: string;
  let checks: Record<string, Check>;
  let outputDir: string;

  beforeAll(async () => {
    if (KERNEL === "sluice") await ensureSluiceBuilt();
    jupyter = await createJupyterEnv();
    await prepareKernel(jupyter, KERNEL);
    outputDir = path.join(jupyter.root, "out");
    await mkdir(outputDir, { recursive: true });
    if (KERNEL === "sluice") {
      notebookPath = TOUR_NOTEBOOK;
      checks = TOUR_CHECKS;
    } else if (KERNEL === "python3") {
      notebookPath = path.join(jupyter.root, "python-tour.ipynb");
      await writeFile(notebookPath, JSON.stringify(pythonNotebook(PYTHON_CELLS), null, 1));
      checks = PYTHON_CHECKS;
    } else {
      throw new Error(`$SLUICE_E2E_KERNEL=${KERNEL}: no notebook for this kernel (known: sluice, python3)`);
    }
  });

  afterAll(async () => {
    await jupyter?.cleanup();
  });

  describe("with jupyter nbconvert --execute", () => {
    let run: ExecutedNotebook;

    beforeAll(async () => {
      run = await executeWithNbconvert({
        env: jupyter.env,
        input: notebookPath,
        outputDir,
        outputName: "nbconvert.ipynb",
        kernelName: KERNEL,
        // A failing cell is reported by the first test; the other cells' checks still run.
        allowErrors: true,
      });
    }, RUN_TIMEOUT);

    it("finishes with every code cell executed and no error output", () => {
      expect(run.ok, explain(run)).toBe(true);
      expect(run.notebook, explain(run)).toBeDefined();
      expect(notebookProblems(run.notebook!)).toEqual([]);
      expect(run.notebook!.metadata.language_info?.name).toBe(KERNEL === "sluice" ? "typescript" : "python");
    });

    it("checks every cell it names", () => {
      // A renamed or deleted tour cell must not silently skip its check.
      const ids = new Set(run.notebook?.cells.map((c) => c.id));
      expect(Object.keys(checks).filter((id) => !ids.has(id))).toEqual([]);
    });

    it.each(Object.keys(KERNEL === "sluice" ? TOUR_CHECKS : PYTHON_CHECKS))("cell %s shows what it should", (id) => {
      expect(run.notebook, explain(run)).toBeDefined();
      checks[id]!(outputsOf(run.notebook!, id));
    });
  });

  it(
    "also runs to the end under nbclient with no error output",
    async () => {
      const run = await executeWithNbclient({
        env: jupyter.env,
        input: notebookPath,
        outputDir,
        outputName: "nbclient.ipynb",
        kernelName: KERNEL,
        allowErrors: true,
      });
      expect(run.ok, explain(run)).toBe(true);
      expect(notebookProblems(run.notebook!)).toEqual([]);
      checks["expression"]!(outputsOf(run.notebook!, "expression"));
    },
    RUN_TIMEOUT,
  );

  it(
    "makes nbconvert fail, naming the error, when a cell throws",
    async () => {
      const failing = path.join(jupyter.root, "failing.ipynb");
      await writeFile(failing, JSON.stringify(FAILING_CELLS[KERNEL]!, null, 1));
      const run = await executeWithNbconvert({
        env: jupyter.env,
        input: failing,
        outputDir,
        outputName: "failing.out.ipynb",
        kernelName: KERNEL,
      });
      expect(run.ok).toBe(false);
      expect(run.stderr).toContain("boom from the tour");
      expect(run.stderr).not.toContain("never runs");
    },
    RUN_TIMEOUT,
  );
});
