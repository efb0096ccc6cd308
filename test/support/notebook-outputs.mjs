/**
 * Reading an executed notebook (nbformat 4): find cells, collect their output, list what went wrong,
 * summarise it for people.
 */

/**
 * @typedef {{ [mime: string]: unknown }} MimeBundle
 *
 * @typedef {object} Output
 * @property {"stream" | "display_data" | "execute_result" | "error" | string} output_type
 * @property {"stdout" | "stderr"} [name]      stream outputs
 * @property {string | string[]} [text]        stream outputs
 * @property {MimeBundle} [data]               display_data / execute_result
 * @property {Record<string, unknown>} [metadata]
 * @property {number | null} [execution_count] execute_result
 * @property {string} [ename]                  error
 * @property {string} [evalue]                 error
 * @property {string[]} [traceback]            error
 *
 * @typedef {object} Cell
 * @property {"code" | "markdown" | "raw"} cell_type
 * @property {string} [id]
 * @property {string | string[]} source
 * @property {{ tags?: string[], [key: string]: unknown }} metadata
 * @property {Output[]} [outputs]
 * @property {number | null} [execution_count]
 *
 * @typedef {object} Notebook
 * @property {Cell[]} cells
 * @property {Record<string, unknown> & { kernelspec?: { name: string, display_name?: string, language?: string }, language_info?: { name: string } }} metadata
 * @property {number} nbformat
 * @property {number} nbformat_minor
 */

/** Cells tagged with this may write "Error" on stderr on purpose (they demonstrate stderr). */
export const EXPECTED_STDERR_TAG = "expected-stderr";

/**
 * A notebook field that nbformat stores as a string or a list of lines, as one string.
 * @param {string | string[] | undefined} text
 * @returns {string}
 */
export function joinText(text) {
  return Array.isArray(text) ? text.join("") : (text ?? "");
}

/**
 * The cell with this id.
 * @param {Notebook} notebook
 * @param {string} id
 * @returns {Cell}
 */
export function cellById(notebook, id) {
  const cell = notebook.cells.find((c) => c.id === id);
  if (!cell) throw new Error(`the notebook has no cell with id "${id}"`);
  return cell;
}

/**
 * Outputs of the code cell with this id.
 * @param {Notebook} notebook
 * @param {string} id
 * @returns {Output[]}
 */
export function outputsOf(notebook, id) {
  const cell = cellById(notebook, id);
  if (cell.cell_type !== "code") throw new Error(`cell "${id}" is a ${cell.cell_type} cell, not a code cell`);
  return cell.outputs ?? [];
}

/**
 * All text a cell wrote to one stream.
 * @param {Output[]} outputs
 * @param {"stdout" | "stderr"} name
 * @returns {string}
 */
export function streamText(outputs, name) {
  return outputs
    .filter((o) => o.output_type === "stream" && o.name === name)
    .map((o) => joinText(o.text))
    .join("");
}

/**
 * A mime bundle as the kernel sent it: nbformat stores text mimes as lists of lines on disk; they are
 * joined back into strings (JSON mimes such as application/json stay as they are).
 * @param {MimeBundle | undefined} data
 * @returns {MimeBundle}
 */
export function normalizeBundle(data) {
  /** @type {MimeBundle} */
  const bundle = {};
  for (const [mime, value] of Object.entries(data ?? {})) {
    const isJson = mime === "application/json" || mime.endsWith("+json");
    bundle[mime] = !isJson && Array.isArray(value) && value.every((v) => typeof v === "string") ? value.join("") : value;
  }
  return bundle;
}

/**
 * The text/plain of the cell's execute_result, or undefined when it has none.
 * @param {Output[]} outputs
 * @returns {string | undefined}
 */
export function resultText(outputs) {
  const result = outputs.find((o) => o.output_type === "execute_result");
  if (!result) return undefined;
  const plain = normalizeBundle(result.data)["text/plain"];
  return typeof plain === "string" ? plain : undefined;
}

/**
 * The mime bundles (normalised) of a cell's display_data and execute_result outputs, in order.
 * @param {Output[]} outputs
 * @returns {MimeBundle[]}
 */
export function richOutputs(outputs) {
  return outputs
    .filter((o) => o.output_type === "display_data" || o.output_type === "execute_result")
    .map((o) => normalizeBundle(o.data));
}

/**
 * What is wrong with an executed notebook: error outputs, stderr mentioning "Error" in cells not tagged
 * `expected-stderr`, and code cells that did not run (no execution count). Empty when all is well.
 * @param {Notebook} notebook
 * @returns {string[]}
 */
export function notebookProblems(notebook) {
  /** @type {string[]} */
  const problems = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const name = `cell ${index} (${cell.id ?? "no id"})`;
    if (typeof cell.execution_count !== "number") problems.push(`${name} was not executed`);
    const outputs = cell.outputs ?? [];
    for (const output of outputs) {
      if (output.output_type === "error") {
        const traceback = (output.traceback ?? []).join("\n").replace(/\u001b\[[0-9;]*m/g, "");
        problems.push(`${name} raised ${output.ename}: ${output.evalue}\n${traceback}`);
      }
    }
    const stderr = streamText(outputs, "stderr");
    if (/Error/.test(stderr) && !(cell.metadata.tags ?? []).includes(EXPECTED_STDERR_TAG)) {
      problems.push(`${name} wrote an error to stderr:\n${stderr}`);
    }
  });
  return problems;
}

/**
 * A short human summary: cell counts and output counts by type and mime.
 * @param {Notebook} notebook
 * @returns {string[]}
 */
export function summarizeNotebook(notebook) {
  const code = notebook.cells.filter((c) => c.cell_type === "code");
  const executed = code.filter((c) => typeof c.execution_count === "number").length;
  /** @type {Map<string, number>} */
  const counts = new Map();
  const bump = (/** @type {string} */ key) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const cell of code) {
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "stream") bump(`stream ${output.name}`);
      else if (output.data) for (const mime of Object.keys(output.data)) bump(`${output.output_type} ${mime}`);
      else bump(output.output_type);
    }
  }
  const lines = [
    `kernel: ${notebook.metadata.kernelspec?.name ?? "?"} (${notebook.metadata.language_info?.name ?? "?"})`,
    `cells: ${notebook.cells.length} (${code.length} code, ${executed} executed)`,
    "outputs:",
  ];
  for (const [key, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${String(count).padStart(3)}  ${key}`);
  return lines;
}
