// The table's scroll position: kept from scroll and resize events (so drawing reads no layout),
// moved to reveal the focused cell, and restored from the saved state once enough rows are in.
import type { ColumnLayout } from './columnLayout';

export class Viewport {
  /** The scroller's height, from a ResizeObserver (0 until the first report). */
  height = 0;
  /** scroller.scrollTop as of the last scroll event (or our own write). */
  top = 0;
  /** A saved position to go back to once there are rows enough below it. */
  private pending: { top: number; left: number } | undefined;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly layout: ColumnLayout,
  ) {}

  /** Height of the rows' area (below the header). */
  rowsHeight(): number {
    return Math.max(0, this.height - this.layout.headerH);
  }

  setScrollTop(top: number): void {
    this.scroller.scrollTop = top;
    this.top = this.scroller.scrollTop;
  }

  /** The position to persist (the one still to be restored, if any). */
  saved(): { top: number; left: number } {
    return this.pending ?? { top: this.scroller.scrollTop, left: this.scroller.scrollLeft };
  }

  restoreLater(top: number, left: number): void {
    this.pending = { top, left };
  }

  /**
   * Goes to the saved position when `rows` rows reach below it (or every row is in); returns the
   * new scrollTop, or undefined when it did not move.
   */
  restore(rows: number, complete: boolean): number | undefined {
    const p = this.pending;
    const rowH = this.layout.rowH;
    const viewH = this.rowsHeight();
    if (!p || !(rows * rowH >= p.top + viewH || complete)) return undefined;
    this.scroller.scrollLeft = p.left;
    const top = Math.min(p.top, Math.max(0, rows * rowH - viewH));
    this.setScrollTop(top);
    this.pending = undefined;
    return top;
  }

  /** Scrolls just enough to show the cell at view position `pos`, column `ci`. */
  reveal(pos: number, ci: number): void {
    const s = this.scroller;
    const { rowH, headerH, widths } = this.layout;
    const viewH = (this.height || s.clientHeight) - headerH;
    const y = pos * rowH;
    if (y < s.scrollTop) this.setScrollTop(y);
    else if (y + rowH > s.scrollTop + viewH) this.setScrollTop(y + rowH - viewH);
    // Horizontally: the sticky columns cover the left edge.
    if (ci < this.layout.stickyCount()) return;
    const x = this.layout.xOf(ci);
    const sticky = this.layout.stickyWidth();
    const w = widths[ci] ?? 0;
    if (x - sticky < s.scrollLeft) s.scrollLeft = x - sticky;
    else if (x + w > s.scrollLeft + s.clientWidth) s.scrollLeft = Math.min(x - sticky, x + w - s.clientWidth);
  }

  /** Rows one Page Up/Down moves. */
  pageRows(): number {
    return Math.max(1, Math.floor(((this.height || this.scroller.clientHeight) - this.layout.headerH) / this.layout.rowH) - 1);
  }

  /** The first row wholly in view. */
  firstRow(): number {
    return Math.ceil(this.scroller.scrollTop / this.layout.rowH);
  }
}
