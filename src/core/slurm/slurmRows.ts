// The `slurm` mode of runBatch: write the run folder, submit a job array over the rows to run, and
// follow it, reporting every row through the run's own `report` (so onRow, counts, the main
// journal and progress work as in every other mode).
import { existsSync, promises as fs } from 'fs';
import * as path from 'path';
import { JournalWriter } from '../journal';
import { parseLocator } from '../locator';
import type { RunOptions } from '../run';
import type { RowRecord } from '../types';
import { followRun, type SlurmStateSummary } from './follow';
import {
  defaultShardCount,
  jobScript,
  makeRunFolder,
  splitShards,
  writeManifest,
  writeShards,
  type RunManifest,
} from './runFolder';
import { submitArray } from './scheduler';

export interface SlurmOptions {
  /** Tasks in the job array (default: one per 100 rows, at most 1000). */
  shards?: number;
  /** At most this many tasks at once (`--array=...%M`); absent: Slurm's own limits. */
  throttle?: number;
  /** More sbatch arguments (partition, time, memory, account), after ours. */
  sbatchArgs?: string[];
  /** Lines the job script runs before our CLI (e.g. `module load nodejs`). */
  setup?: string[];
  /** Where run folders are made. */
  runsDir: string;
  /** Follow this existing run instead of submitting one (attachSlurmRun). */
  attach?: { folder: string; manifest: RunManifest };
  onSubmitted?(job: { jobId: string; runFolder: string }): void;
  onSlurmState?(s: SlurmStateSummary): void;
  /** Slurm polling bounds (default 1 s, backing off to 5 s while nothing changes). */
  pollMinMs?: number;
  pollMaxMs?: number;
}

export interface SlurmRowsContext {
  reuse: ReadonlyMap<number, RowRecord>;
  report(rec: RowRecord): void;
  halt: AbortSignal;
}

/** The CLI bundle the tasks run: beside this bundle (dist/), or dist/ of the repository (compiled tests). */
export function cliScriptPath(): string {
  if (process.env.LOCATOR_BATCH_CLI) return process.env.LOCATOR_BATCH_CLI;
  const beside = path.join(__dirname, 'cli.js');
  if (existsSync(beside) && path.basename(__dirname) === 'dist') return beside;
  return path.resolve(__dirname, '../../../../dist/cli.js');
}

/** The Node that runs the CLI in the tasks: LOCATOR_BATCH_NODE, else this process's (Electron as Node). */
export function nodeForTasks(): string {
  return process.env.LOCATOR_BATCH_NODE || process.execPath;
}

/** Writes the run folder and submits the array over the rows not reused. Undefined when no row is left. */
export async function submitSlurmRun(
  options: RunOptions,
  reuse: ReadonlyMap<number, RowRecord>,
): Promise<{ folder: string; manifest: RunManifest } | undefined> {
  const slurm = options.slurm;
  if (!slurm) throw new Error('slurm mode needs slurm options (at least runsDir)');
  const indices: number[] = [];
  for (let i = 0; i < options.rows.length; i++) if (!reuse.has(i)) indices.push(i);
  if (!indices.length) return undefined;

  // The text the tasks read: what the run sees (unsaved edits included), checked to hold its rows.
  const text = options.locatorText ?? (options.locatorPath ? await fs.readFile(options.locatorPath, 'utf8') : undefined);
  if (text === undefined) throw new Error('slurm mode needs the locator: locatorText or locatorPath');
  const snapshotRows = (await parseLocator(text, options.locatorPath)).rows.length;
  if (snapshotRows !== options.rows.length) {
    throw new Error(`the locator's text has ${snapshotRows} rows but the run has ${options.rows.length}: save the locator and run again`);
  }
  const py = options.python?.interpreter;
  const shards = splitShards(indices, slurm.shards && slurm.shards > 0 ? slurm.shards : defaultShardCount(indices.length));
  const folder = await makeRunFolder(slurm.runsDir, options.locatorPath);
  const manifest: RunManifest = {
    kind: 'locator-batch-slurm-run',
    version: 1,
    jobId: '',
    locatorPath: options.locatorPath,
    snapshot: 'locator.csv',
    rowCount: options.rows.length,
    apply: options.python?.file ?? options.module!.file,
    python: py ? (py.source === 'explicit' ? py.command : py.executable) : undefined,
    settings: {
      mode: 'slurm',
      workers: options.workers,
      resultType: options.resultType,
      isPatch: options.isPatch,
      onError: options.onError,
      timeoutMs: options.timeoutMs,
    },
    identity: options.journalIdentity,
    shards,
    reused: reuse.size,
    journal: options.journalPath,
    sbatchArgs: slurm.sbatchArgs ?? [],
    setup: slurm.setup ?? [],
    createdAt: new Date().toISOString(),
  };
  await fs.writeFile(path.join(folder, manifest.snapshot), text);
  if (reuse.size) {
    const previous = new JournalWriter(path.join(folder, 'previous.jsonl'), {
      journal: 'locator-batch',
      version: 2,
      startedAt: manifest.createdAt,
      locator: options.locatorPath,
      apply: manifest.apply,
      mode: 'slurm',
      resultType: options.resultType,
      isPatch: options.isPatch,
      total: reuse.size,
      identity: options.journalIdentity,
    });
    for (const rec of reuse.values()) previous.append(rec);
    previous.close();
  }
  await writeShards(folder, shards);
  const script = path.join(folder, 'job.sh');
  await fs.writeFile(script, jobScript({ folder, node: nodeForTasks(), cli: cliScriptPath(), manifest }), { mode: 0o755 });
  await writeManifest(folder, manifest);
  const name = `locator-batch:${path.basename(options.locatorPath ?? 'locator')}`;
  try {
    manifest.jobId = await submitArray(script, shards.length, slurm.throttle, [
      `--job-name=${name}`,
      `--output=${path.join(folder, 'logs', '%a.out')}`,
      `--chdir=${folder}`,
      ...manifest.sbatchArgs,
    ]);
  } catch (err) {
    await fs.rm(folder, { recursive: true, force: true }); // nothing was submitted: no run to come back to
    throw err;
  }
  await writeManifest(folder, manifest);
  return { folder, manifest };
}

/** runBatch's slurm branch: submit (or attach), then follow to the end; the manifest records how it ended. */
export async function runSlurmRows(options: RunOptions, ctx: SlurmRowsContext): Promise<void> {
  const slurm = options.slurm!;
  let run = slurm.attach;
  if (!run) {
    if (ctx.halt.aborted) return;
    run = await submitSlurmRun(options, ctx.reuse);
    if (!run) return;
    slurm.onSubmitted?.({ jobId: run.manifest.jobId, runFolder: run.folder });
  }
  const { folder, manifest } = run;
  const followed = await followRun({
    folder,
    manifest,
    report: ctx.report,
    halt: ctx.halt,
    onSlurmState: slurm.onSlurmState,
    pollMinMs: slurm.pollMinMs,
    pollMaxMs: slurm.pollMaxMs,
  });
  if (!manifest.endedAt) {
    manifest.endedAt = new Date().toISOString();
    manifest.endedBy = !ctx.halt.aborted ? 'finished' : options.signal?.aborted ? 'cancelled' : 'stopped';
    manifest.tasks = followed.tasks;
    await writeManifest(folder, manifest);
  }
}
