// What both benchmarks print with: statistics over runs, number formats, Markdown tables, the
// machine's description and load, and the closing Targets table. Used by bench/index.ts and, from
// its compiled copy out/bench/report.js, by the plain-JS bench/vscode.js.
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Median of the finite values (NaN when there is none). */
export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  /** How many finite values there were (a run that gave no figure does not count). */
  n: number;
}

/** Median, and the spread as min–max, of the finite values. */
export function stats(xs: number[]): Stats {
  const v = xs.filter(Number.isFinite);
  return { median: median(v), min: v.length ? Math.min(...v) : NaN, max: v.length ? Math.max(...v) : NaN, n: v.length };
}

/** `x` with `digits` decimals, or "n/a". */
export const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** "12.3 ms [11.9–13.0]": the median, and min–max when there was more than one run; "n/a" for none. */
export const spread = (s: Stats | undefined, digits: number, unit = ''): string =>
  !s || !s.n ? 'n/a' : `${fmt(s.median, digits)}${unit}` + (s.n > 1 ? ` [${fmt(s.min, digits)}–${fmt(s.max, digits)}]` : '');

/** A Markdown table, columns padded to their widest cell. */
export function table(head: string[], rows: Array<Array<string | number | undefined>>): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: Array<string | number | undefined>) => '| ' + cells.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  platform: string;
  nodeExtraCaCerts: string | null;
}

/** The commit the bench ran, `+changes` when the tree had uncommitted changes ('unknown' outside git). */
export function sourceCommit(): string {
  const git = (args: string[]) => spawnSync('git', args, { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no']).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '+changes' : ''}`;
}

export function machine(): Machine {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    nodeExtraCaCerts: process.env.NODE_EXTRA_CA_CERTS ?? null,
  };
}

/** "2 cores (AMD EPYC ...), 23.5 GiB, Node v24.1.0": the start of both reports' first line. */
export const describeMachine = (m: Machine): string => `${m.nproc} cores (${m.cpuModel}), ${m.ramGiB} GiB, Node ${m.node}`;

/** "0.52 0.61 0.70" */
export const loadAverage = (l: number[] = os.loadavg()): string => l.map((x) => x.toFixed(2)).join(' ');

/** The machine's CPU ticks from /proc/stat: busy (not idle, not iowait) and total; undefined off Linux. */
export function procStat(): { busy: number; total: number } | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/** How long a /proc CPU tick is (USER_HZ). */
export const TICK_MS = 1000 / 100;

export interface Check {
  target: string;
  measured: string;
  pass: boolean;
}

/** The closing section: every target with its verdict, how many passed, the time taken and the load after. */
export function targetsSection(checks: Check[], startedMs: number): { lines: string[]; seconds: number; loadAfter: number[] } {
  const loadAfter = os.loadavg();
  const seconds = (Date.now() - startedMs) / 1000;
  const lines = [
    '',
    '## Targets',
    '',
    table(['target', 'measured', 'verdict'], checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'FAIL'])),
    '',
    `${checks.filter((c) => c.pass).length} passed, ${checks.filter((c) => !c.pass).length} failed; ${fmt(seconds, 0)} s in all; ` +
      `load average after: ${loadAverage(loadAfter)}.`,
  ];
  return { lines, seconds, loadAfter };
}

/** A report being printed: say() prints a line and keeps it (for the JSON's `text`); progress() goes to stderr. */
export function reporter(): { say(s?: string): void; lines: string[]; progress(s: string): void } {
  const lines: string[] = [];
  return {
    lines,
    say(s = '') {
      lines.push(s);
      console.log(s);
    },
    progress: (s: string) => void process.stderr.write(`  … ${s}\n`),
  };
}
