// The virtual rows: only the rows in (or near) the viewport exist as DOM elements, each placed at
// its view position and recycled as the user scrolls. A row element remembers what each cell
// shows, so drawing again writes only what changed. Every cell is written as text, never markup.
import type { ResultView } from '../../shared/protocol';
import { attr, codiconClass, h, setText, toggle } from '../dom';
import { STATUS } from '../format';
import type { Model } from '../model';
import { cellDisplayText } from './cellText';
import type { ColumnLayout } from './columnLayout';
import type { TableView } from './tableView';

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
  alignVersion: number;
  odd: boolean | undefined;
  loading: boolean | undefined;
  ariaPos: number;
  /** Column of the focused cell in this row, -1 if none. */
  focusCol: number;
  hasSel: boolean;
}

/** A cell found from a mouse event: its view position, locator row and column index. */
export interface CellHit {
  pos: number;
  idx: number;
  ci: number;
}

export class RowRenderer {
  private active = new Map<number, RowEl>();
  private free: RowEl[] = [];
  private rowOf = new WeakMap<Element, RowEl>();

  constructor(
    private readonly model: Model,
    private readonly view: TableView,
    private readonly layout: ColumnLayout,
    readonly body: HTMLDivElement,
  ) {}

  /** The columns changed: row elements carry one cell per column, so start again. */
  dropAll(): void {
    for (const r of this.active.values()) r.el.remove();
    for (const r of this.free) r.el.remove();
    this.active.clear();
    this.free = [];
  }

  /** The row height changed: every row element sits at pos * rowH, so place them again. */
  releaseAll(): void {
    for (const [, r] of this.active) this.release(r);
    this.active.clear();
  }

  /** Whether view position `pos` has a row element now. */
  isDrawn(pos: number): boolean {
    return this.active.has(pos);
  }

  /** Shows view positions [first, last): new rows are filled, the others only when `force`. */
  draw(first: number, last: number, force: boolean): void {
    for (const [pos, r] of this.active) {
      if (pos < first || pos >= last) {
        this.active.delete(pos);
        this.release(r);
      }
    }
    const rowH = this.layout.rowH;
    for (let pos = first; pos < last; pos++) {
      let r = this.active.get(pos);
      const fresh = !r;
      if (!r) {
        r = this.free.pop() ?? this.createRow();
        r.pos = pos;
        r.el.hidden = false;
        r.el.style.transform = `translateY(${pos * rowH}px)`;
        this.active.set(pos, r);
      }
      if (fresh || force) this.fill(r, pos);
    }
  }

  cellAt(target: EventTarget | null): CellHit | undefined {
    const cell = (target as Element | null)?.closest?.('.cell');
    const rowEl = cell?.parentElement;
    const r = rowEl ? this.rowOf.get(rowEl) : undefined;
    if (!cell || !r || r.pos < 0) return undefined;
    return { pos: r.pos, idx: r.idx, ci: Number(cell.getAttribute('data-c')) };
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
      const sc = this.view.cols.findIndex((c) => c.kind === 'status');
      if (sc >= 0) {
        r.text[sc] = undefined;
        r.cells[sc].removeAttribute('data-status');
      }
    }
    this.free.push(r);
  }

  private createRow(): RowEl {
    const cols = this.view.cols;
    const el = h('div', 'grid-row', { role: 'row' });
    const cells = cols.map((c, ci) => {
      const cell = h('div', `cell k-${c.kind}`, { role: c.kind === 'rownum' ? 'rowheader' : 'gridcell', 'aria-colindex': ci + 1, 'data-c': ci });
      if (c.kind === 'status') cell.append(h('span', 'codicon'), h('span', 'status-word'));
      return cell;
    });
    const k = this.layout.stickyCount();
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
      alignVersion: -1,
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
    const cols = this.view.cols;
    const idx = this.view.indexAt(pos);
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
    if (r.alignVersion !== this.layout.alignVersion) {
      r.alignVersion = this.layout.alignVersion;
      cols.forEach((c, ci) => toggle(r.cells[ci], 'num', c.numeric));
    }
    const status = m.statusOf(idx);
    const sel = this.view.sel;
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

    for (let ci = 0; ci < cols.length; ci++) {
      const c = cols[ci];
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
          // One line in the cell (a line break shows as ↵); the value as it is on hover.
          cell.textContent = cellDisplayText(t);
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
    cell.textContent = text ? cellDisplayText(text) : status === 'skipped' || status === 'cancelled' ? status : '';
    const isError = !!res?.error;
    toggle(cell, 'error', isError);
    toggle(cell, 'dim', !text && !!status);
    const loc = res?.error?.location;
    // A large value came as its start only: the cell says how large it is and opens the whole.
    const partial = !isError && res?.fullLength !== undefined;
    toggle(cell, 'link', !!loc || partial);
    toggle(cell, 'partial', partial);
    if (partial) {
      const size = h('span', 'value-size');
      size.textContent = `${formatChars(res.fullLength!)}`;
      cell.prepend(size);
      cell.title = `${text.slice(0, 300)}…\n\nThe whole value is ${res.fullLength!.toLocaleString('en-US')} characters: click (or Enter) to open it.`;
    } else if (res?.error) {
      const e = res.error;
      const where = loc ? `\n${loc.file}:${loc.line}:${loc.column} (click to open)` : '';
      cell.title = `${e.name}: ${e.message}${where}${e.stack ? `\n\n${e.stack}` : ''}`;
    } else {
      cell.title = text;
    }
  }
}

/** "21.3k chars": the size of a value the cell shows only the start of. */
function formatChars(n: number): string {
  return n < 10_000 ? `${n.toLocaleString('en-US')} chars` : n < 10_000_000 ? `${(n / 1000).toFixed(1)}k chars` : `${(n / 1e6).toFixed(1)}M chars`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
