// The webview's copy of what the extension sent: the locator rows, the per-row results of the
// current/last run and the run's progress. No DOM here (so it can be unit tested).
import type {
  CellStatus,
  InitMessage,
  ProgressView,
  ResultView,
  RowsMessage,
  RunEndedMessage,
  RunSettingsView,
  RunStartedMessage,
  RunSummaryView,
} from '../shared/protocol';
import { unfinishedCount } from '../core/types';
import { RowSliceDecoder } from '../shared/rowSlices';
import { STATUS_CODES } from './format';

// Per-row status is kept as a byte: 0 = never run, otherwise STATUS_CODES[code - 1].
const CODE = new Map<CellStatus, number>(STATUS_CODES.map((s, i) => [s, i + 1]));

export interface RunInfo {
  runId: number;
  running: boolean;
  total: number;
  settings?: RunSettingsView;
  progress?: ProgressView;
  summary?: RunSummaryView;
  /** A cancel was asked for and the run has not ended yet. */
  cancelling?: boolean;
}

export class Model {
  columns: string[] = [];
  rowCount = 0;
  rows: (string[] | undefined)[] = [];
  /** Rows received so far (slices may come in any order). */
  loaded = 0;
  rowsComplete = false;
  results: (ResultView | undefined)[] = [];
  status = new Uint8Array(0);
  run: RunInfo | undefined;
  /** True once any row has a status: the table then shows its Status and Result columns. */
  hasResults = false;
  /** Bumped whenever results change (views that sort/filter on results recompute). */
  resultsVersion = 0;
  rowsVersion = 0;
  private rowDecoder = new RowSliceDecoder();
  /** Rows drawn from the view's snapshot (viewSnapshot.ts) whose own slice has not come yet: not `loaded`. */
  private fromSnapshot = new Set<number>();

  /**
   * `keepSnapshotRows`: the extension's first `init` after a snapshot was drawn. Rows drawn from
   * the snapshot stay until their own slice replaces them (when the columns are the same: the
   * text may have changed meanwhile, the slice says); results, statuses and the run are the new init's.
   */
  init(msg: InitMessage, keepSnapshotRows = false): void {
    const carry = keepSnapshotRows ? this.snapshotRowsToCarry(msg) : [];
    this.fromSnapshot = new Set();
    this.columns = msg.columns.slice();
    this.rowDecoder = new RowSliceDecoder();
    this.rowCount = msg.parseError ? 0 : Math.max(0, msg.rowCount | 0);
    this.rows = new Array(this.rowCount);
    this.loaded = 0;
    this.rowsComplete = this.rowCount === 0;
    this.results = new Array(this.rowCount);
    this.status = new Uint8Array(this.rowCount);
    this.hasResults = false;
    this.run = undefined;
    this.rowsVersion++;
    this.resultsVersion++;
    const run = msg.run;
    if (run) {
      this.run = {
        runId: run.runId,
        running: run.running,
        total: run.progress.total,
        progress: run.progress,
        summary: run.summary,
      };
      // Rows of a running run without a result yet are still to come.
      if (run.running) this.status.fill(CODE.get('pending')!);
      this.hasResults = run.running || run.results.length > 0;
      this.applyResults(run.results);
      if (!run.running) this.settleLeftovers(run.summary?.endedBy ?? 'finished');
    } else if (msg.unfinishedRun) {
      this.showUnfinished(msg.unfinishedRun.results);
    }
    for (const { index, row } of carry) {
      if (index >= this.rowCount) continue;
      this.rows[index] = row;
      this.fromSnapshot.add(index);
    }
  }

  private snapshotRowsToCarry(msg: InitMessage): { index: number; row: string[] }[] {
    const sameColumns = msg.columns.length === this.columns.length && msg.columns.every((c, i) => c === this.columns[i]);
    if (!sameColumns || msg.parseError) return [];
    const out: { index: number; row: string[] }[] = [];
    for (const index of this.fromSnapshot) {
      const row = this.rows[index];
      if (row) out.push({ index, row });
    }
    return out;
  }

  /** Row i is drawn from the snapshot: its own slice has not come yet. */
  isFromSnapshot(i: number): boolean {
    return this.fromSnapshot.has(i);
  }

  /** Draws the rows of a snapshot (from `start`; null: not loaded then): until the extension's own come. */
  restoreSnapshotRows(start: number, rows: (string[] | null)[]): void {
    for (let i = 0; i < rows.length; i++) {
      const at = start + i;
      const row = rows[i];
      if (!row || at >= this.rowCount || this.rows[at] !== undefined) continue;
      this.rows[at] = row;
      this.fromSnapshot.add(at);
    }
    this.rowsVersion++;
  }

  /** The rows an unfinished last run (whose window closed) finished, drawn while no run of this window is shown. */
  showUnfinished(results: ResultView[]): void {
    if (this.run) return;
    this.applyResults(results);
  }

  /** The unfinished run was dismissed: its rows go, unless a run has replaced them. */
  clearUnfinished(): void {
    if (this.run || !this.hasResults) return;
    this.results = new Array(this.rowCount);
    this.status.fill(0);
    this.hasResults = false;
    this.resultsVersion++;
  }

