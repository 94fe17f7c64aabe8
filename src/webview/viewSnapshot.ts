// What a tab shown again draws before the extension answers. VS Code drops a hidden editor's
// webview and keeps only its state (getState/setState): we keep in it the rows the view showed
// last, with their results, as the `init` they stand for. A re-shown tab draws them at once; the
// extension's own `init` and rows follow and replace them (the rows' text stays drawn until their
// own slice comes, see Model.init's `keepSnapshotRows`). A first open draws the first rows the
// extension put into the page the same way (readFirstScreen). No DOM here (unit tested).
import { emptyProgress, type ApplyChoice, type InitMessage, type ResultView, type RunSettingsView, type UnfinishedRunView, type ViewKind } from '../shared/protocol';
import { FIRST_SCREEN_ID, SNAPSHOT_BUDGET_CHARS, SNAPSHOT_ROWS, cutCell, readSnapshot, slimResult, type ViewSnapshot } from '../shared/viewSnapshot';
import type { Model } from './model';


/** Rows kept above the top row and below the last one in view (a small scroll finds them drawn). */
const ABOVE = 10;
const BELOW = 20;

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
    const cells = row ? row.map((c) => cutCell(c == null ? '' : String(c))) : null;
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
    init.run = { runId: run.runId, running: run.running, progress: run.progress ?? emptyProgress(run.total), results, summary: run.summary };
  } else if (ctx.unfinishedRun) {
    init.unfinishedRun = { ...ctx.unfinishedRun, results };
  }
  return { v: 1, init, start, rows };
}

/** The first rows the extension put into the page (its JSON block, see webviewHtml), if any. */
export function readFirstScreen(page: Pick<Document, 'getElementById'>): ViewSnapshot | undefined {
  const text = page.getElementById(FIRST_SCREEN_ID)?.textContent;
  if (!text) return undefined;
  try {
    return readSnapshot(JSON.parse(text));
  } catch {
    return undefined;
  }
}
