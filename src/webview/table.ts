// The virtualised grid: a sticky header, a tall body sized to every row, and only the rows in (or
// near) the viewport as DOM elements, recycled as the user scrolls. Sort and filter build a view
// (row indices); selection is a rectangle of view positions. Every cell is written as text.
import type { ResultView } from '../shared/protocol';
import { attr, codiconClass, h, icon, setText, toggle } from './dom';
import { STATUS } from './format';
import type { Model } from './model';
import { columnText, computeView, dataColumnKey, type SortKeys, type SortSpec, toTsv } from './view';

type ColKind = 'rownum' | 'status' | 'result' | 'data';

interface Col {
  key: string;
  title: string;
  kind: ColKind;
  /** Locator column index for kind 'data'. */
  data: number;
  numeric: boolean;
}

interface RowEl {
  el: HTMLDivElement;
  cells: HTMLDivElement[];
  /** View position shown, -1 when the element is free. */
  pos: number;
  idx: number;
  /** What each cell currently shows (to skip DOM writes that change nothing). */
  text: (string | undefined)[];
  selected: boolean[];
  status: string | undefined;
  resultVersion: ResultView | undefined;
  layout: number;
  odd: boolean | undefined;
  loading: boolean | undefined;
  ariaPos: number;
  /** Column of the focused cell in this row, -1 if none. */
  focusCol: number;
  hasSel: boolean;
}

interface Sel {
  /** Anchor and focus: view positions and column indices (column 0, the row number, is not selectable). */
  ar: number;
  ac: number;
  fr: number;
  fc: number;
}

export interface CellRef {
  row: number;
  col: string;
}

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
  /** Sort, widths, selection or scroll changed: persist the view state. */
  stateChanged(): void;
  /** The number of rows in the view changed (filter). */
  viewChanged(shown: number, total: number): void;
}

const OVERSCAN = 8;
const MIN_WIDTH = 36;
const MAX_AUTO_WIDTH = 420;
const SAMPLE_ROWS = 2000;
/** Values measured per column (the longest of the sample). */
const LONGEST = 6;
const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$|^\s*nan\s*$/i;
const CELL_PAD = 19; // 8px padding each side + 1px border (.cell in webview.css) + 2px so sub-pixel text fits

