// Connects one webview to one locator session: answers `ready` with the full state, forwards the
// session's messages, and turns the webview's requests into actions.
import * as vscode from 'vscode';
import { LocatorParseError, type Locator } from '../core/locator';
import type { FromWebview, ToWebview, ViewKind } from '../shared/protocol';
import { chooseApplyFile, exportResults, rerunFailed, runSession } from './actions';
import { findApplyFiles } from './applyFiles';
import type { LocatorSession } from './locatorSession';
import { openLocation } from './runReporter';
import type { Sessions } from './sessions';

/** Rows per `rows` message: the first slice draws at once, the rest stream behind it. */
const ROWS_PER_SLICE = 2000;

export class WebviewBinding implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Bumped on every refresh, so slices of an outdated parse stop being sent. */
  private generation = 0;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly session: LocatorSession,
    private readonly sessions: Sessions,
    private readonly kind: ViewKind,
  ) {
    this.disposables.push(
      session.onMessage((msg) => this.post(msg)),
      webview.onDidReceiveMessage((msg: FromWebview) => this.handle(msg).catch((err) => this.notice(err))),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.sendSettings()),
    );
  }

  private post(msg: ToWebview): void {
    void this.webview.postMessage(msg);
  }

  private notice(err: unknown): void {
    this.post({ type: 'notice', level: 'error', text: err instanceof Error ? err.message : String(err) });
  }

  /** Sends the whole state: the webview redraws from it (after `ready`, or after the document changed). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const session = this.session;
    let locator: Locator | undefined;
    let parseError: { message: string; line: number } | undefined;
    try {
      locator = await session.readLocator();
    } catch (err) {
      parseError = { message: (err as Error).message, line: err instanceof LocatorParseError ? err.line : 1 };
    }
    const applyChoices = await findApplyFiles();
    if (generation !== this.generation) return;
    this.post({
      type: 'init',
      kind: this.kind,
      title: session.name,
      columns: locator?.columns ?? [],
      rowCount: locator?.rows.length ?? 0,
      parseError,
      settings: session.settings,
      applyChoices,
      trusted: vscode.workspace.isTrusted,
      ...session.snapshot(),
    });
    if (!locator) return;
    const { columns, rows } = locator;
    for (let start = 0; start < rows.length || start === 0; start += ROWS_PER_SLICE) {
      if (generation !== this.generation) return;
      const slice = rows.slice(start, start + ROWS_PER_SLICE).map((r) => columns.map((c) => r[c]));
      this.post({ type: 'rows', start, rows: slice, complete: start + ROWS_PER_SLICE >= rows.length });
      // Let the host breathe between slices of a large locator.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async sendSettings(): Promise<void> {
    this.post({
      type: 'settings',
      settings: this.session.settings,
      applyChoices: await findApplyFiles(),
      trusted: vscode.workspace.isTrusted,
    });
  }

  private async handle(msg: FromWebview): Promise<void> {
    const { session, sessions } = this;
    switch (msg.type) {
      case 'ready':
        return this.refresh();
      case 'run':
        await session.saveSettings(msg.settings);
        await runSession(sessions, session, msg.settings);
        return;
      case 'cancel':
        session.cancel();
        return;
      case 'rerunFailed':
        await rerunFailed(sessions, session);
        return;
      case 'export':
        await exportResults(session);
        return;
      case 'writeBack':
        if (session.last?.settings.resultType === 'series') await session.writeBackSeries(msg.target ?? 'new');
        else await session.writeBackColumn(msg.column ?? session.last?.settings.column ?? 'result');
        return;
      case 'openLocation':
        return openLocation(msg);
      case 'pickApplyFile':
        if (await chooseApplyFile(session)) await this.sendSettings();
        return;
      case 'openText': {
        const pos = new vscode.Position(Math.max(0, (msg.line ?? 1) - 1), 0);
        await vscode.window.showTextDocument(session.uri, { selection: new vscode.Range(pos, pos), preview: false });
        return;
      }
      case 'settingsChanged':
        await session.saveSettings(msg.settings);
        return;
    }
  }

  dispose(): void {
    this.generation++;
    for (const d of this.disposables) d.dispose();
  }
}
