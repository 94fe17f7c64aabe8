// The table's columns (row number, Status and Result once there are results, then the locator's
// own) and how wide each should be to fit a sample of its values. No DOM here: text is measured by
// the function the caller passes (a canvas in the webview).
import type { Model } from '../model';
import { cellDisplayText } from './cellText';
import { dataColumnKey } from './sortFilter';

export type ColKind = 'rownum' | 'status' | 'result' | 'data';

export interface Col {
  key: string;
  title: string;
  kind: ColKind;
  /** Locator column index for kind 'data'. */
  data: number;
  /** Every value of the sample is a number: right-aligned. */
  numeric: boolean;
}

export const MIN_WIDTH = 36;
export const MAX_AUTO_WIDTH = 420;
/** Rows looked at when fitting widths. */
export const SAMPLE_ROWS = 2000;
/** Values measured per column (the longest of the sample). */
const LONGEST = 6;
const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$|^\s*nan\s*$/i;
export const CELL_PAD = 19; // 8px padding each side + 1px border (.cell in webview.css) + 2px so sub-pixel text fits

/** The columns for the model as it is now; `old` lends each column whether it was numeric. */
export function buildColumns(m: Model, old: readonly Col[]): Col[] {
  const cols: Col[] = [{ key: 'rownum', title: '#', kind: 'rownum', data: -1, numeric: true }];
  if (m.hasResults) {
    cols.push({ key: 'status', title: 'Status', kind: 'status', data: -1, numeric: false });
    cols.push({ key: 'result', title: 'Result', kind: 'result', data: -1, numeric: false });
  }
  m.columns.forEach((name, i) => cols.push({ key: dataColumnKey(i), title: name, kind: 'data', data: i, numeric: false }));
  for (const c of cols) c.numeric = old.find((o) => o.key === c.key)?.numeric ?? false;
  return cols;
}

/** Columns frozen at the left edge: the row number, and Status when shown. */
export function stickyCount(cols: readonly Col[]): number {
  return cols[1]?.kind === 'status' ? 2 : 1;
}

/** Pixel width of a text in the data font, or in the header's (bold) font. */
export type Measure = (text: string, header: boolean) => number;

export interface FittedWidths {
  /** Width each column needs for the rows sampled, by column key. */
  widths: Map<string, number>;
  /** Rows sampled (SAMPLE_ROWS once every row is in: no need to look again). */
  sampled: number;
  /** Some column's `numeric` changed (its cells and header align differently). */
  numericChanged: boolean;
}

/** Fits every column to the first SAMPLE_ROWS rows; sets each data column's `numeric`. */
export function fitColumns(m: Model, cols: Col[], measure: Measure): FittedWidths {
  const limit = Math.min(m.rowCount, SAMPLE_ROWS);
  const sample: number[] = [];
  for (let i = 0; i < limit; i++) if (m.rows[i]) sample.push(i);
  const widths = new Map<string, number>();
  let numericChanged = false;
  for (const c of cols) {
    let w: number;
    if (c.kind === 'rownum') {
      w = measure('0'.repeat(String(Math.max(m.rowCount, 9)).length), false) + CELL_PAD + 4;
    } else if (c.kind === 'status') {
      w = Math.max(measure('cancelled', false), measure('Status', true) + 16) + 16 + 6 + CELL_PAD;
    } else if (c.kind === 'result') {
      // Fit the results seen so far (grow only), between 160 and 360 px.
      const longest = new Longest();
      for (let i = 0, seen = 0; i < m.rowCount && seen < SAMPLE_ROWS; i++) {
        if (!m.results[i]) continue;
        seen++;
        longest.add(m.resultText(i));
      }
      w = Math.min(360, Math.max(160, longest.widest((v) => measure(cellDisplayText(v), false)) + CELL_PAD));
    } else {
      // measureText is slow (~15 µs): measure only the longest few values of the sample.
      const longest = new Longest();
      let numeric = sample.length > 0;
      let any = false;
      for (const i of sample) {
        const v = m.rows[i]![c.data] ?? '';
        if (v === '') continue;
        any = true;
        if (numeric && !NUMERIC.test(v)) numeric = false;
        longest.add(v);
      }
      const max = longest.widest((v) => measure(cellDisplayText(v), false));
      if (c.numeric !== (numeric && any)) {
        c.numeric = numeric && any;
        numericChanged = true;
      }
      w = Math.min(MAX_AUTO_WIDTH, Math.max(max + CELL_PAD, measure(c.title, true) + CELL_PAD + 20));
    }
    widths.set(c.key, Math.max(MIN_WIDTH, Math.ceil(w)));
  }
  return { widths, sampled: m.rowsComplete ? SAMPLE_ROWS : sample.length, numericChanged };
}

/** The LONGEST longest strings seen (by length): measureText is slow, so only these are measured. */
export class Longest {
  private readonly values: string[] = [];

  add(v: string): void {
    const values = this.values;
    if (values.length < LONGEST) {
      values.push(v);
      return;
    }
    let k = 0;
    for (let j = 1; j < LONGEST; j++) if (values[j].length < values[k].length) k = j;
    if (v.length > values[k].length) values[k] = v;
  }

  /** Pixel width of the widest of them. */
  widest(measure: (s: string) => number): number {
    let max = 0;
    for (const v of this.values) max = Math.max(max, measure(v));
    return max;
  }
}
