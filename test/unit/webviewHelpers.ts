// Feeds the webview's Model as the extension does: an `init`, then the locator's rows in slices
// coded by the real RowSliceEncoder and carried through JSON, as postMessage carries them.
import type { InitMessage, ProgressView, ResultView, RunSettingsView } from '../../src/shared/protocol';
import { RowSliceEncoder } from '../../src/shared/rowSlices';
import { Model } from '../../src/webview/model';

export const SETTINGS: RunSettingsView = {
  mode: 'sequential',
  workers: 1,
  resultType: 'value',
  isPatch: false,
  onError: 'continue',
  column: 'result',
};

export function initMessage(columns: string[], rowCount: number, run?: InitMessage['run']): InitMessage {
  return { type: 'init', kind: 'editor', title: 't.locator.csv', columns, rowCount, settings: SETTINGS, trusted: true, modes: ['sequential', 'async', 'process'], run };
}

/** Sends rows [start, end) as one `rows` message; `last` adds the locator's row count. */
export function sendRows(model: Model, enc: RowSliceEncoder, rows: string[][], start: number, end: number, last: boolean): void {
  const slice = rows.slice(start, end);
  const columnCount = model.columns.length;
  const cells = Array.from({ length: columnCount }, (_, c) => slice.map((r) => r[c]));
  const columns = JSON.parse(JSON.stringify(enc.encode(cells)));
  model.addRows({ type: 'rows', start, count: slice.length, columns, total: last ? rows.length : undefined });
}

/** A model holding `rows` (all of them, sent in slices of `slice`). */
export function modelWith(columns: string[], rows: string[][], slice = 1000): Model {
  const m = new Model();
  m.init(initMessage(columns, rows.length));
  const enc = new RowSliceEncoder();
  for (let s = 0; s < rows.length; s += slice) sendRows(m, enc, rows, s, Math.min(rows.length, s + slice), s + slice >= rows.length);
  if (!rows.length) sendRows(m, enc, rows, 0, 0, true);
  return m;
}

export function progress(p: Partial<ProgressView> & { total: number }): ProgressView {
  return { finished: 0, done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0, rowsPerSecond: 0, elapsedMs: 0, ...p };
}

export function done(index: number, text: string): ResultView {
  return { index, status: 'done', text };
}
