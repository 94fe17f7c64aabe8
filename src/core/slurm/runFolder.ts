// A Slurm run's folder, beside the locator by default (a shared file system on a cluster):
//   run.json          the manifest (job, locator, apply file, settings, shards, where things are)
//   locator.csv       the text the run saw (unsaved and later edits do not matter)
//   previous.jsonl    rows reused from an earlier run (re-run failed rows), as journal lines
//   shards/K.json     the global row indices of task K
//   job.sh            the job script: the setup lines, then our CLI on the snapshot, restricted to a shard
//   journals/K.jsonl  task K's journal (the follower tails it)
//   logs/K.out        task K's stdout and stderr
import { randomBytes } from 'crypto';
import { existsSync, promises as fs } from 'fs';
import * as path from 'path';
import type { JournalIdentity } from '../journal';
import type { RunSettings } from '../run';
import type { TaskStatus } from './scheduler';

export const MANIFEST = 'run.json';

export interface RunManifest {
  kind: 'locator-batch-slurm-run';
  version: 1;
  /** Empty until sbatch answered. */
  jobId: string;
  locatorPath?: string;
  /** The snapshot the tasks read, relative to the run folder. */
  snapshot: 'locator.csv';
  rowCount: number;
  apply: string;
  /** The interpreter of a .py apply file. */
  python?: string;
  settings: RunSettings;
  identity?: JournalIdentity;
  /** Task K runs the rows shards[K]. */
  shards: number[][];
  /** How many rows the earlier run gave (previous.jsonl). */
  reused: number;
  /** The main journal (what a normal run writes), when there is one. */
  journal?: string;
  sbatchArgs: string[];
  setup: string[];
  createdAt: string;
  /** Set by whoever followed the run to its end. */
  endedAt?: string;
  endedBy?: 'finished' | 'cancelled' | 'stopped';
  /** Slurm's last word on each task, kept because Slurm forgets ended jobs after a few minutes. */
  tasks?: Record<string, TaskStatus>;
}

export const shardFile = (folder: string, task: number | string) => path.join(folder, 'shards', `${task}.json`);
export const taskJournal = (folder: string, task: number | string) => path.join(folder, 'journals', `${task}.jsonl`);
export const taskLog = (folder: string, task: number | string) => path.join(folder, 'logs', `${task}.out`);

/** A new run folder `<runsDir>/<locator name>.<stamp>/` (made unique when two runs start in one second). */
export async function makeRunFolder(runsDir: string, locatorPath: string | undefined): Promise<string> {
  const name = path.basename(locatorPath ?? 'locator', '.csv').replace(/[^\w.-]+/g, '_');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  await fs.mkdir(runsDir, { recursive: true });
  for (let n = 0; ; n++) {
    const folder = path.join(runsDir, `${name}.${stamp}${n ? `-${n}` : ''}`);
    try {
      await fs.mkdir(folder);
      return folder;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export async function writeManifest(folder: string, manifest: RunManifest): Promise<void> {
  // Unique per write: two followers of one run (even in one process) may write it at once.
  const tmp = path.join(folder, `.${MANIFEST}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(manifest, null, 1) + '\n');
  await fs.rename(tmp, path.join(folder, MANIFEST));
}

export async function readRunFolder(folder: string): Promise<RunManifest> {
  const file = path.join(folder, MANIFEST);
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${folder} is not a Locator Batch Slurm run folder: ${(err as Error).message}`);
  }
  if (manifest?.kind !== 'locator-batch-slurm-run') throw new Error(`${file} is not a Locator Batch Slurm run manifest`);
  return manifest;
}

export interface RunFolderEntry {
  folder: string;
  manifest: RunManifest;
  ended: boolean;
}

/** The run folders under `runsDir` of this locator (any locator when not given), newest first. */
export async function listRunFolders(runsDir: string, locatorPath?: string): Promise<RunFolderEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(runsDir);
  } catch {
    return [];
  }
  const entries: RunFolderEntry[] = [];
  for (const name of names) {
    const folder = path.join(runsDir, name);
    if (!existsSync(path.join(folder, MANIFEST))) continue;
    try {
      const manifest = await readRunFolder(folder);
      if (locatorPath && manifest.locatorPath && path.resolve(manifest.locatorPath) !== path.resolve(locatorPath)) continue;
      entries.push({ folder, manifest, ended: Boolean(manifest.endedAt) });
    } catch {
      // a folder being written, or not ours
    }
  }
  return entries.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt) || b.folder.localeCompare(a.folder));
}

