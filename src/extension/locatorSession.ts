// The model of one locator in VS Code: its document, its run bar settings, the run that is going and
// the last run's results. Webviews (the locator editor, the results panel) draw it; they never own
// it. The run's lifecycle is the session layer's (src/session); this file feeds it and streams the
// rows to the views. It shows no messages itself: refusals are thrown, and callers show them.
import * as path from 'path';
import * as vscode from 'vscode';
import { describePython, isPythonApplyFile } from '../core/python/pythonApply';
import type { RunSettings } from '../core/run';
import type { InitMessage, ProgressView, ResultView, RunSettingsView, ToWebview } from '../shared/protocol';
import { executeRun, prepareRun, type FinishedRun, type PreparedRun } from '../session/lifecycle';
import { exportText, journalFileName, planSeriesWriteBack, planValueWriteBack, writeExport, type ExportFormat } from '../session/outputs';
import { RunRefusal } from '../session/refusal';
import { readConfig } from './config';
import { LocatorDocument } from './locatorDocument';
import { pythonInterpreterFor } from './pythonInterpreter';
import { ResultStream } from './resultStream';
import { RunBarSettings } from './runBarSettings';
import type { RunReporter } from './runReporter';

export interface RunRequestOptions {
  applyFile?: string;
  /** What the user chose for this run (the run bar's values, the palette's answers, a command's arguments). */
  choice: Partial<RunSettings>;
  /** Column that value results are written to. */
  column?: string;
  /** Run only rows without a result (error, timeout, cancelled) in the last run. */
  onlyFailed?: boolean;
  /** The view the run was started from: while it shows the run's end, no notification repeats it. */
  shownIn?: () => boolean;
}

interface ActiveRun {
  runId: number;
  controller: AbortController;
  stream: ResultStream;
}

/** A finished run as the extension keeps it: the session's record, and the run bar settings it ran with. */
export interface LastRun extends FinishedRun {
  runId: number;
  view: RunSettingsView;
}

let nextRunId = 1;

