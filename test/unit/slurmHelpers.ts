// The real one-node Slurm cluster for the unit tests (scripts/slurm.sh). `npm test` starts it
// before mocha (scripts/with-slurm.sh) and exports SLURM_CONF; run alone, the suite starts it
// itself and stops it after. Where Slurm cannot start the suite is skipped, except in CI, where
// that fails: a Slurm backend must not go untested there.
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { slurmAvailable } from '../../src/core/slurm';

const SLURM_SCRIPT = path.resolve(__dirname, '../../../scripts/slurm.sh');

/** Call at describe level: makes sure a cluster answers before the suite's tests. */
export function useSlurmCluster(): void {
  let startedHere = false;
  before(function () {
    this.timeout(180_000);
    if (process.env.SLURM_CONF && slurmAvailable() && spawnSync('sinfo', ['-h'], { timeout: 20_000 }).status === 0) return;
    const r = spawnSync('bash', [SLURM_SCRIPT, 'start'], { encoding: 'utf8', timeout: 170_000 });
    const conf = /export SLURM_CONF=(\S+)/.exec(r.stdout ?? '')?.[1];
    if (r.status !== 0 || !conf) {
      const why = `Slurm did not start (bash scripts/slurm.sh start): ${(r.stderr ?? '').trim().split('\n').slice(-8).join('\n')}`;
      if (process.env.CI === 'true') throw new Error(why);
      console.warn(`  skipped: ${why}`);
      this.skip();
    }
    process.env.SLURM_CONF = conf;
    startedHere = true;
  });
  after(function () {
    this.timeout(60_000);
    if (startedHere) execFileSync('bash', [SLURM_SCRIPT, 'stop'], { stdio: 'ignore' });
  });
}

/** Job ids Slurm still lists (running or pending). */
export function queuedJobs(): string[] {
  const r = spawnSync('squeue', ['-h', '-o', '%A'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}
