// Finding, choosing and creating apply files in the workspace.
import * as path from 'path';
import * as vscode from 'vscode';
import type { ApplyChoice } from '../shared/protocol';

const APPLY_GLOB = '**/*.{js,cjs,mjs,ts,mts,cts,py}';
// Folders of installed, built or tool-owned code, and type declarations, are never apply files.
const SKIPPED_FOLDERS = ['node_modules', '.git', 'dist', 'out', '.vscode-test', '.venv', 'venv', 'site-packages', '__pycache__'];
const EXCLUDE_GLOB = `{${SKIPPED_FOLDERS.map((f) => `**/${f}/**`).join(',')},**/*.d.ts}`;
const EXCLUDED = new RegExp(`/(${SKIPPED_FOLDERS.map((f) => f.replace(/\./g, '\\.')).join('|')})/|\\.d\\.ts$`);
// Files larger than this are not apply files worth scanning for an export.
const MAX_SCAN_BYTES = 512 * 1024;

/** A quick textual check: the file appears to export `apply` (named or default). */
const EXPORTS_APPLY =
  /export\s+(async\s+)?function\s*\*?\s*apply\b|export\s+(const|let|var)\s+apply\b|export\s*\{[^}]*\bapply\b[^}]*\}|export\s+default\b|(module\.)?exports\.apply\s*=|module\.exports\s*=/;

/** A Python apply file defines `apply` or `app_func` (EEGUnity's name) at top level. */
const DEFINES_APPLY = /^(async\s+)?def\s+(apply|app_func)\s*\(/m;

/** Searches the workspace for files that export `apply` (one read per candidate: may take a while). */
async function findApplyFiles(): Promise<ApplyChoice[]> {
  const uris = await vscode.workspace.findFiles(APPLY_GLOB, EXCLUDE_GLOB, 2000);
  const found = await Promise.all(uris.map(checkApplyFile));
  return sortChoices(found.filter((c): c is ApplyChoice => !!c));
}

/** The file as a choice if it looks like an apply file, else undefined (also when unreadable). */
async function checkApplyFile(uri: vscode.Uri): Promise<ApplyChoice | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_SCAN_BYTES) return undefined;
    const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    const looksLikeApply = uri.path.toLowerCase().endsWith('.py') ? DEFINES_APPLY : EXPORTS_APPLY;
    return looksLikeApply.test(text) ? toChoice(uri) : undefined;
  } catch {
    return undefined;
  }
}

function sortChoices(choices: ApplyChoice[]): ApplyChoice[] {
  return choices.sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * The workspace's apply files, for the run bars: searched when first wanted (never at activation),
 * then kept current file by file as script files are created, saved or deleted. Views show
 * `current` at once and follow `onDidChange`.
 */
export class ApplyFileIndex implements vscode.Disposable {
  private found: ApplyChoice[] | undefined;
  private searching: Promise<ApplyChoice[]> | undefined;
  private watcher: vscode.Disposable | undefined;
  /** File events are applied in order, each after the search in flight. */
  private updates: Promise<unknown> = Promise.resolve();
  private readonly changed = new vscode.EventEmitter<ApplyChoice[]>();
  readonly onDidChange = this.changed.event;

  /** What the last search found, kept current since; undefined before the first search. */
  get current(): ApplyChoice[] | undefined {
    return this.found;
  }

  /** Searches the whole workspace (one search at a time: callers meanwhile share it). */
  search(): Promise<ApplyChoice[]> {
    this.watch();
    this.searching ??= findApplyFiles()
      .then((found) => {
        this.set(found);
        return found;
      })
      .finally(() => (this.searching = undefined));
    return this.searching;
  }

  private set(found: ApplyChoice[]): void {
    const key = (cs: ApplyChoice[] | undefined) => cs?.map((c) => c.path).join('\0');
    const same = key(found) === key(this.found);
    this.found = found;
    if (!same) this.changed.fire(found);
  }

  private watch(): void {
    if (this.watcher) return;
    const watcher = vscode.workspace.createFileSystemWatcher(APPLY_GLOB);
    const recheck = (uri: vscode.Uri, deleted: boolean) => {
      if (EXCLUDED.test(uri.path)) return;
      this.updates = this.updates.then(async () => {
        await this.searching?.catch(() => undefined);
        if (!this.found) return;
        const choice = deleted ? undefined : await checkApplyFile(uri);
        const others = this.found.filter((c) => c.path !== uri.fsPath);
        this.set(sortChoices(choice ? [...others, choice] : others));
      }).catch(() => undefined);
    };
    this.watcher = vscode.Disposable.from(
      watcher,
      watcher.onDidCreate((uri) => recheck(uri, false)),
      watcher.onDidChange((uri) => recheck(uri, false)),
      watcher.onDidDelete((uri) => recheck(uri, true)),
    );
  }

  dispose(): void {
    this.watcher?.dispose();
    this.changed.dispose();
  }
}

export function toChoice(uri: vscode.Uri): ApplyChoice {
  return { path: uri.fsPath, label: vscode.workspace.asRelativePath(uri, false) };
}

/** Quick pick of apply files, the remembered one first; also offers Browse and New. */
export async function pickApplyFile(index: ApplyFileIndex, remembered?: string): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { path?: string; action?: 'browse' | 'new' };
  const choices = await index.search();
  const items: Item[] = choices.map((c) => ({
    label: c.label,
    description: c.path === remembered ? 'last used' : undefined,
    path: c.path,
  }));
  items.sort((a, b) => Number(b.path === remembered) - Number(a.path === remembered));
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Browse...', action: 'browse' },
    { label: '$(new-file) New Apply File...', action: 'new' },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Locator Batch: Apply File',
    ignoreFocusOut: true,
    placeHolder: choices.length ? 'Pick the file whose apply(row) (Python: app_func) runs on each row' : 'No apply files found in the workspace',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  if (picked.action === 'new') return (await createApplyFile())?.fsPath;
  const uris = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Use as Apply File',
    filters: { 'Apply files (JavaScript, TypeScript, Python)': ['js', 'cjs', 'mjs', 'ts', 'mts', 'cts', 'py'] },
  });
  return uris?.[0]?.fsPath;
}

export type ApplyLanguage = 'ts' | 'js' | 'py';

const LANGUAGE_FILTERS: Record<ApplyLanguage, Record<string, string[]>> = {
  ts: { TypeScript: ['ts'] },
  js: { JavaScript: ['js'] },
  py: { Python: ['py'] },
};

/** "New Apply File...": a commented template in TS, JS or Python, saved where the user says and opened. */
export async function createApplyFile(target?: vscode.Uri, language?: ApplyLanguage): Promise<vscode.Uri | undefined> {
  language ??= (
    await vscode.window.showQuickPick(
      [
        { label: 'TypeScript', description: 'apply.ts', value: 'ts' as const },
        { label: 'JavaScript', description: 'apply.js', value: 'js' as const },
        { label: 'Python', description: "apply.py: EEGUnity's con_func / app_func on a pandas row", value: 'py' as const },
      ],
      { title: 'Locator Batch: New Apply File', placeHolder: 'Language of the new apply file', ignoreFocusOut: true },
    )
  )?.value;
  if (!language) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  target ??= await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `apply.${language}`) : undefined,
    filters: LANGUAGE_FILTERS[language],
    saveLabel: 'Create Apply File',
  });
  if (!target) return undefined;
  const text = language === 'py' ? PYTHON_APPLY_TEMPLATE : applyTemplate(language);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  await vscode.window.showTextDocument(target);
  return target;
}

export function applyTemplate(language: 'ts' | 'js'): string {
  const ts = language === 'ts';
  const rowType = ts ? ': Row' : '';
  const ctxType = ts ? ': { index: number; signal: AbortSignal; locatorPath?: string }' : '';
  return `// A Locator Batch apply file. Run it from a locator with "Locator Batch: Run Batch...".
