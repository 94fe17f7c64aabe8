// How the selection moves: a rectangle of cells between an anchor and a focus, in view positions
// (rows as shown, after sort and filter) and column indices. Column 0, the row number, is never
// selected itself: clicking it selects the whole row. No DOM here (unit tested).

export interface Sel {
  /** Anchor row and column (where a Shift+click or Shift+arrow extends from). */
  ar: number;
  ac: number;
  /** Focus row and column (the cell the keyboard moves). */
  fr: number;
  fc: number;
}

export interface SelRange {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

/** The selected rectangle, first to last row and column. */
export function selRange(s: Sel): SelRange {
  return {
    r0: Math.min(s.ar, s.fr),
    r1: Math.max(s.ar, s.fr),
    c0: Math.min(s.ac, s.fc),
    c1: Math.max(s.ac, s.fc),
  };
}

export function isSingleCell(s: Sel): boolean {
  return s.ar === s.fr && s.ac === s.fc;
}

/** One cell: anchor and focus together. */
export function cellSel(row: number, col: number): Sel {
  return { ar: row, ac: col, fr: row, fc: col };
}

/** Every cell of `rows` rows (Ctrl/Cmd+A). */
export function selectAll(rows: number, lastCol: number): Sel | null {
  return rows > 0 ? { ar: 0, ac: 1, fr: rows - 1, fc: lastCol } : null;
}

/**
 * A mouse press on the cell at (pos, col): a click selects that cell, Shift+click extends the
 * current selection to it, a click on the row number selects the whole row (Shift: the rows from
 * the anchor's to this one).
 */
export function clickSelection(cur: Sel | null, pos: number, col: number, shift: boolean, lastCol: number): Sel {
  if (col === 0) return { ar: shift && cur ? cur.ar : pos, ac: 1, fr: pos, fc: lastCol };
  if (shift && cur) return { ...cur, fr: pos, fc: col };
  return cellSel(pos, col);
}

/** The mouse, held down, entered the cell at (pos, col): the focus follows it (undefined: no change). */
export function dragSelection(cur: Sel, pos: number, col: number): Sel | undefined {
  const fc = col === 0 ? cur.fc : col;
  return pos !== cur.fr || fc !== cur.fc ? { ...cur, fr: pos, fc } : undefined;
}

export interface KeyMove {
  key: string;
  /** Ctrl (or Cmd on macOS). */
  mod: boolean;
  shift: boolean;
}

export interface GridSize {
  rows: number;
  lastCol: number;
  /** Rows one PageUp/PageDown moves. */
  pageRows: number;
}

/**
 * The selection after a navigation key (arrows, Page Up/Down, Home/End, each with Ctrl/Cmd to go
 * to the edge; with Shift the selection extends from its anchor), or after Escape (back to the
 * focused cell). Undefined when the key does not move the selection. `start` is the cell the first
 * key press lands on when nothing is selected yet.
 */
export function keySelection(cur: Sel | null, start: Sel, e: KeyMove, size: GridSize): Sel | undefined {
  const { rows: n, lastCol } = size;
  if (!n || lastCol < 1) return undefined;
  if (e.key === 'Escape') return cur && !isSingleCell(cur) ? cellSel(cur.fr, cur.fc) : undefined;
  const from = cur ?? start;
  let fr = from.fr;
  let fc = from.fc;
  switch (e.key) {
    case 'ArrowUp':
      fr = e.mod ? 0 : fr - 1;
      break;
    case 'ArrowDown':
      fr = e.mod ? n - 1 : fr + 1;
      break;
    case 'ArrowLeft':
      fc = e.mod ? 1 : fc - 1;
      break;
    case 'ArrowRight':
      fc = e.mod ? lastCol : fc + 1;
      break;
    case 'PageUp':
      fr -= size.pageRows;
      break;
    case 'PageDown':
      fr += size.pageRows;
      break;
    case 'Home':
      if (e.mod) fr = 0;
      else fc = 1;
      break;
    case 'End':
      if (e.mod) fr = n - 1;
      else fc = lastCol;
      break;
    default:
      return undefined;
  }
  fr = Math.max(0, Math.min(n - 1, fr));
  fc = Math.max(1, Math.min(lastCol, fc));
  return e.shift && cur ? { ...cur, fr, fc } : cellSel(fr, fc);
}
