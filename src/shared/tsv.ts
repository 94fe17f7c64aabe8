// Tab-separated text of table cells, as spreadsheets copy and paste it: what a copy in the locator
// editor puts on the clipboard (the webview, or the extension when a cell's whole value lives there).

/**
 * One copied cell: its text, or the result of row `resultOf` when the view holds only its start
 * (ResultView.fullLength): the extension puts the whole value in its place.
 */
export type CopyCell = string | { resultOf: number };

/** Tab-separated text of a block of cells (quoted like spreadsheets do when a cell needs it). */
export function toTsv(rows: string[][]): string {
  return rows.map((r) => r.map(tsvCell).join('\t')).join('\n');
}

/** A cell with a tab, a line break or a quote is quoted, its quotes doubled. */
export function tsvCell(v: string): string {
  return /[\t\n\r"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
