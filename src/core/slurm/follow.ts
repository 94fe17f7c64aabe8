// Following a Slurm run: the shard journals are tailed as they grow (from byte offsets; a torn last
// line waits for the next read) and each row goes through the run's own `report`; Slurm is asked
// for the task states at most once a second, less often while nothing changes. A task that ended
// without journaling all its rows turns those rows into errors naming the job, the task, Slurm's
// state and the tail of its log. A halt (Cancel, the stop policy) is `scancel` of the job.
import { promises as fs } from 'fs';
import { StringDecoder } from 'string_decoder';
import { parseRecordLine, type JournalHeader } from '../journal';
import type { RowRecord } from '../types';
import { taskJournal, taskLog, type RunManifest } from './runFolder';
import { cancelJob, isTerminal, mayBeRequeued, queryJob, type JobStatus, type TaskStatus } from './scheduler';

export interface SlurmStateSummary {
  jobId: string;
  pending: number;
  running: number;
  ended: number;
  /** Ended in another state than COMPLETED. */
  failed: number;
}

export interface FollowArgs {
  folder: string;
  manifest: RunManifest;
  report(rec: RowRecord): void;
  halt: AbortSignal;
  onSlurmState?(s: SlurmStateSummary): void;
  pollMinMs?: number;
  pollMaxMs?: number;
}

export interface FollowResult {
  /** Slurm's last word on each task. */
  tasks: Record<string, TaskStatus>;
  /** We cancelled the job (Cancel or the stop policy). */
  cancelled: boolean;
}

const CHUNK_BYTES = 8 << 20;

/**
 * Reads what was appended to a journal since the last read; whole lines only. A requeued task
 * writes its journal again from the start (a new header: startedAt, pid): the header is compared on
 * every read, and when it changed (or a line cannot be read) the journal is read again from the
 * start on this or the next read; rows already reported are ignored by `report`.
 */
export class JournalTail {
  private offset = 0;
  private partial = '';
  private lineNo = 0;
  private decoder = new StringDecoder('utf8');
  /** The header line as read (bytes, newline included), once read. */
  private headerBytes: Buffer | undefined;
  /** The header of the journal being read, once read. */
  header: JournalHeader | undefined;
  constructor(readonly file: string) {}

  private restart(): void {
    this.offset = 0;
    this.partial = '';
    this.lineNo = 0;
    this.decoder = new StringDecoder('utf8');
    this.headerBytes = undefined;
    this.header = undefined;
  }

  private async headerChanged(handle: fs.FileHandle, size: number): Promise<boolean> {
    if (!this.headerBytes) return false;
    if (size < this.headerBytes.length) return true;
    const now = Buffer.alloc(this.headerBytes.length);
    await handle.read(now, 0, now.length, 0);
    return !now.equals(this.headerBytes);
  }

  async read(): Promise<RowRecord[]> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch {
      return []; // the task has not started yet
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset || (await this.headerChanged(handle, size))) this.restart();
      const out: RowRecord[] = [];
      // In chunks of at most 8 MB: an ended run's journals can be large (67 bytes a row of a number).
      while (this.offset < size) {
        const buf = Buffer.alloc(Math.min(size - this.offset, CHUNK_BYTES));
        const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
        if (!bytesRead) break;
        this.offset += bytesRead;
        const lines = (this.partial + this.decoder.write(buf.subarray(0, bytesRead))).split('\n');
        this.partial = lines.pop()!;
        for (const line of lines) {
          try {
            if (this.lineNo++ === 0) {
              this.header = JSON.parse(line);
              this.headerBytes = Buffer.from(line + '\n', 'utf8');
            } else if (line.trim()) out.push(parseRecordLine(line));
          } catch {
            // Not a line of this journal as we know it (rewritten under us): start again next read.
            this.restart();
            return out;
          }
        }
      }
      return out;
    } finally {
      await handle.close();
    }
  }
}

