// A view snapshot: the rows a locator view draws before the extension's `init` answers, with the
// `init` they stand for. Two producers: the webview saves one in its state (a tab VS Code rebuilds
// draws it at once, src/webview/viewSnapshot.ts), and the extension puts the first rows of a locator
// into the page it creates (a first open draws them without waiting for the `ready` round trip,
// src/extension/webviewHtml.ts). Either way the page draws it as it is and waits, inert, for the
// extension's own `init`, which replaces it. No DOM, no vscode (unit tested).
import type { InitMessage, ProgressView, ResultView, UnfinishedRunView } from './protocol';

/** At most this many rows are kept (a tall window shows ~60). */
export const SNAPSHOT_ROWS = 150;
/** A cell's text is kept up to this many characters (the cell shows far less). */
export const SNAPSHOT_CELL_CHARS = 2000;
/** Rows stop being added past this many characters of cells (the state is saved as JSON, often). */
export const SNAPSHOT_BUDGET_CHARS = 128 * 1024;
/** The id of the page's JSON block holding the extension's first rows (see firstScreen). */
export const FIRST_SCREEN_ID = 'first-screen';

export interface ViewSnapshot {
  v: 1;
  /** The `init` these rows belong to; its run (or unfinished run) holds only these rows' results. */
  init: InitMessage;
  /** The locator row of `rows[0]`. */
  start: number;
  /** Each row's cells; null for a row not loaded when the snapshot was taken (or itself from a snapshot). */
  rows: (string[] | null)[];
}

/**
 * The first rows of a locator as the snapshot its page draws first: at most SNAPSHOT_ROWS rows and
 * SNAPSHOT_BUDGET_CHARS characters of cells (whole rows), long cells cut, and of `init`'s run or unfinished run
 * only the results of those rows.
 */
export function firstScreen(init: InitMessage, rows: string[][]): ViewSnapshot {
  const kept: string[][] = [];
  let chars = 0;
  for (const row of rows) {
    if (kept.length >= SNAPSHOT_ROWS) break;
    const cells = row.map(cutCell);
    const rowChars = cells.reduce((n, c) => n + c.length, 0);
    // Never past the budget, not even with the first row (a very wide one): the page is sent whole.
    if (chars + rowChars > SNAPSHOT_BUDGET_CHARS) break;
    chars += rowChars;
    kept.push(cells);
  }
  const ofKept = (results: ResultView[]) => results.filter((r) => r.index < kept.length).map(slimResult);
  const out: InitMessage = { ...init };
  if (init.run) out.run = { ...init.run, results: ofKept(init.run.results) };
  if (init.unfinishedRun) out.unfinishedRun = { ...init.unfinishedRun, results: ofKept(init.unfinishedRun.results) };
  return { v: 1, init: out, start: 0, rows: kept };
}

/**
 * The snapshot as the text of the page's JSON block (`<script type="application/json">`): `<`, `>`
 * and `&` written as \u escapes, so no cell can end the block; JSON.parse reads them back.
 */
export function firstScreenJson(snapshot: ViewSnapshot): string {
  return JSON.stringify(snapshot).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A snapshot from saved state (or the page's first rows), or undefined when it is not one (an older version's). */
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

/** A cell's text as a snapshot keeps it (never half a surrogate pair at the cut). */
export function cutCell(text: string): string {
  if (text.length <= SNAPSHOT_CELL_CHARS) return text;
  const end = /[\uD800-\uDBFF]/.test(text[SNAPSHOT_CELL_CHARS - 1]) ? SNAPSHOT_CELL_CHARS - 1 : SNAPSHOT_CELL_CHARS;
  return text.slice(0, end);
}

/** A result as a snapshot keeps it: its texts cut. */
export function slimResult(r: ResultView): ResultView {
  const out: ResultView = { ...r };
  if (out.text !== undefined) out.text = cutCell(out.text);
  if (out.error) out.error = { name: out.error.name, message: cutCell(out.error.message), location: out.error.location };
  return out;
}
