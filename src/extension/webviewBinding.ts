// Connects one webview to one locator session: answers `ready` with the full state, forwards the
// session's messages, and turns the webview's requests into actions.
import * as vscode from 'vscode';
import { LocatorParseError, parseLocator, type Locator } from '../core/locator';
import type { FromWebview, InitMessage, RowsMessage, RunSettingsView, ToWebview, ViewKind } from '../shared/protocol';
import { RowSliceEncoder } from '../shared/rowSlices';
import { toTsv, type CopyCell } from '../shared/tsv';
import { firstScreen, type ViewSnapshot } from '../shared/viewSnapshot';
import { offeredModes } from '../session/slurm';
import { choiceOf, chooseApplyFile, exportResults, rerunFailed, runSession, writeBack } from './actions';
import { checkUnfinishedRun, dismissUnfinishedRun, resumeUnfinishedRun } from './lastRunOffer';
import type { LocatorSession } from './locatorSession';
import { openLocation } from './runReporter';
import type { Sessions } from './sessions';

/** Rows per `rows` message: the first slice draws at once, the rest stream behind it. */
const ROWS_PER_SLICE = 2000;
/** More rows than a view shows at once. */
const SHOWN_ROWS = 200;
/** Lines of a large document parsed first, so its top draws before the whole is parsed. */
const HEAD_LINES = 200;
/** At most this many characters of those lines go into a first screen's parse. */
const HEAD_CHARS = 512 * 1024;

/** Rows of a document not parsed yet: every record takes at least a line, so this many or fewer (the last slice says). */
function estimatedRowCount(doc: vscode.TextDocument): number {
  const lastLineEmpty = doc.lineAt(doc.lineCount - 1).isEmptyOrWhitespace;
  return doc.lineCount - 1 - (lastLineEmpty ? 1 : 0);
}

