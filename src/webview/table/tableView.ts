// What the table shows, without drawing it: its columns, the rows in view order (sort and filter)
// and the selected cells. Positions are view positions; a CellRef names a cell by locator row and
// column key, so the selection stays on the same cells when the sort, the filter or the columns
// change. No DOM here (unit tested).
import type { Model } from '../model';
import type { Col } from './columns';
import { type Sel, cellSel } from './selection';
import { type SortKeys, type SortSpec, computeView } from './sortFilter';

export interface CellRef {
  row: number;
  col: string;
}

/** Outcome of `update()`: whether the rows in view changed, or when to look again. */
export interface ViewUpdate {
  changed: boolean;
  /** Rows or results are streaming in: the view is recomputed at most every so often; retry then. */
  retryInMs?: number;
}

const SAME: ViewUpdate = { changed: false };
const CHANGED: ViewUpdate = { changed: true };

export class TableView {
  cols: Col[] = [];
  sort: SortSpec | undefined;
  filter = '';
  sel: Sel | null = null;
  /** Locator row index at each view position, or null for every row in file order. */
  private order: Int32Array | null = null;
  /** Model versions the order was computed from; rowsVersion -1 forces a recompute. */
  private rowsVersion = -1;
  private resultsVersion = -1;
  private computedAt = 0;
  private sortCache: { keys?: SortKeys } = {};
  /** A saved selection to restore once its rows are in (and the order is final). */
  private pendingSel: { focus: CellRef; anchor?: CellRef } | undefined;

