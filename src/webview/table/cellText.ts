// What a cell shows on its one line. The full value stays in the cell's hover text (title), in
// copies and in what the filter searches. No DOM here (unit tested).

/** Shown where a value has a line break (a one-line cell would otherwise show it as a space). */
export const LINE_BREAK_MARK = '↵';

/** The one-line text of a cell value: each line break (\r\n, \n or \r) becomes ↵. */
export function cellDisplayText(value: string): string {
  return value.indexOf('\n') < 0 && value.indexOf('\r') < 0 ? value : value.replace(/\r\n|\r|\n/g, LINE_BREAK_MARK);
}
