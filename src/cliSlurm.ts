// The CLI's Slurm commands: `status RUN_FOLDER` (one look: exit 0 once the run has ended, 3 while
// rows are pending) and `collect RUN_FOLDER` (follow to the end, then write what `run` writes).
import type { Locator } from './core/locator';
import type { RunOutcome, RunSettings } from './core/run';
import { inspectSlurmRun, readRunFolder, type RunManifest } from './core/slurm';
import type { RowRecord } from './core/types';
import type { FinishedRun } from './session/lifecycle';
import { followSlurmRun } from './session/reattach';
import type { RunSummaryView } from './shared/protocol';
import { slurmStateText } from './shared/summary';

/** What reportRun needs of a run. */
export interface FinishedRunLike {
  locator: Locator;
  records: readonly RowRecord[];
  settings: RunSettings;
  outcome: RunOutcome;
  summary: RunSummaryView;
}

type ReportRun = (run: FinishedRunLike, args: { out?: string; column: string }, log: (s: string) => void, hints?: { rerun?: string; recover?: string }) => Promise<number>;

export async function slurmStatus(folder: string): Promise<number> {
  let status: Awaited<ReturnType<typeof inspectSlurmRun>>;
  try {
    if (!(await readRunFolder(folder)).jobId) {
      process.stderr.write(`locator-batch: ${folder}: the run was never submitted (sbatch did not answer); there is nothing to wait for\n`);
      return 2;
    }
    status = await inspectSlurmRun(folder);
    // Every task ended but nobody followed the run to its end: do it now (at once), so the
    // manifest records the end and rows a failed task never journaled count as errors.
    if (status.ended && !status.manifest.endedAt) {
      // Through the session's follower: the run's journal is written aside and renamed, so a window following the run too never interleaves with it.
      await followSlurmRun(folder);
      status = await inspectSlurmRun(folder);
    }
  } catch (err) {
    process.stderr.write(`locator-batch: ${(err as Error).message}\n`);
    return 2;
  }
  const { manifest, counts, slurm } = status;
  const failed = counts.error + counts.timeout;
  const lines = [
    `Run folder: ${folder}`,
    `Locator: ${manifest.locatorPath ?? '(unknown)'} · apply: ${manifest.apply}`,
    `Slurm job ${manifest.jobId}: ${manifest.shards.length} task(s): ${slurm.pending} pending, ${slurm.running} running, ${slurm.ended} ended${slurm.failed ? ` (${slurm.failed} not COMPLETED)` : ''}`,
    `Rows: ${counts.total} · ${counts.done} done, ${counts.skipped} skipped, ${failed} failed, ${counts.cancelled} cancelled, ${status.pending} pending`,
    status.ended ? `Ended${manifest.endedBy && manifest.endedBy !== 'finished' ? ` (${manifest.endedBy})` : ''} at ${manifest.endedAt ?? '?'}` : 'Still going',
  ];
  const notCompleted = Object.entries(status.tasks).filter(([, t]) => t.state !== 'COMPLETED' && t.state !== 'RUNNING' && t.state !== 'PENDING');
  for (const [k, t] of notCompleted.slice(0, 10)) lines.push(`  task ${k}: ${t.state}${t.exitCode && t.exitCode !== '0:0' ? ` (exit ${t.exitCode})` : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
  return status.ended ? 0 : 3;
}

export async function slurmCollect(folder: string, args: { out?: string; column: string }, log: (s: string) => void, reportRun: ReportRun): Promise<number> {
  let run: FinishedRun;
  let lastState = '';
  let manifest: RunManifest;
  try {
    // Only the manifest: following the run asks Slurm (one look a second, not two back to back).
    manifest = await readRunFolder(folder);
    if (!manifest.endedAt) log(`Following Slurm job ${manifest.jobId} to its end (Ctrl+C stops waiting; the job goes on)`);
    run = await followSlurmRun(folder, {
      onSlurmState: (s) => {
        const line = slurmStateText(s);
        if (line !== lastState) log(line);
        lastState = line;
      },
    });
  } catch (err) {
    process.stderr.write(`locator-batch: ${(err as Error).message}\n`);
    return 2;
  }
  const rerun =
    manifest.journal && manifest.locatorPath
      ? `locator-batch run ${manifest.locatorPath} --apply ${manifest.apply} --mode slurm --rerun-failed ${manifest.journal}`
      : undefined;
  // The task journals stay in the run folder: collecting again writes the results again.
  return reportRun(run, args, log, { rerun, recover: `The rows are in ${folder}; write them again with:\n  locator-batch collect ${folder} --out FILE` });
}
