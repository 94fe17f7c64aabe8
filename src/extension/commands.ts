// The command palette: Run Batch..., Cancel Run, Re-run Failed Rows, Export Results...,
// Resume Last Run, New Apply File..., Show Results, Open in Locator Editor.
import * as vscode from 'vscode';
import type { RunOutcome } from '../core/run';
import type { RunSettingsView } from '../shared/protocol';
import { untrustedRefusal } from '../session/refusal';
import { askRunSettings, choiceOf, chooseApplyFile, exportResults, rerunFailed, runSession, showRefusals, writeBack, type RunResult } from './actions';
import { createApplyFile, type ApplyLanguage } from './applyFiles';
import { resumable, resumeUnfinishedRun } from './lastRunOffer';
import { CSV_EDITOR_VIEW_TYPE, LOCATOR_EDITOR_VIEW_TYPE } from './locatorEditor';
import type { LocatorSession, RunRequestOptions } from './locatorSession';
import type { ResultsPanels } from './resultsPanel';
import { COMMANDS } from './runReporter';
import type { Sessions } from './sessions';

/** Arguments a caller (a keybinding, a test, another extension) can pass to skip the questions. */
export interface RunBatchArgs extends Partial<RunSettingsView> {
  timeoutMs?: number;
  /** Open the results panel (default true). */
  showResults?: boolean;
}

/** What the run commands return: the outcome, `refused` with the reason, or undefined when the user backed out. */
export type RunBatchResult = Pick<RunOutcome, 'records' | 'counts' | 'endedBy' | 'effectiveMode'> | { refused: string } | undefined;

export function registerCommands(sessions: Sessions, panels: ResultsPanels): vscode.Disposable[] {
  const session = async (uri?: vscode.Uri) => {
    const target = uri instanceof vscode.Uri ? uri : await pickLocator(sessions, panels);
    return target ? sessions.get(target) : undefined;
  };
  return [
    vscode.commands.registerCommand(COMMANDS.runBatch, async (uri?: vscode.Uri, args?: RunBatchArgs): Promise<RunBatchResult> => {
      if (!vscode.workspace.isTrusted) {
        // Refused before any question, shown the usual way.
        return pickOutcome(await showRefusals(sessions, () => Promise.reject(untrustedRefusal())));
      }
      const s = await session(uri);
      if (!s) return undefined;
      let options: RunRequestOptions;
      if (args?.applyFile) {
        // Arguments are the user's choice for this run; what they leave out comes from the apply
        // file's defaults and the settings.
        const { applyFile, column, timeoutMs, mode, workers, resultType, isPatch, onError } = args;
        options = { applyFile, column, choice: stripUndefined({ mode, workers, resultType, isPatch, onError, timeoutMs }) };
      } else {
        const picked = await chooseApplyFile(sessions, s);
        const answers = picked?.applyFile ? await askRunSettings(s, picked) : undefined;
        if (!answers) return undefined;
        const view = await s.runBar.update(answers);
        options = { applyFile: view.applyFile, column: view.column, choice: choiceOf(view) };
      }
      if (args?.showResults !== false) panels.show(s, true);
      return pickOutcome(await runSession(sessions, s, options));
    }),
    vscode.commands.registerCommand(COMMANDS.cancelRun, async (uri?: vscode.Uri) => {
      const running = sessions.find(uri)?.active ? [sessions.find(uri)!] : sessions.running();
      if (!running.length) {
        void vscode.window.showInformationMessage('Locator Batch: no run is going.');
        return false;
      }
      const target = running.length === 1 ? running[0] : await pickSession(running, 'Cancel which run?');
      return target?.cancel() ?? false;
    }),
    vscode.commands.registerCommand(COMMANDS.rerunFailed, async (uri?: vscode.Uri): Promise<RunBatchResult> => {
      const s = sessions.find(uri) ?? sessions.lastRun ?? (await session(uri));
      if (!s) return undefined;
      panels.show(s, true);
      return pickOutcome(await rerunFailed(sessions, s));
    }),
    vscode.commands.registerCommand(COMMANDS.resumeLastRun, async (uri?: vscode.Uri): Promise<RunBatchResult> => {
      // The locator given, else the one open with a run that did not end (a quick pick when several have one).
      const given = sessions.find(uri);
      const offered = given?.unfinished ? [given] : resumable(sessions);
      if (!offered.length) {
        void vscode.window.showInformationMessage('Locator Batch: no locator open here has an unfinished last run to resume.');
        return undefined;
      }
      const s = offered.length === 1 ? offered[0] : await pickSession(offered, 'Resume the last run of which locator?');
      if (!s) return undefined;
      panels.show(s, true);
      return pickOutcome(await resumeUnfinishedRun(sessions, s));
    }),
    vscode.commands.registerCommand(COMMANDS.exportResults, async (uri?: vscode.Uri, target?: vscode.Uri) => {
      const s = sessions.find(uri) ?? sessions.lastRun;
      if (!s) {
        void vscode.window.showInformationMessage('Locator Batch: run a batch first; then its results can be exported.');
        return undefined;
      }
      return exportResults(sessions, s, target);
    }),
    vscode.commands.registerCommand(
      COMMANDS.writeBack,
      async (uri?: vscode.Uri, args?: { column?: string; target?: 'replace' | 'new' }) => {
        const s = sessions.find(uri) ?? sessions.lastRun;
        if (!s?.last) {
          void vscode.window.showInformationMessage('Locator Batch: run a batch first; then its results can be written back.');
          return false;
        }
        return writeBack(sessions, s, args ?? {}, true);
      },
    ),
    vscode.commands.registerCommand(COMMANDS.newApplyFile, (target?: vscode.Uri, language?: ApplyLanguage) =>
      createApplyFile(target instanceof vscode.Uri ? target : undefined, language),
    ),
    vscode.commands.registerCommand(COMMANDS.showResults, async (uri?: vscode.Uri) => {
      const s = sessions.find(uri) ?? sessions.lastRun ?? (await session(uri));
      if (s) panels.show(s);
    }),
    vscode.commands.registerCommand(COMMANDS.openEditor, async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : await pickLocator(sessions, panels);
      if (!target) return;
      // A file already open in either of our editors is brought forward, not opened a second time.
      const open = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .map((t) => t.input)
        .find(
          (i): i is vscode.TabInputCustom =>
            i instanceof vscode.TabInputCustom &&
            i.uri.toString() === target.toString() &&
            [LOCATOR_EDITOR_VIEW_TYPE, CSV_EDITOR_VIEW_TYPE].includes(i.viewType),
        );
      const viewType =
        open?.viewType ?? (target.path.toLowerCase().endsWith('.locator.csv') ? LOCATOR_EDITOR_VIEW_TYPE : CSV_EDITOR_VIEW_TYPE);
      await vscode.commands.executeCommand('vscode.openWith', target, viewType);
    }),
  ];
}

