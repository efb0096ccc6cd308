#!/usr/bin/env node
/**
 * `npm run quickstart`: builds the kernel if needed, installs its kernelspec into the repository-local
 * prefix .sluice/jupyter (nothing is written to $HOME), executes notebooks/quickstart.ipynb (Nexmark
 * pipelines writing to the embedded HBase store in notebooks/.sluice/hbase) with
 * `jupyter nbconvert --execute` and prints where the executed notebook is and what it contains.
 * Exits non-zero when any step fails or the notebook has an error output.
 */
import path from "node:path";
import { createJupyterEnv } from "./jupyter-env.mjs";
import { ensureSluiceBuilt, installSluiceKernelspec } from "./kernelspec.mjs";
import { notebookProblems, summarizeNotebook } from "./notebook-outputs.mjs";
import { executeWithNbconvert, exportHtml } from "./notebook-runner.mjs";
import { REPO_ROOT, QUICKSTART_NOTEBOOK } from "./paths.mjs";

const STATE_DIR = path.join(REPO_ROOT, ".sluice");
const OUTPUT_NAME = "quickstart.out.ipynb";

/** @param {string} message */
function step(message) {
  console.log(`\n▸ ${message}`);
}

async function main() {
  step("building the kernel (if dist/ is missing)");
  await ensureSluiceBuilt();

  const jupyter = await createJupyterEnv({ root: STATE_DIR, prefix: path.join(STATE_DIR, "jupyter") });
  step(`installing the kernelspec into ${path.relative(REPO_ROOT, jupyter.prefix)}`);
  const kernelJson = await installSluiceKernelspec(jupyter.prefix, jupyter.env);
  console.log(`  ${path.relative(REPO_ROOT, kernelJson)}`);

  step(`executing ${path.relative(REPO_ROOT, QUICKSTART_NOTEBOOK)} with jupyter nbconvert`);
  const run = await executeWithNbconvert({
    env: jupyter.env,
    input: QUICKSTART_NOTEBOOK,
    outputDir: STATE_DIR,
    outputName: OUTPUT_NAME,
    // Run every cell even if one fails, then list the failures.
    allowErrors: true,
    echo: true,
  });
  if (!run.ok || !run.notebook) {
    console.error(`\n✗ nbconvert failed${run.notebook ? "" : " and wrote no notebook"}.`);
    return 1;
  }

  console.log(`\nExecuted notebook: ${run.outputPath}`);
  for (const line of summarizeNotebook(run.notebook)) console.log(`  ${line}`);
  const problems = notebookProblems(run.notebook);
  if (problems.length > 0) {
    console.error(`\n✗ ${problems.length} problem(s):`);
    for (const problem of problems) console.error(`- ${problem}`);
    return 1;
  }
  console.log("\n✓ every cell ran without errors.");
  const html = await exportHtml({ env: jupyter.env, notebook: run.outputPath, outputDir: STATE_DIR, outputName: "quickstart.html" });
  console.log(`  HTML export (the charts are images in it): ${path.relative(process.cwd(), html)}`);
  console.log(`  Open it in JupyterLab: JUPYTER_PATH=${path.join(jupyter.prefix, "share", "jupyter")} jupyter lab ${path.relative(process.cwd(), run.outputPath)}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`\n✗ quickstart failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
