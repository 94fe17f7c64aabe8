// The locator grid: a sticky header, a tall body sized to every row, and only the rows in (or near)
// the viewport as DOM elements. This file puts the parts together and keeps the scroll position:
//   tableView.ts   what is shown (columns, rows after sort and filter, the selection), no DOM
//   columnLayout.ts column widths (fit, drag, double-click) and the header
//   rowRenderer.ts the virtual rows
//   tableInput.ts  mouse and keyboard (selection.ts decides where the selection goes)
//   clipboard.ts   copy (tsv.ts makes the text)
//   viewport.ts    the scroll position
import { attr, h, setText } from '../dom';
import type { Model } from '../model';
import { GridClipboard } from './clipboard';
import { ColumnLayout } from './columnLayout';
import { type Col, buildColumns } from './columns';
import { type CellHit, RowRenderer } from './rowRenderer';
import { type Sel, cellSel } from './selection';
import type { SortSpec } from './sortFilter';
import { TableInput } from './tableInput';
import { type CellRef, TableView } from './tableView';
import type { CopyCell } from '../../shared/tsv';
import { holdsPartialResults, selectionCells, selectionTsv } from './tsv';
import { Viewport } from './viewport';

export type { CellRef } from './tableView';

export interface TableState {
  sort?: SortSpec;
  widths?: Record<string, number>;
  scrollTop?: number;
  scrollLeft?: number;
  /** The locator row at the top of the view when it is neither sorted nor filtered. */
  topRow?: number;
  focus?: CellRef;
  anchor?: CellRef;
}

export interface TableHooks {
  openLocation(loc: { file: string; line: number; column: number }): void;
  /** Opens the whole value of row `idx`'s result (its cell shows only the start). */
  openValue(idx: number): void;
  /** Copies cells whose results the view holds only the start of (the extension has them whole). */
  copyCells(cells: CopyCell[][]): void;
  /** Sort, widths, selection or scroll changed: persist the view state. */
  stateChanged(): void;
  /** The number of rows in the view changed (filter). */
  viewChanged(shown: number, total: number): void;
}

const OVERSCAN = 8;

