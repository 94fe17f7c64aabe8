// A batch run: EEGUnity's batch_process semantics (docs: shared batch-semantics) with per-row
// outcomes, progress, cancel, the stop/continue policy, a journal, and reuse of an earlier run.
import { setImmediate as yieldToEventLoop } from 'timers/promises';
import type { ApplyBundle, ApplyModule } from './applyModule';
import { runProcessPool, type BackendJob } from './backends';
import { runInProcess } from './inProcess';
import { firstUserFrame } from './applyModule';
import { toRowError } from './encode';
import { SeriesShaper } from './seriesShaper';
import { isThenable } from './rowRunner';
import { hostname } from 'os';
import { JournalWriter, type JournalIdentity } from './journal';
import type { PythonApply } from './python/pythonApply';
import type { RowOutput } from './python/pythonProcess';
import { runPythonRows } from './python/pythonRun';
import { runSlurmRows, type SlurmOptions } from './slurm/slurmRows';
import {
  ERROR_POLICIES,
  MODES,
  RESULT_TYPES,
  isFailed,
  type ErrorPolicy,
  type Mode,
  type ResultType,
  type Row,
  type RowRecord,
  type RunEndedBy,
  type RunCounts,
  type RunProgress,
} from './types';

export { endIdleWorkers, idleWorkerCount, warmWorkers } from './backends';
export { endIdlePythonWorkers, idlePythonWorkerCount, warmPythonWorkers } from './python/pythonPool';
export type { RowOutput } from './python/pythonProcess';

export interface RunSettings {
  mode: Mode;
  /**
   * Processes in `process` mode, rows in flight in `async` mode. `<= 0` runs sequentially.
   * In `slurm` mode: processes per task on the compute node (`<= 1`: the task runs its rows one at a time).
   */
  workers: number;
  resultType: ResultType;
  isPatch: boolean;
  onError: ErrorPolicy;
  /** Per-row time limit in ms; 0 or absent for none. */
  timeoutMs?: number;
}

export interface RunOptions extends RunSettings {
  rows: readonly Row[];
  /** A JS/TS apply file (loadApplyFile): give module and bundle, or `python`. */
  module?: ApplyModule;
  bundle?: ApplyBundle;
  /**
   * A Python apply file (loadPythonApplyFile): condition and apply run in Python worker processes,
   * on the rows pandas reads from `locatorText` when given (unsaved edits), else from `locatorPath`.
   */
  python?: PythonApply;
  locatorPath?: string;
  locatorText?: string;
  /** What the apply file's code prints (Python runs), tagged with its row when known. */
  onOutput?: (out: RowOutput) => void;
  signal?: AbortSignal;
  /**
   * Process mode: keep the worker processes this long after the run, so the next run with as many
   * workers starts at once (0 or absent: they end with the run). See endIdleWorkers().
   */
  keepWorkersMs?: number;
  /** Write each finished row to this JSON-lines file as it finishes. */
  journalPath?: string;
  /** What the journal belongs to, recorded in its header (resume checks it). */
  journalIdentity?: JournalIdentity;
  /** The journal header's startedAt (default: now); a run followed later gives the time it started. */
  journalStartedAt?: string;
  /** Records of an earlier run of the same rows: rows that were done or skipped are not run again. */
  previous?: Iterable<RowRecord>;
  /**
   * Called as each row finishes, in the order rows finish (use `index` to place it): `rec` as it
   * came (its value in memory), and `kept`, the record as the run keeps it (past the results budget
   * its value lives in the journal, read back when asked): a listener that holds on to a row keeps `kept`.
   */
  onRow?: (rec: RowRecord, kept: RowRecord) => void;
  /** Called when rows begin (in process mode, when their chunk reaches a worker). */
  onRowsStarted?: (indices: readonly number[]) => void;
  /** Called at most every `progressIntervalMs` while the run goes, and once at the end. */
  onProgress?: (progress: RunProgress) => void;
  progressIntervalMs?: number;
  /** `slurm` mode: where the run folder goes, shards, sbatch arguments (see ./slurm). */
  slurm?: SlurmOptions;
  /**
   * Run only these rows (a Slurm task's shard): the others are neither run nor reported, and the
   * outcome's records and counts are of these rows only. The condition still sees global indices.
   */
  onlyRows?: readonly number[];
  /** Write each journal line at once (a Slurm task: what it wrote survives its process being killed). */
  journalEveryRow?: boolean;
  /**
   * With a journal: results kept in memory, in bytes of their journal lines (default 16 MiB); the
   * values past it are read back from the journal when asked for (records look the same).
   */
  keepResultsBytes?: number;
}

export interface RunOutcome {
  /** One record per row, in row order. */
  records: RowRecord[];
  counts: RunCounts;
  /** The mode that actually ran (`workers <= 0` runs sequentially whatever was asked). */
  effectiveMode: Mode;
  /** Ended early: cancelled by the user, or stopped by the `stop` error policy. */
  endedBy: RunEndedBy;
  elapsedMs: number;
}

