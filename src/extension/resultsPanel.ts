// The results of a palette run: a webview panel per locator with the ordered table filling in.
import * as path from 'path';
import * as vscode from 'vscode';
import type { LocatorSession } from './locatorSession';
import type { Sessions } from './sessions';
import { WebviewBinding } from './webviewBinding';
import { webviewHtml, webviewOptions } from './webviewHtml';

export const RESULTS_VIEW_TYPE = 'locatorBatch.results';

export class ResultsPanels implements vscode.Disposable {
  private readonly panels = new Map<LocatorSession, vscode.WebviewPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: Sessions,
  ) {}

  show(session: LocatorSession, preserveFocus = false): vscode.WebviewPanel {
    const existing = this.panels.get(session);
    if (existing) {
      existing.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      RESULTS_VIEW_TYPE,
      `Results: ${path.basename(session.uri.fsPath)}`,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      webviewOptions(this.extensionUri),
    );
    const binding = new WebviewBinding(panel.webview, session, this.sessions, 'results', () => panel.visible);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'results');
    panel.onDidDispose(() => {
      binding.dispose();
      this.panels.delete(session);
    });
    this.panels.set(session, panel);
    return panel;
  }

  /** The locator whose results panel is the active editor, if one is. */
  activeLocator(): vscode.Uri | undefined {
    for (const [session, panel] of this.panels) if (panel.active) return session.uri;
    return undefined;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
  }
}
