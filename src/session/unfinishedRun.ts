// A run that did not end: its process died (the window closed, the host crashed) before every row
// had a record, or it is still going in another process. Found from the journals so that a front end
// can show what that run finished and offer to resume the rest.
//
// One kind today ('local': a journal written in this machine's processes). A second kind (a run
// folder of the Slurm engine) plugs in as another member of UnfinishedRun.
import { promises as fs, readFileSync } from 'fs';
import { hostname } from 'os';
import * as path from 'path';
import { readJournal, type JournalHeader } from '../core/journal';
import type { RowRecord, RowStatus } from '../core/types';

export type RowCounts = Record<RowStatus, number>;

export interface UnfinishedLocalRun {
  kind: 'local';
  journalFile: string;
  header: JournalHeader;
  /** Rows in the locator when it ran. */
  total: number;
  /** Rows with a record (the journal's last record of each row). */
  finished: number;
  counts: RowCounts;
  records: RowRecord[];
  /** The writer is alive on this machine: the run is still going (in another window or process), not dead. */
  runningElsewhere?: { pid: number; host: string };
}

/** What a front end may offer to show or resume. (Slurm run folders will be a second kind.) */
export type UnfinishedRun = UnfinishedLocalRun;

export interface FindOptions {
  /**
   * Whether the process `pid` of `host` that started a run at `startedAt` is alive (default: signal 0
   * on this host, and on Linux a process started after the run is not its writer but a reused pid;
   * another host's processes cannot be asked, so not alive).
   */
  isAlive?(pid: number, host: string, startedAt: string): boolean;
}

/**
 * The last run of `locatorPath` journaled in `journalsDir`, when it did not end: the newest journal
 * whose header names this locator, if it has fewer rows with a record than the run had rows (a run
 * that ends, even cancelled, records every row). Undefined when there is none, when the last run
 * ended, or when its journal cannot be read.
 */
export async function findUnfinishedRun(journalsDir: string, locatorPath: string, options: FindOptions = {}): Promise<UnfinishedRun | undefined> {
  let names: string[];
  try {
    names = (await fs.readdir(journalsDir)).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return undefined;
  }
  const target = path.resolve(locatorPath);
  const mine: { file: string; header: JournalHeader; mtimeMs: number }[] = [];
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(journalsDir, name);
      const header = await readJournalHeader(file);
      if (!header?.locator || path.resolve(header.locator) !== target) return;
      const mtimeMs = (await fs.stat(file).catch(() => undefined))?.mtimeMs ?? 0;
      mine.push({ file, header, mtimeMs });
    }),
  );
  if (!mine.length) return undefined;
  // The newest by its start (a later run supersedes, even when it resumed this one), then by its last write.
  mine.sort((a, b) => (b.header.startedAt ?? '').localeCompare(a.header.startedAt ?? '') || b.mtimeMs - a.mtimeMs);
  const newest = mine[0];
  let journal: Awaited<ReturnType<typeof readJournal>>;
  try {
    journal = await readJournal(newest.file);
  } catch {
    return undefined;
  }
  const total = journal.header.total;
  const records = [...journal.records.values()].filter((r) => Number.isInteger(r.index) && r.index >= 0 && r.index < total);
  if (records.length >= total) return undefined;
  const counts: RowCounts = { done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0 };
  for (const r of records) if (r.status in counts) counts[r.status]++;
  const { pid, host } = journal.header;
  const alive = options.isAlive ?? isAliveHere;
  const running = typeof pid === 'number' && typeof host === 'string' && alive(pid, host, journal.header.startedAt);
  return {
    kind: 'local',
    journalFile: newest.file,
    header: journal.header,
    total,
    finished: records.length,
    counts,
    records,
    runningElsewhere: running ? { pid: pid!, host: host! } : undefined,
  };
}

/** What a front end says about it, e.g. "The last run of demo.locator.csv stopped at 412 of 1000 rows (the window closed)." */
export function describeUnfinishedRun(run: UnfinishedRun, locatorName: string): string {
  const at = `${run.finished} of ${run.total} rows`;
  if (run.runningElsewhere) {
    return `The last run of ${locatorName} is still going in another window or process (process ${run.runningElsewhere.pid}): ${at} so far.`;
  }
  return `The last run of ${locatorName} stopped at ${at} (the window closed or its process ended).`;
}

/** Signal 0 tells whether a process exists (EPERM: it exists, and is another user's). Only this host's processes can be asked. */
function isAliveHere(pid: number, host: string, startedAt: string): boolean {
  if (host !== hostname()) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A process that started after the run did cannot have written its journal: the pid was reused.
  const started = processStartMs(pid);
  const runStart = Date.parse(startedAt);
  return started === undefined || !Number.isFinite(runStart) || started <= runStart + PROCESS_START_SLACK_MS;
}

/** /proc gives a start in clock ticks (1/100 s on Linux) after a boot time in whole seconds. */
const PROCESS_START_SLACK_MS = 2000;

/** When process `pid` started (ms since the epoch), on Linux; undefined elsewhere or when unknown. */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds)) return undefined;
    return bootSeconds * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}

/** The header line of a journal, reading only the start of the file (journals of big runs are large). */
async function readJournalHeader(file: string): Promise<JournalHeader | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const buf = Buffer.alloc(16 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    const header = JSON.parse(end < 0 ? text : text.slice(0, end)) as JournalHeader;
    return header?.journal === 'locator-batch' ? header : undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
