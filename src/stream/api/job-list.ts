/**
 * `jobs()`: the jobs started in this process as a table (a notebook shows it as HTML), and
 * `jobs.stopAll()`.
 */
import type { Job } from "./job.js";

const DISPLAY = Symbol.for("Jupyter.display");

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function watermarkText(w: number): string {
  if (w === -Infinity) return "—";
  if (w === Infinity) return "end";
  return new Date(w).toISOString().replace("T", " ").replace("Z", "");
}

/** One line per job. */
export interface JobRow {
  readonly name: string;
  readonly status: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly watermark: string;
  readonly error: string;
}

/** The jobs of this process, displayable. */
export class JobList {
  constructor(readonly jobs: readonly Job[]) {}

  /** The table's rows. */
  rows(): JobRow[] {
    return this.jobs.map((job) => {
      const m = job.metrics();
      return {
        name: job.name,
        status: job.status,
        recordsIn: m.recordsIn,
        recordsOut: m.recordsOut,
        watermark: watermarkText(m.watermark),
        error: job.error?.message ?? "",
      };
    });
  }

  toString(): string {
    const rows = this.rows();
    if (rows.length === 0) return "no jobs";
    return rows.map((r) => `${r.name}: ${r.status}, ${r.recordsIn} in, ${r.recordsOut} out, watermark ${r.watermark}${r.error ? `, error: ${r.error}` : ""}`).join("\n");
  }

  [DISPLAY](): Record<string, string> {
    const rows = this.rows();
    const head = "<tr><th>job</th><th>status</th><th>records in</th><th>records out</th><th>watermark</th><th>error</th></tr>";
    const body = rows
      .map((r) => `<tr><td>${escape(r.name)}</td><td>${r.status}</td><td>${r.recordsIn}</td><td>${r.recordsOut}</td><td>${escape(r.watermark)}</td><td>${escape(r.error)}</td></tr>`)
      .join("");
    return { "text/html": `<table>${head}${body}</table>`, "text/plain": this.toString() };
  }
}