const sleep = (ms: number, halt: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      halt.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    halt.addEventListener('abort', done);
  });

export function summarizeStates(jobId: string, states: JobStatus): SlurmStateSummary {
  const s: SlurmStateSummary = { jobId, pending: 0, running: 0, ended: 0, failed: 0 };
  for (const t of states.values()) {
    if (isTerminal(t.state)) {
      s.ended++;
      if (t.state !== 'COMPLETED') s.failed++;
    } else if (t.state === 'PENDING' || t.state === 'REQUEUED') s.pending++;
    else s.running++;
  }
  return s;
}

export async function followRun(args: FollowArgs): Promise<FollowResult> {
  const { folder, manifest, report, halt } = args;
  const { jobId, shards } = manifest;
  const pollMin = args.pollMinMs ?? 1000;
  const pollMax = args.pollMaxMs ?? 5000;
  // Reading many journals costs a stat each: look less often when there are many.
  const tailMs = Math.min(2000, Math.max(200, shards.length));
  const tails = shards.map((_, k) => new JournalTail(taskJournal(folder, k)));
  const missing = shards.map((rows) => new Set(rows));
  let left = shards.reduce((n, rows) => n + rows.length, 0);
  const handled = new Set<number>();
  // Following a run that already ended by our Cancel (or the stop policy): its CANCELLED tasks were ours.
  let cancelled = Boolean(manifest.endedAt) && (manifest.endedBy === 'cancelled' || manifest.endedBy === 'stopped');

  // An ended run's tasks are in its manifest (Slurm forgets ended jobs after a few minutes).
  let states: JobStatus = new Map();
  const known = manifest.endedAt ? manifest.tasks : undefined;
  if (known) for (let k = 0; k < shards.length; k++) states.set(k, known[k] ?? { state: 'GONE' });

  const failRows = (k: number, error: RowRecord['error']) => {
    for (const index of missing[k]) report({ index, status: 'error', error, durationMs: 0 });
    left -= missing[k].size;
    missing[k].clear();
  };
  const drain = async (k: number) => {
    const records = await tails[k].read();
    const ran = tails[k].header?.identity?.apply;
    if (ran && manifest.identity?.apply && ran !== manifest.identity.apply) {
      // The apply file changed after the run started and this task bundled the new one: its rows are not this run's.
      failRows(k, {
        name: 'SlurmTaskError',
        message: `Slurm job ${jobId}: task ${k} ran a different apply file than the one submitted (${manifest.apply} changed since the run started).`,
        phase: 'worker',
        code: 'APPLY_CHANGED',
      });
      return;
    }
    for (const rec of records) {
      if (!missing[k].delete(rec.index)) continue; // not this shard's, or seen
      left--;
      report(rec);
    }
  };

  let interval = pollMin;
  let nextPoll = 0;
  let lastStates = '';
  // A task seen ended but not COMPLETED may be requeued: its rows fail only when a later look still
  // says so; when its log says it is being requeued, only after REQUEUE_PATIENCE_MS of such looks
  // (on a busy node Slurm may show the killed attempt FAILED a while before the task is pending again).
  const seenRequeueable = new Map<number, { look: string; since: number; requeueLogged: boolean }>();
  for (;;) {
    for (let k = 0; k < shards.length; k++) if (missing[k].size) await drain(k);
    if (left === 0) {
      // Every row is in: the tasks are ending. Give Slurm a moment (at most 1 s) to say so, for the manifest.
      if (!known) states = await settledStates(jobId, shards.length, states);
      break;
    }
    if (halt.aborted && !cancelled && !known) {
      cancelled = true;
      await cancelJob(jobId).catch(() => undefined); // already over: nothing to cancel
      nextPoll = 0;
    }
    const now = Date.now();
    if (now >= nextPoll) {
      if (!known) {
        try {
          states = await queryJob(jobId, shards.length);
        } catch {
          // slurmctld busy or restarting: keep the last states, ask again later
        }
      }
      const seen = JSON.stringify([...states]);
      interval = seen !== lastStates ? pollMin : Math.min(pollMax, interval * 2);
      lastStates = seen;
      nextPoll = Date.now() + interval;
      if (states.size) args.onSlurmState?.(summarizeStates(jobId, states));
      for (const [k, task] of states) {
        if (handled.has(k) || !isTerminal(task.state)) continue;
        if (!known && mayBeRequeued(task.state)) {
          const look = `${task.state}/${task.restarts ?? 0}`;
          const seenBefore = seenRequeueable.get(k);
          if (seenBefore?.look !== look) {
            const requeueLogged = !cancelled && REQUEUE_LOGGED.test(await logTail(taskLog(folder, k)));
            seenRequeueable.set(k, { look, since: Date.now(), requeueLogged });
            continue;
          }
          // slurmstepd may write the requeue line after Slurm shows the ended state: read the log again.
          if (!seenBefore.requeueLogged && !cancelled && REQUEUE_LOGGED.test(await logTail(taskLog(folder, k)))) {
            seenBefore.requeueLogged = true;
            seenBefore.since = Date.now();
            continue;
          }
          if (seenBefore.requeueLogged && Date.now() - seenBefore.since < REQUEUE_PATIENCE_MS) continue;
        }
        handled.add(k);
        await drain(k); // what it wrote before it ended
        if (!missing[k].size || (cancelled && task.state === 'CANCELLED')) continue; // ours: rows become cancelled
        failRows(k, await taskError(folder, jobId, k, task));
      }
      if (handled.size === shards.length) break;
    }
    await sleep(Math.max(10, Math.min(tailMs, nextPoll - Date.now())), cancelled ? new AbortController().signal : halt);
  }
  const tasks: Record<string, TaskStatus> = {};
  for (const [k, t] of states) tasks[k] = t;
  return { tasks, cancelled };
}