  addRows(msg: RowsMessage): void {
    const rows = this.rowDecoder.decode(msg.columns, msg.count);
    const end = msg.start + rows.length;
    if (end > this.rowCount) this.grow(end);
    for (let i = 0; i < rows.length; i++) {
      const at = msg.start + i;
      if (this.rows[at] === undefined || this.fromSnapshot.delete(at)) this.loaded++;
      this.rows[at] = rows[i];
    }
    if (msg.total !== undefined) {
      this.rowsComplete = true;
      // The last slice tells the real length (`init` may have had an estimate).
      if (msg.total < this.rowCount) this.shrink(msg.total);
      else if (msg.total > this.rowCount) this.grow(msg.total);
    }
    this.rowsVersion++;
  }

  private grow(n: number): void {
    this.rows.length = n;
    this.results.length = n;
    const s = new Uint8Array(n);
    s.set(this.status);
    this.status = s;
    this.rowCount = n;
  }

  private shrink(n: number): void {
    for (const i of this.fromSnapshot) if (i >= n) this.fromSnapshot.delete(i);
    this.rows.length = n;
    this.results.length = n;
    this.status = this.status.slice(0, n);
    this.rowCount = n;
  }

  startRun(msg: RunStartedMessage): void {
    this.run = { runId: msg.runId, running: true, total: msg.total, settings: msg.settings };
    const pending = CODE.get('pending')!;
    if (msg.indices) {
      // Only these rows run again; every other row keeps what it had.
      for (const i of msg.indices) {
        if (i < 0 || i >= this.rowCount) continue;
        this.results[i] = undefined;
        this.status[i] = pending;
      }
    } else {
      this.results = new Array(this.rowCount);
      this.status.fill(pending);
    }
    this.hasResults = true;
    this.resultsVersion++;
  }

  /** Returns false when the message belongs to an older run (and was ignored). */
  addResults(runId: number, results: ResultView[], progress: ProgressView): boolean {
    if (this.run && runId < this.run.runId) return false;
    if (!this.run || runId > this.run.runId) {
      // Results of a run we did not see start (e.g. the tab was restored mid-run).
      this.run = { runId, running: true, total: progress.total };
    }
    this.run.progress = progress;
    this.run.total = progress.total;
    this.applyResults(results);
    return true;
  }

  setProgress(runId: number, progress: ProgressView): boolean {
    if (!this.run || runId !== this.run.runId || !this.run.running) return false;
    this.run.progress = progress;
    this.run.total = progress.total;
    return true;
  }

  private applyResults(results: ResultView[]): void {
    const n = this.rowCount;
    for (const r of results) {
      const i = r.index;
      if (!(i >= 0 && i < n)) continue;
      this.results[i] = r;
      this.status[i] = CODE.get(r.status) ?? 0;
    }
    if (results.length) {
      this.hasResults = true;
      this.resultsVersion++;
    }
  }

  endRun(msg: RunEndedMessage): void {
    if (this.run && msg.runId < this.run.runId) return;
    if (!this.run || msg.runId > this.run.runId) this.run = { runId: msg.runId, running: false, total: msg.summary.total };
    this.run.running = false;
    this.run.cancelling = false;
    this.run.summary = msg.summary;
    this.run.progress = msg.summary;
    this.settleLeftovers(msg.summary.endedBy);
    this.resultsVersion++;
  }

  /** Rows still pending or running when a run is over: it stopped before them. */
  private settleLeftovers(endedBy: RunSummaryView['endedBy']): void {
    const pending = CODE.get('pending')!;
    const running = CODE.get('running')!;
    const leftover = endedBy === 'finished' ? 0 : CODE.get('cancelled')!;
    for (let i = 0; i < this.status.length; i++) {
      const s = this.status[i];
      if (s === pending || s === running) this.status[i] = leftover;
    }
  }

  statusOf(i: number): CellStatus | undefined {
    const c = this.status[i];
    return c ? STATUS_CODES[c - 1] : undefined;
  }

  /** True when row i's result came as its start only (ResultView.fullLength): the extension has the whole. */
  resultIsPartial(i: number): boolean {
    const r = this.results[i];
    return !!r && !r.error && r.fullLength !== undefined;
  }

  /** What the Result column shows for row i. */
  resultText(i: number): string {
    const r = this.results[i];
    if (!r) return '';
    if (r.error) return r.error.name && r.error.name !== 'Error' ? `${r.error.name}: ${r.error.message}` : r.error.message || r.error.name;
    if (r.text !== undefined) return r.text;
    return '';
  }

  cell(i: number, col: number): string {
    const row = this.rows[i];
    if (!row) return '';
    const v = row[col];
    return v === undefined || v === null ? '' : String(v);
  }

  /** Rows of the last run without a result (failed or cancelled): what Re-run Failed Rows runs. */
  unfinishedCount(): number {
    const p = this.run?.summary ?? this.run?.progress;
    return p ? unfinishedCount(p) : 0;
  }
}
