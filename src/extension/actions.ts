// User actions on a locator, shared by the palette commands and the webviews' buttons. Each shows
// the session's refusals in VS Code's way (see RunReporter.showRefusal).
import * as path from 'path';
import * as vscode from 'vscode';
import { isPythonApplyFile } from '../core/python/pythonApply';
import type { RunSettings } from '../core/run';
import { RESULT_TYPES, unfinishedCount, type Mode, type ResultType } from '../core/types';
import type { RunSettingsView } from '../shared/protocol';
import { RunRefusal } from '../session/refusal';
import { workersFor } from '../session/settings';
import { offeredModes } from '../session/slurm';
import { pickApplyFile } from './applyFiles';
import { readConfig } from './config';
import type { LastRun, LocatorSession, RunRequestOptions } from './locatorSession';
import type { Sessions } from './sessions';

/** What a run action gives back: the finished run, or `refused` with the reason (already shown to the user). */
export type RunResult = LastRun | { refused: string };

/** Runs, and shows a refusal the user's way. */
export async function runSession(sessions: Sessions, session: LocatorSession, options: RunRequestOptions): Promise<RunResult> {
  sessions.lastRun = session;
  return showRefusals(sessions, () => session.run(options));
}

/** The run's choices as the run bar shows them. */
export function choiceOf(view: RunSettingsView): Partial<RunSettings> {
  return { mode: view.mode, workers: view.workers, resultType: view.resultType, isPatch: view.isPatch, onError: view.onError };
}

export async function rerunFailed(sessions: Sessions, session: LocatorSession, shownIn?: () => boolean): Promise<RunResult> {
  return showRefusals(sessions, async () => {
    const last = session.requireLast('re-run');
    if (!unfinishedCount(last.summary)) {
      throw new RunRefusal('nothing-to-rerun', `every row of the last run on ${session.name} succeeded.`);
    }
    sessions.lastRun = session;
    return session.run({ applyFile: last.view.applyFile, choice: choiceOf(last.view), column: last.view.column, onlyFailed: true, shownIn });
  });
}

/** Runs `action`; a refusal is shown and returned as `{ refused }`. */
export async function showRefusals<T>(sessions: Sessions, action: () => Promise<T>): Promise<T | { refused: string }> {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof RunRefusal)) throw err;
    sessions.reporter.showRefusal(err);
    return { refused: err.message };
  }
}

export async function exportResults(sessions: Sessions, session: LocatorSession, target?: vscode.Uri) {
  const done = await showRefusals(sessions, async () => {
    const last = session.requireLast('export');
    const base = path.basename(session.uri.fsPath, '.csv');
    target ??= await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(session.uri, '..', `${base}.results.csv`),
      filters: { 'CSV (locator)': ['csv'], 'JSON (results and per-row status)': ['json'] },
      saveLabel: 'Export Results',
      title: 'Locator Batch: Export Results',
    });
    if (!target) return undefined;
    const format = target.path.toLowerCase().endsWith('.json') ? 'json' : 'csv';
    // A local file is written as a stream; other file systems take the text whole.
    if (target.scheme === 'file') await session.exportToFile(target.fsPath, format, last.view.column);
    else await vscode.workspace.fs.writeFile(target, Buffer.from(session.exportText(format, last.view.column), 'utf8'));
    void vscode.window.showInformationMessage(`Locator Batch: exported to ${vscode.workspace.asRelativePath(target)}`);
    return target;
  });
  return done instanceof vscode.Uri ? done : undefined;
}

/** Picks an apply file for a locator: the run bar takes it, with its `defaults`. */
export async function chooseApplyFile(sessions: Sessions, session: LocatorSession): Promise<RunSettingsView | undefined> {
  const current = await session.runBar.view();
  const file = await pickApplyFile(sessions.applyFiles, current.applyFile);
  if (!file) return undefined;
  return session.runBar.update({ ...current, applyFile: file });
}

/**
 * The palette's questions after the apply file: mode, workers and result type, each offered with
 * what the settings resolve to (the apply file's `defaults` over the user's settings) first.
 * Every step of Run Batch... (locator, apply file, these) sets `ignoreFocusOut`: between steps VS Code
 * hands the focus back to the editor, and a webview editor taking it late closed the next step.
 */
