// Mouse and keyboard in the table: click, Shift+click and drag select cells (the row number selects
// rows), arrows and Page/Home/End move (Shift extends, Ctrl/Cmd goes to the edge), Ctrl/Cmd+A
// selects all, Ctrl/Cmd+C copies, Enter or a click on an error's Result opens the failing line.
// Where the selection goes is decided in selection.ts; this file only reads the events.
import type { GridClipboard } from './clipboard';
import type { CellHit } from './rowRenderer';
import { type Sel, clickSelection, dragSelection, keySelection, selectAll } from './selection';
import type { TableView } from './tableView';

/** What the input handler needs from the table. */
export interface InputTarget {
  readonly view: TableView;
  readonly clipboard: GridClipboard;
  focus(): void;
  /** Sets the selection and redraws; `reveal` scrolls its focused cell into view. */
  setSel(sel: Sel | null, reveal: boolean): void;
  cellAt(target: EventTarget | null): CellHit | undefined;
  /** Opens the apply file where row `idx` failed, or the whole of a large value; false when there is neither. */
  openResultAt(idx: number): boolean;
  /** Rows one Page Up/Down moves. */
  pageRows(): number;
  /** The cell the first arrow press selects when nothing is selected. */
  firstVisibleCell(): Sel;
  stateChanged(): void;
}

export class TableInput {
  private dragging = false;
  private dragMoved = false;

  constructor(
    private readonly t: InputTarget,
    scroller: HTMLElement,
    body: HTMLElement,
  ) {
    scroller.addEventListener('keydown', (e) => {
      // Keys on the header's sort buttons are theirs (Enter/Space sort).
      if (e.target === scroller) this.onKey(e);
    });
    body.addEventListener('mousedown', (e) => this.onMouseDown(e));
    body.addEventListener('mouseover', (e) => this.onMouseOver(e));
    body.addEventListener('click', (e) => this.onClick(e));
    window.addEventListener('mouseup', () => {
      if (this.dragging) {
        this.dragging = false;
        this.t.stateChanged();
      }
    });
  }

  private onMouseDown(e: MouseEvent): void {
    if (e.button !== 0) return;
    const hit = this.t.cellAt(e.target);
    if (!hit) return;
    this.t.focus();
    e.preventDefault(); // no text selection; the grid has its own
    const view = this.t.view;
    this.t.setSel(clickSelection(view.sel, hit.pos, hit.ci, e.shiftKey, view.lastCol), false);
    this.dragging = true;
    this.dragMoved = false;
  }

  private onMouseOver(e: MouseEvent): void {
    const sel = this.t.view.sel;
    if (!this.dragging || !sel || !(e.buttons & 1)) return;
    const hit = this.t.cellAt(e.target);
    if (!hit) return;
    const next = dragSelection(sel, hit.pos, hit.ci);
    if (next) {
      this.dragMoved = true;
      this.t.setSel(next, false);
    }
  }

  private onClick(e: MouseEvent): void {
    if (this.dragMoved || e.shiftKey) return;
    const hit = this.t.cellAt(e.target);
    if (hit && this.t.view.cols[hit.ci]?.kind === 'result') this.t.openResultAt(hit.idx);
  }

  private onKey(e: KeyboardEvent): void {
    const view = this.t.view;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && (e.key === 'c' || e.key === 'C') && !e.altKey) {
      this.t.clipboard.copyWithFallback();
      return; // let the browser fire its copy event
    }
    if (mod && (e.key === 'a' || e.key === 'A')) {
      e.preventDefault();
      const all = selectAll(view.length, view.lastCol);
      if (all) this.t.setSel(all, false);
      return;
    }
    if (e.key === 'Enter') {
      if (mod) return; // Ctrl/Cmd+Enter runs (main.ts)
      const sel = view.sel;
      if (sel && view.length && view.cols[sel.fc]?.kind === 'result' && this.t.openResultAt(view.indexAt(sel.fr))) e.preventDefault();
      return;
    }
    const size = { rows: view.length, lastCol: view.lastCol, pageRows: 0 };
    if (!size.rows || size.lastCol < 1) return;
    // Only navigation keys need these (they read the layout).
    const nav = /^(Arrow|Page|Home$|End$|Escape$)/.test(e.key);
    if (!nav) return;
    size.pageRows = this.t.pageRows();
    const next = keySelection(view.sel, view.sel ?? this.t.firstVisibleCell(), { key: e.key, mod, shift: e.shiftKey }, size);
    if (!next) return;
    e.preventDefault();
    this.t.setSel(next, true);
  }
}
