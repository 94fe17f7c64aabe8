// What a copy puts on the clipboard: the selected cells as tab-separated text, as spreadsheets
// copy and paste it. Cells hold their full values (line breaks included, not the ↵ shown).
// No DOM here (unit tested).
import { toTsv, type CopyCell } from '../../shared/tsv';
import type { Model } from '../model';
import { selRange } from './selection';
import { columnText } from './sortFilter';
import type { TableView } from './tableView';

/** The selected cells of the view as TSV, in view order; undefined when nothing is selected. */
export function selectionTsv(model: Model, view: TableView): string | undefined {
  const cells = selectionCells(model, view);
  return cells && toTsv(cells.map((r) => r.map((c) => (typeof c === 'string' ? c : model.resultText(c.resultOf)))));
}

/**
 * The selected cells in view order; a result the view holds only the start of is `{ resultOf }`
 * (the extension fills in its whole value). Undefined when nothing is selected.
 */
export function selectionCells(model: Model, view: TableView): CopyCell[][] | undefined {
  const s = view.sel;
  if (!s) return undefined;
  const { r0, r1, c0, c1 } = selRange(s);
  const getters = view.cols.slice(c0, c1 + 1).map((c): ((i: number) => CopyCell) => {
    const text = columnText(model, c.key);
    return c.key === 'result' ? (i) => (model.resultIsPartial(i) ? { resultOf: i } : text(i)) : text;
  });
  const out: CopyCell[][] = [];
  for (let p = r0; p <= r1; p++) {
    const i = view.indexAt(p);
    out.push(getters.map((g) => g(i)));
  }
  return out;
}

/** True when a cell of the block is a result whose whole value only the extension has. */
export const holdsPartialResults = (cells: CopyCell[][]): boolean => cells.some((r) => r.some((c) => typeof c !== 'string'));
