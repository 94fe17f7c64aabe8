// Locator rows travel to the webview column by column. A locator repeats most of its columns on
// every row (Domain Tag, File Type, Sampling Rate, and above all Channel Names, ~150 characters of
// the ~256 a row of an EEGUnity locator holds): such a column is sent as codes into a list of its
// values, each value sent once. A 100k-row locator then moves ~10 MB instead of ~27 MB from the
// extension host to the webview, and the webview keeps one copy of each repeated value.
// Used by the extension (encoder) and the webview (decoder); no DOM, no `vscode`.

/**
 * One column of a slice of rows: its cells as they are, or codes into the column's value list,
 * which `added` extends first (values in the order of their codes).
 */
export type ColumnSlice = { cells: string[] } | { codes: number[]; added: string[] };

/** A column is coded when, in the first slice it appears in, a value repeats 4 times on average. */
const MIN_REPEATS = 4;
/** A coded column whose list would grow past this is sent as plain cells from then on. */
const MAX_VALUES = 1 << 16;

/** One per stream of slices (one `init` and the `rows` after it): it remembers what it sent. */
export class RowSliceEncoder {
  // Per column: undefined = not seen yet, null = plain, else value -> code.
  private readonly codes: (Map<string, number> | null | undefined)[] = [];

  /** `columns`: each column's cells for the rows of this slice, in row order. */
  encode(columns: readonly string[][]): ColumnSlice[] {
    return columns.map((cells, c) => {
      let codes = this.codes[c];
      if (codes === undefined) {
        const distinct = new Set(cells).size;
        codes = this.codes[c] = cells.length > 0 && distinct * MIN_REPEATS <= cells.length ? new Map() : null;
      }
      const coded = codes ? encodeColumn(cells, codes) : undefined;
      if (coded) return coded;
      this.codes[c] = null;
      return { cells };
    });
  }
}

/** Codes a column's cells, or undefined (nothing changed) when its list would grow too long. */
function encodeColumn(cells: readonly string[], codes: Map<string, number>): ColumnSlice | undefined {
  const added: string[] = [];
  const out = new Array<number>(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    let code = codes.get(v);
    if (code === undefined) {
      if (codes.size >= MAX_VALUES) {
        // Undo this slice's additions: the decoder never sees them.
        for (const a of added) codes.delete(a);
        return undefined;
      }
      code = codes.size;
      codes.set(v, code);
      added.push(v);
    }
    out[i] = code;
  }
  return { codes: out, added };
}

/** The webview's side: one per stream, reset with every `init`. */
export class RowSliceDecoder {
  private readonly values: string[][] = [];

  /** The slice's rows, each an array of its cells in column order. */
  decode(columns: readonly ColumnSlice[], count: number): string[][] {
    // Per column, the cell of row i; then rows built cell by cell (packed arrays, as JSON makes them).
    const cellOf = columns.map((col, c): ((i: number) => string) => {
      if ('cells' in col) return (i) => col.cells[i] ?? '';
      const values = (this.values[c] ??= []);
      for (const v of col.added) values.push(v);
      return (i) => values[col.codes[i]] ?? '';
    });
    const rows: string[][] = [];
    for (let i = 0; i < count; i++) {
      const row: string[] = [];
      for (const cell of cellOf) row.push(cell(i));
      rows.push(row);
    }
    return rows;
  }
}