/** Checks settings from any source (UI, CLI, the apply file's `defaults`): clear errors naming what is accepted. */
export function validateSettings(s: Partial<RunSettings>): asserts s is RunSettings {
  const oneOf = (name: string, value: unknown, accepted: readonly string[]) => {
    if (!accepted.includes(value as string)) {
      throw new Error(`${name} must be one of ${accepted.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}`);
    }
  };
  oneOf('mode', s.mode, MODES);
  oneOf('result type', s.resultType, RESULT_TYPES);
  oneOf('error policy', s.onError, ERROR_POLICIES);
  if (typeof s.workers !== 'number' || !Number.isInteger(s.workers)) {
    throw new Error(`workers must be a whole number; got ${JSON.stringify(s.workers)}`);
  }
  if (typeof s.isPatch !== 'boolean') throw new Error(`isPatch must be true or false; got ${JSON.stringify(s.isPatch)}`);
  if (s.timeoutMs !== undefined && !(typeof s.timeoutMs === 'number' && s.timeoutMs >= 0)) {
    throw new Error(`timeout must be a number of milliseconds >= 0; got ${JSON.stringify(s.timeoutMs)}`);
  }
}

export function emptyCounts(total: number): RunCounts {
  return { total, done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0 };
}

export async function runBatch(options: RunOptions): Promise<RunOutcome> {
  validateSettings(options);
  const started = performance.now();
  const { rows, module: mod, python } = options;
  const attached = options.mode === 'slurm' ? options.slurm?.attach?.manifest : undefined;
  const applyFile = python?.file ?? mod?.file ?? attached?.apply ?? '';
  if (!python && !(mod && options.bundle) && !attached) throw new Error('runBatch needs an apply file: module and bundle (JS/TS), or python');
  // Slurm mode stays slurm: its workers are per task (<= 1 runs each task's rows one at a time).
  const effectiveMode: Mode = options.mode === 'slurm' ? 'slurm' : options.workers <= 0 ? 'sequential' : options.mode;
  const records: (RowRecord | undefined)[] = new Array(rows.length);
  const scope = options.onlyRows ? new Set(options.onlyRows.filter((i) => i >= 0 && i < rows.length)) : undefined;
  const outOfScope = (i: number) => scope !== undefined && !scope.has(i);
  const counts = emptyCounts(scope ? scope.size : rows.length);
  let finished = 0;

  // One controller halts dispatch for both reasons: the user's cancel and the stop policy.
  const halt = new AbortController();
  let endedBy: RunOutcome['endedBy'] = 'finished';
  const onCancel = () => {
    if (endedBy === 'finished') endedBy = 'cancelled';
    halt.abort();
  };
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel);

  const journal = options.journalPath
    ? new JournalWriter(options.journalPath, {
        journal: 'locator-batch',
        version: 2,
        startedAt: options.journalStartedAt ?? new Date().toISOString(),
        locator: options.locatorPath,
        apply: applyFile,
        mode: effectiveMode,
        resultType: options.resultType,
        isPatch: options.isPatch,
        total: counts.total,
        identity: options.journalIdentity,
        pid: process.pid,
        host: hostname(),
      }, options.journalEveryRow)
    : undefined;
  // Past the budget, results live only in the journal (a run's results can outgrow memory).
  const budget = journal?.resultBudget(options.keepResultsBytes);
  // What rows' results weigh (their journal lines): process mode sizes its chunks by it.
  let lineBytes = 0;
  let lines = 0;
  const resultBytesPerRow = () => (lines ? lineBytes / lines : undefined);

  const progressEvery = options.progressIntervalMs ?? 100;
  let lastProgress = 0;
  const progress = (): RunProgress => {
    const elapsedMs = performance.now() - started;
    return { ...counts, finished, elapsedMs, rowsPerSecond: elapsedMs > 0 ? (finished * 1000) / elapsedMs : 0 };
  };

  const report = (rec: RowRecord) => {
    if (records[rec.index]) return; // a row is reported once; late duplicates (after a timeout) are ignored
    records[rec.index] = rec;
    counts[rec.status]++;
    finished++;
    const span = journal?.append(rec);
    let kept = rec;
    if (span && budget) {
      kept = records[rec.index] = budget.keep(rec, span);
      lineBytes += span.length;
      lines++;
    }
    options.onRow?.(rec, kept);
    if (options.onError === 'stop' && isFailed(rec.status) && !halt.signal.aborted) {
      endedBy = 'stopped';
      halt.abort();
    }
    if (options.onProgress) {
      const now = performance.now();
      if (now - lastProgress >= progressEvery) {
        lastProgress = now;
        options.onProgress(progress());
      }
    }
  };

  try {
    // Rows an earlier run finished are taken as they were.
    const reuse = new Map<number, RowRecord>();
    for (const rec of options.previous ?? []) {
      if ((rec.status === 'done' || rec.status === 'skipped') && rec.index >= 0 && rec.index < rows.length && !outOfScope(rec.index)) {
        reuse.set(rec.index, rec);
      }
    }
    for (const rec of reuse.values()) report({ ...rec, reused: true });

    // Rows outside the run's scope count as reused: not run, not reported.
    const notToRun = { has: (i: number) => reuse.has(i) || outOfScope(i) };
    if (effectiveMode === 'slurm') await runSlurmRows(options, { reuse, report, halt: halt.signal });
    else if (python) {
      const candidates: number[] = [];
      for (let i = 0; i < rows.length; i++) if (!notToRun.has(i)) candidates.push(i);
      if (candidates.length && !halt.signal.aborted) {
        await runPythonRows({
          apply: python,
          rowCount: rows.length,
          candidates,
          mode: effectiveMode,
          workers: options.workers,
          resultType: options.resultType,
          timeoutMs: options.timeoutMs || undefined,
          halt: halt.signal,
          flushEveryRow: Boolean(options.timeoutMs) || options.onError === 'stop',
          locatorPath: options.locatorPath,
          locatorText: options.locatorText,
          keepWorkersMs: options.keepWorkersMs,
          report,
          started: options.onRowsStarted,
          onOutput: options.onOutput,
        });
      }
    } else await runJavaScriptRows(mod!, options, notToRun, effectiveMode, halt.signal, report, resultBytesPerRow);
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    // Whatever never finished was cancelled (by the user, or by the stop policy).
    for (let i = 0; i < rows.length; i++) {
      if (!records[i] && !outOfScope(i)) report({ index: i, status: 'cancelled', durationMs: 0 });
    }
    journal?.close();
  }
  options.onProgress?.(progress());
  return {
    records: scope ? records.filter((r): r is RowRecord => r !== undefined) : (records as RowRecord[]),
    counts,
    effectiveMode,
    endedBy,
    elapsedMs: performance.now() - started,
  };
}