export class Table {
  readonly el: HTMLDivElement;
  readonly view: TableView;
  readonly clipboard: GridClipboard;
  private readonly scroller: HTMLDivElement;
  private readonly header: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly empty: HTMLDivElement;
  private readonly layout: ColumnLayout;
  private readonly rows: RowRenderer;
  private readonly viewport: Viewport;
  private frame = 0;
  private forceRefresh = false;
  private lastShown = -1;
  private bodyH = -1;
  private lastTotal = -1;
  private laterTimer: ReturnType<typeof setTimeout> | undefined;
  private scrollSaveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly model: Model,
    private readonly hooks: TableHooks,
  ) {
    this.header = h('div', 'grid-header', { role: 'row', 'aria-rowindex': 1 });
    this.body = h('div', 'grid-body', { role: 'rowgroup' });
    this.empty = h('div', 'grid-empty', { hidden: true, role: 'status' });
    this.scroller = h('div', 'grid', {
      id: 'grid',
      role: 'grid',
      tabIndex: 0,
      'aria-label': 'Locator rows',
      'aria-multiselectable': 'true',
      'aria-readonly': 'true',
    });
    this.scroller.append(this.header, this.body);
    this.el = h('div', 'grid-wrap', undefined, this.scroller, this.empty);

    this.view = new TableView(model);
    this.layout = new ColumnLayout(model, this.view, this.scroller, this.header, {
      toggleSort: (c) => this.toggleSort(c),
      stateChanged: () => this.hooks.stateChanged(),
      schedule: () => this.schedule(),
    });
    this.rows = new RowRenderer(model, this.view, this.layout, this.body);
    this.viewport = new Viewport(this.scroller, this.layout);
    this.clipboard = new GridClipboard(
      this.scroller,
      () => !!this.view.sel,
      () => this.selectionText(),
      () => this.copyWholeValues(),
    );
    new TableInput(this, this.scroller, this.body);

    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    new ResizeObserver((entries) => {
      this.viewport.height = entries[entries.length - 1].contentRect.height;
      this.renderNow();
    }).observe(this.scroller);
  }

  // ---- public API ------------------------------------------------------------------------

  /** Call after init (and whenever the set of columns may change). */
  reset(state: TableState): void {
    this.view.reset(state.sort);
    this.layout.reset(state.widths);
    this.layout.measureMetrics();
    this.rebuildColumns(true);
    // Saved for columns this locator does not have (any more).
    if (this.view.dropUnknownSort()) this.layout.buildHeader();
    this.viewport.restoreLater(state.scrollTop ?? 0, state.scrollLeft ?? 0);
    this.view.restoreSelectionLater(state.focus, state.anchor);
    this.refresh();
  }

  setFilter(q: string): void {
    if (!this.view.setFilter(q)) return;
    this.viewport.setScrollTop(0);
    this.refresh();
  }

  getState(): TableState {
    const v = this.view;
    const { top: scrollTop, left: scrollLeft } = this.viewport.saved();
    const rowH = this.layout.rowH;
    return {
      sort: v.sort,
      widths: Object.fromEntries(this.layout.userWidths),
      scrollTop,
      scrollLeft,
      topRow: v.inFileOrder && rowH > 0 ? Math.floor(scrollTop / rowH) : undefined,
      ...v.selectionToSave(),
    };
  }

  /** New rows or results arrived: re-measure if still sampling, redraw the visible window soon. */
  refresh(): void {
    if (this.layout.wantsSample) this.layout.autoFit();
    if (this.model.hasResults !== this.view.cols.some((c) => c.kind === 'status')) this.rebuildColumns(false);
    this.forceRefresh = true;
    this.schedule();
  }

  focus(): void {
    this.scroller.focus({ preventScroll: true });
  }

  /** Draws a pending frame now, then takes the focus: Enter in the filter box shows its rows at once. */
  focusDrawn(): void {
    if (this.frame) this.renderNow();
    this.focus();
  }

  /** The theme or editor font changed: row height and column widths follow. */
  themeChanged(): void {
    if (!this.view.cols.length) return;
    const before = this.layout.rowH;
    this.layout.measureMetrics();
    this.layout.refit();
    if (before !== this.layout.rowH) {
      this.rows.releaseAll();
      this.bodyH = -1;
    }
    this.forceRefresh = true;
    this.renderNow();
  }

  /** Results came in (a run ended, or a restored run): let the Result column fit them. */
  fitResults(): void {
    this.layout.fitResults();
  }

  /** The selected cells as TSV (what a copy puts on the clipboard). */
  selectionText(): string | undefined {
    return selectionTsv(this.model, this.view);
  }

  /** A selection with results the view holds only the start of is copied by the extension, whole. */
  private copyWholeValues(): boolean {
    const cells = selectionCells(this.model, this.view);
    if (!cells || !holdsPartialResults(cells)) return false;
    this.hooks.copyCells(cells);
    return true;
  }

  // ---- what the input handler uses (tableInput.ts) ----------------------------------------

  setSel(sel: Sel | null, reveal: boolean): void {
    this.view.select(sel);
    if (sel && reveal) this.viewport.reveal(sel.fr, sel.fc);
    this.forceRefresh = true;
    this.renderNow();
    this.hooks.stateChanged();
  }

  cellAt(target: EventTarget | null): CellHit | undefined {
    return this.rows.cellAt(target);
  }

  openResultAt(idx: number): boolean {
    const res = this.model.results[idx];
    const loc = res?.error?.location;
    if (loc) this.hooks.openLocation({ file: loc.file, line: loc.line, column: loc.column });
    else if (res && !res.error && res.fullLength !== undefined) this.hooks.openValue(idx);
    else return false;
    return true;
  }

  pageRows(): number {
    return this.viewport.pageRows();
  }

  firstVisibleCell(): Sel {
    const pos = Math.min(this.view.length - 1, this.viewport.firstRow());
    // The first arrow press selects this cell and stays on it.
    return cellSel(pos, 1);
  }

  stateChanged(): void {
    this.hooks.stateChanged();
  }

  // ---- columns and sort ------------------------------------------------------------------

  private rebuildColumns(force: boolean): void {
    const old = this.view.cols;
    const cols = buildColumns(this.model, old);
    this.view.setColumns(cols);
    if (!force && old.length === cols.length) return;
    this.layout.autoFit();
    this.layout.buildHeader();
    this.rows.dropAll();
    this.scroller.setAttribute('aria-colcount', String(cols.length));
  }

  private toggleSort(c: Col): void {
    this.view.toggleSort(c);
    this.layout.buildHeader();
    this.hooks.stateChanged();
    this.refresh();
  }

  // ---- scrolling and drawing -------------------------------------------------------------

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  private scheduleLater(ms: number): void {
    if (this.laterTimer !== undefined) return;
    this.laterTimer = setTimeout(() => {
      this.laterTimer = undefined;
      this.schedule();
    }, ms);
  }

  private onScroll(): void {
    // Draw in the scroll event itself: the frame that shows the new position has its rows.
    this.viewport.top = this.scroller.scrollTop;
    this.renderNow();
    this.saveScrollSoon();
  }

  private saveScrollSoon(): void {
    if (this.scrollSaveTimer !== undefined) return;
    this.scrollSaveTimer = setTimeout(() => {
      this.scrollSaveTimer = undefined;
      this.hooks.stateChanged();
    }, 120);
  }

  renderNow(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    if (!this.view.cols.length) return;
    const rowH = this.layout.rowH;
    // Read geometry before any write, so drawing forces no extra layout.
    // Reading scrollTop or clientHeight here would force a layout of whatever changed since the
    // last frame (all of it, after init): use the values kept from scroll and resize events.
    const vp = this.viewport;
    let top = vp.top;
    if (!vp.height) vp.height = window.innerHeight;
    const viewH = vp.rowsHeight();
    const update = this.view.update();
    if (update.changed) this.forceRefresh = true;
    if (update.retryInMs !== undefined) this.scheduleLater(update.retryInMs);
    const n = this.view.length;
    const bodyH = n * rowH;
    if (this.bodyH !== bodyH) {
      this.bodyH = bodyH;
      this.body.style.height = `${bodyH}px`;
      top = Math.min(top, Math.max(0, bodyH - viewH));
    }
    attr(this.scroller, 'aria-rowcount', String(n + 1));
    // A sorted or filtered view is only final once every row is in: restore the saved position then.
    const restored = this.view.settled ? vp.restore(n, this.model.rowsComplete) : undefined;
    if (restored !== undefined) top = restored;
    if (this.view.restoreSelection()) this.forceRefresh = true;
    const empty = this.view.emptyText();
    setText(this.empty, empty);
    this.empty.hidden = !empty;

    const first = Math.max(0, Math.floor(top / rowH) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + viewH) / rowH) + OVERSCAN);
    const force = this.forceRefresh;
    this.forceRefresh = false;
    this.rows.draw(first, last, force);
    const sel = this.view.sel;
    attr(this.scroller, 'aria-activedescendant', sel && this.rows.isDrawn(sel.fr) ? 'grid-focus' : null);
    if (n !== this.lastShown || this.model.rowCount !== this.lastTotal) {
      this.lastShown = n;
      this.lastTotal = this.model.rowCount;
      this.hooks.viewChanged(n, this.model.rowCount);
    }
  }
}
