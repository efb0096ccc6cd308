/**
 * Remembers every evaluated cell's text and source map by the file name its script ran under, so
 * stack frames of errors (also errors thrown much later from a cell's timers) map back to the cell.
 */
import { SourceMapConsumer, type RawSourceMap } from "source-map-js";

/** One evaluated cell. */
export interface CellSource {
  /** How tracebacks name the cell, e.g. `Cell In[3]`. */
  readonly label: string;
  /** The cell's TypeScript text. */
  readonly code: string;
  readonly sourceMap: string;
}

const FILE_PREFIX = "sluice-cell-";

/** Registry of evaluated cells. */
export class CellSources {
  private readonly cells = new Map<string, { label: string; code: string; sourceMap: string; consumer?: SourceMapConsumer }>();
  private sequence = 0;

  /** Registers a cell; returns the file name its script must be run under. */
  add(cell: CellSource): string {
    const fileName = `${FILE_PREFIX}${++this.sequence}`;
    this.cells.set(fileName, { ...cell });
    return fileName;
  }

  /** Gives a re-run cell its new label (`Cell In[n]`). */
  relabel(fileName: string, label: string): void {
    const cell = this.cells.get(fileName);
    if (cell) this.cells.set(fileName, { ...cell, label });
  }

  /** Whether `fileName` is one of ours. */
  has(fileName: string): boolean {
    return this.cells.has(fileName);
  }

  get(fileName: string): CellSource | undefined {
    return this.cells.get(fileName);
  }

  /**
   * Maps a 1-based line/column of the generated script to the cell's own 1-based line/column.
   * Returns undefined when the position has no mapping (code the compiler synthesised).
   */
  originalPosition(fileName: string, line: number, column: number): { line: number; column: number } | undefined {
    const cell = this.cells.get(fileName);
    if (!cell) return undefined;
    cell.consumer ??= new SourceMapConsumer(JSON.parse(cell.sourceMap) as RawSourceMap);
    const pos = cell.consumer.originalPositionFor({ line, column: column - 1, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
    if (pos.line == null || pos.column == null) {
      const fallback = cell.consumer.originalPositionFor({ line, column: column - 1, bias: SourceMapConsumer.LEAST_UPPER_BOUND });
      if (fallback.line == null || fallback.column == null) return undefined;
      return { line: fallback.line, column: fallback.column + 1 };
    }
    return { line: pos.line, column: pos.column + 1 };
  }
}
