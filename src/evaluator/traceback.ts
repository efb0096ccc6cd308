/**
 * Turns a thrown value into Jupyter's error triple (ename, evalue, traceback) with stack frames that
 * point at the cells' own lines and columns, an excerpt of the failing cell line, and Sluice's own
 * frames removed.
 */
import { inspect } from "node:util";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { ErrorContent } from "../kernel/interpreter.js";
import type { CellSources } from "./cell-sources.js";

const RED = "\u001b[0;31m";
const GREEN = "\u001b[0;32m";
const CYAN = "\u001b[0;36m";
const BOLD_RED = "\u001b[1;31m";
const RESET = "\u001b[0m";

/** Directory of Sluice's own code (src/ or dist/): frames from there are the kernel's, not the user's. */
const OWN_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** A V8 stack frame line: `    at name (file:line:col)` or `    at file:line:col`. */
const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

interface MappedFrame {
  text: string;
  cell?: { fileName: string; line: number; column: number };
}

function mapFrames(stack: string, sources: CellSources): MappedFrame[] {
  const frames: MappedFrame[] = [];
  for (const raw of stack.split("\n")) {
    const m = FRAME.exec(raw);
    if (!m) continue;
    const [, fnName, file = "", lineText = "0", colText = "0"] = m;
    if (sources.has(file)) {
      const cell = sources.get(file)!;
      const pos = sources.originalPosition(file, Number(lineText), Number(colText));
      if (!pos) continue;
      const name = fnName && !/^(async )?<?anonymous>?$/.test(fnName) ? fnName : "<cell>";
      frames.push({
        text: `    at ${name} (${cell.label}:${pos.line}:${pos.column})`,
        cell: { fileName: file, line: pos.line, column: pos.column },
      });
      continue;
    }
    if (file.startsWith("node:") || file === "native" || file.startsWith("internal/")) continue;
    const filePath = file.startsWith("file://") ? fileURLToPath(file) : file;
    if (filePath.startsWith(OWN_DIR + path.sep)) continue;
    frames.push({ text: raw.replace(/^\s*/, "    ") });
  }
  return frames;
}

function excerpt(sources: CellSources, at: { fileName: string; line: number; column: number }): string[] {
  const cell = sources.get(at.fileName);
  if (!cell) return [];
  const lines = cell.code.split("\n");
  const first = Math.max(1, at.line - 2);
  const last = Math.min(lines.length, at.line + 2);
  const width = String(last).length;
  const out = [`${CYAN}${cell.label}${RESET}, line ${at.line}, column ${at.column}:`];
  for (let n = first; n <= last; n++) {
    const marker = n === at.line ? `${GREEN}--> ` : "    ";
    out.push(`${marker}${String(n).padStart(width)}${RESET} | ${lines[n - 1] ?? ""}`);
    if (n === at.line) out.push(`    ${" ".repeat(width)} | ${" ".repeat(Math.max(0, at.column - 1))}${BOLD_RED}^${RESET}`);
  }
  return out;
}

/** Name and message of any thrown value. */
export function describeThrown(value: unknown): { ename: string; evalue: string } {
  if (value instanceof Error) {
    const ctorName = value.constructor?.name;
    const ename = value.name && value.name !== "Error" ? value.name : ctorName && ctorName !== "Object" ? ctorName : "Error";
    return { ename, evalue: value.message };
  }
  if (value !== null && typeof value === "object" && "message" in value && typeof value.message === "string") {
    const name = "name" in value && typeof value.name === "string" ? value.name : "Error";
    return { ename: name, evalue: value.message };
  }
  return { ename: "Uncaught", evalue: inspect(value, { depth: 2 }) };
}

/** Builds the error content for a thrown value. */
export function buildErrorContent(value: unknown, sources: CellSources): ErrorContent {
  const { ename, evalue } = describeThrown(value);
  const stack = value instanceof Error && typeof value.stack === "string" ? value.stack : "";
  const all = mapFrames(stack, sources);
  // Frames below the outermost cell frame are the kernel calling the cell: not the user's business.
  let lastCell = -1;
  all.forEach((f, i) => {
    if (f.cell) lastCell = i;
  });
  const frames = lastCell >= 0 ? all.slice(0, lastCell + 1) : all;
  const traceback: string[] = [`${RED}${ename}${RESET}: ${evalue}`];
  const firstCell = frames.find((f) => f.cell);
  if (firstCell?.cell) traceback.push(excerpt(sources, firstCell.cell).join("\n"));
  if (frames.length > 0) traceback.push(frames.map((f) => f.text).join("\n"));
  const cause = value instanceof Error ? (value as { cause?: unknown }).cause : undefined;
  if (cause !== undefined) {
    const inner = buildErrorContent(cause, sources);
    traceback.push(`Caused by: ${inner.traceback.join("\n")}`);
  }
  return { ename, evalue, traceback };
}

/** Error content for diagnostics found before running (syntax or type errors). */
export function diagnosticsErrorContent(
  ename: string,
  label: string,
  code: string,
  diagnostics: { line: number; column: number; message: string; code?: number }[],
): ErrorContent {
  const lines = code.split("\n");
  const traceback: string[] = [];
  for (const d of diagnostics) {
    const tsCode = d.code ? ` TS${d.code}` : "";
    const src = lines[d.line - 1] ?? "";
    traceback.push(
      `${CYAN}${label}${RESET}, line ${d.line}, column ${d.column}: ${RED}error${tsCode}${RESET}: ${d.message}\n` +
        `    ${src}\n    ${" ".repeat(Math.max(0, d.column - 1))}${BOLD_RED}^${RESET}`,
    );
  }
  const first = diagnostics[0];
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
  const evalue = first ? `${label}:${first.line}:${first.column}: ${first.message}${more}` : "";
  return { ename, evalue, traceback: [`${RED}${ename}${RESET}: ${evalue}`, ...traceback] };
}
