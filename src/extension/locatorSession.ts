// The model of one locator: its run settings, the run that is going, and the results of the last
// run. Webviews (the locator editor, the results panel) draw it; they never own it.
import * as path from 'path';
import * as vscode from 'vscode';
import { loadApplyFile } from '../core/applyModule';
import { formatCell } from '../core/encode';
import { parseLocator, readLocator, stringifyLocator, type Locator } from '../core/locator';
import { jsonReport, seriesLocator, stringifyReport, withValueColumn } from '../core/output';
import { runBatch, shapeResults, validateSettings, type RunOutcome, type RunSettings } from '../core/run';
import type { RowRecord, RunProgress } from '../core/types';
import type { InitMessage, ProgressView, ResultView, RunSettingsView, RunSummaryView, ToWebview } from '../shared/protocol';
import { readConfig, workersFor } from './config';
import type { RunReporter } from './runReporter';

/** VS Code hands no document over 50 MB to extensions ("cannot be synchronized with extensions"). */
const DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024;

const stampOf = (st: vscode.FileStat): string => `${st.size}:${st.mtime}`;

export interface RunRequestOptions {
  settings: RunSettingsView;
  timeoutMs?: number;
  /** Run only rows that did not finish (error, timeout, cancelled) in the last run. */
  onlyFailed?: boolean;
}

interface ActiveRun {
  runId: number;
  controller: AbortController;
  total: number;
  indices: number[];
  progress: ProgressView;
}

export interface FinishedRun {
  runId: number;
  records: RowRecord[];
  /** The rows the run saw: write-back checks the document still holds them. */
  locator: Locator;
  settings: RunSettingsView;
  summary: RunSummaryView;
  journalPath?: string;
}

/** Why a run did not start (bad input, no trust, already running): also what the command returns. */
export interface RunRefusal {
  refused: string;
}

const RESULT_FLUSH_MS = 50;
let nextRunId = 1;