export class LocatorSession implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ToWebview>();
  /** Protocol messages for every view of this locator. */
  readonly onMessage = this.emitter.event;
  readonly document: LocatorDocument;
  readonly runBar: RunBarSettings;
  active?: ActiveRun;
  last?: LastRun;
  /** What the table shows per row: the last result of each row (sparse). */
  private results: ResultView[] = [];

  constructor(
    readonly uri: vscode.Uri,
    state: vscode.Memento,
    private readonly reporter: RunReporter,
    private readonly storageDir: () => vscode.Uri | undefined,
  ) {
    this.document = new LocatorDocument(uri);
    this.runBar = new RunBarSettings(uri, state);
  }

  get name(): string {
    return path.basename(this.uri.path);
  }

  /**
   * The run for `init`, with the results of rows before `resultsBefore` only: a view sends the
   * others in slices behind the rows (100k results in one message held a re-shown tab up for seconds).
   */
  snapshot(resultsBefore: number): Pick<InitMessage, 'run'> {
    const current = this.currentRun();
    if (!current) return {};
    return {
      run: {
        runId: current.runId,
        running: Boolean(this.active),
        progress: current.progress,
        results: this.resultsIn(0, resultsBefore),
        summary: this.active ? undefined : this.last?.summary,
      },
    };
  }

  /** The results the views show for rows [start, end), in row order (live: the newest of each row). */
  resultsIn(start: number, end: number): ResultView[] {
    const out: ResultView[] = [];
    const results = this.results;
    for (let i = start, n = Math.min(end, results.length); i < n; i++) if (results[i]) out.push(results[i]);
    return out;
  }

  /** The run the views show (the one going, else the last one), with its current progress. */
  currentRun(): { runId: number; progress: ProgressView } | undefined {
    if (this.active) return { runId: this.active.runId, progress: this.active.stream.progress };
    if (this.last) return { runId: this.last.runId, progress: this.last.summary };
    return undefined;
  }

  /** From a run's first check until it is active: a second Run meanwhile (even while the first loads its apply file) is refused. */
  private preparing = false;

  /** Runs the apply file over the locator as its document holds it now. Throws RunRefusal (also told to the views). */
  async run(options: RunRequestOptions): Promise<LastRun> {
    const config = readConfig(this.uri);
    const busy = Boolean(this.active) || this.preparing;
    let prepared: PreparedRun;
    try {
      if (!busy) this.preparing = true;
      if (options.onlyFailed && !this.last) throw new RunRefusal('no-run', `${this.name} has no finished run to re-run.`);
      prepared = await prepareRun({
        locatorPath: this.uri.fsPath,
        readLocator: () => this.document.read(),
        applyFile: options.applyFile,
        python: options.applyFile && isPythonApplyFile(options.applyFile) ? await pythonInterpreterFor(this.uri) : undefined,
        locatorText: () => this.document.unsavedText(),
        user: config.user,
        choice: options.choice,
        trusted: vscode.workspace.isTrusted,
        busy,
        journalPath: this.journalPath(config.outputDirectory),
        resume: options.onlyFailed && this.last ? { last: this.last } : undefined,
      });
    } catch (err) {
      if (err instanceof RunRefusal) this.emitter.fire({ type: 'notice', level: err.informational ? 'info' : 'error', text: err.message });
      throw err;
    } finally {
      if (!busy) this.preparing = false;
    }

    const settings = prepared.resolved.settings;
    const { timeoutMs: _timeout, ...shown } = settings;
    const view: RunSettingsView = { ...shown, applyFile: prepared.applyFile, column: options.column ?? 'result' };
    const controller = new AbortController();
    const runId = nextRunId++;
    const total = prepared.locator.rows.length;
    if (!options.onlyFailed) this.results = [];
    for (const i of prepared.indices) this.results[i] = { index: i, status: 'pending' };
    const log = this.reporter.startRun({
      locator: this.uri,
      applyFile: prepared.applyFile,
      settings,
      total,
      toRun: prepared.indices.length,
      journalPath: prepared.journalPath,
      python: prepared.python ? describePython(prepared.python) : undefined,
      cancel: () => controller.abort(),
      shownIn: options.shownIn,
    });
    const stream = new ResultStream(runId, total, this.results, (msg) => this.emitter.fire(msg), log);
    this.active = { runId, controller, stream };
    // Only a partial run names its rows (a full run of 100k rows need not send 100k numbers).
    const partial = prepared.indices.length < total;
    this.emitter.fire({ type: 'runStarted', runId, total, settings: view, indices: partial ? prepared.indices : undefined });

    let finished: FinishedRun;
    try {
      finished = await executeRun(prepared, {
        signal: controller.signal,
        keepWorkersMs: config.keepWorkersMs,
        onRow: (rec) => stream.row(rec),
        onRowsStarted: (indices) => stream.started(indices),
        onProgress: (p) => stream.progressed(p),
        onOutput: (o) => log.output(o),
      });
    } catch (err) {
      // The engine reports row failures as rows; landing here is a bug or an I/O failure.
      log.failed(err as Error);
      this.emitter.fire({ type: 'notice', level: 'error', text: `The run failed: ${(err as Error).message}` });
      throw err;
    } finally {
      stream.flush();
      this.active = undefined;
    }
    this.last = { ...finished, runId, view };
    this.emitter.fire({ type: 'runEnded', runId, summary: finished.summary });
    log.ended(finished.outcome, finished.summary);
    return this.last;
  }

  cancel(): boolean {
    if (!this.active) return false;
    this.active.controller.abort();
    return true;
  }

  private journalPath(outputDirectory: string): string | undefined {
    const base = outputDirectory ? vscode.Uri.file(outputDirectory) : this.storageDir();
    if (!base) return undefined;
    return vscode.Uri.joinPath(base, 'journals', journalFileName(this.uri.fsPath)).fsPath;
  }

  // ---- what a finished run becomes (planned by the session; applied here as undoable edits) ----

  requireLast(what: string): LastRun {
    if (!this.last) throw new RunRefusal('no-run', `${this.name} has no finished run to ${what}.`);
    return this.last;
  }

  /** CSV or JSON text of the last run, in the shape batch_process returns. */
  exportText(format: ExportFormat, column: string): string {
    return exportText(this.requireLast('export'), format, column);
  }

  /** Writes the last run's export to a local file as it is made, row by row (results can outgrow one string). */
  exportToFile(file: string, format: ExportFormat, column: string): Promise<void> {
    return writeExport(this.requireLast('export'), file, column, format);
  }

  /**
   * Writes value results into `column` of the document (undoable, saved only when the user saves).
   * Refused when the document no longer holds the rows the run saw: a value never lands on another row.
   */
  async writeBackColumn(column: string): Promise<boolean> {
    const last = this.requireLast('write back');
    const doc = await this.editableDocument();
    return replaceDocument(doc, planValueWriteBack(last, await this.document.parse(doc), column));
  }

  /** Series results as the text of a new locator. */
  seriesText(): string {
    return planSeriesWriteBack(this.requireLast('write back'));
  }

  /** Series results in place of this locator's content (undoable). Refused when its rows changed since the run: that would drop those edits. */
  async replaceWithSeries(): Promise<boolean> {
    const last = this.requireLast('write back');
    const doc = await this.editableDocument();
    return replaceDocument(doc, planSeriesWriteBack(last, await this.document.parse(doc)));
  }

  private async editableDocument(): Promise<vscode.TextDocument> {
    const doc = await this.document.documentOrDisk();
    if (doc) return doc;
    throw new RunRefusal(
      'too-large',
      `${this.name} is over 50 MB, and VS Code does not let extensions edit files that large. ` +
        'Export the results instead (Locator Batch: Export Results...), or use the command line.',
    );
  }

  dispose(): void {
    this.cancel();
    this.emitter.dispose();
  }
}

async function replaceDocument(doc: vscode.TextDocument, text: string): Promise<boolean> {
  if (doc.getText() === text) return true;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  return vscode.workspace.applyEdit(edit);
}
