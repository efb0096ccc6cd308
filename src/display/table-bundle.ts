/**
 * A table as a mime bundle: an escaped HTML `<table>` for notebooks and an aligned text/plain table for
 * consoles and logs. Used for tabular results (HBase rows, windowed outputs).
 */
import type { FormattedValue } from "./mime-bundles.js";

/** A table to show: column headings and rows of cell texts. */
export interface TableData {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** A line above the table (e.g. "3 rows from table t"). */
  readonly caption?: string;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Longest cell text shown in text/plain before it is cut with "…". */
const PLAIN_CELL_WIDTH = 40;

function cut(text: string): string {
  const oneLine = text.replace(/\n/g, "\\n");
  return oneLine.length > PLAIN_CELL_WIDTH ? `${oneLine.slice(0, PLAIN_CELL_WIDTH - 1)}…` : oneLine;
}

/** The bundle of a table. Rows shorter than the header are padded with empty cells. */
export function tableBundle(table: TableData): FormattedValue {
  const { columns, rows, caption } = table;
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((_, i) => `<td>${escapeHtml(r[i] ?? "")}</td>`).join("")}</tr>`)
    .join("\n");
  const html =
    (caption ? `<p>${escapeHtml(caption)}</p>\n` : "") +
    `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;

  const cells = [columns.map(cut), ...rows.map((r) => columns.map((_, i) => cut(r[i] ?? "")))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const plain = [
    ...(caption ? [caption] : []),
    line(cells[0]!),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
  return { data: { "text/html": html, "text/plain": plain }, metadata: {} };
}
