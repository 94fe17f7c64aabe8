// Entry point: activate only registers (it runs in every workspace, on onStartupFinished: keep it
// cheap). It registers the contributed commands and the locator editor as placeholders; the rest of
// the extension (features.ts, its own file dist/extension-features.js: the engine, the sessions, the
// views) loads the first time one of them is used. Nothing runs, loads or scans until the user asks.
import * as vscode from 'vscode';
import { COMMANDS, CSV_EDITOR_VIEW_TYPE, LOCATOR_EDITOR_VIEW_TYPE } from './contributions';
import type { Features } from './features';
import { reopenEarlyTabs } from './reopenEarlyTabs';

let features: Features | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const placeholders: vscode.Disposable[] = [];
  const load = (): Features => {
    if (!features) {
      // A file of its own beside this one in dist/ (esbuild.js); features.js beside this one in out/.
      // Loaded before the placeholders go: if it cannot load, the commands still answer (with the error).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { loadFeatures } = require('./features') as typeof import('./features');
      // The real commands take the placeholders' ids.
      for (const d of placeholders.splice(0)) d.dispose();
      features = loadFeatures(context);
    }
    return features;
  };
  for (const id of Object.values(COMMANDS)) {
    placeholders.push(
      vscode.commands.registerCommand(id, (...args: unknown[]) => {
        load();
        return vscode.commands.executeCommand(id, ...args);
      }),
    );
  }
  const editor: vscode.CustomTextEditorProvider = {
    resolveCustomTextEditor: (document, panel, token) => load().editorProvider.resolveCustomTextEditor(document, panel, token),
  };
  const options = { supportsMultipleEditorsPerDocument: true };
  context.subscriptions.push(
    ...[LOCATOR_EDITOR_VIEW_TYPE, CSV_EDITOR_VIEW_TYPE].map((viewType) => vscode.window.registerCustomEditorProvider(viewType, editor, options)),
    { dispose: () => placeholders.forEach((d) => d.dispose()) },
    { dispose: () => features?.dispose() },
    // After the provider is registered: it opens the locator editor.
    reopenEarlyTabs(context.workspaceState),
  );
}

export function deactivate(): Promise<void> | undefined {
  // Disposing the subscriptions cancels runs, which ends their workers; this ends those kept warm.
  return features?.endIdleWorkers();
}
