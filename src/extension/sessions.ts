// One LocatorSession per locator file, shared by the commands, the editor and the results panel.
import * as vscode from 'vscode';
import { ApplyFileIndex } from './applyFiles';
import { LocatorSession } from './locatorSession';
import type { RunReporter } from './runReporter';

export class Sessions implements vscode.Disposable {
  private readonly byUri = new Map<string, LocatorSession>();
  /** The locator of the most recent run, for commands invoked without one. */
  lastRun?: LocatorSession;
  /** The workspace's apply files, shared by every run bar and the palette's quick pick. */
  readonly applyFiles = new ApplyFileIndex();
  // A closed document's parsed rows (100 MB for a 100k-row locator) are not kept for nothing.
  private readonly closing = vscode.workspace.onDidCloseTextDocument((doc) => this.find(doc.uri)?.document.forgetParsed());

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly reporter: RunReporter,
  ) {}

  get(uri: vscode.Uri): LocatorSession {
    const key = uri.toString();
    let session = this.byUri.get(key);
    if (!session) {
      session = new LocatorSession(uri, this.context.workspaceState, this.reporter, () => this.context.storageUri ?? this.context.globalStorageUri);
      this.byUri.set(key, session);
    }
    return session;
  }

  find(uri: vscode.Uri | undefined): LocatorSession | undefined {
    return uri ? this.byUri.get(uri.toString()) : undefined;
  }

  all(): LocatorSession[] {
    return [...this.byUri.values()];
  }

  /** Per-workspace memory (e.g. the unfinished runs the user dismissed). */
  get workspaceState(): vscode.Memento {
    return this.context.workspaceState;
  }

  running(): LocatorSession[] {
    return [...this.byUri.values()].filter((s) => s.active);
  }

  dispose(): void {
    this.closing.dispose();
    this.applyFiles.dispose();
    for (const s of this.byUri.values()) s.dispose();
    this.byUri.clear();
  }
}
