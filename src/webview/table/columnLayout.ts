// Column widths and the header: measures a sample of values with a canvas to fit each column
// (grow only, so widths do not jump while rows stream in), lets the user drag a header's edge to
// resize (that width is kept and persisted) and double-click it to fit again, and draws the header
// with its sort buttons. Row height follows the editor font.
import type { Model } from '../model';
import { h, icon } from '../dom';
import { type Col, MIN_WIDTH, SAMPLE_ROWS, fitColumns, stickyCount } from './columns';
import type { TableView } from './tableView';

export interface ColumnLayoutHooks {
  /** A header was clicked: sort by its column. */
  toggleSort(c: Col): void;
  /** A width the user set (or cleared) is to be persisted. */
  stateChanged(): void;
  /** Redraw soon. */
  schedule(): void;
}

export class ColumnLayout {
  /** Pixel width of each column of `view.cols`. */
  widths: number[] = [];
  /** Widths the user set by dragging (persisted, never auto-fitted again). */
  userWidths = new Map<string, number>();
  private autoWidths = new Map<string, number>();
  private sampled = 0;
  rowH = 22;
  headerH = 26;
  /** Bumped when a column's alignment (numeric or not) changes: rows apply it again. */
  alignVersion = 0;
  private measureCtx: CanvasRenderingContext2D | null = null;

  constructor(
    private readonly model: Model,
    private readonly view: TableView,
    private readonly scroller: HTMLElement,
    readonly header: HTMLElement,
    private readonly hooks: ColumnLayoutHooks,
  ) {}

  /** A new locator: the user's saved widths, everything else measured again. */
  reset(saved: Record<string, number> | undefined): void {
    this.userWidths = new Map(Object.entries(saved ?? {}).filter(([, w]) => typeof w === 'number' && w > 0));
    this.autoWidths.clear();
    this.sampled = 0;
  }

  /** More rows came in than were sampled (and the sample is not full yet). */
  get wantsSample(): boolean {
    return this.sampled < SAMPLE_ROWS && this.model.loaded > this.sampled;
  }

  /** Row and header heights from the font size. */
  measureMetrics(): void {
    const cs = getComputedStyle(this.scroller);
    const size = parseFloat(cs.fontSize) || 13;
    this.rowH = Math.max(22, Math.round(size * 1.65));
    this.scroller.style.setProperty('--row-h', `${this.rowH}px`);
    this.headerH = Math.max(26, Math.round(size * 1.65) + 4);
    this.scroller.style.setProperty('--header-h', `${this.headerH}px`);
  }

  /** The font changed: measure every column again from scratch. */
  refit(): void {
    this.autoWidths.clear();
    this.sampled = 0;
    this.autoFit();
  }

  /** Results came in: let the Result column fit them (unless the user sized it). */
  fitResults(): void {
    if (!this.view.cols.some((c) => c.kind === 'result') || this.userWidths.has('result')) return;
    this.autoFit();
  }

  private ctx(): CanvasRenderingContext2D | null {
    if (!this.measureCtx) this.measureCtx = document.createElement('canvas').getContext('2d');
    return this.measureCtx;
  }

  /** Fits column widths to a sample of rows (grow only, so widths do not jump around). */
  autoFit(): void {
    const ctx = this.ctx();
    const dataFont = fontOf(this.scroller);
    const headFont = fontOf(this.header.isConnected ? this.header : this.scroller, '600');
    // Setting ctx.font parses the font: switch it only when the font changes.
    let current = '';
    const cache = new Map<string, number>();
    const measure = (s: string, header: boolean): number => {
      if (!ctx) return s.length * 8;
      const font = header ? headFont : dataFont;
      const t = s.length > 120 ? s.slice(0, 120) : s;
      const k = header ? '\u0000' + t : t;
      let w = cache.get(k);
      if (w === undefined) {
        if (current !== font) ctx.font = current = font;
        w = ctx.measureText(t).width;
        cache.set(k, w);
      }
      return w;
    };
    const fitted = fitColumns(this.model, this.view.cols, measure);
    this.sampled = fitted.sampled;
    for (const [key, w] of fitted.widths) this.autoWidths.set(key, Math.max(w, this.autoWidths.get(key) ?? 0));
    this.applyWidths();
    if (fitted.numericChanged) {
      this.alignVersion++;
      if (this.header.childElementCount) this.buildHeader();
    }
  }

  private widthOf(c: Col): number {
    return this.userWidths.get(c.key) ?? this.autoWidths.get(c.key) ?? 120;
  }

  applyWidths(): void {
    this.widths = this.view.cols.map((c) => this.widthOf(c));
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

  stickyCount(): number {
    return stickyCount(this.view.cols);
  }

  /** Width of the frozen columns at the left edge. */
  stickyWidth(): number {
    let w = 0;
    for (let c = 0; c < this.stickyCount(); c++) w += this.widths[c];
    return w;
  }

  /** Left edge of column `ci`. */
  xOf(ci: number): number {
    let x = 0;
    for (let c = 0; c < ci; c++) x += this.widths[c];
    return x;
  }

  buildHeader(): void {
    const sort = this.view.sort;
    const cells: HTMLElement[] = [];
    this.view.cols.forEach((c, ci) => {
      const sorted = sort?.key === c.key ? sort.dir : undefined;
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
      btn.addEventListener('click', () => this.hooks.toggleSort(c));
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
        this.hooks.schedule();
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
    const col = this.view.cols[ci];
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
}

function fontOf(el: Element, weight?: string): string {
  const cs = getComputedStyle(el);
  return `${weight ?? cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
}