/** JS/TS apply files: the condition in this process for every row, in order, then the backend. */
async function runJavaScriptRows(
  mod: ApplyModule,
  options: RunOptions,
  reuse: { has(index: number): boolean },
  effectiveMode: Mode,
  halt: AbortSignal,
  report: (rec: RowRecord) => void,
  resultBytesPerRow: () => number | undefined,
): Promise<void> {
  const { rows } = options;
  // The condition runs first, for every row, in order (as batch_process does).
  const toApply: number[] = [];
  let lastYield = performance.now();
  for (let i = 0; i < rows.length && !halt.aborted; i++) {
    if (reuse.has(i)) continue;
    let should = true;
    if (mod.condition) {
      try {
        let picked = mod.condition({ ...rows[i] }, { index: i });
        if (isThenable(picked)) picked = await picked;
        should = Boolean(picked);
      } catch (err) {
        const error = toRowError(err, 'condition', mod.mapStack);
        const location = firstUserFrame(error.stack, mod.file);
        if (location) error.location = location;
        report({ index: i, status: 'error', error, durationMs: 0 });
        continue;
      }
    }
    if (should) toApply.push(i);
    else report({ index: i, status: 'skipped', durationMs: 0 });
    if (performance.now() - lastYield > 15) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }

  const job: BackendJob = {
    mod,
    bundle: options.bundle!,
    rows,
    indices: toApply,
    workers: options.workers,
    timeoutMs: options.timeoutMs || undefined,
    halt,
    flushEveryRow: Boolean(options.timeoutMs) || options.onError === 'stop',
    locatorPath: options.locatorPath,
    report,
    started: options.onRowsStarted,
    keepWorkersMs: options.keepWorkersMs,
    resultBytesPerRow,
  };
  if (toApply.length && !halt.aborted) {
    if (effectiveMode === 'process') await runProcessPool(job);
    else await runInProcess(job, effectiveMode === 'async' ? options.workers : 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Shaping results the way batch_process returns them
// ---------------------------------------------------------------------------------------------

export type ShapedResults =
  | { resultType: 'series'; columns: string[]; rows: Row[]; warning?: string }
  | { resultType: 'value'; values: (RowRecord['value'] | null)[]; warning?: string }
  | { resultType: 'none' };

/**
 * - series: each result row becomes a row of a new locator (index reset); with isPatch a skipped row
 *   is kept as it was, without it dropped; a row whose apply returned nothing is dropped; no rows
 *   at all gives an empty locator with the original columns. The columns are those the rows have.
 * - value: a list; with isPatch one entry per row (null for skipped), otherwise empty entries dropped.
 * Rows that failed are treated as if apply returned nothing, except that with isPatch a series
 * keeps the original row: a patch never loses a row because it failed.
 */
export function shapeResults(
  records: readonly RowRecord[],
  rows: readonly Row[],
  columns: readonly string[],
  resultType: ResultType,
  isPatch: boolean,
): ShapedResults {
  if (resultType === 'none') return { resultType };
  if (resultType === 'value') {
    const values: (RowRecord['value'] | null)[] = [];
    for (const rec of records) {
      const v = rec.status === 'done' ? (rec.value ?? null) : null;
      if (isPatch || v !== null) values.push(v);
    }
    return { resultType, values };
  }
  const shaper = new SeriesShaper(rows, columns, isPatch);
  const outRows: Row[] = [];
  for (const rec of records) {
    const row = shaper.rowOf(rec);
    if (row) outRows.push(row);
  }
  return { resultType, columns: shaper.outputColumns(), rows: outRows, warning: shaper.warning() };
}
