// Entry point: activate only registers (it runs in every workspace, on onStartupFinished: keep it
// cheap). Nothing runs, loads or scans until the user asks.
import * as vscode from 'vscode';
import { endIdlePythonWorkers, endIdleWorkers } from '../core/run';
import { registerCommands } from './commands';
import { LocatorEditorProvider } from './locatorEditor';
import { reopenEarlyTabs } from './reopenEarlyTabs';
import { ResultsPanels } from './resultsPanel';
import { RunReporter } from './runReporter';
import { Sessions } from './sessions';

export function activate(context: vscode.ExtensionContext): void {
  const reporter = new RunReporter();
  const sessions = new Sessions(context, reporter);
  const panels = new ResultsPanels(context.extensionUri, sessions);
  context.subscriptions.push(
    reporter,
    sessions,
    panels,
    ...LocatorEditorProvider.register(context.extensionUri, sessions),
    ...registerCommands(sessions, panels),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('locatorBatch.keepWorkersSeconds')) void Promise.all([endIdleWorkers(), endIdlePythonWorkers()]);
    }),
    // After the provider is registered: it opens the locator editor.
    reopenEarlyTabs(context.workspaceState),
  );
}

export function deactivate(): Promise<void> {
  // Disposing the subscriptions cancels runs, which ends their workers; this ends those kept warm.
  return Promise.all([endIdleWorkers(), endIdlePythonWorkers()]).then(() => undefined);
}
