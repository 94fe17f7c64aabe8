// Coming back to a Slurm run from its folder: the job may still be going, or long over. Following
// it is runBatch's slurm branch with the run's own rows and settings (from the manifest and the
// snapshot), so results are shaped and journaled as in any run.
import { existsSync, promises as fs } from 'fs';
import * as path from 'path';
import { readJournal } from '../journal';
import { parseLocator, type Locator } from '../locator';
import { runBatch, type RunOutcome } from '../run';
import type { RowRecord, RunProgress } from '../types';
import { summarizeStates, type SlurmStateSummary } from './follow';
import { readRunFolder, taskJournal, type RunManifest } from './runFolder';
import { isTerminal, queryJob, type TaskStatus } from './scheduler';

export interface AttachHooks {
  signal?: AbortSignal;
  /** Write the main journal here (what the run would have written; e.g. the manifest's `journal`). */
  journalPath?: string;
  onRow?(rec: RowRecord, kept: RowRecord): void;
  onProgress?(progress: RunProgress): void;
  progressIntervalMs?: number;
  onSlurmState?(s: SlurmStateSummary): void;
  pollMinMs?: number;
  pollMaxMs?: number;
}

export interface AttachedRun {
  folder: string;
  manifest: RunManifest;
  /** The rows the run saw (its snapshot). */
  locator: Locator;
  outcome: RunOutcome;
}

/** The snapshot the run saw, and the rows an earlier run gave it. */
async function runInputs(folder: string, manifest: RunManifest): Promise<{ locator: Locator; previous: RowRecord[] }> {
  const locator = await parseLocator(await fs.readFile(path.join(folder, manifest.snapshot), 'utf8'), manifest.locatorPath);
  const prevFile = path.join(folder, 'previous.jsonl');
  const previous = existsSync(prevFile) ? [...(await readJournal(prevFile)).records.values()] : [];
  return { locator, previous };
}

/** Follows the run in `folder` to its end (at once when it is over) and gives its outcome. */
export async function attachSlurmRun(folder: string, hooks: AttachHooks = {}): Promise<AttachedRun> {
  const manifest = await readRunFolder(folder);
  if (!manifest.jobId) throw new Error(`${folder}: the run was never submitted (sbatch did not answer)`);
  const { locator, previous } = await runInputs(folder, manifest);
  const outcome = await runBatch({
    ...manifest.settings,
    rows: locator.rows,
    locatorPath: manifest.locatorPath,
    previous,
    signal: hooks.signal,
    journalPath: hooks.journalPath,
    journalIdentity: manifest.identity,
    journalStartedAt: manifest.createdAt,
    onRow: hooks.onRow,
    onProgress: hooks.onProgress,
    progressIntervalMs: hooks.progressIntervalMs,
    slurm: {
      runsDir: path.dirname(folder),
      attach: { folder, manifest },
      onSlurmState: hooks.onSlurmState,
      pollMinMs: hooks.pollMinMs,
      pollMaxMs: hooks.pollMaxMs,
    },
  });
  return { folder, manifest, locator, outcome };
}

export interface SlurmRunStatus {
  folder: string;
  manifest: RunManifest;
  tasks: Record<string, TaskStatus>;
  slurm: SlurmStateSummary;
  /** Rows with a result so far (reused ones included), by status. */
  counts: { total: number; done: number; skipped: number; error: number; timeout: number; cancelled: number };
  /** Rows without a record yet. */
  pending: number;
  /** Every task has ended (or the run was followed to its end). */
  ended: boolean;
}

/** One look at a run, without following it: the journals as they are and one question to Slurm. */
export async function inspectSlurmRun(folder: string): Promise<SlurmRunStatus> {
  const manifest = await readRunFolder(folder);
  const { previous } = await runInputs(folder, manifest);
  let tasks: Record<string, TaskStatus> = {};
  const settled = manifest.tasks && Object.values(manifest.tasks).every((t) => isTerminal(t.state));
  if (manifest.endedAt && manifest.tasks && settled) tasks = manifest.tasks;
  else if (manifest.jobId) for (const [k, t] of await queryJob(manifest.jobId, manifest.shards.length)) tasks[k] = t;
  const counts = { total: manifest.rowCount, done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0 };
  const seen = new Set<number>();
  const count = (rec: RowRecord) => {
    if (seen.has(rec.index)) return;
    seen.add(rec.index);
    counts[rec.status]++;
  };
  previous.forEach(count);
  for (let k = 0; k < manifest.shards.length; k++) {
    const file = taskJournal(folder, k);
    if (existsSync(file)) for (const rec of (await readJournal(file)).records.values()) count(rec);
  }
  // Slurm forgot the job: what the manifest recorded is the last word.
  if (manifest.tasks && Object.values(tasks).every((t) => t.state === 'GONE')) tasks = manifest.tasks;
  const states = new Map(Object.entries(tasks).map(([k, t]) => [Number(k), t]));
  const ended = Boolean(manifest.endedAt) || (states.size === manifest.shards.length && [...states.values()].every((t) => isTerminal(t.state)));
  return { folder, manifest, tasks, slurm: summarizeStates(manifest.jobId, states), counts, pending: manifest.rowCount - seen.size, ended };
}
