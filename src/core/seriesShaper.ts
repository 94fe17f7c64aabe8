// Series results shaped one record at a time (batch_process's rules; see shapeResults in ./run.ts),
// so an output can be written row by row and a summary's warning needs no copy of every result row.
import { formatCell } from './encode';
import type { Row, RowRecord } from './types';

export class SeriesShaper {
  private readonly original: Set<string>;
  /** Columns not in the original locator, in the order results first name them. */
  private readonly added: string[] = [];
  private readonly seen = new Set<string>();
  private readonly problems: number[] = [];
  private count = 0;

  constructor(
    private readonly rows: readonly Row[],
    private readonly columns: readonly string[],
    private readonly isPatch: boolean,
  ) {
    this.original = new Set(columns);
  }

  /**
   * The result row this record gives, or undefined when it gives none: a row whose apply returned
   * nothing (or not a row object) is dropped; a skipped or failed row is kept as it was only with
   * isPatch.
   */
  rowOf(rec: RowRecord): Row | undefined {
    let row: Row | undefined;
    if (rec.status === 'done') {
      const v = rec.value;
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'object' || Array.isArray(v)) {
        this.problems.push(rec.index);
        return undefined;
      }
      row = {};
      for (const [k, cell] of Object.entries(v)) {
        row[k] = typeof cell === 'string' ? cell : formatCell(cell);
        if (!this.seen.has(k)) {
          this.seen.add(k);
          if (!this.original.has(k)) this.added.push(k);
        }
      }
    } else if (this.isPatch) {
      row = { ...this.rows[rec.index] };
      for (const k of this.columns) this.seen.add(k);
    }
    if (row) this.count++;
    return row;
  }

  /**
   * As pandas builds a frame from the result rows: the columns the rows have (the original ones
   * first, in their order), or the original columns when there are no rows. Final once every
   * record went through rowOf.
   */
  outputColumns(): string[] {
    return this.count ? [...this.columns.filter((c) => this.seen.has(c)), ...this.added] : [...this.columns];
  }

  warning(): string | undefined {
    const warnings: string[] = [];
    if (this.problems.length) {
      warnings.push(
        `apply returned something other than a row object for ${this.problems.length} row(s) (first: row ${this.problems[0]}); series results need objects, so they were left out`,
      );
    }
    if (!this.count) warnings.push('no rows in the result: the new locator is empty (it keeps the original columns)');
    return warnings.join('; ') || undefined;
  }
}

/** Walks the records without keeping a result row: the columns and warning a series output will have. */
export function seriesOutline(records: readonly RowRecord[], rows: readonly Row[], columns: readonly string[], isPatch: boolean) {
  const shaper = new SeriesShaper(rows, columns, isPatch);
  for (const rec of records) shaper.rowOf(rec);
  return { columns: shaper.outputColumns(), warning: shaper.warning() };
}
