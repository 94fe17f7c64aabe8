// A `*.locator.csv` opened in the first seconds of a window can land in the plain text editor: until
// the extension host has read the extension's contributions, the workbench does not know the locator
// editor (VS Code waits for them only for files that matched an editor in the previous session of
// the same profile, or a user's `workbench.editorAssociations`), and nothing activates the extension
// either. So the extension activates on `onStartupFinished` (a `workspaceContains:**/*.locator.csv`
// glob search timed out after VS Code's 7 s on a busy machine, and would hold back every other
// extension's onStartupFinished in large workspaces), and at activation the locators' text tabs
// already open are reopened in the locator editor, in their group and place, active if they were. Never
// touched: a tab with unsaved edits, and one the user keeps as text: every locator text tab that is
// open while the extension is active is remembered (workspace state), so one restored in the next
// session, after "Reopen Editor With... > Text Editor", stays text.
import * as vscode from 'vscode';
import { LOCATOR_EDITOR_VIEW_TYPE } from './contributions';

const KEPT_AS_TEXT_KEY = 'locatorBatch.locatorTextTabs';
// The workbench may still be registering the contributions when the extension activates: check that
// the locator editor opened, else try again (ATTEMPTS times, RETRY_MS apart).
const ATTEMPTS = 5;
const RETRY_MS = 1000;

const isLocatorText = (tab: vscode.Tab): tab is vscode.Tab & { input: vscode.TabInputText } =>
  tab.input instanceof vscode.TabInputText && tab.input.uri.path.endsWith('.locator.csv');

const locatorTextTabs = (): (vscode.Tab & { input: vscode.TabInputText })[] =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter(isLocatorText));

/** Call from activate(): reopens the early text tabs, then keeps the record of kept ones current. */
export function reopenEarlyTabs(state: vscode.Memento): vscode.Disposable {
  const kept = new Set(state.get<string[]>(KEPT_AS_TEXT_KEY, []));
  const early = locatorTextTabs().filter((t) => !t.isDirty && !kept.has(t.input.uri.toString()) && !associatedElsewhere(t.input.uri));
  let remembered = [...kept].sort().join('\n');
  const remember = (): void => {
    const open = [...new Set(locatorTextTabs().map((t) => t.input.uri.toString()))].sort();
    if (open.join('\n') === remembered) return;
    remembered = open.join('\n');
    void state.update(KEPT_AS_TEXT_KEY, open);
  };
  let disposed = false;
  let listener: vscode.Disposable | undefined;
  void (async () => {
    for (const tab of early) {
      if (disposed) return;
      await reopen(tab).catch((err) => console.warn(`Locator Batch: could not reopen ${tab.input.uri.fsPath} in the locator editor: ${err}`));
    }
    if (disposed) return;
    remember();
    listener = vscode.window.tabGroups.onDidChangeTabs(remember);
  })();
  return new vscode.Disposable(() => {
    disposed = true;
    listener?.dispose();
  });
}

async function reopen(tab: vscode.Tab & { input: vscode.TabInputText }): Promise<void> {
  const { uri } = tab.input;
  const column = tab.group.viewColumn;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const current = findTab(column, (t) => isLocatorText(t) && sameUri(t.input.uri, uri));
    // Closed, edited or moved meanwhile: the user has taken it over.
    if (!current || current.isDirty) return;
    const wasActive = current.isActive && current.group.isActive;
    const options = { viewColumn: column, preview: current.isPreview, preserveFocus: !wasActive, background: !current.isActive };
    // Fails (or opens text again) while the workbench does not know the view type yet: retried.
    await Promise.resolve(vscode.commands.executeCommand('vscode.openWith', uri, LOCATOR_EDITOR_VIEW_TYPE, options)).catch(() => undefined);
    const isCustom = (t: vscode.Tab): boolean =>
      t.input instanceof vscode.TabInputCustom && t.input.viewType === LOCATOR_EDITOR_VIEW_TYPE && sameUri(t.input.uri, uri);
    if (await eventually(() => !!findTab(column, isCustom))) {
      // A preview tab was replaced by the new one; a pinned one is still there.
      const stale = findTab(column, (t) => isLocatorText(t) && sameUri(t.input.uri, uri));
      if (stale && !stale.isDirty) await vscode.window.tabGroups.close(stale, true);
      return;
    }
  }
}

/** True when the user's `workbench.editorAssociations` give this file another editor (e.g. "default": text). */
function associatedElsewhere(uri: vscode.Uri): boolean {
  const associations = vscode.workspace.getConfiguration('workbench').get<Record<string, string>>('editorAssociations') ?? {};
  return Object.entries(associations).some(([pattern, viewType]) => viewType !== LOCATOR_EDITOR_VIEW_TYPE && globMatches(pattern, uri.path));
}

/** `*`, `**` and `?` of a file glob; a pattern without a slash matches the file name. */
function globMatches(pattern: string, path: string): boolean {
  const subject = pattern.includes('/') ? path : path.slice(path.lastIndexOf('/') + 1);
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/|\*\*|\*|\?/g, (m) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[m] ?? m);
  return new RegExp(`^${re}$`, 'i').test(subject);
}

const sameUri = (a: vscode.Uri, b: vscode.Uri): boolean => a.toString() === b.toString();

function findTab(column: vscode.ViewColumn, match: (t: vscode.Tab) => boolean): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.find((g) => g.viewColumn === column)?.tabs.find(match);
}

/** Polls `check` for up to RETRY_MS (tab changes reach the extension host as events). */
async function eventually(check: () => boolean): Promise<boolean> {
  for (let waited = 0; waited <= RETRY_MS; waited += 100) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
