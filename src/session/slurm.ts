// Slurm options of a run, resolved like the other settings: the user's settings (VS Code's
// `locatorBatch.slurm.sbatchArgs` / `.setup`) under the run's choice (the CLI's flags, the run bar).
// sbatch arguments add up (settings first, then the choice: sbatch takes the last of a repeated
// option, so the choice wins); setup lines come from the highest layer that gives any.
import * as path from 'path';
import { slurmAvailable, type SlurmOptions } from '../core/slurm';
import { MODES, type Mode } from '../core/types';
import { RunRefusal } from './refusal';

/** The modes this machine runs: `slurm` only where Slurm's sbatch is on PATH (the run bar and the palette offer these). */
export function offeredModes(env: NodeJS.ProcessEnv = process.env): Mode[] {
  const slurm = slurmAvailable(env);
  return MODES.filter((m) => m !== 'slurm' || slurm);
}

/** What the user's settings say about Slurm (layer 2). */
export interface UserSlurmSettings {
  sbatchArgs?: string[];
  setup?: string[];
  /** Tasks of the array; unset: from the row count. */
  shards?: number;
  /** Most tasks running at once; unset: no limit. */
  throttle?: number;
}

/** What the user chose for this run (layer 4). */
export interface SlurmChoice {
  shards?: number;
  throttle?: number;
  sbatchArgs?: string[];
  setup?: string[];
  /** Default: `.locator-batch/runs` beside the locator. */
  runsDir?: string;
}

/** The folder run folders go in when nothing says otherwise: beside the locator (shared on a cluster). */
export function defaultRunsDir(locatorPath: string): string {
  return path.join(path.dirname(locatorPath), '.locator-batch', 'runs');
}

export function resolveSlurm(locatorPath: string, user: UserSlurmSettings = {}, choice: SlurmChoice = {}): SlurmOptions {
  if (!slurmAvailable()) {
    throw new RunRefusal(
      'no-slurm',
      "slurm mode needs Slurm's sbatch on PATH, and it is not there. Run on a cluster's login node (e.g. with VS Code Remote-SSH), " +
        'load Slurm first (`module load slurm`), or pick another mode.',
    );
  }
  const shards = choice.shards ?? user.shards;
  const throttle = choice.throttle ?? user.throttle;
  for (const [name, v] of [['shards', shards], ['throttle', throttle]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new RunRefusal('bad-settings', `${name} must be a whole number > 0; got ${v}`);
  }
  return {
    shards,
    throttle,
    sbatchArgs: [...(user.sbatchArgs ?? []), ...(choice.sbatchArgs ?? [])],
    setup: choice.setup?.length ? choice.setup : (user.setup ?? []),
    runsDir: path.resolve(choice.runsDir ?? defaultRunsDir(locatorPath)),
  };
}
