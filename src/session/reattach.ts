// Coming back to a Slurm run that outlived the window (or the terminal) that started it: the run
// folder says everything (its rows' snapshot, apply file, settings, job), so following it to its end
// gives a finished run like any other, for every front end: the editor re-attaches when the locator
// opens, the CLI's `collect` writes its outputs.
import { attachSlurmRun, listRunFolders, readRunFolder, type RunFolderEntry } from '../core/slurm';
import { summarize, type FinishedRun, type RunHooks } from './lifecycle';

/** The newest Slurm run of this locator under `runsDir` that nobody followed to its end, if any. */
export async function unfinishedSlurmRun(runsDir: string, locatorPath: string): Promise<RunFolderEntry | undefined> {
  const newest = (await listRunFolders(runsDir, locatorPath)).find((e) => e.manifest.jobId);
  return newest && !newest.ended ? newest : undefined;
}

/** Follows the run in `folder` to its end (at once when it is over): its rows stream through the hooks. */
export async function followSlurmRun(
  folder: string,
  hooks: Pick<RunHooks, 'signal' | 'onRow' | 'onProgress' | 'onSlurmState'> = {},
  options: { writeJournal?: boolean } = {},
): Promise<FinishedRun> {
  // The main journal is written again whole, as the run would have written it; not when another
  // process follows the run too and writes it (a window being replaced): one writer per file.
  const { journal } = await readRunFolder(folder);
  const writeJournal = options.writeJournal ?? true;
  const { manifest, locator, outcome } = await attachSlurmRun(folder, {
    signal: hooks.signal,
    journalPath: writeJournal ? journal : undefined,
    onRow: hooks.onRow,
    onProgress: hooks.onProgress,
    onSlurmState: hooks.onSlurmState,
  });
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
    journalPath: writeJournal ? manifest.journal : undefined,
  };
}
