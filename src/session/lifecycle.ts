// One run's lifecycle, the same for the editor, the palette and the command line:
//   prepareRun:  refuse what cannot run (trust, a run going, no apply file, a bad locator, apply
//                file, setting or journal) before any row runs; resolve the settings once.
//   executeRun:  run the rows (journal, reuse of finished rows) and summarise the outcome.
// Front ends only show things: they pass hooks for rows and progress and display refusals.
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { loadApplyFile, type ApplyBundle, type ApplyModule } from '../core/applyModule';
import { PythonSetupError } from '../core/python/interpreter';
import { isPythonApplyFile, loadPythonApplyFile, type PythonApply } from '../core/python/pythonApply';
import { readJournal, type JournalIdentity } from '../core/journal';
import { LocatorParseError, type Locator } from '../core/locator';
import { seriesOutline } from '../core/seriesShaper';
import { runBatch, type RowOutput, type RunOutcome, type RunSettings } from '../core/run';
import type { ApplyDefaults, RowRecord, RunProgress } from '../core/types';
import type { RunSummaryView } from '../shared/protocol';
import { identityMismatch, runIdentity } from './identity';
import { asRefusal, RunRefusal, untrustedRefusal } from './refusal';
import { resolveSettings, type ResolvedSettings, type UserSettings } from './settings';
import { resolveSlurm, type SlurmChoice } from './slurm';
import { submitSlurmRun, type SlurmOptions, type SlurmStateSummary } from '../core/slurm';

export interface RunRequest {
  /** The locator's absolute path (the journal's header and apply's `context.locatorPath`). */
  locatorPath: string;
  /** Its rows as the user sees them now (unsaved edits included). */
  readLocator(): Promise<Locator>;
  applyFile?: string;
  /** Python apply files: the interpreter (a setting, --python); else LOCATOR_BATCH_PYTHON, python3, python on PATH. */
  python?: string;
  /** The locator's text when it differs from the file (unsaved edits): Python's pandas reads this instead. */
  locatorText?(): string | undefined;
  /** The user's settings (layer 2 of resolveSettings). */
  user?: UserSettings;
  /** What the user chose for this run (layer 4). */
  choice?: Partial<RunSettings>;
  /** Workspace Trust: running an apply file runs workspace code. */
  trusted: boolean;
  /** Another run is going on this locator. */
  busy?: boolean;
  /** Where to journal finished rows; undefined: no journal. */
  journalPath?: string;
  /**
   * Reuse the rows an earlier run finished and run the rest:
   * - `journalFile`: resume that run; the journal must belong to this locator, apply file and settings.
   * - `journalFile` with `failedOnly`: re-run its failed rows; the apply file may have been fixed since.
   * - `last`: re-run the failed rows of the last run in memory (the editor's Re-run Failed Rows), likewise.
   */
  resume?: { journalFile: string; failedOnly?: boolean } | { last: FinishedRun };
  /** Results of a resumed journal kept in memory before the rest are read back from it (readJournal's budget). */
  keepResultsBytes?: number;
  /** Slurm mode: shards, throttle, sbatch arguments, setup lines, where run folders go. */
  slurm?: SlurmChoice;
  /** Run only these rows (a Slurm task's shard; the CLI's hidden --rows). */
  onlyRows?: number[];
}

export interface PreparedRun {
  locatorPath: string;
  locator: Locator;
  applyFile: string;
  /** A JS/TS apply file, bundled and loaded... */
  module?: ApplyModule;
  bundle?: ApplyBundle;
  /** ...or a Python one, checked in its interpreter. */
  python?: PythonApply;
  locatorText?: string;
  resolved: ResolvedSettings;
  identity: JournalIdentity;
  journalPath?: string;
  /** Records reused from an earlier run (done and skipped rows are not run again). */
  previous?: RowRecord[];
  /** The rows this run will run (all of them, less the reused ones). */
  indices: number[];
  /** Slurm mode's options, resolved. */
  slurm?: SlurmOptions;
  onlyRows?: number[];
}

export interface FinishedRun {
  locatorPath: string;
  applyFile: string;
  /** The rows the run saw: write-back checks the document still holds them. */
  locator: Locator;
  settings: RunSettings;
  identity: JournalIdentity;
  records: RowRecord[];
  outcome: RunOutcome;
  summary: RunSummaryView;
  journalPath?: string;
}

