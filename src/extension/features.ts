// Everything the extension does, loaded the first time a command runs or a locator editor opens
// (dist/extension-features.js): activation (extension.ts) only registers what package.json
// contributes, so VS Code's activation figure does not pay for the engine, the sessions and the views.
import * as vscode from 'vscode';
import { endIdlePythonWorkers, endIdleWorkers } from '../core/run';
import { registerCommands } from './commands';
import { LocatorEditorProvider } from './locatorEditor';
import { ResultsPanels } from './resultsPanel';
import { RunReporter } from './runReporter';
import { Sessions } from './sessions';

export interface Features extends vscode.Disposable {
  readonly editorProvider: vscode.CustomTextEditorProvider;
  /** Ends the workers kept warm (the extension deactivates). */
  endIdleWorkers(): Promise<void>;
}

/** Registers the real commands (the caller disposed its placeholders first) and builds the views. */
export function loadFeatures(context: vscode.ExtensionContext): Features {
  const reporter = new RunReporter();
  const sessions = new Sessions(context, reporter);
  const panels = new ResultsPanels(context.extensionUri, sessions);
  const disposables: vscode.Disposable[] = [
    reporter,
    sessions,
    panels,
    ...registerCommands(sessions, panels),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('locatorBatch.keepWorkersSeconds')) void Promise.all([endIdleWorkers(), endIdlePythonWorkers()]);
    }),
  ];
  return {
    editorProvider: new LocatorEditorProvider(context.extensionUri, sessions),
    endIdleWorkers: () => Promise.all([endIdleWorkers(), endIdlePythonWorkers()]).then(() => undefined),
    dispose: () => {
      for (const d of disposables) d.dispose();
    },
  };
}