export class Table {
  readonly el: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly header: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly empty: HTMLDivElement;
  private cols: Col[] = [];
  private widths: number[] = [];
  /** Widths the user set by dragging (persisted, never auto-fitted again). */
  private userWidths = new Map<string, number>();
  private autoWidths = new Map<string, number>();
  private sampled = 0;
  private rowH = 22;
  private headerH = 26;
  private view: Int32Array | null = null;
  private viewRowsVersion = -1;
  private viewResultsVersion = -1;
  private viewDirtyAt = 0;
  private sort: SortSpec | undefined;
  private sortCache: { keys?: SortKeys } = {};
  private filter = '';
  private active = new Map<number, RowEl>();
  private free: RowEl[] = [];
  private rowOf = new WeakMap<Element, RowEl>();
  private layout = 0;
  private sel: Sel | null = null;
  private frame = 0;
  private forceRefresh = false;
  private pendingScroll: { top: number; left: number } | undefined;
  private pendingFocus: { focus?: CellRef; anchor?: CellRef } | undefined;
  private dragging = false;
  private dragMoved = false;
  private measureCtx: CanvasRenderingContext2D | null = null;
  private copyPending = false;
  private lastShown = -1;
  private viewportH = 0;
  /** scroller.scrollTop as of the last scroll event (or our own write). */
  private scrollTop = 0;
  private bodyH = -1;
  private lastTotal = -1;

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

    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('mousedown', (e) => this.onMouseDown(e));
    this.body.addEventListener('mouseover', (e) => this.onMouseOver(e));
    this.body.addEventListener('click', (e) => this.onClick(e));
    window.addEventListener('mouseup', () => {
      if (this.dragging) {
        this.dragging = false;
        this.hooks.stateChanged();
      }
    });
    document.addEventListener('copy', (e) => this.onCopy(e));
    new ResizeObserver((entries) => {
      this.viewportH = entries[entries.length - 1].contentRect.height;
      this.renderNow();
    }).observe(this.scroller);
  }

  // ---- public API ------------------------------------------------------------------------

  /** Call after init (and whenever the set of columns may change). */
  reset(state: TableState): void {
    this.sort = state.sort;
    this.userWidths = new Map(Object.entries(state.widths ?? {}).filter(([, w]) => typeof w === 'number' && w > 0));
    this.autoWidths.clear();
    this.sampled = 0;
    this.sel = null;
    this.view = null;
    this.viewRowsVersion = -1;
    this.sortCache = {};
    this.measureMetrics();
    this.rebuildColumns(true);
    if (this.sort && !this.cols.some((c) => c.key === this.sort!.key && c.kind !== 'rownum')) {
      // Saved for columns this locator does not have (any more).
      this.sort = undefined;
      this.buildHeader();
    }
    this.pendingScroll = { top: state.scrollTop ?? 0, left: state.scrollLeft ?? 0 };
    this.pendingFocus = state.focus ? { focus: state.focus, anchor: state.anchor } : undefined;
    this.refresh();
  }

  setFilter(q: string): void {
    if (q === this.filter) return;
    this.filter = q;
    this.viewRowsVersion = -1;
    this.setScrollTop(0);
    this.refresh();
  }

  getState(): TableState {
    const focus = this.sel ? this.ref(this.sel.fr, this.sel.fc) : undefined;
    const anchor = this.sel ? this.ref(this.sel.ar, this.sel.ac) : undefined;
    const pending = this.pendingScroll;
    const scrollTop = pending ? pending.top : this.scroller.scrollTop;
    return {
      sort: this.sort,
      widths: Object.fromEntries(this.userWidths),
      scrollTop,
      scrollLeft: pending ? pending.left : this.scroller.scrollLeft,
      topRow: !this.sort && !this.filter.trim() && this.rowH > 0 ? Math.floor(scrollTop / this.rowH) : undefined,
      focus: focus ?? this.pendingFocus?.focus,
      anchor: anchor ?? this.pendingFocus?.anchor,
    };
  }

  /** New rows or results arrived: re-measure if still sampling, redraw the visible window soon. */
  refresh(): void {
    if (this.sampled < SAMPLE_ROWS && this.model.loaded > this.sampled) this.autoFit();
    if (this.model.hasResults !== this.cols.some((c) => c.kind === 'status')) this.rebuildColumns(false);
    this.forceRefresh = true;
    this.schedule();
  }

  focus(): void {
    this.scroller.focus({ preventScroll: true });
  }

  /** The theme or editor font changed: row height and column widths follow. */
  themeChanged(): void {
    if (!this.cols.length) return;
    const before = this.rowH;
    this.measureMetrics();
    this.autoWidths.clear();
    this.sampled = 0;
    this.autoFit();
    if (before !== this.rowH) {
      // Every row element sits at pos * rowH: place them again.
      for (const [, r] of this.active) this.release(r);
      this.active.clear();
      this.bodyH = -1;
    }
    this.forceRefresh = true;
    this.renderNow();
  }

  /** Results came in (a run ended, or a restored run): let the Result column fit them. */
  fitResults(): void {
    if (!this.cols.some((c) => c.kind === 'result') || this.userWidths.has('result')) return;
    this.autoFit();
  }

  /** Copies the selection (used by the keyboard handler when no copy event reaches us). */
  selectionText(): string | undefined {
    const s = this.sel;
    if (!s) return undefined;
    const [r0, r1] = s.ar <= s.fr ? [s.ar, s.fr] : [s.fr, s.ar];
    const [c0, c1] = s.ac <= s.fc ? [s.ac, s.fc] : [s.fc, s.ac];
    const getters = this.cols.slice(c0, c1 + 1).map((c) => columnText(this.model, c.key));
    const out: string[][] = [];
    for (let p = r0; p <= r1; p++) {
      const i = this.indexAt(p);
      out.push(getters.map((g) => g(i)));
    }
    return toTsv(out);
  }

  // ---- columns and widths ----------------------------------------------------------------

  private measureMetrics(): void {
    const cs = getComputedStyle(this.scroller);
    const size = parseFloat(cs.fontSize) || 13;
    this.rowH = Math.max(22, Math.round(size * 1.65));
    this.scroller.style.setProperty('--row-h', `${this.rowH}px`);
    this.headerH = Math.max(26, Math.round(size * 1.65) + 4);
    this.scroller.style.setProperty('--header-h', `${this.headerH}px`);
  }

  private rebuildColumns(force: boolean): void {
    const m = this.model;
    const cols: Col[] = [{ key: 'rownum', title: '#', kind: 'rownum', data: -1, numeric: true }];
    if (m.hasResults) {
      cols.push({ key: 'status', title: 'Status', kind: 'status', data: -1, numeric: false });
      cols.push({ key: 'result', title: 'Result', kind: 'result', data: -1, numeric: false });
    }
    m.columns.forEach((name, i) => cols.push({ key: dataColumnKey(i), title: name, kind: 'data', data: i, numeric: false }));
    const old = this.cols;
    // Keep the selection on the same columns.
    const keyOf = (c: number) => old[c]?.key;
    const fKey = this.sel ? keyOf(this.sel.fc) : undefined;
    const aKey = this.sel ? keyOf(this.sel.ac) : undefined;
    for (const c of cols) c.numeric = old.find((o) => o.key === c.key)?.numeric ?? false;
    this.cols = cols;
    if (this.sel) {
      const fc = cols.findIndex((c) => c.key === fKey);
      const ac = cols.findIndex((c) => c.key === aKey);
      this.sel = fc > 0 && ac > 0 ? { ...this.sel, fc, ac } : null;
    }
    if (!force && old.length === cols.length) return;
    this.autoFit();
    this.buildHeader();
    // Row elements carry one cell per column: start again.
    for (const r of this.active.values()) r.el.remove();
    for (const r of this.free) r.el.remove();
    this.active.clear();
    this.free = [];
    this.scroller.setAttribute('aria-colcount', String(cols.length));
  }

  private ctx(): CanvasRenderingContext2D | null {
    if (!this.measureCtx) this.measureCtx = document.createElement('canvas').getContext('2d');
    return this.measureCtx;
  }

  /** Fits column widths to a sample of rows (grow only, so widths do not jump around). */
  private autoFit(): void {
    const ctx = this.ctx();
    const m = this.model;
    const dataFont = fontOf(this.scroller);
    const headFont = fontOf(this.header.isConnected ? this.header : this.scroller, '600');
    // Setting ctx.font parses the font: switch it only when the font changes.
    let current = '';
    const cache = new Map<string, number>();
    const measure = (s: string, font: string): number => {
      if (!ctx) return s.length * 8;
      const t = s.length > 120 ? s.slice(0, 120) : s;
      const k = font === dataFont ? t : '\u0000' + t;
      let w = cache.get(k);
      if (w === undefined) {
        if (current !== font) ctx.font = current = font;
        w = ctx.measureText(t).width;
        cache.set(k, w);
      }
      return w;
    };
    const limit = Math.min(m.rowCount, SAMPLE_ROWS);
    const sample: number[] = [];
    for (let i = 0; i < limit; i++) if (m.rows[i]) sample.push(i);
    this.sampled = m.rowsComplete ? SAMPLE_ROWS : sample.length;
    for (const c of this.cols) {
      let w: number;
      if (c.kind === 'rownum') {
        w = measure('0'.repeat(String(Math.max(m.rowCount, 9)).length), dataFont) + CELL_PAD + 4;
      } else if (c.kind === 'status') {
        w = Math.max(measure('cancelled', dataFont), measure('Status', headFont) + 16) + 16 + 6 + CELL_PAD;
      } else if (c.kind === 'result') {
        // Fit the results seen so far (grow only), between 160 and 360 px.
        const longest = new Longest();
        for (let i = 0, seen = 0; i < m.rowCount && seen < SAMPLE_ROWS; i++) {
          if (!m.results[i]) continue;
          seen++;
          longest.add(m.resultText(i));
        }
        w = Math.min(360, Math.max(160, longest.widest((v) => measure(v, dataFont)) + CELL_PAD));
      } else {
        // measureText is slow (~15 µs): measure only the longest few values of the sample.
        const longest = new Longest();
        let numeric = sample.length > 0;
        let any = false;
        for (const i of sample) {
          const v = m.rows[i]![c.data] ?? '';
          if (v === '') continue;
          any = true;
          if (numeric && !NUMERIC.test(v)) numeric = false;
          longest.add(v);
        }
        const max = longest.widest((v) => measure(v, dataFont));
        if (c.numeric !== (numeric && any)) {
          c.numeric = numeric && any;
          this.layout++;
          this.buildHeaderSoon = true;
        }
        w = Math.min(MAX_AUTO_WIDTH, Math.max(max + CELL_PAD, measure(c.title, headFont) + CELL_PAD + 20));
      }
      w = Math.max(MIN_WIDTH, Math.ceil(w));
      this.autoWidths.set(c.key, Math.max(w, this.autoWidths.get(c.key) ?? 0));
    }
    this.applyWidths();
    if (this.buildHeaderSoon) {
      this.buildHeaderSoon = false;
      if (this.header.childElementCount) this.buildHeader();
    }
  }

  private buildHeaderSoon = false;

  private widthOf(c: Col): number {
    return this.userWidths.get(c.key) ?? this.autoWidths.get(c.key) ?? 120;
  }

  private applyWidths(): void {
    this.widths = this.cols.map((c) => this.widthOf(c));
    // The frozen columns (row number, status) share one sticky wrapper per row: one compositing
    // layer per row instead of one per frozen cell.
    const k = this.stickyCount();
    const frozen = this.widths.slice(0, k);
    const frozenW = frozen.reduce((a, b) => a + b, 0);
    const total = this.widths.reduce((a, b) => a + b, 0);
    const s = this.scroller.style;
    s.setProperty('--fcols', frozen.map((w) => `${w}px`).join(' '));
    s.setProperty('--cols', [`${frozenW}px`, ...this.widths.slice(k).map((w) => `${w}px`)].join(' '));
    s.setProperty('--total-w', `${total}px`);
  }

  private buildHeader(): void {
    const cells: HTMLElement[] = [];
    this.cols.forEach((c, ci) => {
      const sorted = this.sort?.key === c.key ? this.sort.dir : undefined;
      const cell = h('div', `hcell k-${c.kind}${c.numeric ? ' num' : ''}`, {
        role: 'columnheader',
        'aria-colindex': ci + 1,
        'aria-sort': c.kind === 'rownum' ? undefined : sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none',
        'data-key': c.key,
      });
      const label = h('span', 'hlabel', { text: c.title });
      const btn = h(
        'button',
        'hbtn',
        {
          type: 'button',
          title:
            c.kind === 'rownum'
              ? 'Row number: click to show rows in file order'
              : `${c.title}: click to sort (ascending, descending, file order)`,
          'aria-label': c.kind === 'rownum' ? 'Row number (file order)' : `Sort by ${c.title}`,
        },
        label,
      );
      if (c.kind !== 'rownum') {
        btn.append(icon(sorted === 'asc' ? 'arrow-up' : sorted === 'desc' ? 'arrow-down' : 'arrow-up', `sort-icon${sorted ? ' on' : ''}`));
      }
      btn.addEventListener('click', () => this.toggleSort(c));
      cell.append(btn);
      const grip = h('div', 'resizer', { title: 'Drag to resize, double-click to fit', 'aria-hidden': 'true' });
      grip.addEventListener('pointerdown', (e) => this.startResize(e, ci, grip));
      grip.addEventListener('dblclick', (e) => {
        e.stopPropagation();
        this.userWidths.delete(c.key);
        this.autoWidths.delete(c.key);
        this.sampled = 0;
        this.autoFit();
        this.hooks.stateChanged();
        this.schedule();
      });
      cell.append(grip);
      cells.push(cell);
    });
    const k = this.stickyCount();
    this.header.replaceChildren(h('div', 'frozen', undefined, ...cells.slice(0, k)), ...cells.slice(k));
  }

  private startResize(e: PointerEvent, ci: number, grip: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    const col = this.cols[ci];
    const startX = e.clientX;
    const startW = this.widths[ci];
    grip.setPointerCapture(e.pointerId);
    grip.classList.add('active');
    document.getElementById('app')?.classList.add('resizing');
    const move = (ev: PointerEvent) => {
      this.userWidths.set(col.key, Math.max(MIN_WIDTH, Math.round(startW + ev.clientX - startX)));
      this.applyWidths();
    };
    const up = () => {
      grip.removeEventListener('pointermove', move);
      grip.removeEventListener('pointerup', up);
      grip.removeEventListener('pointercancel', up);
      grip.classList.remove('active');
      document.getElementById('app')?.classList.remove('resizing');
      this.hooks.stateChanged();
    };
    grip.addEventListener('pointermove', move);
    grip.addEventListener('pointerup', up);
    grip.addEventListener('pointercancel', up);
  }

  private toggleSort(c: Col): void {
    if (c.kind === 'rownum') this.sort = undefined;
    else if (this.sort?.key !== c.key) this.sort = { key: c.key, dir: 'asc' };
    else if (this.sort.dir === 'asc') this.sort = { key: c.key, dir: 'desc' };
    else this.sort = undefined;
    this.viewRowsVersion = -1;
    this.buildHeader();
    this.hooks.stateChanged();
    this.refresh();
  }

  // ---- the view (sort + filter) ----------------------------------------------------------

  private dependsOnResults(): boolean {
    return !!this.filter.trim() || this.sort?.key === 'status' || this.sort?.key === 'result';
  }

  /** Recomputes the view when its inputs changed; throttled while rows or results stream in. */
  private updateView(): void {
    const m = this.model;
    if (!this.sort && !this.filter.trim()) {
      if (this.view) this.setView(null);
      this.viewRowsVersion = m.rowsVersion;
      this.viewResultsVersion = m.resultsVersion;
      return;
    }
    const rowsStale = this.viewRowsVersion !== m.rowsVersion;
    const resultsStale = this.dependsOnResults() && this.viewResultsVersion !== m.resultsVersion;
    if (!rowsStale && !resultsStale) return;
    const now = performance.now();
    // A forced recompute (new sort/filter) has viewRowsVersion -1 and runs at once.
    const throttle = m.rowCount > 20_000 ? 1000 : 250;
    if (this.viewRowsVersion !== -1 && now - this.viewDirtyAt < throttle) {
      this.scheduleLater(throttle - (now - this.viewDirtyAt));
      return;
    }
    this.viewDirtyAt = now;
    this.viewRowsVersion = m.rowsVersion;
    this.viewResultsVersion = m.resultsVersion;
    const keys = this.cols.filter((c) => c.kind !== 'rownum').map((c) => c.key);
    this.setView(computeView(m, this.sort, this.filter, keys, this.sortCache));
  }

  private setView(view: Int32Array | null): void {
    // Keep the selection on the same rows.
    const f = this.sel ? this.ref(this.sel.fr, this.sel.fc) : undefined;
    const a = this.sel ? this.ref(this.sel.ar, this.sel.ac) : undefined;
    this.view = view;
    if (f && a) this.sel = this.selFromRefs(f, a);
    this.forceRefresh = true;
  }

  private viewLength(): number {
    return this.view ? this.view.length : this.model.rowCount;
  }

  private indexAt(pos: number): number {
    return this.view ? this.view[pos] : pos;
  }

  private positionOf(index: number): number {
    if (!this.view) return index < this.model.rowCount ? index : -1;
    return this.view.indexOf(index);
  }

  private ref(pos: number, col: number): CellRef | undefined {
    if (pos < 0 || pos >= this.viewLength() || !this.cols[col]) return undefined;
    return { row: this.indexAt(pos), col: this.cols[col].key };
  }

  private selFromRefs(f: CellRef, a: CellRef): Sel | null {
    const fr = this.positionOf(f.row);
    const ar = this.positionOf(a.row);
    const fc = this.cols.findIndex((c) => c.key === f.col);
    const ac = this.cols.findIndex((c) => c.key === a.col);
    if (fr < 0 || fc < 1) return null;
    return ar < 0 || ac < 1 ? { ar: fr, ac: fc, fr, fc } : { ar, ac, fr, fc };
  }

  // ---- rendering -------------------------------------------------------------------------

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  private laterTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduleLater(ms: number): void {
    if (this.laterTimer !== undefined) return;
    this.laterTimer = setTimeout(() => {
      this.laterTimer = undefined;
      this.schedule();
    }, ms);
  }

  private setScrollTop(top: number): void {
    this.scroller.scrollTop = top;
    this.scrollTop = this.scroller.scrollTop;
  }

  private onScroll(): void {
    // Draw in the scroll event itself: the frame that shows the new position has its rows.
    this.scrollTop = this.scroller.scrollTop;
    this.renderNow();
    this.saveScrollSoon();
  }

  private scrollSaveTimer: ReturnType<typeof setTimeout> | undefined;
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
    if (!this.cols.length) return;
    // Read geometry before any write, so drawing forces no extra layout.
    // Reading scrollTop or clientHeight here would force a layout of whatever changed since the
    // last frame (all of it, after init): use the values kept from scroll and resize events.
    let top = this.scrollTop;
    if (!this.viewportH) this.viewportH = window.innerHeight;
    const viewH = Math.max(0, this.viewportH - this.headerH);
    this.updateView();
    const n = this.viewLength();
    const bodyH = n * this.rowH;
    if (this.bodyH !== bodyH) {
      this.bodyH = bodyH;
      this.body.style.height = `${bodyH}px`;
      top = Math.min(top, Math.max(0, bodyH - viewH));
    }
    attr(this.scroller, 'aria-rowcount', String(n + 1));
    const restored = this.applyPending(n, viewH);
    if (restored !== undefined) top = restored;
    this.updateEmpty(n);

    const first = Math.max(0, Math.floor(top / this.rowH) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + viewH) / this.rowH) + OVERSCAN);

    for (const [pos, r] of this.active) {
      if (pos < first || pos >= last) {
        this.active.delete(pos);
        this.release(r);
      }
    }
    const force = this.forceRefresh;
    this.forceRefresh = false;
    for (let pos = first; pos < last; pos++) {
      let r = this.active.get(pos);
      const fresh = !r;
      if (!r) {
        r = this.free.pop() ?? this.createRow();
        r.pos = pos;
        r.el.hidden = false;
        r.el.style.transform = `translateY(${pos * this.rowH}px)`;
        this.active.set(pos, r);
      }
      if (fresh || force) this.fill(r, pos);
    }
    this.updateActiveDescendant();
    if (n !== this.lastShown || this.model.rowCount !== this.lastTotal) {
      this.lastShown = n;
      this.lastTotal = this.model.rowCount;
      this.hooks.viewChanged(n, this.model.rowCount);
    }
  }

  /** Restores the saved scroll position and selection once there are enough rows for them. */
  private applyPending(n: number, viewH: number): number | undefined {
    const p = this.pendingScroll;
    let top: number | undefined;
    // A sorted or filtered view is only final once every row is in.
    const viewCurrent = this.viewRowsVersion === this.model.rowsVersion;
    const stable = !this.sort && !this.filter.trim() ? true : this.model.rowsComplete && viewCurrent;
    if (p && stable && (n * this.rowH >= p.top + viewH || this.model.rowsComplete)) {
      this.scroller.scrollLeft = p.left;
      top = Math.min(p.top, Math.max(0, n * this.rowH - viewH));
      this.setScrollTop(top);
      this.pendingScroll = undefined;
    }
    const f = this.pendingFocus;
    if (f?.focus && stable && (this.model.rowsComplete || f.focus.row < this.model.loaded)) {
      this.sel = this.selFromRefs(f.focus, f.anchor ?? f.focus);
      this.pendingFocus = undefined;
      this.forceRefresh = true;
    }
    return top;
  }

  private updateEmpty(n: number): void {
    const m = this.model;
    let text = '';
    if (n === 0) {
      if (this.filter.trim()) text = m.rowsComplete ? `No rows match “${this.filter.trim()}”.` : 'Searching…';
      else if (m.rowsComplete || !m.rowCount) text = 'This locator has no rows.';
    }
    setText(this.empty, text);
    this.empty.hidden = !text;
  }

  /** Parks a row element: hidden, and without the row's identity (tests find rows by data-index). */
  private release(r: RowEl): void {
    r.pos = -1;
    r.el.hidden = true;
    if (r.idx !== -1) {
      r.idx = -1;
      r.el.removeAttribute('data-index');
    }
    if (r.status !== undefined) {
      r.status = undefined;
      r.el.removeAttribute('data-status');
      const sc = this.cols.findIndex((c) => c.kind === 'status');
      if (sc >= 0) {
        r.text[sc] = undefined;
        r.cells[sc].removeAttribute('data-status');
      }
    }
    this.free.push(r);
  }

  private createRow(): RowEl {
    const el = h('div', 'grid-row', { role: 'row' });
    const cells = this.cols.map((c, ci) => {
      const cell = h('div', `cell k-${c.kind}`, { role: c.kind === 'rownum' ? 'rowheader' : 'gridcell', 'aria-colindex': ci + 1, 'data-c': ci });
      if (c.kind === 'status') cell.append(h('span', 'codicon'), h('span', 'status-word'));
      return cell;
    });
    const k = this.stickyCount();
    el.append(h('div', 'frozen', { role: 'presentation' }, ...cells.slice(0, k)), ...cells.slice(k));
    this.body.append(el);
    const r: RowEl = {
      el,
      cells,
      pos: -1,
      idx: -1,
      text: new Array(cells.length),
      selected: new Array(cells.length).fill(false),
      status: undefined,
      resultVersion: undefined,
      layout: -1,
      odd: undefined,
      loading: undefined,
      ariaPos: -1,
      focusCol: -1,
      hasSel: false,
    };
    this.rowOf.set(el, r);
    return r;
  }

  private fill(r: RowEl, pos: number): void {
    const m = this.model;
    const idx = this.indexAt(pos);
    const row = m.rows[idx];
    if (r.idx !== idx) {
      r.idx = idx;
      r.el.setAttribute('data-index', String(idx));
    }
    if (r.ariaPos !== pos) {
      r.ariaPos = pos;
      r.el.setAttribute('aria-rowindex', String(pos + 2));
    }
    const odd = pos % 2 === 1;
    if (r.odd !== odd) toggle(r.el, 'odd', (r.odd = odd));
    const loading = !row;
    if (r.loading !== loading) toggle(r.el, 'loading', (r.loading = loading));
    if (r.layout !== this.layout) {
      r.layout = this.layout;
      this.cols.forEach((c, ci) => toggle(r.cells[ci], 'num', c.numeric));
    }
    const status = m.statusOf(idx);
    const sel = this.sel;
    const inRows = !!sel && pos >= Math.min(sel.ar, sel.fr) && pos <= Math.max(sel.ar, sel.fr);
    const c0 = sel ? Math.min(sel.ac, sel.fc) : 0;
    const c1 = sel ? Math.max(sel.ac, sel.fc) : -1;
    if (r.hasSel !== inRows) toggle(r.el, 'has-sel', (r.hasSel = inRows));
    const focusCol = sel && sel.fr === pos ? sel.fc : -1;
    if (r.focusCol !== focusCol) {
      const before = r.cells[r.focusCol];
      if (before) {
        before.classList.remove('focused');
        before.removeAttribute('id');
      }
      const now = r.cells[focusCol];
      if (now) {
        now.classList.add('focused');
        now.id = 'grid-focus';
      }
      r.focusCol = focusCol;
    }

    for (let ci = 0; ci < this.cols.length; ci++) {
      const c = this.cols[ci];
      const cell = r.cells[ci];
      const selected = inRows && ci >= c0 && ci <= c1;
      if (r.selected[ci] !== selected) {
        r.selected[ci] = selected;
        toggle(cell, 'selected', selected);
        attr(cell, 'aria-selected', selected ? 'true' : null);
      }
      if (c.kind === 'rownum') {
        const t = String(idx + 1);
        if (r.text[ci] !== t) setText(cell, (r.text[ci] = t));
      } else if (c.kind === 'status') {
        if (r.status !== status || r.text[ci] === undefined) {
          r.status = status;
          r.text[ci] = status ?? '';
          this.fillStatus(r, cell, idx, status);
        } else if (status) {
          // Duration may have arrived with the same status.
          const res = m.results[idx];
          if (r.resultVersion !== res) this.fillStatus(r, cell, idx, status);
        }
      } else if (c.kind === 'result') {
        const res = m.results[idx];
        if (r.resultVersion !== res || r.text[ci] === undefined) {
          r.resultVersion = res;
          this.fillResult(cell, idx, res, status);
          r.text[ci] = cell.textContent ?? '';
        }
      } else {
        const t = row ? (row[c.data] ?? '') : '';
        if (r.text[ci] !== t) {
          r.text[ci] = t;
          cell.textContent = t;
          cell.title = t;
        }
      }
    }
  }

  private fillStatus(r: RowEl, cell: HTMLDivElement, idx: number, status: string | undefined): void {
    attr(r.el, 'data-status', status);
    attr(cell, 'data-status', status);
    const [ic, word] = cell.children as unknown as [HTMLElement, HTMLElement];
    if (!status) {
      ic.className = 'codicon';
      setText(word, '');
      attr(cell, 'aria-label', null);
      cell.title = '';
      return;
    }
    const meta = STATUS[status as keyof typeof STATUS];
    ic.className = `${codiconClass(meta.icon)} st-${status}`;
    setText(word, status);
    attr(cell, 'aria-label', status);
    const res = this.model.results[idx];
    cell.title = res?.durationMs !== undefined ? `${status} in ${formatMs(res.durationMs)}` : status;
  }

  private fillResult(cell: HTMLDivElement, idx: number, res: ResultView | undefined, status: string | undefined): void {
    const text = this.model.resultText(idx);
    cell.textContent = text || (status === 'skipped' || status === 'cancelled' ? status : '');
    const isError = !!res?.error;
    toggle(cell, 'error', isError);
    toggle(cell, 'dim', !text && !!status);
    const loc = res?.error?.location;
    toggle(cell, 'link', !!loc);
    if (res?.error) {
      const e = res.error;
      const where = loc ? `\n${loc.file}:${loc.line}:${loc.column} (click to open)` : '';
      cell.title = `${e.name}: ${e.message}${where}${e.stack ? `\n\n${e.stack}` : ''}`;
    } else {
      cell.title = text;
    }
  }

  // ---- selection, mouse and keyboard -----------------------------------------------------

  private cellAt(target: EventTarget | null): { r: RowEl; ci: number } | undefined {
    const cell = (target as Element | null)?.closest?.('.cell');
    const rowEl = cell?.parentElement;
    const r = rowEl ? this.rowOf.get(rowEl) : undefined;
    if (!cell || !r || r.pos < 0) return undefined;
    return { r, ci: Number(cell.getAttribute('data-c')) };
  }

  private onMouseDown(e: MouseEvent): void {
    if (e.button !== 0) return;
    const hit = this.cellAt(e.target);
    if (!hit) return;
    this.focus();
    e.preventDefault(); // no text selection; the grid has its own
    const pos = hit.r.pos;
    const last = this.cols.length - 1;
    if (hit.ci === 0) {
      // Row number: the whole row.
      const ar = e.shiftKey && this.sel ? this.sel.ar : pos;
      this.setSel({ ar, ac: 1, fr: pos, fc: last }, false);
    } else if (e.shiftKey && this.sel) {
      this.setSel({ ...this.sel, fr: pos, fc: hit.ci }, false);
    } else {
      this.setSel({ ar: pos, ac: hit.ci, fr: pos, fc: hit.ci }, false);
    }
    this.dragging = true;
    this.dragMoved = false;
  }

  private onMouseOver(e: MouseEvent): void {
    if (!this.dragging || !this.sel || !(e.buttons & 1)) return;
    const hit = this.cellAt(e.target);
    if (!hit) return;
    const fc = hit.ci === 0 ? this.sel.fc : hit.ci;
    if (hit.r.pos !== this.sel.fr || fc !== this.sel.fc) {
      this.dragMoved = true;
      this.setSel({ ...this.sel, fr: hit.r.pos, fc }, false);
    }
  }

  private onClick(e: MouseEvent): void {
    if (this.dragMoved || e.shiftKey) return;
    const hit = this.cellAt(e.target);
    if (hit && this.cols[hit.ci]?.kind === 'result') this.openErrorAt(hit.r.idx);
  }

  private openErrorAt(idx: number): boolean {
    const loc = this.model.results[idx]?.error?.location;
    if (!loc) return false;
    this.hooks.openLocation({ file: loc.file, line: loc.line, column: loc.column });
    return true;
  }

  private setSel(sel: Sel | null, reveal: boolean): void {
    this.sel = sel;
    this.pendingFocus = undefined;
    if (sel && reveal) this.reveal(sel.fr, sel.fc);
    this.forceRefresh = true;
    this.renderNow();
    this.hooks.stateChanged();
  }

  private updateActiveDescendant(): void {
    const sel = this.sel;
    const visible = sel && this.active.has(sel.fr);
    attr(this.scroller, 'aria-activedescendant', visible ? 'grid-focus' : null);
  }

  private reveal(pos: number, ci: number): void {
    const s = this.scroller;
    const viewH = (this.viewportH || s.clientHeight) - this.headerH;
    const y = pos * this.rowH;
    if (y < s.scrollTop) this.setScrollTop(y);
    else if (y + this.rowH > s.scrollTop + viewH) this.setScrollTop(y + this.rowH - viewH);
    // Horizontally: the sticky columns cover the left edge.
    let x = 0;
    for (let c = 0; c < ci; c++) x += this.widths[c];
    const sticky = this.stickyWidth();
    const w = this.widths[ci] ?? 0;
    if (ci < this.stickyCount()) return;
    if (x - sticky < s.scrollLeft) s.scrollLeft = x - sticky;
    else if (x + w > s.scrollLeft + s.clientWidth) s.scrollLeft = Math.min(x - sticky, x + w - s.clientWidth);
  }

  private stickyCount(): number {
    return this.cols[1]?.kind === 'status' ? 2 : 1;
  }

  private stickyWidth(): number {
    let w = 0;
    for (let c = 0; c < this.stickyCount(); c++) w += this.widths[c];
    return w;
  }

  private pageRows(): number {
    return Math.max(1, Math.floor(((this.viewportH || this.scroller.clientHeight) - this.headerH) / this.rowH) - 1);
  }

  private onKey(e: KeyboardEvent): void {
    // Keys on the header's sort buttons are theirs (Enter/Space sort).
    if (e.target !== this.scroller) return;
    const n = this.viewLength();
    const lastCol = this.cols.length - 1;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && (e.key === 'c' || e.key === 'C') && !e.altKey) {
      this.copyWithFallback();
      return; // let the browser fire its copy event
    }
    if (mod && (e.key === 'a' || e.key === 'A')) {
      e.preventDefault();
      if (n) this.setSel({ ar: 0, ac: 1, fr: n - 1, fc: lastCol }, false);
      return;
    }
    if (!n || lastCol < 1) return;
    const cur = this.sel ?? this.firstVisibleCell();
    let fr = cur.fr;
    let fc = cur.fc;
    switch (e.key) {
      case 'ArrowUp':
        fr = mod ? 0 : fr - 1;
        break;
      case 'ArrowDown':
        fr = mod ? n - 1 : fr + 1;
        break;
      case 'ArrowLeft':
        fc = mod ? 1 : fc - 1;
        break;
      case 'ArrowRight':
        fc = mod ? lastCol : fc + 1;
        break;
      case 'PageUp':
        fr -= this.pageRows();
        break;
      case 'PageDown':
        fr += this.pageRows();
        break;
      case 'Home':
        if (mod) fr = 0;
        else fc = 1;
        break;
      case 'End':
        if (mod) fr = n - 1;
        else fc = lastCol;
        break;
      case 'Enter':
        if (mod) return; // Ctrl/Cmd+Enter runs (main.ts)
        if (this.sel && this.cols[this.sel.fc]?.kind === 'result' && this.openErrorAt(this.indexAt(this.sel.fr))) e.preventDefault();
        return;
      case 'Escape':
        if (this.sel && (this.sel.ar !== this.sel.fr || this.sel.ac !== this.sel.fc)) {
          e.preventDefault();
          this.setSel({ ar: this.sel.fr, ac: this.sel.fc, fr: this.sel.fr, fc: this.sel.fc }, true);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    fr = Math.max(0, Math.min(n - 1, fr));
    fc = Math.max(1, Math.min(lastCol, fc));
    if (e.shiftKey && this.sel) this.setSel({ ...this.sel, fr, fc }, true);
    else this.setSel({ ar: fr, ac: fc, fr, fc }, true);
  }

  private firstVisibleCell(): Sel {
    const pos = Math.min(this.viewLength() - 1, Math.ceil(this.scroller.scrollTop / this.rowH));
    // The first arrow press selects this cell and stays on it.
    return { ar: pos, ac: 1, fr: pos, fc: 1 };
  }

  private ownsFocus(): boolean {
    const a = document.activeElement;
    return !!a && this.scroller.contains(a);
  }

  private onCopy(e: ClipboardEvent): void {
    if (!this.ownsFocus() || !this.sel || !e.clipboardData) return;
    const text = this.selectionText();
    if (text === undefined) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
    this.copyPending = false;
  }

  /** VS Code and browsers fire a copy event for Ctrl/Cmd+C; if none comes, use the async API. */
  private copyWithFallback(): void {
    if (!this.sel) return;
    this.copyPending = true;
    setTimeout(() => {
      if (!this.copyPending) return;
      this.copyPending = false;
      const text = this.selectionText();
      if (text !== undefined) navigator.clipboard?.writeText(text).catch(() => undefined);
    }, 0);
  }
}

function fontOf(el: Element, weight?: string): string {
  const cs = getComputedStyle(el);
  return `${weight ?? cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The LONGEST longest strings seen (by length): measureText is slow, so only these are measured. */
class Longest {
  private readonly values: string[] = [];

  add(v: string): void {
    const values = this.values;
    if (values.length < LONGEST) {
      values.push(v);
      return;
    }
    let k = 0;
    for (let j = 1; j < LONGEST; j++) if (values[j].length < values[k].length) k = j;
    if (v.length > values[k].length) values[k] = v;
  }

  /** Pixel width of the widest of them. */
  widest(measure: (s: string) => number): number {
    let max = 0;
    for (const v of this.values) max = Math.max(max, measure(v));
    return max;
  }
}