export interface RunHooks {
  signal?: AbortSignal;
  keepWorkersMs?: number;
  /** Results kept in memory before the rest are read back from the journal (runBatch's keepResultsBytes). */
  keepResultsBytes?: number;
  /** See runBatch's onRow: `kept` is the record to hold on to. */
  onRow?(rec: RowRecord, kept: RowRecord): void;
  onRowsStarted?(indices: readonly number[]): void;
  onProgress?(progress: RunProgress): void;
  /** What a Python apply file prints, tagged with its row when known. */
  onOutput?(output: RowOutput): void;
  /** Slurm mode: the job was submitted (its run folder can be re-attached to). */
  onSubmitted?(job: { jobId: string; runFolder: string }): void;
  /** Slurm mode: the array's task states, as they change. */
  onSlurmState?(state: SlurmStateSummary): void;
}

/** Everything that can be wrong is found here, before any row runs. Throws RunRefusal. */
export async function prepareRun(req: RunRequest): Promise<PreparedRun> {
  if (!req.trusted) throw untrustedRefusal();
  if (req.busy) throw new RunRefusal('busy', `a run is already going on ${path.basename(req.locatorPath)}; cancel it first.`);
  if (!req.applyFile) throw new RunRefusal('no-apply-file', 'pick an apply file first.');
  let locator: Locator;
  let loaded: LoadedApply;
  try {
    locator = await req.readLocator().catch((err: unknown) => {
      if (err instanceof LocatorParseError || err instanceof RunRefusal) throw err;
      throw new RunRefusal('bad-locator', (err as Error).message);
    });
    loaded = await loadApply(req.applyFile, req.python);
  } catch (err) {
    if (err instanceof PythonSetupError) throw new RunRefusal('no-python', err.message);
    throw asRefusal(err, req.locatorPath);
  }
  let resolved: ResolvedSettings;
  try {
    resolved = resolveSettings({ user: req.user, applyDefaults: { file: loaded.file, defaults: loaded.defaults }, choice: req.choice });
  } catch (err) {
    throw new RunRefusal('bad-settings', (err as Error).message);
  }
  const slurm = resolved.settings.mode === 'slurm' ? resolveSlurm(req.locatorPath, req.user?.slurm, req.slurm) : undefined;
  const identity = runIdentity(locator, loaded.code, resolved.settings);
  const previous = await previousRecords(req, identity);
  const reused = new Set((previous ?? []).filter((r) => r.status === 'done' || r.status === 'skipped').map((r) => r.index));
  const indices: number[] = [];
  const only = req.onlyRows ? new Set(req.onlyRows) : undefined;
  for (let i = 0; i < locator.rows.length; i++) if (!reused.has(i) && (!only || only.has(i))) indices.push(i);
  return {
    locatorPath: req.locatorPath,
    locator,
    applyFile: loaded.file,
    module: loaded.module,
    bundle: loaded.bundle,
    python: loaded.python,
    // Python reads the text with pandas; a Slurm run's tasks read a snapshot of it.
    locatorText: loaded.python || slurm ? req.locatorText?.() : undefined,
    resolved,
    identity,
    journalPath: req.journalPath,
    previous,
    indices,
    slurm,
    onlyRows: req.onlyRows,
  };
}

interface LoadedApply {
  file: string;
  defaults: ApplyDefaults;
  /** What the journal's identity hashes: the bundle (JS/TS: the file and what it imports), or the Python file. */
  code: string;
  module?: ApplyModule;
  bundle?: ApplyBundle;
  python?: PythonApply;
}

/** A JS/TS apply file is bundled and loaded here; a Python one is checked in its interpreter. */
async function loadApply(file: string, python: string | undefined): Promise<LoadedApply> {
  if (isPythonApplyFile(file)) {
    const py = await loadPythonApplyFile(file, { python });
    const code = createHash('sha256').update(await fs.readFile(py.file)).digest('hex');
    return { file: py.file, defaults: py.defaults, code, python: py };
  }
  const { module, bundle } = await loadApplyFile(file);
  return { file: module.file, defaults: module.defaults as ApplyDefaults, code: bundle.code, module, bundle };
}

