// What a tab shown again draws before the extension answers. VS Code drops a hidden editor's
// webview and keeps only its state (getState/setState): we keep in it the rows the view showed
// last, with their results, as the `init` they stand for. A re-shown tab draws them at once; the
// extension's own `init` and rows follow and replace them (the rows' text stays drawn until their
// own slice comes, see Model.init's `keepSnapshotRows`). No DOM here (unit tested).
import type { ApplyChoice, InitMessage, ProgressView, ResultView, RunSettingsView, UnfinishedRunView, ViewKind } from '../shared/protocol';
import type { Model } from './model';

/** At most this many rows are kept (a tall window shows ~60). */
export const SNAPSHOT_ROWS = 150;
/** A cell's text is kept up to this many characters (the cell shows far less). */
export const SNAPSHOT_CELL_CHARS = 2000;
/** Rows stop being added past this many characters of cells (the state is saved as JSON, often). */
export const SNAPSHOT_BUDGET_CHARS = 128 * 1024;
/** Rows kept above the top row and below the last one in view (a small scroll finds them drawn). */
const ABOVE = 10;
const BELOW = 20;

export interface ViewSnapshot {
  v: 1;
  /** The `init` these rows belong to; its run (or unfinished run) holds only these rows' results. */
  init: InitMessage;
  /** The locator row of `rows[0]`. */
  start: number;
  /** Each row's cells; null for a row not loaded when the snapshot was taken (or itself from a snapshot). */
  rows: (string[] | null)[];
}

/** What the view got from the extension besides the model: the parts of `init` a snapshot repeats. */
export interface ViewContext {
  kind: ViewKind;
  title: string;
  settings: RunSettingsView;
  applyChoices?: ApplyChoice[];
  trusted: boolean;
  modes: InitMessage['modes'];
  unfinishedRun?: UnfinishedRunView;
}

/** The rows [top - ABOVE, top + shown + BELOW) of `model` (in file order) as a snapshot. */
export function takeSnapshot(model: Model, top: number, shown: number, ctx: ViewContext): ViewSnapshot {
  const start = Math.max(0, Math.min(top, model.rowCount) - ABOVE);
  const end = Math.min(model.rowCount, top + Math.max(0, shown) + BELOW, start + SNAPSHOT_ROWS);
  const rows: (string[] | null)[] = [];
  const results: ResultView[] = [];
  let chars = 0;
  for (let i = start; i < end && chars < SNAPSHOT_BUDGET_CHARS; i++) {
    const row = model.isFromSnapshot(i) ? undefined : model.rows[i];
    const cells = row ? row.map((c) => cut(c == null ? '' : String(c))) : null;
    for (const c of cells ?? []) chars += c.length;
    rows.push(cells);
    const r = model.results[i];
    const status = model.statusOf(i);
    if (r) results.push(slimResult(r));
    else if (status) results.push({ index: i, status });
  }
  const init: InitMessage = {
    type: 'init',
    kind: ctx.kind,
    title: ctx.title,
    columns: model.columns.slice(),
    rowCount: model.rowCount,
    settings: ctx.settings,
    applyChoices: ctx.applyChoices,
    trusted: ctx.trusted,
    modes: ctx.modes,
  };
  const run = model.run;
  if (run) {
    init.run = { runId: run.runId, running: run.running, progress: run.progress ?? noProgress(run.total), results, summary: run.summary };
  } else if (ctx.unfinishedRun) {
    init.unfinishedRun = { ...ctx.unfinishedRun, results };
  }
  return { v: 1, init, start, rows };
}

/** A snapshot from saved state, or undefined when there is none or it is not one (an older version's state). */
export function readSnapshot(saved: unknown): ViewSnapshot | undefined {
  if (!saved || typeof saved !== 'object') return undefined;
  const s = saved as Partial<ViewSnapshot>;
  const init = s.init as Partial<InitMessage> | undefined;
  if (s.v !== 1 || !init || init.type !== 'init' || (init.kind !== 'editor' && init.kind !== 'results')) return undefined;
  if (!Array.isArray(init.columns) || !init.columns.every((c) => typeof c === 'string')) return undefined;
  if (!Number.isInteger(init.rowCount) || typeof init.title !== 'string' || !init.settings || !Array.isArray(init.modes)) return undefined;
  if (!Number.isInteger(s.start) || s.start! < 0 || !Array.isArray(s.rows)) return undefined;
  if (!s.rows.every((r) => r === null || (Array.isArray(r) && r.every((c) => typeof c === 'string')))) return undefined;
  const run = init.run as Partial<NonNullable<InitMessage['run']>> | undefined;
  if (run !== undefined && !(typeof run?.runId === 'number' && typeof run.running === 'boolean' && validProgress(run.progress) && validResults(run.results))) return undefined;
  const unfinished = init.unfinishedRun as Partial<UnfinishedRunView> | undefined;
  if (unfinished !== undefined && !(typeof unfinished?.text === 'string' && validResults(unfinished.results))) return undefined;
  return s as ViewSnapshot;
}

function validProgress(p: unknown): boolean {
  return !!p && typeof p === 'object' && typeof (p as ProgressView).total === 'number' && typeof (p as ProgressView).finished === 'number';
}

function validResults(results: unknown): boolean {
  return Array.isArray(results) && results.every((r) => !!r && typeof r === 'object' && Number.isInteger((r as ResultView).index) && typeof (r as ResultView).status === 'string');
}

function cut(text: string): string {
  if (text.length <= SNAPSHOT_CELL_CHARS) return text;
  // Not in the middle of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text[SNAPSHOT_CELL_CHARS - 1]) ? SNAPSHOT_CELL_CHARS - 1 : SNAPSHOT_CELL_CHARS;
  return text.slice(0, end);
}

function slimResult(r: ResultView): ResultView {
  const out: ResultView = { ...r };
  if (out.text !== undefined) out.text = cut(out.text);
  if (out.error) out.error = { name: out.error.name, message: cut(out.error.message), location: out.error.location };
  return out;
}

function noProgress(total: number): ProgressView {
  return { total, finished: 0, done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0, rowsPerSecond: 0, elapsedMs: 0 };
}