  constructor(
    private readonly model: Model,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A new locator (or a restored state): this sort, no selection, the order to be computed. */
  reset(sort: SortSpec | undefined): void {
    this.sort = sort;
    this.sel = null;
    this.order = null;
    this.rowsVersion = -1;
    this.sortCache = {};
    this.pendingSel = undefined;
  }

  /** The user selected (or cleared): a selection still waiting to be restored is dropped. */
  select(sel: Sel | null): void {
    this.sel = sel;
    this.pendingSel = undefined;
  }

  /** Restores this selection (from saved state) once its rows are in view: see restoreSelection. */
  restoreSelectionLater(focus: CellRef | undefined, anchor: CellRef | undefined): void {
    this.pendingSel = focus ? { focus, anchor } : undefined;
  }

  /** Restores a saved selection when it can be; true if it did. */
  restoreSelection(): boolean {
    const p = this.pendingSel;
    const m = this.model;
    if (!p || !this.settled || !(m.rowsComplete || p.focus.row < m.loaded)) return false;
    this.sel = this.selFromRefs(p.focus, p.anchor ?? p.focus);
    this.pendingSel = undefined;
    return true;
  }

  /** The selection to persist: focus and anchor cells (or the ones still to be restored). */
  selectionToSave(): { focus?: CellRef; anchor?: CellRef } {
    const s = this.sel;
    const focus = s ? this.ref(s.fr, s.fc) : undefined;
    const anchor = s ? this.ref(s.ar, s.ac) : undefined;
    return { focus: focus ?? this.pendingSel?.focus, anchor: anchor ?? this.pendingSel?.anchor };
  }

  /** What the table says when it shows no rows ('' when it shows some, or rows are still coming). */
  emptyText(): string {
    const m = this.model;
    const filter = this.filter.trim();
    if (this.length > 0) return '';
    if (filter) return m.rowsComplete ? `No rows match “${filter}”.` : 'Searching…';
    return m.rowsComplete || !m.rowCount ? 'This locator has no rows.' : '';
  }

  /** New columns: the selection stays on the columns of the same keys (or is dropped). */
  setColumns(cols: Col[]): void {
    const old = this.cols;
    const s = this.sel;
    this.cols = cols;
    if (!s) return;
    const fc = cols.findIndex((c) => c.key === old[s.fc]?.key);
    const ac = cols.findIndex((c) => c.key === old[s.ac]?.key);
    this.sel = fc > 0 && ac > 0 ? { ...s, fc, ac } : null;
  }

  /** Drops a saved sort on a column this locator does not have (any more); true if it did. */
  dropUnknownSort(): boolean {
    const sort = this.sort;
    if (!sort || this.cols.some((c) => c.key === sort.key && c.kind !== 'rownum')) return false;
    this.sort = undefined;
    return true;
  }

  /** Returns false when the filter did not change. */
  setFilter(q: string): boolean {
    if (q === this.filter) return false;
    this.filter = q;
    this.rowsVersion = -1;
    return true;
  }

  /** A click on a column's header: ascending, descending, file order; the row number: file order. */
  toggleSort(c: Col): void {
    const sort = this.sort;
    if (c.kind === 'rownum') this.sort = undefined;
    else if (sort?.key !== c.key) this.sort = { key: c.key, dir: 'asc' };
    else if (sort.dir === 'asc') this.sort = { key: c.key, dir: 'desc' };
    else this.sort = undefined;
    this.rowsVersion = -1;
  }

  get filtered(): boolean {
    return !!this.filter.trim();
  }

  /** Rows shown in file order, every one of them. */
  get inFileOrder(): boolean {
    return !this.sort && !this.filtered;
  }

  /** The order will not change as more rows come in: every row is in and the order is current. */
  get settled(): boolean {
    return this.inFileOrder || (this.model.rowsComplete && this.rowsVersion === this.model.rowsVersion);
  }

  private dependsOnResults(): boolean {
    return this.filtered || this.sort?.key === 'status' || this.sort?.key === 'result';
  }

  /** Recomputes the order when its inputs changed; throttled while rows or results stream in. */
  update(): ViewUpdate {
    const m = this.model;
    if (this.inFileOrder) {
      const had = this.order !== null;
      if (had) this.setOrder(null);
      this.rowsVersion = m.rowsVersion;
      this.resultsVersion = m.resultsVersion;
      return had ? CHANGED : SAME;
    }
    const rowsStale = this.rowsVersion !== m.rowsVersion;
    const resultsStale = this.dependsOnResults() && this.resultsVersion !== m.resultsVersion;
    if (!rowsStale && !resultsStale) return SAME;
    const now = this.now();
    // A forced recompute (new sort/filter) has rowsVersion -1 and runs at once.
    const throttle = m.rowCount > 20_000 ? 1000 : 250;
    if (this.rowsVersion !== -1 && now - this.computedAt < throttle) return { changed: false, retryInMs: throttle - (now - this.computedAt) };
    this.computedAt = now;
    this.rowsVersion = m.rowsVersion;
    this.resultsVersion = m.resultsVersion;
    const keys = this.cols.filter((c) => c.kind !== 'rownum').map((c) => c.key);
    this.setOrder(computeView(m, this.sort, this.filter, keys, this.sortCache));
    return CHANGED;
  }

  private setOrder(order: Int32Array | null): void {
    // Keep the selection on the same rows.
    const s = this.sel;
    const f = s ? this.ref(s.fr, s.fc) : undefined;
    const a = s ? this.ref(s.ar, s.ac) : undefined;
    this.order = order;
    if (f && a) this.sel = this.selFromRefs(f, a);
  }

  /** Rows in the view. */
  get length(): number {
    return this.order ? this.order.length : this.model.rowCount;
  }

  /** The locator row shown at view position `pos`. */
  indexAt(pos: number): number {
    return this.order ? this.order[pos] : pos;
  }

  /** The view position of locator row `index`, -1 when the view leaves it out. */
  positionOf(index: number): number {
    if (!this.order) return index < this.model.rowCount ? index : -1;
    return this.order.indexOf(index);
  }

  ref(pos: number, col: number): CellRef | undefined {
    if (pos < 0 || pos >= this.length || !this.cols[col]) return undefined;
    return { row: this.indexAt(pos), col: this.cols[col].key };
  }

  /** The selection from focus and anchor cells, null when the focused cell is not in view. */
  selFromRefs(f: CellRef, a: CellRef): Sel | null {
    const fr = this.positionOf(f.row);
    const ar = this.positionOf(a.row);
    const fc = this.cols.findIndex((c) => c.key === f.col);
    const ac = this.cols.findIndex((c) => c.key === a.col);
    if (fr < 0 || fc < 1) return null;
    return ar < 0 || ac < 1 ? cellSel(fr, fc) : { ar, ac, fr, fc };
  }

  get lastCol(): number {
    return this.cols.length - 1;
  }
}