/** What slurmstepd writes to a task's log when `scontrol requeue` (or a preemption) kills it to run again. */
const REQUEUE_LOGGED = /DUE TO (JOB )?REQUEUE|DUE TO PREEMPTION/;
/** How long a task whose log says it is being requeued may show an ended state before its rows fail. */
const REQUEUE_PATIENCE_MS = 30_000;

/** At most two more looks (queryJob keeps them a second apart), for the manifest's record of the tasks. */
async function settledStates(jobId: string, tasks: number, last: JobStatus): Promise<JobStatus> {
  let states = last;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      states = await queryJob(jobId, tasks);
    } catch {
      return states;
    }
    if ([...states.values()].every((t) => isTerminal(t.state))) break;
  }
  return states;
}

async function taskError(folder: string, jobId: string, task: number, status: TaskStatus): Promise<RowRecord['error']> {
  const exit = status.exitCode && status.exitCode !== '0:0' ? ` (exit code ${status.exitCode})` : '';
  const what =
    status.state === 'GONE'
      ? `is no longer known to Slurm (its states are kept a few minutes after the end)`
      : status.state === 'COMPLETED'
        ? `ended COMPLETED${exit} without journaling this row`
        : `ended ${status.state}${exit} before this row finished`;
  const tail = await logTail(taskLog(folder, task));
  return {
    name: 'SlurmTaskError',
    message: `Slurm job ${jobId}, task ${task} ${what}.` + (tail ? ` Last lines of logs/${task}.out:\n${tail}` : ` logs/${task}.out is empty.`),
    phase: 'worker',
    code: status.state,
  };
}

/** The last lines of a task's log (at most 10 lines, 2 kB). */
export async function logTail(file: string, lines = 10): Promise<string> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const len = Math.min(size, 8192);
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, size - len);
      const text = buf.toString('utf8').replace(/\s+$/, '');
      return text.split('\n').slice(-lines).join('\n').slice(-2048);
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}
