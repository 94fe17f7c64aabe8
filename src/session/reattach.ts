// Coming back to a Slurm run that outlived the window (or the terminal) that started it: the run
// folder says everything (its rows' snapshot, apply file, settings, job), so following it to its end
// gives a finished run like any other, for every front end: the editor re-attaches when the locator
// opens, the CLI's `collect` writes its outputs.
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import { attachSlurmRun, listRunFolders, readRunFolder, type RunFolderEntry } from '../core/slurm';
import type { Locator } from '../core/locator';
import { runIdentity } from './identity';
import { summarize, type FinishedRun, type RunHooks } from './lifecycle';

/**
 * The Slurm run of this locator to re-attach to, if any: the newest one nobody followed to its end,
 * or the one whose main journal is `shortJournal` (a journal that stops short because its follower
 * died: the run itself may have ended since, and following it again completes that journal rather
 * than running its rows again).
 */
export async function slurmRunToAttach(runsDir: string, locatorPath: string, shortJournal?: string): Promise<RunFolderEntry | undefined> {
  const entries = (await listRunFolders(runsDir, locatorPath)).filter((e) => e.manifest.jobId);
  const newest = entries[0];
  if (newest && !newest.ended) return newest;
  return shortJournal ? entries.find((e) => e.manifest.journal === shortJournal) : undefined;
}

/** Why the rows a Slurm run saw are not the locator's rows now, or undefined when they are the same. */
export function changedSinceSubmitted(entry: RunFolderEntry, locator: Pick<Locator, 'columns' | 'rows'>): string | undefined {
  const submitted = entry.manifest.identity?.locator;
  if (!submitted || submitted === runIdentity(locator, '', entry.manifest.settings).locator) return undefined;
  return (
    `the locator changed since Slurm job ${entry.manifest.jobId} was submitted: its results belong to the rows it saw ` +
    '(the run folder keeps them), so write-back and re-running failed rows are refused until you run again'
  );
}

/**
 * Follows the run in `folder` to its end (at once when it is over): its rows stream through the
 * hooks. The run's main journal is written again whole, as the run would have written it: into a
 * file of its own first, renamed over the journal at the end, so that another process following the
 * same run (a window being replaced, `collect` in a terminal) never interleaves lines with this one.
 */
export async function followSlurmRun(folder: string, hooks: Pick<RunHooks, 'signal' | 'onRow' | 'onProgress' | 'onSlurmState'> = {}): Promise<FinishedRun> {
  const { journal } = await readRunFolder(folder);
  const scratch = journal && `${journal}.follow-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  let attached: Awaited<ReturnType<typeof attachSlurmRun>>;
  try {
    attached = await attachSlurmRun(folder, {
      signal: hooks.signal,
      journalPath: scratch,
      onRow: hooks.onRow,
      onProgress: hooks.onProgress,
      onSlurmState: hooks.onSlurmState,
    });
    if (journal && scratch) await fs.rename(scratch, journal);
  } catch (err) {
    if (scratch) await fs.rm(scratch, { force: true });
    throw err;
  }
  const { manifest, locator, outcome } = attached;
  const settings = manifest.settings;
  return {
    locatorPath: manifest.locatorPath ?? '',
    applyFile: manifest.apply,
    locator,
    settings,
    // A run folder always records it (runBatch is given the session's identity); an older one without it cannot be resumed against.
    identity: manifest.identity ?? { locator: '', apply: '', settings: '' },
    records: outcome.records,
    outcome,
    summary: summarize(outcome, locator, settings),
    journalPath: manifest.journal,
  };
}