export async function askRunSettings(session: LocatorSession, current: RunSettingsView): Promise<RunSettingsView | undefined> {
  const user = readConfig(session.uri).user;
  // Quick picks select their first item: put the default there.
  const defaultFirst = <T>(items: readonly T[], d: T) => [d, ...items.filter((i) => i !== d)];
  const python = Boolean(current.applyFile && isPythonApplyFile(current.applyFile));
  const modeHelp: Record<Mode, string> = python
    ? {
        sequential: 'one row at a time, in one Python process',
        async: "a pool of threads in one Python process (EEGUnity's 'thread'): for I/O-bound work",
        process: 'a pool of Python processes: for CPU-bound work (MNE, numpy)',
        slurm: 'a Slurm job array: each task runs a shard of the rows on a compute node',
      }
    : {
        sequential: 'one row at a time, in the extension host',
        async: 'many rows in flight: for apply functions that await I/O',
        process: 'a pool of child processes: for CPU-bound work',
        slurm: 'a Slurm job array: each task runs a shard of the rows on a compute node',
      };
  const mode = (
    await vscode.window.showQuickPick(
      defaultFirst(offeredModes(), current.mode).map((m) => ({ label: m, description: m === current.mode ? describe(current, 'mode') : '', detail: modeHelp[m] })),
      { title: 'Locator Batch: Mode', placeHolder: `Mode (default: ${current.mode})`, ignoreFocusOut: true },
    )
  )?.label as Mode | undefined;
  if (!mode) return undefined;
  const suggested = mode === current.mode ? current.workers : workersFor(mode, user);
  const workersText =
    mode === 'sequential'
      ? '1'
      : await vscode.window.showInputBox({
          title: 'Locator Batch: Workers',
          ignoreFocusOut: true,
          prompt:
            mode === 'async' ? 'Rows in flight at once' : mode === 'slurm' ? 'Worker processes in each Slurm task (1: rows one at a time)' : 'Worker processes (0 or less runs sequentially)',
          value: String(suggested),
          validateInput: (v) => (/^-?\d+$/.test(v.trim()) ? undefined : 'A whole number, please'),
        });
  if (workersText === undefined) return undefined;
  const resultHelp: Record<ResultType, string> = { series: 'each result is a row: a new locator', value: 'one value per row: a new column', none: 'side effects only' };
  const resultType = (
    await vscode.window.showQuickPick(
      defaultFirst(RESULT_TYPES, current.resultType).map((t) => ({
        label: t,
        description: t === current.resultType ? describe(current, 'resultType') : '',
        detail: resultHelp[t],
      })),
      { title: 'Locator Batch: Result Type', placeHolder: `Result type (default: ${current.resultType})`, ignoreFocusOut: true },
    )
  )?.label as ResultType | undefined;
  if (!resultType) return undefined;
  return { ...current, mode, workers: Number(workersText.trim()), resultType };
}

/** "default, from apply/mean-std.ts" */
function describe(view: RunSettingsView, key: 'mode' | 'resultType'): string {
  const source = view.sources?.[key];
  return source && source !== 'built-in default' ? `default, ${source}` : 'default';
}

/**
 * Writes the last run's results back: value results into a column (asked for unless given), series
 * results as a new locator or in place (asked for unless given). An undoable edit; nothing is saved.
 */
export async function writeBack(
  sessions: Sessions,
  session: LocatorSession,
  args: { column?: string; target?: 'replace' | 'new' },
  ask: boolean,
): Promise<boolean> {
  const done = await showRefusals(sessions, async () => {
    const last = session.requireLast('write back');
    if (last.settings.resultType === 'none') throw new RunRefusal('nothing-to-write', 'result type "none" has nothing to write back.');
    if (last.settings.resultType === 'series') {
      const target = args.target ?? (ask ? await askSeriesTarget(session) : 'new');
      if (target === 'replace') return session.replaceWithSeries();
      if (!target) return false;
      const doc = await vscode.workspace.openTextDocument({ content: session.seriesText(), language: 'csv' });
      await vscode.window.showTextDocument(doc, { preview: false });
      return true;
    }
    const column =
      args.column ??
      (ask
        ? await vscode.window.showInputBox({
            title: 'Locator Batch: Write Back Value Results',
            prompt: 'Column to write the values to (an existing column is replaced; rows without a value keep theirs)',
            value: last.view.column || 'result',
            validateInput: (v) => (v.trim() ? undefined : 'A column name, please'),
          })
        : last.view.column);
    return column ? session.writeBackColumn(column.trim()) : false;
  });
  return done === true;
}

async function askSeriesTarget(session: LocatorSession): Promise<'replace' | 'new' | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Open as a new locator', value: 'new' as const },
      { label: `Replace the content of ${session.name}`, description: 'undoable; saved when you save', value: 'replace' as const },
    ],
    { title: 'Locator Batch: Write Back Series Results' },
  );
  return picked?.value;
}
