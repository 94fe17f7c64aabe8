// The model of one locator in VS Code: its document, its run bar settings, the run that is going and
// the last run's results. Webviews (the locator editor, the results panel) draw it; they never own
// it. The run's lifecycle is the session layer's (src/session); this file feeds it and streams the
// rows to the views. It shows no messages itself: refusals are thrown, and callers show them.
import * as path from 'path';
import * as vscode from 'vscode';
import { describePython, isPythonApplyFile } from '../core/python/pythonApply';
import { formatCell } from '../core/encode';
import type { RowRecord } from '../core/types';
import type { RunSettings } from '../core/run';
import type { InitMessage, ProgressView, ResultView, RunSettingsView, ToWebview, UnfinishedRunView } from '../shared/protocol';
import type { RunFolderEntry } from '../core/slurm';
import { executeRun, prepareRun, type FinishedRun, type PreparedRun, type RunHooks } from '../session/lifecycle';
import { changedSinceSubmitted, followSlurmRun } from '../session/reattach';
import { defaultRunsDir } from '../session/slurm';
import { slurmStateText } from '../shared/summary';
import { exportText, journalFileName, planSeriesWriteBack, planValueWriteBack, writeExport, type ExportFormat } from '../session/outputs';
import { RunRefusal } from '../session/refusal';
import type { UnfinishedRun } from '../session/unfinishedRun';
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
  /** Resume the run this journal records (a run that did not end): run only the rows without a result in it. */
  resumeJournal?: string;
  /** The view the run was started from: while it shows the run's end, no notification repeats it. */
  shownIn?: () => boolean;
}

interface ActiveRun {
  runId: number;
  controller: AbortController;
  stream: ResultStream;
  /** A Slurm run: its job goes on when the window closes (dispose does not cancel it). */
  slurm: boolean;
}