async function previousRecords(req: RunRequest, identity: JournalIdentity): Promise<RowRecord[] | undefined> {
  const resume = req.resume;
  if (!resume) return undefined;
  if ('last' in resume) {
    // The same rows; the apply file may have been fixed since (that is the point).
    if (resume.last.identity.locator !== identity.locator) {
      throw new RunRefusal('changed', 'the locator changed since its last run, so that run\'s results may not match its rows; run all rows instead.');
    }
    return resume.last.records;
  }
  let journal: Awaited<ReturnType<typeof readJournal>>;
  try {
    journal = await readJournal(resume.journalFile, req.keepResultsBytes);
  } catch (err) {
    throw new RunRefusal('journal-mismatch', `cannot use ${resume.journalFile}: ${(err as Error).message}`);
  }
  // Re-running failed rows after a fix is the point: the apply file may differ then, nothing else.
  const compared = resume.failedOnly && journal.header.identity ? { ...identity, apply: journal.header.identity.apply } : identity;
  const why = identityMismatch(journal.header.identity, compared);
  if (why) throw new RunRefusal('journal-mismatch', `cannot use ${resume.journalFile}: ${why}. Nothing was run.`);
  return [...journal.records.values()];
}

/** Runs a prepared run to its end (cancel keeps what finished) and summarises it. */
export async function executeRun(p: PreparedRun, hooks: RunHooks = {}): Promise<FinishedRun> {
  const settings = p.resolved.settings;
  const outcome = await runBatch(runOptions(p, hooks));
  return {
    locatorPath: p.locatorPath,
    applyFile: p.applyFile,
    locator: p.locator,
    settings,
    identity: p.identity,
    records: outcome.records,
    outcome,
    summary: summarize(outcome, p.locator, settings),
    journalPath: p.journalPath,
  };
}

/** Slurm mode: submits the job array and returns without following it (the CLI's --detach). */
export async function submitDetached(p: PreparedRun): Promise<{ jobId: string; runFolder: string } | undefined> {
  const options = runOptions(p, {});
  const reuse = new Map((p.previous ?? []).filter((r) => r.status === 'done' || r.status === 'skipped').map((r) => [r.index, r]));
  const run = await submitSlurmRun(options, reuse);
  return run && { jobId: run.manifest.jobId, runFolder: run.folder };
}

function runOptions(p: PreparedRun, hooks: RunHooks): Parameters<typeof runBatch>[0] {
  return {
    ...p.resolved.settings,
    rows: p.locator.rows,
    module: p.module,
    bundle: p.bundle,
    python: p.python,
    locatorPath: p.locatorPath,
    locatorText: p.locatorText,
    onOutput: hooks.onOutput,
    signal: hooks.signal,
    journalPath: p.journalPath,
    journalIdentity: p.identity,
    previous: p.previous,
    keepWorkersMs: hooks.keepWorkersMs,
    keepResultsBytes: hooks.keepResultsBytes,
    onRow: hooks.onRow,
    onRowsStarted: hooks.onRowsStarted,
    onProgress: hooks.onProgress,
    slurm: p.slurm && { ...p.slurm, onSubmitted: hooks.onSubmitted, onSlurmState: hooks.onSlurmState },
    onlyRows: p.onlyRows,
    journalEveryRow: p.onlyRows !== undefined,
  };
}

/** The summary every front end shows: counts, how it ended, the mode that ran, a shaping warning. */
export function summarize(outcome: RunOutcome, locator: Locator, settings: RunSettings): RunSummaryView {
  const c = outcome.counts;
  // Only series results can warn; the outline walks them without copying every result row.
  const warning = settings.resultType === 'series' ? seriesOutline(outcome.records, locator.rows, locator.columns, settings.isPatch).warning : undefined;
  return {
    total: c.total,
    finished: c.total,
    done: c.done,
    skipped: c.skipped,
    error: c.error,
    timeout: c.timeout,
    cancelled: c.cancelled,
    elapsedMs: outcome.elapsedMs,
    rowsPerSecond: outcome.elapsedMs > 0 ? (c.total * 1000) / outcome.elapsedMs : 0,
    endedBy: outcome.endedBy,
    effectiveMode: outcome.effectiveMode,
    resultType: settings.resultType,
    warning,
  };
}
