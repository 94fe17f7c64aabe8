// The locator editor: a custom editor over the CSV's TextDocument, so undo/redo, dirty state,
// save, hot exit and other editors of the same file all stay in sync with it.
import * as vscode from 'vscode';
import type { Sessions } from './sessions';
import { WebviewBinding } from './webviewBinding';
import { webviewHtml, webviewOptions } from './webviewHtml';

import { CSV_EDITOR_VIEW_TYPE, LOCATOR_EDITOR_VIEW_TYPE } from './contributions';

export { CSV_EDITOR_VIEW_TYPE, LOCATOR_EDITOR_VIEW_TYPE };

// Typing in the text editor fires a change per keystroke: redraw once the user pauses.
const REFRESH_DEBOUNCE_MS = 150;

export class LocatorEditorProvider implements vscode.CustomTextEditorProvider {
  /** Open locator editors per document (a document may show in several). */
  private readonly openEditors = new Map<string, number>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: Sessions,
  ) {}

  async resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = webviewOptions(this.extensionUri);
    const session = this.sessions.get(document.uri);
    const binding = new WebviewBinding(panel.webview, session, this.sessions, 'editor', () => panel.visible);
    let disposed = false;
    let timer: NodeJS.Timeout | undefined;
    const changes = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() !== document.uri.toString() || e.contentChanges.length === 0) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void binding.refresh(), REFRESH_DEBOUNCE_MS);
    });
    const key = document.uri.toString();
    this.openEditors.set(key, (this.openEditors.get(key) ?? 0) + 1);
    panel.onDidDispose(() => {
      disposed = true;
      if (timer) clearTimeout(timer);
      changes.dispose();
      binding.dispose();
      const left = (this.openEditors.get(key) ?? 1) - 1;
      if (left > 0) this.openEditors.set(key, left);
      else {
        this.openEditors.delete(key);
        // The last editor of the file closed: its parsed rows go now, not when VS Code closes the
        // document (onDidCloseTextDocument), which it may keep open; a run or write-back parses again.
        session.document.forgetParsed();
      }
    });
    // The page comes with the locator's first rows (a few ms to parse): it draws them before its
    // `ready` reaches us and our `init` comes back.
    const first = await binding.firstScreen(document).catch(() => undefined);
    if (disposed) return;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'editor', first);
    // Parse while the webview page loads (the parse is cached for its `ready`); errors show then.
    setImmediate(() => void session.document.parse(document).catch(() => undefined));
  }
}