/** What the views and the log are told when a run starts (a new run, or a Slurm run re-attached). */
interface RunStartInfo {
  applyFile: string;
  settings: RunSettings;
  total: number;
  /** The rows this run runs (the others keep the results they have). */
  indices: readonly number[];
  /** A re-run of failed rows: the other rows keep their results. */
  keepResults?: boolean;
  journalPath?: string;
  python?: string;
  column?: string;
  attachedTo?: string;
  /** Told in the views once the run shows (e.g. that it was re-attached). */
  notice?: string;
  shownIn?: () => boolean;
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
  /** The last run, when it did not end (see lastRunOffer.ts): offered until resumed, dismissed or replaced by a run. */
  unfinished?: { run: UnfinishedRun; view: UnfinishedRunView };
  /** What the table shows per row: the last result of each row (sparse). */
  private results: ResultView[] = [];
  /** The values behind results too large to post whole (ResultView.fullLength), by row. */
  private readonly largeValues = new Map<number, RowRecord>();

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
  snapshot(resultsBefore: number): Pick<InitMessage, 'run' | 'unfinishedRun'> {
    const current = this.currentRun();
    if (!current) return this.unfinished ? { unfinishedRun: this.unfinished.view } : {};
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

  /** The whole text of row `index`'s result, when its view holds only the start (ResultView.fullLength). */
  fullResultText(index: number): string | undefined {
    const large = this.largeValues.get(index);
    if (large) return formatCell(large.value);
    // The unfinished last run's rows, shown while no run of this window is.
    const rec = !this.currentRun() ? this.unfinished?.run.records.find((r) => r.index === index) : undefined;
    return rec?.status === 'done' && rec.value !== undefined ? formatCell(rec.value) : undefined;
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
        slurm: { runsDir: this.runsDir(config.outputDirectory) },
        resume: options.resumeJournal ? { journalFile: options.resumeJournal } : options.onlyFailed && this.last ? { last: this.last } : undefined,
      });
    } catch (err) {
      if (err instanceof RunRefusal) this.emitter.fire({ type: 'notice', level: err.informational ? 'info' : 'error', text: err.message });
      throw err;
    } finally {
      if (!busy) this.preparing = false;
    }

    return this.follow(
      {
        applyFile: prepared.applyFile,
        settings: prepared.resolved.settings,
        total: prepared.locator.rows.length,
        indices: prepared.indices,
        keepResults: Boolean(options.onlyFailed),
        journalPath: prepared.journalPath,
        python: prepared.python ? describePython(prepared.python) : undefined,
        column: options.column,
        shownIn: options.shownIn,
      },
      (hooks) => executeRun(prepared, { ...hooks, keepWorkersMs: config.keepWorkersMs }),
    );
  }

  /**
   * Re-attaches to a Slurm run that outlived the window that started it (found in its run folder when
   * the locator opened): its rows stream in as a run's, Cancel is `scancel`, and when it ends it is
   * the last run (write back, export, re-run failed rows).
   */
  async attach(entry: RunFolderEntry, column?: string): Promise<LastRun | undefined> {
    if (this.active || this.preparing) return undefined;
    const { manifest, folder } = entry;
    const changed = changedSinceSubmitted(entry, await this.document.read());
    return this.follow(
      {
        applyFile: manifest.apply,
        settings: manifest.settings,
        total: manifest.rowCount,
        indices: manifest.shards.flat(),
        journalPath: manifest.journal,
        column,
        attachedTo: `Slurm job ${manifest.jobId} (run folder ${folder})`,
        notice:
          `Re-attached to Slurm job ${manifest.jobId}, started ${new Date(manifest.createdAt).toLocaleString()}: its tasks went on while no window followed them.` +
          (changed ? ` Note: ${changed}.` : ''),
      },
      (hooks) => followSlurmRun(folder, hooks),
    );
  }

  /** Streams a run's rows to the views while `execute` runs it; what it finishes becomes the last run. */
  private async follow(start: RunStartInfo, execute: (hooks: RunHooks) => Promise<FinishedRun>): Promise<LastRun> {
    const { settings, total, indices } = start;
    const { timeoutMs: _timeout, ...shown } = settings;
    const view: RunSettingsView = { ...shown, applyFile: start.applyFile, column: start.column ?? 'result' };
    const controller = new AbortController();
    const runId = nextRunId++;
    if (!start.keepResults) {
      this.results = [];
      this.largeValues.clear();
    }
    for (const i of indices) {
      this.results[i] = { index: i, status: 'pending' };
      this.largeValues.delete(i);
    }
    const log = this.reporter.startRun({
      locator: this.uri,
      applyFile: start.applyFile,
      settings,
      total,
      toRun: indices.length,
      journalPath: start.journalPath,
      python: start.python,
      attachedTo: start.attachedTo,
      cancel: () => controller.abort(),
      shownIn: start.shownIn,
    });
    const stream = new ResultStream(runId, total, this.results, (msg) => this.emitter.fire(msg), log, this.largeValues);
    this.active = { runId, controller, stream, slurm: settings.mode === 'slurm' };
    // Only a partial run names its rows (a full run of 100k rows need not send 100k numbers).
    const partial = indices.length < total;
    this.emitter.fire({ type: 'runStarted', runId, total, settings: view, indices: partial ? [...indices] : undefined });
    // A run supersedes the unfinished one (a resume of it, too: its journal then holds every row).
    if (this.unfinished) this.showUnfinished(undefined);
    if (start.notice) this.emitter.fire({ type: 'notice', level: 'info', text: start.notice });

    let finished: FinishedRun;
    try {
      finished = await execute({
        signal: controller.signal,
        onRow: (rec, kept) => stream.row(rec, kept),
        onRowsStarted: (started) => stream.started(started),
        onProgress: (p) => stream.progressed(p),
        onOutput: (o) => log.output(o),
        onSubmitted: (job) => log.submitted(job),
        onSlurmState: (state) => {
          stream.detail(slurmStateText(state));
          log.slurm(state);
        },
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

  /** Offers (or withdraws) the unfinished last run in every view. */
  showUnfinished(unfinished: LocatorSession['unfinished']): void {
    this.unfinished = unfinished;
    this.emitter.fire({ type: 'unfinishedRun', run: unfinished?.view });
  }

  cancel(): boolean {
    if (!this.active) return false;
    this.active.controller.abort();
    return true;
  }

  /** Where this locator's runs are journaled: `journals/` in locatorBatch.outputDirectory, else in the workspace's storage. */
  journalsDir(outputDirectory = readConfig(this.uri).outputDirectory): string | undefined {
    const base = outputDirectory ? vscode.Uri.file(outputDirectory) : this.storageDir();
    return base && vscode.Uri.joinPath(base, 'journals').fsPath;
  }

  /** Where Slurm run folders go: `runs/` in locatorBatch.outputDirectory, else `.locator-batch/runs` beside the locator (shared with the compute nodes). */
  runsDir(outputDirectory = readConfig(this.uri).outputDirectory): string {
    return outputDirectory ? path.join(outputDirectory, 'runs') : defaultRunsDir(this.uri.fsPath);
  }

  private journalPath(outputDirectory: string): string | undefined {
    const dir = this.journalsDir(outputDirectory);
    return dir && path.join(dir, journalFileName(this.uri.fsPath));
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
    // A Slurm job outlives the window: closing it lets go of the job (reopening the locator re-attaches).
    if (!this.active?.slurm) this.cancel();
    this.emitter.dispose();
  }
}

async function replaceDocument(doc: vscode.TextDocument, text: string): Promise<boolean> {
  if (doc.getText() === text) return true;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  return vscode.workspace.applyEdit(edit);
}
