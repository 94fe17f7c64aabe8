// Talking to Slurm: sbatch to submit, scontrol to read the array's task states, scancel to stop.
// Never `sbatch --wait` (it polls slowly) and never `sacct` (it needs an accounting database).
import { execFile } from 'child_process';
import { accessSync, constants } from 'fs';
import * as path from 'path';

/** Slurm's state of one array task. `GONE`: Slurm no longer knows the job (purged after MinJobAge). */
export type TaskState = string;

/** States in which a task has ended for good. */
const TERMINAL = new Set([
  'COMPLETED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'CANCELLED', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'GONE',
]);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}

/**
 * Ended states after which Slurm may requeue the task (it then runs again, `Restarts` one up): a
 * preemption, a node failure, and `scontrol requeue`, whose task shows FAILED for a moment before it
 * is pending again. Only COMPLETED is the end at first sight.
 */
export function mayBeRequeued(state: TaskState): boolean {
  return state !== 'COMPLETED';
}

export interface TaskStatus {
  state: TaskState;
  /** `exit:signal`, as scontrol prints it. */
  exitCode?: string;
  reason?: string;
  /** How many times Slurm requeued the task (`Restarts=`). */
  restarts?: number;
}

/** The states of an array's tasks, by task index; tasks Slurm has not split off yet are PENDING. */
export type JobStatus = Map<number, TaskStatus>;

/** Whether `sbatch` is on PATH (Slurm's clients are installed). */
export function slurmAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return findOnPath('sbatch', env) !== undefined;
}

function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export class SlurmCommandError extends Error {
  override readonly name = 'SlurmCommandError';
}

function run(command: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const said = String(stderr || stdout || '').trim();
        reject(new SlurmCommandError(`${command} ${args.join(' ')} failed: ${said || (err as Error).message}`));
      } else resolve(String(stdout));
    });
  });
}

/** Submits `script` as an array of `tasks` tasks, at most `throttle` at once; returns the job id. */
export async function submitArray(script: string, tasks: number, throttle: number | undefined, args: readonly string[]): Promise<string> {
  const array = `--array=0-${tasks - 1}${throttle && throttle > 0 ? `%${throttle}` : ''}`;
  // The user's arguments come after ours, so theirs win where both set something (sbatch takes the last).
  const out = await run('sbatch', ['--parsable', array, ...args, script]);
  const jobId = out.trim().split(/\r?\n/).pop()!.split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new SlurmCommandError(`sbatch printed no job id: ${out.trim()}`);
  return jobId;
}

/** Cancels the whole job (all its tasks), or one task with `jobId_task`. */
export async function cancelJob(jobId: string): Promise<void> {
  await run('scancel', [jobId]);
}

/**
 * The task states of an array job (`scontrol -o show job`): one line per task that has started or
 * ended, and one for the tasks still pending (`ArrayTaskId=4-7%2`). A job Slurm no longer knows
 * gives every task the state GONE. Other failures (slurmctld restarting) throw.
 */
export async function queryJob(jobId: string, tasks: number): Promise<JobStatus> {
  await politeTurn(jobId);
  let out: string;
  try {
    out = await run('scontrol', ['-o', 'show', 'job', jobId], 30_000);
  } catch (err) {
    if (/Invalid job id/i.test((err as Error).message)) {
      const gone: JobStatus = new Map();
      for (let t = 0; t < tasks; t++) gone.set(t, { state: 'GONE' });
      return gone;
    }
    throw err;
  }
  return parseJobStatus(out, tasks);
}

/** Slurm is asked about one job at most once a second, whoever asks in this process (follow, status, collect). */
export const MIN_QUERY_INTERVAL_MS = 1000;
const lastQueryAt = new Map<string, number>();

async function politeTurn(jobId: string): Promise<void> {
  // The turn is taken before waiting, so two callers at once are still a second apart.
  const at = Math.max(Date.now(), (lastQueryAt.get(jobId) ?? -Infinity) + MIN_QUERY_INTERVAL_MS);
  lastQueryAt.delete(jobId);
  lastQueryAt.set(jobId, at);
  if (lastQueryAt.size > 1000) lastQueryAt.delete(lastQueryAt.keys().next().value!);
  if (at > Date.now()) await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
}

export function parseJobStatus(text: string, tasks: number): JobStatus {
  const status: JobStatus = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const field = (name: string) => new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line)?.[1];
    const ids = field('ArrayTaskId');
    const state = field('JobState');
    if (ids === undefined || !state) continue;
    const restarts = field('Restarts');
    const task: TaskStatus = { state, exitCode: field('ExitCode'), reason: field('Reason'), ...(restarts ? { restarts: Number(restarts) } : {}) };
    for (const t of expandTaskIds(ids)) if (t < tasks) status.set(t, task);
  }
  // Tasks not listed (not split off yet, or listed under a range we could not read) are pending.
  for (let t = 0; t < tasks; t++) if (!status.has(t)) status.set(t, { state: 'PENDING' });
  return status;
}

/** `3`, `0-7%2`, `1,3,5-6`, `0-9:2` -> the task indices. */
export function expandTaskIds(ids: string): number[] {
  const out: number[] = [];
  for (const part of ids.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    for (let t = from; t <= to; t += step) out.push(t);
  }
  return out;
}