/** Splits `indices` into at most `shards` contiguous slices of near-equal size (none empty). */
export function splitShards(indices: readonly number[], shards: number): number[][] {
  const n = Math.max(1, Math.min(shards, indices.length));
  const out: number[][] = [];
  for (let k = 0; k < n; k++) {
    const from = Math.floor((k * indices.length) / n);
    const to = Math.floor(((k + 1) * indices.length) / n);
    out.push(indices.slice(from, to));
  }
  return out;
}

/** Shards when none are asked for: one per 100 rows, at most 1000 (Slurm's default MaxArraySize is 1001). */
export function defaultShardCount(rows: number): number {
  return Math.max(1, Math.min(1000, Math.ceil(rows / 100)));
}

/** A shell word: single-quoted unless it is plainly safe. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface JobScriptParts {
  folder: string;
  node: string;
  cli: string;
  manifest: RunManifest;
}

/** The job script: every task runs its shard of the snapshot through our CLI, journaling to journals/K.jsonl. */
export function jobScript({ folder, node, cli, manifest }: JobScriptParts): string {
  const s = manifest.settings;
  const q = shellQuote;
  const task = '${SLURM_ARRAY_TASK_ID}';
  const args = [
    'run', q(path.join(folder, manifest.snapshot)),
    ...(manifest.locatorPath ? ['--locator-path', q(manifest.locatorPath)] : []),
    '--apply', q(manifest.apply),
    '--rows', `${q(path.join(folder, 'shards'))}/${task}.json`,
    '--journal', `${q(path.join(folder, 'journals'))}/${task}.jsonl`,
    // In the task: `workers` processes, or one row at a time.
    '--mode', s.workers > 1 ? 'process' : 'sequential',
    '--workers', String(Math.max(0, s.workers > 1 ? s.workers : 0)),
    '--result', s.resultType,
    ...(s.isPatch ? ['--patch'] : []),
    '--on-error', s.onError,
    ...(s.timeoutMs ? ['--timeout', String(s.timeoutMs)] : []),
    ...(manifest.python ? ['--python', q(manifest.python)] : []),
    '--quiet',
  ];
  return [
    '#!/bin/bash',
    `# Written by Locator Batch for the run in ${folder}:`,
    '# each array task runs its shard of locator.csv (shards/K.json) and journals to journals/K.jsonl.',
    ...(manifest.setup.length ? ['# Setup lines (settings / --setup):', ...manifest.setup] : []),
    'export ELECTRON_RUN_AS_NODE=1',
    // The Node that submitted, unless the node's environment (or a setup line) names another.
    `node_bin=\${LOCATOR_BATCH_NODE:-}; [ -n "$node_bin" ] || node_bin=${q(node)}`,
    `exec "$node_bin" ${q(cli)} ${args.join(' ')}`,
    '',
  ].join('\n');
}

export async function writeShards(folder: string, shards: readonly number[][]): Promise<void> {
  await fs.mkdir(path.join(folder, 'shards'), { recursive: true });
  await fs.mkdir(path.join(folder, 'journals'), { recursive: true });
  await fs.mkdir(path.join(folder, 'logs'), { recursive: true });
  await Promise.all(shards.map((rows, k) => fs.writeFile(shardFile(folder, k), JSON.stringify(rows))));
}
