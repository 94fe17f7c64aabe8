// What a copy puts on the clipboard: the selected cells as tab-separated text, as spreadsheets
// copy and paste it. Cells hold their full values (line breaks included, not the ↵ shown).
// No DOM here (unit tested).
import type { Model } from '../model';
import { selRange } from './selection';
import { columnText } from './sortFilter';
import type { TableView } from './tableView';

/** Tab-separated text of a block of cells (quoted like spreadsheets do when a cell needs it). */
export function toTsv(rows: string[][]): string {
  return rows.map((r) => r.map(tsvCell).join('\t')).join('\n');
}

/** A cell with a tab, a line break or a quote is quoted, its quotes doubled. */
export function tsvCell(v: string): string {
  return /[\t\n\r"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The selected cells of the view as TSV, in view order; undefined when nothing is selected. */
export function selectionTsv(model: Model, view: TableView): string | undefined {
  const s = view.sel;
  if (!s) return undefined;
  const { r0, r1, c0, c1 } = selRange(s);
  const getters = view.cols.slice(c0, c1 + 1).map((c) => columnText(model, c.key));
  const out: string[][] = [];
  for (let p = r0; p <= r1; p++) {
    const i = view.indexAt(p);
    out.push(getters.map((g) => g(i)));
  }
  return toTsv(out);
}
