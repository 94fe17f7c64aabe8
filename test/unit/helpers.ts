// Shared helpers for the unit suite: temp folders, generated apply files, runs with defaults, and
// a look at this process's child processes (to prove worker processes are gone after a run).
import { spawn, type ChildProcess } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadApplyFile, type ApplyBundle, type ApplyModule } from '../../src/core/applyModule';
import { runBatch, type RunOptions, type RunOutcome } from '../../src/core/run';
import type { Row, RowRecord } from '../../src/core/types';

/** The three real locators, copied byte for byte from the shared data folder. */
export const SAMPLE_LOCATORS = path.resolve(__dirname, '../../../test/unit/fixtures/locators');

/**
 * A fresh temp folder for the enclosing `describe`, removed after it. Call at describe level; the
 * returned function gives the folder inside hooks and tests.
 */
export function useTempDir(label: string): () => string {
  let dir: string | undefined;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), `lb-unit-${label}-`));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('temp dir used outside a test');
    return dir;
  };
}

/** Writes `text` to `dir/rel` (creating folders) and returns the absolute path. */
export function writeFixture(dir: string, rel: string, text: string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

export interface Loaded {
  file: string;
  bundle: ApplyBundle;
  module: ApplyModule;
}

/** Writes an apply file and loads it the way a run does. */
export async function applyFixture(dir: string, rel: string, source: string): Promise<Loaded> {
  const file = writeFixture(dir, rel, source);
  const { bundle, module } = await loadApplyFile(file);
  return { file, bundle, module };
}

export type RunArgs = Partial<Omit<RunOptions, 'rows' | 'module' | 'bundle'>>;

/** runBatch with everyday defaults: value results, patch, continue on error, two workers. */
export function run(loaded: Loaded, rows: readonly Row[], args: RunArgs = {}): Promise<RunOutcome> {
  return runBatch({
    mode: 'sequential',
    workers: 2,
    resultType: 'value',
    isPatch: true,
    onError: 'continue',
    rows,
    module: loaded.module,
    bundle: loaded.bundle,
    ...args,
  });
}

/** What a user compares between runs: status, value and error text, row by row. */
export function essence(rec: RowRecord): { index: number; status: string; value?: unknown; error?: string } {
  const out: { index: number; status: string; value?: unknown; error?: string } = { index: rec.index, status: rec.status };
  if ('value' in rec) out.value = rec.value;
  if (rec.error) out.error = rec.error.message;
  return out;
}

export function rowsOf(n: number, make: (i: number) => Row): Row[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Live (not zombie) child processes of this test process running the engine's worker script.
 * esbuild's service process is also our child, so children are told apart by their command line.
 */
export function liveWorkerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the parenthesised command: state, ppid, ...
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = after[0];
    const ppid = Number(after[1]);
    if (ppid === process.pid && state !== 'Z' && cmdline.includes(`${path.sep}worker.js`)) pids.push(Number(entry));
  }
  return pids;
}

/** Lines of a text file, or [] while it does not exist yet. */
export function linesOf(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

/** What a finished CLI process gave. */
export interface CliRan {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built command line (`dist/cli.js`) as a user runs it: a child process, its output gathered. */
export function spawnCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; done: Promise<CliRan> } {
  const cli = path.resolve(__dirname, '../../../dist/cli.js');
  const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliRan>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}
