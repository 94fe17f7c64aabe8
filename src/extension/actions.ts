// User actions on a locator, shared by the palette commands and the webviews' buttons.
import * as path from 'path';
import * as vscode from 'vscode';
import { loadApplyFile } from '../core/applyModule';
import { MODES, RESULT_TYPES, type ApplyDefaults } from '../core/types';
import type { RunSettingsView } from '../shared/protocol';
import { pickApplyFile } from './applyFiles';
import { readConfig, workersFor } from './config';
import type { LocatorSession } from './locatorSession';
import type { Sessions } from './sessions';

export async function runSession(sessions: Sessions, session: LocatorSession, settings: RunSettingsView, onlyFailed = false) {
  sessions.lastRun = session;
  return session.run({ settings, onlyFailed });
}

export async function rerunFailed(sessions: Sessions, session: LocatorSession) {
  const last = session.last;
  if (!last) {
    void vscode.window.showInformationMessage(`Locator Batch: ${session.name} has no finished run to re-run.`);
    return undefined;
  }
  const c = last.summary;
  if (c.error + c.timeout + c.cancelled === 0) {
    void vscode.window.showInformationMessage(`Locator Batch: every row of the last run on ${session.name} succeeded.`);
    return undefined;
  }
  return runSession(sessions, session, last.settings, true);
}

export async function exportResults(session: LocatorSession, target?: vscode.Uri) {
  const last = session.last;
  if (!last) {
    void vscode.window.showInformationMessage(`Locator Batch: ${session.name} has no finished run to export.`);
    return undefined;
  }
  const base = path.basename(session.uri.fsPath, '.csv');
  target ??= await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(session.uri, '..', `${base}.results.csv`),
    filters: { 'CSV (locator)': ['csv'], 'JSON (results and per-row status)': ['json'] },
    saveLabel: 'Export Results',
    title: 'Locator Batch: Export Results',
  });
  if (!target) return undefined;
  const format = target.path.toLowerCase().endsWith('.json') ? 'json' : 'csv';
  if (format === 'csv' && last.settings.resultType === 'none') {
    void vscode.window.showWarningMessage('Locator Batch: result type "none" returns nothing to put in a CSV; export JSON for the per-row status.');
    return undefined;
  }
  await vscode.workspace.fs.writeFile(target, Buffer.from(session.exportText(format, last.settings.column), 'utf8'));
  void vscode.window.showInformationMessage(`Locator Batch: exported to ${vscode.workspace.asRelativePath(target)}`);
  return target;
}

/** Picks an apply file for a locator and remembers it in its settings. */
export async function chooseApplyFile(sessions: Sessions, session: LocatorSession): Promise<RunSettingsView | undefined> {
  const file = await pickApplyFile(sessions.applyFiles, session.settings.applyFile);
  if (!file) return undefined;
  const settings = { ...session.settings, applyFile: file };
  await session.saveSettings(settings);
  return settings;
}

/**
 * The palette's questions after the apply file: mode, workers and result type, defaults pre-selected.
 * Every step of Run Batch... (locator, apply file, these) sets `ignoreFocusOut`: between steps VS Code
 * hands the focus back to the editor, and a webview editor taking it late closed the next step.
 */
export async function askRunSettings(session: LocatorSession, applyFile: string): Promise<RunSettingsView | undefined> {
  const config = readConfig(session.uri);
  const current = { ...session.settings, applyFile };
  // The apply file's own `defaults` say how its author meant it to run: they come first.
  const defaults = await loadApplyFile(applyFile).then((l) => l.module.defaults, () => ({}) as ApplyDefaults);
  if (defaults.mode) {
    current.mode = defaults.mode;
    current.workers = defaults.workers ?? workersFor(defaults.mode, config);
  }
  if (defaults.resultType) current.resultType = defaults.resultType;
  if (defaults.isPatch !== undefined) current.isPatch = defaults.isPatch;
  // Quick picks select their first item: put the default there.
  const defaultFirst = <T>(items: readonly T[], d: T) => [d, ...items.filter((i) => i !== d)];
  const modeHelp: Record<string, string> = {
    sequential: 'one row at a time, in the extension host',
    async: 'many rows in flight: for apply functions that await I/O',
    process: 'a pool of child processes: for CPU-bound work',
  };
  const mode = (
    await vscode.window.showQuickPick(
      defaultFirst(MODES, current.mode).map((m) => ({ label: m, description: m === current.mode ? 'default' : '', detail: modeHelp[m]})),
      { title: 'Locator Batch: Mode', placeHolder: `Mode (default: ${current.mode})`, ignoreFocusOut: true },
    )
  )?.label as RunSettingsView['mode'] | undefined;
  if (!mode) return undefined;
  const suggested = mode === current.mode ? current.workers : workersFor(mode, config);
  const workersText =
    mode === 'sequential'
      ? '1'
      : await vscode.window.showInputBox({
          title: 'Locator Batch: Workers',
          ignoreFocusOut: true,
          prompt: mode === 'async' ? 'Rows in flight at once' : 'Worker processes (0 or less runs sequentially)',
          value: String(suggested),
          validateInput: (v) => (/^-?\d+$/.test(v.trim()) ? undefined : 'A whole number, please'),
        });
  if (workersText === undefined) return undefined;
  const resultType = (
    await vscode.window.showQuickPick(
      defaultFirst(RESULT_TYPES, current.resultType).map((t) => ({
        label: t,
        description: t === current.resultType ? 'default' : '',
        detail: { series: 'each result is a row: a new locator', value: 'one value per row: a new column', none: 'side effects only' }[t],
      })),
      { title: 'Locator Batch: Result Type', placeHolder: `Result type (default: ${current.resultType})`, ignoreFocusOut: true },
    )
  )?.label as RunSettingsView['resultType'] | undefined;
  if (!resultType) return undefined;
  return { ...current, mode, workers: Number(workersText.trim()), resultType };
}