function pickOutcome(o: RunResult): NonNullable<RunBatchResult> {
  if ('refused' in o) return o;
  const { records, counts, endedBy, effectiveMode } = o.outcome;
  return { records, counts, endedBy, effectiveMode };
}



function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The locator in front (its results panel, locator editor or CSV text editor), else a quick pick of the workspace's CSVs. */
async function pickLocator(sessions: Sessions, panels: ResultsPanels): Promise<vscode.Uri | undefined> {
  const shown = panels.activeLocator();
  if (shown) return shown;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && [LOCATOR_EDITOR_VIEW_TYPE, CSV_EDITOR_VIEW_TYPE].includes(input.viewType)) {
    return input.uri;
  }
  if (input instanceof vscode.TabInputText && input.uri.path.toLowerCase().endsWith('.csv')) return input.uri;
  const csvs = await vscode.workspace.findFiles('**/*.csv', '{**/node_modules/**,**/.locator-batch/**}', 500);
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const recent = sessions.lastRun?.uri.toString();
  const items: Item[] = csvs
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, description: uri.toString() === recent ? 'last run' : undefined }))
    .sort((a, b) => Number(Boolean(b.description)) - Number(Boolean(a.description)) || a.label.localeCompare(b.label));
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Browse...' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Locator Batch: Locator', placeHolder: 'Pick the locator CSV to process', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Locator CSV': ['csv'] }, openLabel: 'Use Locator' });
  return uris?.[0];
}

async function pickSession(list: LocatorSession[], title: string): Promise<LocatorSession | undefined> {
  const picked = await vscode.window.showQuickPick(
    list.map((s) => ({ label: s.name, description: vscode.workspace.asRelativePath(s.uri), session: s })),
    { title: `Locator Batch: ${title}` },
  );
  return picked?.session;
}