export class LocatorSession implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ToWebview>();
  /** Protocol messages for every view of this locator. */
  readonly onMessage = this.emitter.event;
  active?: ActiveRun;
  last?: FinishedRun;
  /** What the table shows per row: the last result of each row (sparse). */
  private results: ResultView[] = [];

  constructor(
    readonly uri: vscode.Uri,
    private readonly state: vscode.Memento,
    private readonly reporter: RunReporter,
    private readonly storageDir: () => vscode.Uri | undefined,
  ) {}

  get name(): string {
    return path.basename(this.uri.path);
  }

  /** Run bar settings: remembered per locator, else the user's settings. */
  get settings(): RunSettingsView {
    const saved = this.state.get<RunSettingsView>(this.stateKey);
    if (saved) return saved;
    const c = readConfig(this.uri);
    return {
      mode: c.mode,
      workers: workersFor(c.mode, c),
      resultType: c.resultType,
      isPatch: false,
      onError: c.onError,
      column: 'result',
    };
  }

  async saveSettings(settings: RunSettingsView): Promise<void> {
    await this.state.update(this.stateKey, settings);
  }

  private get stateKey(): string {
    return `locatorBatch.settings:${this.uri.toString()}`;
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

  /** The locator's document (loaded by VS Code, shared with every editor of the file). */
  document(): Thenable<vscode.TextDocument> {
    return vscode.workspace.openTextDocument(this.uri);
  }

  /**
   * The locator's document; undefined when the file is too large for VS Code to hand to extensions
   * (over 50 MB): runs and views then read it from disk, and write-back is refused.
   */
  async documentOrDisk(): Promise<vscode.TextDocument | undefined> {
    // VS Code loads the whole file before refusing it: ask once per version of the file.
    if (this.tooLarge !== undefined && this.tooLarge === (await this.diskStamp())) return undefined;
    try {
      return await this.document();
    } catch (err) {
      const st = this.uri.scheme === 'file' ? await vscode.workspace.fs.stat(this.uri).then((s) => s, () => undefined) : undefined;
      if (!st || st.size <= DOCUMENT_LIMIT_BYTES) throw err;
      this.tooLarge = stampOf(st);
      return undefined;
    }
  }

  /** The locator as its document holds it now (unsaved edits included), or as the disk holds it when too large for a document. */
  async readLocator(): Promise<Locator> {
    const doc = await this.documentOrDisk();
    return doc ? this.parse(doc) : this.parseFromDisk();
  }

  /** The version of the file VS Code refused as too large to hand over (see documentOrDisk). */
  private tooLarge?: string;
  private fromDisk?: { stamp: string; promise: Promise<Locator> };

  private diskStamp(): Thenable<string> {
    return vscode.workspace.fs.stat(this.uri).then(stampOf);
  }

  /** The file on disk, parsed once per version (size and modification time). */
  async parseFromDisk(): Promise<Locator> {
    const stamp = await this.diskStamp();
    if (this.fromDisk?.stamp !== stamp) this.fromDisk = { stamp, promise: readLocator(this.uri.fsPath) };
    const entry = this.fromDisk;
    return entry.promise.catch((err) => {
      if (this.fromDisk === entry) this.fromDisk = undefined;
      throw err;
    });
  }

  private refuseTooLarge(): void {
    void vscode.window.showErrorMessage(
      `Locator Batch: ${this.name} is over 50 MB, and VS Code does not let extensions edit files that large. ` +
        'Export the results instead (Locator Batch: Export Results...), or use the command line.',
    );
  }

  // Parsing a 25 MB locator takes ~1 s: parse each version of the document once, for every view,
  // run and write-back that needs it. (Callers never change the rows they are given.)
  private parsed?: { doc: vscode.TextDocument; version: number; promise: Promise<Locator>; value?: Locator };

  /** The parsed locator of this version of `doc`, parsed now or taken from the last parse. */
  parse(doc: vscode.TextDocument): Promise<Locator> {
    const cached = this.parsed;
    if (cached && cached.doc === doc && cached.version === doc.version) return cached.promise;
    const entry: NonNullable<typeof this.parsed> = {
      doc,
      version: doc.version,
      promise: parseLocator(doc.getText(), this.uri.fsPath),
    };
    entry.promise.then((locator) => (entry.value = locator), () => undefined);
    this.parsed = entry;
    return entry.promise;
  }

  /** The parsed locator when this version of `doc` has been parsed already (no waiting). */
  parsedNow(doc: vscode.TextDocument): Locator | undefined {
    const cached = this.parsed;
    return cached && cached.doc === doc && cached.version === doc.version ? cached.value : undefined;
  }

  /** Drops the parsed rows (the document was closed). */
  forgetParsed(): void {
    this.parsed = undefined;
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
    if (this.active) return { runId: this.active.runId, progress: this.active.progress };
    if (this.last) return { runId: this.last.runId, progress: this.last.summary };
    return undefined;
  }

  /** From a run's first check to its end: a second Run meanwhile (even while the first loads) is refused. */
  private runGoing = false;

  async run(options: RunRequestOptions): Promise<RunOutcome | RunRefusal> {
    if (this.active || this.runGoing) {
      const text = `a run is already going on ${this.name}; cancel it first.`;
      void vscode.window.showWarningMessage(`Locator Batch: ${text}`);
      return { refused: text };
    }
    this.runGoing = true;
    try {
      return await this.runNow(options);
    } finally {
      this.runGoing = false;
    }
  }

  private async runNow(options: RunRequestOptions): Promise<RunOutcome | RunRefusal> {
    const refuse = (text: string): RunRefusal => {
      void vscode.window.showWarningMessage(`Locator Batch: ${text}`);
      return { refused: text };
    };
    if (!vscode.workspace.isTrusted) {
      void this.reporter.refuseUntrusted();
      return { refused: 'running an apply file needs a trusted workspace' };
    }
    const s = options.settings;
    if (!s.applyFile) return refuse('pick an apply file first.');
    const config = readConfig(this.uri);
    const settings: Partial<RunSettings> = {
      mode: s.mode,
      workers: s.workers,
      resultType: s.resultType,
      isPatch: s.isPatch,
      onError: s.onError,
      timeoutMs: options.timeoutMs ?? config.timeoutMs,
    };
    let locator: Locator;
    let loaded: Awaited<ReturnType<typeof loadApplyFile>>;
    try {
      validateSettings(settings);
      locator = await this.readLocator();
      loaded = await loadApplyFile(s.applyFile);
    } catch (err) {
      // A bad locator, apply file or setting: said with its file and line, before any row runs.
      this.reporter.inputError(err as Error, this.uri);
      this.emitter.fire({ type: 'notice', level: 'error', text: (err as Error).message });
      return { refused: (err as Error).message };
    }
    const validSettings = settings as RunSettings;

    let previous: RowRecord[] | undefined;
    if (options.onlyFailed) {
      if (!this.last || !sameRows(this.last.locator, locator)) {
        return refuse(`${this.name} changed since its last run (or has none); run all rows instead.`);
      }
      previous = this.last.records;
    }
    const reused = new Set(
      (previous ?? []).filter((r) => r.status === 'done' || r.status === 'skipped').map((r) => r.index),
    );
    const indices = locator.rows.map((_, i) => i).filter((i) => !reused.has(i));

    const controller = new AbortController();
    const runId = nextRunId++;
    const total = locator.rows.length;
    const active: ActiveRun = { runId, controller, total, indices, progress: emptyProgress(total) };
    this.active = active;
    if (!options.onlyFailed) this.results = [];
    for (const i of indices) this.results[i] = { index: i, status: 'pending' };
    await this.saveSettings(s);
    // Only a partial run names its rows (a full run of 100k rows need not send 100k numbers).
    const partial = indices.length < total;
    this.emitter.fire({ type: 'runStarted', runId, total, settings: s, indices: partial ? indices : undefined });

    const journalPath = this.journalPath(config.outputDirectory);
    const pending: ResultView[] = [];
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      flushTimer = undefined;
      if (!pending.length) return;
      this.emitter.fire({ type: 'results', runId, results: pending.splice(0), progress: active.progress });
    };
    const log = this.reporter.startRun({
      locator: this.uri,
      applyFile: s.applyFile,
      settings: validSettings,
      total,
      toRun: indices.length,
      journalPath,
      cancel: () => controller.abort(),
    });

    let outcome: RunOutcome;
    try {
      outcome = await runBatch({
        ...validSettings,
        rows: locator.rows,
        module: loaded.module,
        bundle: loaded.bundle,
        locatorPath: this.uri.fsPath,
        signal: controller.signal,
        journalPath,
        previous,
        keepWorkersMs: config.keepWorkersMs,
        onRow: (rec) => {
          const view = toResultView(rec);
          this.results[rec.index] = view;
          if (rec.reused) return;
          pending.push(view);
          log.row(rec);
          flushTimer ??= setTimeout(flush, RESULT_FLUSH_MS);
        },
        onRowsStarted: (indices) => {
          for (const index of indices) {
            if (this.results[index]?.status !== 'pending') continue;
            const view: ResultView = { index, status: 'running' };
            this.results[index] = view;
            pending.push(view);
          }
          flushTimer ??= setTimeout(flush, RESULT_FLUSH_MS);
        },
        onProgress: (p) => {
          active.progress = toProgressView(p);
          log.progress(p);
          // Keeps rows/s and time left current while slow rows run and no result arrives.
          if (!pending.length) this.emitter.fire({ type: 'progress', runId, progress: active.progress });
        },
      });
    } catch (err) {
      // The engine reports row failures as rows; landing here is a bug or an I/O failure.
      this.active = undefined;
      log.failed(err as Error);
      this.emitter.fire({ type: 'notice', level: 'error', text: `The run failed: ${(err as Error).message}` });
      return { refused: `the run failed: ${(err as Error).message}` };
    } finally {
      if (flushTimer) clearTimeout(flushTimer);
      flush();
    }
    const shaped = shapeResults(outcome.records, locator.rows, locator.columns, s.resultType, s.isPatch);
    const summary: RunSummaryView = {
      ...toProgressView({ ...outcome.counts, finished: outcome.counts.total, elapsedMs: outcome.elapsedMs, rowsPerSecond: rate(outcome) }),
      endedBy: outcome.endedBy,
      effectiveMode: outcome.effectiveMode,
      resultType: s.resultType,
      warning: shaped.resultType === 'none' ? undefined : shaped.warning,
    };
    this.active = undefined;
    this.last = { runId, records: outcome.records, locator, settings: s, summary, journalPath };
    this.emitter.fire({ type: 'runEnded', runId, summary });
    log.ended(outcome, summary);
    return outcome;
  }

  cancel(): boolean {
    if (!this.active) return false;
    this.active.controller.abort();
    return true;
  }

  private journalPath(outputDirectory: string): string | undefined {
    const base = outputDirectory ? vscode.Uri.file(outputDirectory) : this.storageDir();
    if (!base) return undefined;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return vscode.Uri.joinPath(base, 'journals', `${path.basename(this.uri.fsPath, '.csv')}.${stamp}.jsonl`).fsPath;
  }

  // ---- what a finished run becomes ----

  /** CSV or JSON text of the last run, in the shape batch_process returns. */
  exportText(format: 'csv' | 'json', column: string): string {
    const last = this.requireLast();
    const { locator, records, settings } = last;
    if (format === 'json') return stringifyReport(jsonReport(records, locator, settings.resultType, settings.isPatch));
    const shaped = shapeResults(records, locator.rows, locator.columns, settings.resultType, settings.isPatch);
    return stringifyLocator(shaped.resultType === 'series' ? seriesLocator(shaped, locator) : withValueColumn(locator, records, column));
  }

  /**
   * Writes value results into `column` of the document (undoable, saved only when the user saves).
   * Refuses when the document no longer holds the rows the run saw: a value never lands on another row.
   */
  async writeBackColumn(column: string): Promise<boolean> {
    const last = this.requireLast();
    const doc = await this.documentOrDisk();
    if (!doc) {
      this.refuseTooLarge();
      return false;
    }
    const current = await this.parse(doc);
    if (!sameRows(last.locator, current, column)) {
      this.refuseChanged();
      return false;
    }
    const next = withValueColumn(current, last.records, column);
    return replaceDocument(doc, stringifyLocator(next));
  }

  private refuseChanged(): void {
    void vscode.window.showErrorMessage(
      `Locator Batch: ${this.name} changed since the run, so its results could land on the wrong rows. Run again, then write back.`,
    );
  }

  /** Series results: replace this locator's content, or open them as a new untitled locator. */
  async writeBackSeries(target: 'replace' | 'new'): Promise<vscode.TextDocument | undefined> {
    const last = this.requireLast();
    const shaped = shapeResults(last.records, last.locator.rows, last.locator.columns, 'series', last.settings.isPatch);
    if (shaped.resultType !== 'series') return undefined;
    const text = stringifyLocator(seriesLocator(shaped, last.locator));
    if (target === 'new') {
      const doc = await vscode.workspace.openTextDocument({ content: text, language: 'csv' });
      await vscode.window.showTextDocument(doc, { preview: false });
      return doc;
    }
    // Replacing the content would silently drop edits made since the run: refused, as for columns.
    const doc = await this.documentOrDisk();
    if (!doc) {
      this.refuseTooLarge();
      return undefined;
    }
    if (!sameRows(last.locator, await this.parse(doc))) {
      this.refuseChanged();
      return undefined;
    }
    return (await replaceDocument(doc, text)) ? doc : undefined;
  }

  requireLast(): FinishedRun {
    if (!this.last) throw new Error(`${this.name} has no finished run yet.`);
    return this.last;
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

/** Same rows in the same order, ignoring the column being written. */
function sameRows(a: Locator, b: Locator, ignore?: string): boolean {
  if (a.rows.length !== b.rows.length) return false;
  const cols = a.columns.filter((c) => c !== ignore);
  if (cols.some((c) => !b.columns.includes(c))) return false;
  for (let i = 0; i < a.rows.length; i++) {
    for (const c of cols) if (a.rows[i][c] !== b.rows[i][c]) return false;
  }
  return true;
}

function rate(o: RunOutcome): number {
  return o.elapsedMs > 0 ? (o.counts.total * 1000) / o.elapsedMs : 0;
}

export function emptyProgress(total: number): ProgressView {
  return { total, finished: 0, done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0, rowsPerSecond: 0, elapsedMs: 0 };
}

export function toProgressView(p: RunProgress): ProgressView {
  const { total, finished, done, skipped, error, timeout, cancelled, rowsPerSecond, elapsedMs } = p;
  return { total, finished, done, skipped, error, timeout, cancelled, rowsPerSecond, elapsedMs };
}

export function toResultView(rec: RowRecord): ResultView {
  // Durations to 0.01 ms: full precision only made 100k-row messages longer.
  const view: ResultView = { index: rec.index, status: rec.status, durationMs: Math.round(rec.durationMs * 100) / 100 };
  if (rec.status === 'done' && rec.value !== undefined) view.text = formatCell(rec.value);
  if (rec.error) {
    const { name, message, stack, location } = rec.error;
    view.error = { name, message, stack, location };
  }
  return view;
}