//
// condition(row) picks the rows to process (optional; without it every row runs).
// apply(row, context) runs once per picked row; what it returns is that row's result:
//   - result type "value": any JSON-like value (a number, a string, an object...) per row
//   - result type "series": a row object; the rows become a new locator
//   - result type "none": return nothing, do your work as a side effect (e.g. write files)
// Every cell of a row is a string, as EEGUnity reads locators. Throwing fails that row only.
${ts ? "import { promises as fs } from 'fs';\n\ntype Row = Record<string, string>;\n" : "const { promises: fs } = require('fs');\n"}
${ts ? 'export ' : ''}const defaults = {
  mode: 'async', // 'sequential' | 'async' (I/O-bound) | 'process' (CPU-bound)
  resultType: 'value', // 'value' | 'series' | 'none'
  isPatch: false,
};

${ts ? 'export ' : ''}function condition(row${rowType})${ts ? ': boolean' : ''} {
  return row['Completeness Check'] === 'Completed';
}

${ts ? 'export ' : ''}async function apply(row${rowType}, context${ctxType}) {
  // Example: the size of each recording file, in bytes.
  const stat = await fs.stat(row['File Path']);
  return stat.size;
}
${ts ? '' : '\nmodule.exports = { defaults, condition, apply };\n'}`;
}

/** The Python template: EEGUnity's `batch_process` functions, which run here unchanged. */
export const PYTHON_APPLY_TEMPLATE = `# A Locator Batch apply file in Python: the con_func / app_func you pass to EEGUnity's
# batch_process run here unchanged. Run it from a locator with "Locator Batch: Run Batch...".
#
# Each row is what EEGUnity gives: a pandas Series from pandas.read_csv(locator).iterrows(), so
# numbers are numbers (row['Number of Channels'] is an int, row['Sampling Rate'] a float) and an
# empty cell is NaN; row.name is the row's index. Packages (pandas, numpy, mne...) come from the
# interpreter in the setting locatorBatch.pythonInterpreter. Files next to this one can be imported.
#
# con_func(row) picks the rows to process (optional; without it every row runs).
# app_func(row) runs once per picked row; what it returns is that row's result:
#   - result_type 'value': any value (a number, a string, a dict...) per row
#   - result_type 'series': a row (a pandas Series or a dict); the rows become a new locator
#   - result_type None: return nothing, do your work as a side effect (e.g. write files)
# Raising fails that row only; the error points at its line here. print() goes to the
# "Locator Batch" output, tagged with the row.
import os

defaults = {
    # 'sequential': one row at a time
    # 'thread': a pool of threads in one Python process (I/O-bound work: reading files)
    # 'process': worker processes, one per core (CPU-bound work: MNE, numpy)
    'execution_mode': 'thread',
    'result_type': 'value',
    'is_patch': False,
}


def con_func(row):
    return row['Completeness Check'] == 'Completed'


def app_func(row):
    # Example: the size of each recording file, in bytes.
    return os.path.getsize(row['File Path'])
`;

export function displayName(file: string): string {
  return path.basename(file);
}