export class WebviewBinding implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Bumped on every refresh, so slices of an outdated parse stop being sent. */
  private generation = 0;
  /** Codes the rows sent since the last `init` (the webview's decoder starts afresh with each). */
  private rowEncoder = new RowSliceEncoder();

  constructor(
    private readonly webview: vscode.Webview,
    private readonly session: LocatorSession,
    private readonly sessions: Sessions,
    private readonly kind: ViewKind,
    /** Whether the view is on screen (its summary then needs no notification). */
    private readonly visible: () => boolean,
  ) {
    this.disposables.push(
      session.onMessage((msg) => this.post(msg)),
      webview.onDidReceiveMessage((msg: FromWebview) => this.handle(msg).catch((err) => this.notice(err))),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sendSettings()),
      sessions.applyFiles.onDidChange((applyChoices) => this.post({ type: 'applyChoices', applyChoices })),
    );
  }

  private post(msg: ToWebview): void {
    void this.webview.postMessage(msg);
  }

  /** The lenient-read warning last shown for this editor (see refresh). */
  private shownWarning?: string;

  private notice(err: unknown): void {
    this.post({ type: 'notice', level: 'error', text: err instanceof Error ? err.message : String(err) });
  }

  /**
   * Sends the whole state: the webview redraws from it (after `ready`, or after the document
   * changed). `init`, then the rows in slices, each followed by the results of its rows.
   */
  async refresh(showsRow = 0): Promise<void> {
    const generation = ++this.generation;
    const stale = () => generation !== this.generation;
    const session = this.session;
    // The run bar's settings may load the apply file for its defaults: asked for now, beside the parse.
    const settings = session.runBar.view();
    // No document when the file is too large for VS Code to hand over: the session reads the disk.
    const doc = await session.document.documentOrDisk();
    const full = doc ? session.document.parse(doc) : session.document.parseFromDisk();
    // A tab shown again (its document parsed already): the rows it shows, with the settings it
    // showed last, before anything else (settings that changed meanwhile follow).
    const parsed = doc && session.document.parsedNow(doc);
    const shownSettings = session.runBar.lastView;
    const early = !!parsed && !!shownSettings;
    if (parsed && shownSettings) {
      this.postInit(shownSettings, parsed.columns, parsed.rows.length, undefined);
      const from = Math.max(0, Math.min(showsRow, parsed.rows.length - 1) - SHOWN_ROWS / 4);
      const to = Math.min(parsed.rows.length, from + SHOWN_ROWS);
      this.postRows(parsed, from, to);
      if (from > 0 || to > ROWS_PER_SLICE) this.postResults(from, to);
      void settings.then((view) => {
        if (!stale() && JSON.stringify(view) !== JSON.stringify(shownSettings)) void this.sendSettings(view);
      }, () => undefined);
    }
    // A large document not parsed yet (a first open): draw its top lines while the whole parses.
    let head: Locator | undefined;
    if (doc && !parsed && doc.lineCount > HEAD_LINES * 2) {
      head = await parseLocator(doc.getText(new vscode.Range(0, 0, HEAD_LINES, 0))).catch(() => undefined);
      const view = await settings;
      if (stale()) return;
      if (head) {
        this.postInit(view, head.columns, estimatedRowCount(doc), undefined);
        this.postRows(head, 0, head.rows.length);
      }
    }
    let locator: Locator | undefined;
    let parseError: { message: string; line: number } | undefined;
    try {
      locator = await full;
    } catch (err) {
      parseError = { message: (err as Error).message, line: err instanceof LocatorParseError ? err.line : 1 };
    }
    if (stale()) return;
    const headStands = head && locator && head.columns.join('\0') === locator.columns.join('\0');
    if (!early) {
      const view = await settings;
      if (stale()) return;
      if (!headStands) this.postInit(view, locator?.columns ?? [], locator?.rows.length ?? 0, parseError);
    }
    if (!locator) return;
    // Read leniently, as pandas reads it (a quote inside an unquoted field): say so once, not on every edit.
    const warning = locator.warnings?.map((w) => w.message).join(' ');
    if (warning && warning !== this.shownWarning) this.post({ type: 'notice', level: 'info', text: `Locator Batch: ${warning}` });
    this.shownWarning = warning;
    const total = locator.rows.length;
    const starts: number[] = [];
    for (let start = 0; start < total || start === 0; start += ROWS_PER_SLICE) starts.push(start);
    // The rows a restored view shows go first (a tab re-shown scrolled far down draws at once): the
    // slices around its top row (a view straddles two slices at times, and draws a few rows ahead).
    if (showsRow > 0 && !headStands) {
      const sliceOf = (row: number) => Math.floor(Math.min(Math.max(0, row), Math.max(0, total - 1)) / ROWS_PER_SLICE) * ROWS_PER_SLICE;
      const first = [sliceOf(showsRow), sliceOf(showsRow - SHOWN_ROWS), sliceOf(showsRow + SHOWN_ROWS)];
      starts.splice(0, starts.length, ...new Set([...first, ...starts]));
    }
    for (let k = 0; k < starts.length; k++) {
      if (stale()) return;
      const start = starts[k];
      const end = Math.min(total, start + ROWS_PER_SLICE);
      const last = k === starts.length - 1;
      this.postRows(locator, start, end, last ? total : undefined);
      // `init` carried the first rows' results, unless it was the early one drawn from the top lines.
      if (start > 0 || headStands) this.postResults(start, end);
      // Let the host breathe between slices of a large locator.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private postRows(locator: Locator, start: number, end: number, total?: number): void {
    const rows = locator.rows.slice(start, end);
    const cells = locator.columns.map((c) => rows.map((r) => r[c] ?? ''));
    const msg: RowsMessage = { type: 'rows', start, count: rows.length, columns: this.rowEncoder.encode(cells) };
    if (total !== undefined) msg.total = total;
    this.post(msg);
  }

  /**
   * The first rows of `doc` for the page about to be created (see webviewHtml), so that a first open
   * draws them without waiting for the page's `ready` to reach us and our `init` to come back. Only
   * when the run bar's settings are known at once (no apply file to load for its defaults).
   */
  async firstScreen(doc: vscode.TextDocument): Promise<ViewSnapshot | undefined> {
    const settings = this.session.runBar.viewNow();
    if (!settings || doc.lineCount < 2) return undefined;
    // The top lines, the header and whole lines within HEAD_CHARS (a first screen keeps ~128k characters).
    const limit = doc.positionAt(HEAD_CHARS);
    const small = limit.isEqual(doc.lineAt(doc.lineCount - 1).range.end);
    const lines = Math.min(HEAD_LINES, small ? doc.lineCount : Math.max(1, limit.line));
    const whole = doc.lineCount <= lines;
    // A small document is parsed whole, once: the parse its `ready` waits for (cached).
    const parsing = whole ? this.session.document.parse(doc) : parseLocator(doc.getText(new vscode.Range(0, 0, lines, 0)));
    const head = await parsing.catch(() => undefined);
    if (!head?.columns.length) return undefined;
    const init = this.initMessage(settings, head.columns, whole ? head.rows.length : estimatedRowCount(doc), undefined);
    return firstScreen(init, head.rows.map((row) => head.columns.map((c) => row[c] ?? '')));
  }

  private postInit(settings: RunSettingsView, columns: string[], rowCount: number, parseError: InitMessage['parseError']): void {
    this.rowEncoder = new RowSliceEncoder();
    this.post(this.initMessage(settings, columns, rowCount, parseError));
  }

  private initMessage(settings: RunSettingsView, columns: string[], rowCount: number, parseError: InitMessage['parseError']): InitMessage {
    const session = this.session;
    return {
      type: 'init',
      kind: this.kind,
      title: session.name,
      columns,
      rowCount,
      parseError,
      settings,
      applyChoices: this.sessions.applyFiles.current,
      trusted: vscode.workspace.isTrusted,
      modes: offeredModes(),
      ...session.snapshot(ROWS_PER_SLICE),
    };
  }

  /** The current results of rows [start, end), if any. */
  private postResults(start: number, end: number): void {
    const run = this.session.currentRun();
    if (!run) return;
    const results = this.session.resultsIn(start, end);
    if (results.length) this.post({ type: 'results', runId: run.runId, results, progress: run.progress });
  }

  // The apply files as the index knows them: it searched when the view (or the pick) asked, and
  // its file watcher has kept it current since.
  private async sendSettings(settings?: RunSettingsView, replyTo?: number): Promise<void> {
    this.post({
      type: 'settings',
      replyTo,
      settings: settings ?? (await this.session.runBar.view()),
      applyChoices: this.sessions.applyFiles.current,
      trusted: vscode.workspace.isTrusted,
    });
  }

  private async handle(msg: FromWebview): Promise<void> {
    const { session, sessions } = this;
    switch (msg.type) {
      case 'ready':
        // The table does not wait for the workspace search: its result follows (onDidChange).
        if (!sessions.applyFiles.current) sessions.applyFiles.search().catch((err) => this.notice(err));
        // The last run did not end (the window closed mid-run)? Its rows and the offer come with `init`
        // (a tab shown again, its rows parsed already, draws first: an offer found then follows).
        if (session.document.parsedNowOfOpenDocument()) void checkUnfinishedRun(sessions, session).catch((err) => this.notice(err));
        else await checkUnfinishedRun(sessions, session).catch((err) => this.notice(err));
        return this.refresh(msg.showsRow).catch((err: unknown) =>
          this.post({ type: 'notice', level: 'error', text: err instanceof Error ? err.message : String(err), noState: true }),
        );
      case 'run': {
        // The run bar's values are what runs; they are remembered as the user's choice.
        const view = await session.runBar.update(msg.settings);
        await runSession(sessions, session, { applyFile: view.applyFile, column: view.column, choice: choiceOf(msg.settings), shownIn: this.visible });
        return;
      }
      case 'cancel':
        session.cancel();
        return;
      case 'rerunFailed':
        await rerunFailed(sessions, session, this.visible);
        return;
      case 'resumeRun':
        await resumeUnfinishedRun(sessions, session, this.visible);
        return;
      case 'dismissUnfinishedRun':
        await dismissUnfinishedRun(sessions, session);
        return;
      case 'export':
        await exportResults(sessions, session);
        return;
      case 'writeBack':
        await writeBack(sessions, session, { column: msg.column, target: msg.target }, false);
        return;
      case 'openLocation':
        return openLocation(msg);
      case 'openValue':
        return openWholeValue(session, msg.index);
      case 'copyCells':
        return copyWholeCells(session, msg.cells);
      case 'pickApplyFile': {
        const settings = await chooseApplyFile(sessions, session);
        if (settings) await this.sendSettings(settings);
        return;
      }
      case 'openText': {
        const pos = new vscode.Position(Math.max(0, (msg.line ?? 1) - 1), 0);
        // Beside the editor, so the table shows up in it as soon as the line is fixed.
        await vscode.window.showTextDocument(session.uri, { selection: new vscode.Range(pos, pos), preview: false, viewColumn: vscode.ViewColumn.Beside });
        return;
      }
      case 'settingsChanged': {
        // Echoed back: a newly picked apply file brings its defaults, and every value says where it came from.
        await this.sendSettings(await session.runBar.update(msg.settings), msg.seq);
        return;
      }
    }
  }

  dispose(): void {
    this.generation++;
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens the whole value of a result whose cell shows only its start, in an untitled editor beside. */
async function openWholeValue(session: LocatorSession, index: number): Promise<void> {
  const text = session.fullResultText(index);
  if (text === undefined) {
    void vscode.window.showInformationMessage(`Locator Batch: row ${index + 1} has no result to open any more (a run replaced it).`);
    return;
  }
  const trimmed = text.trimStart();
  const language = trimmed.startsWith('{') || trimmed.startsWith('[') ? 'json' : 'plaintext';
  const doc = await vscode.workspace.openTextDocument({ content: text, language });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

/** The selected cells as TSV with each large result whole, on the clipboard (the webview has their start). */
async function copyWholeCells(session: LocatorSession, cells: CopyCell[][]): Promise<void> {
  let missing = 0;
  const text = toTsv(
    cells.map((row) =>
      row.map((c) => {
        if (typeof c === 'string') return c;
        const whole = session.fullResultText(c.resultOf);
        if (whole === undefined) missing++;
        return whole ?? '';
      }),
    ),
  );
  await vscode.env.clipboard.writeText(text);
  if (missing) void vscode.window.showWarningMessage(`Locator Batch: ${missing} copied result${missing > 1 ? 's' : ''} had no value any more (a run replaced them): copied empty.`);
}
