// Small fixtures written into the test workspace at run time: a locator, real data files and apply
// files, with expected values computed here independently of the extension.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export interface Fixture {
  dir: string;
  locator: vscode.Uri;
  /** SHA-256 of each row's file, in row order; '' for rows whose file is missing. */
  hashes: string[];
  apply(name: string, source: string): string;
  cleanup(): void;
}

export const HEADER =
  'File Path,Domain Tag,File Type,Data Shape,Channel Names,Number of Channels,Sampling Rate,Duration,Completeness Check';

export function makeFixture(rowCount = 12): Fixture {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!root) throw new Error('the extension-host tests need a workspace folder');
  const dir = fs.mkdtempSync(path.join(root, '.lb-test-'));
  const lines = [HEADER];
  const hashes: string[] = [];
  for (let i = 0; i < rowCount; i++) {
    const file = path.join(dir, `rec${i}.csv`);
    const missing = i % 5 === 4;
    const body = `time,Fz,Cz\n${Array.from({ length: 20 + i }, (_, t) => `${t / 250},${Math.sin(t + i).toFixed(4)},${(i * t) % 7}`).join('\n')}\n`;
    if (!missing) fs.writeFileSync(file, body);
    hashes.push(missing ? '' : createHash('sha256').update(body).digest('hex'));
    lines.push(`${file},demo,csvData,"(2, ${20 + i})","Fz,Cz",2,250.0,${((19 + i) / 250).toFixed(3)},${missing ? 'Unavailable' : 'Completed'}`);
  }
  const locatorPath = path.join(dir, 'test.locator.csv');
  fs.writeFileSync(locatorPath, lines.join('\n') + '\n');
  return {
    dir,
    locator: vscode.Uri.file(locatorPath),
    hashes,
    apply(name, source) {
      const p = path.join(dir, name);
      fs.writeFileSync(p, source);
      return p;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Hashes the row's file; missing files throw (so those rows fail alone). */
export const HASH_APPLY = `
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
export const defaults = { mode: 'async', resultType: 'value' };
export async function apply(row: Record<string, string>) {
  const data = await fs.readFile(row['File Path']);
  return createHash('sha256').update(data).digest('hex');
}
`;

/** Live child processes of the extension host (where these tests run) running the engine's process-mode worker. */
export function engineWorkerPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (Number(ppid) === process.pid && state !== 'Z' && cmdline.includes(`${path.sep}worker.js`)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids.sort();
}

/** Polls until `check` holds or `ms` pass; returns its last answer. */
export async function eventually<T>(read: () => T, check: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = read();
  while (!check(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = read();
  }
  return v;
}
