// Large locators and large results through the command line (issue 12, item 5): each case runs the
// built CLI as a user does (process mode, 2 workers, a journal beside the locator, --out x.json) and
// samples its whole process tree. Three cases:
//   - spectra: rows whose apply returns ~21 KB (a 20 KB string and 200 numbers, per-channel
//     spectra's size); 20k rows (quick: 2k), target < 600 MB;
//   - spectra-100k: 100k such rows, 2 GB of results (full bench only: minutes and ~6 GB of disk),
//     target < 1 GB;
//   - locator-1m: a 1M-row (~250 MB) locator of small results (quick: 250k rows), target < 1.5 GB.
// Called by ./index.ts (section `large`); alone:
//   node out/bench/large.js [--quick] [--case NAME] [--cli PATH] [--json FILE]
import { spawn } from 'child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'fs';
import { once } from 'events';
import * as os from 'os';
import * as path from 'path';
import { sampleTree, type TreeMemory } from './procTree';
import { fmt, loadAverage, table, type Check } from './report';

/** ~21 KB a row (a 20 KB string and 200 numbers). */
const SPECTRA_JS = `const PAD = 'x'.repeat(20000);
exports.apply = function (row, ctx) {
  const spectrum = new Array(200);
  for (let k = 0; k < 200; k++) spectrum[k] = Math.sin(ctx.index + k);
  return { text: PAD + ctx.index, spectrum };
};
`;

/** A small result per row (a number). */
const SMALL_JS = `exports.apply = (row) => row['File Path'].length;
`;

export interface LargeCase {
  name: 'spectra' | 'spectra-100k' | 'locator-1m';
  rows: number;
  limitMb: number;
  target: string;
}

export function largeCases(quick: boolean): LargeCase[] {
  const spectra = quick ? 2000 : 20_000;
  const big = quick ? 250_000 : 1_000_000;
  const cases: LargeCase[] = [
    {
      name: 'spectra',
      rows: spectra,
      limitMb: 600,
      target: `large results: ${spectra / 1000}k rows${quick ? ' (quick mode; the full bench runs 20k)' : ''} × 21 KB written with --out x.json, peak RSS of the tree < 600 MB`,
    },
  ];
  if (!quick) cases.push({ name: 'spectra-100k', rows: 100_000, limitMb: 1024, target: 'large results: 100k rows × 21 KB (2 GB of results) with --out x.json, peak RSS of the tree < 1 GB' });
  cases.push({
    name: 'locator-1m',
    rows: big,
    limitMb: 1536,
    target: `large locator: ${big === 1_000_000 ? '1M' : `${big / 1000}k (quick mode; the full bench runs 1M)`} rows (~250 B a row) of small results with --out x.json, peak RSS of the tree < 1.5 GB`,
  });
  return cases;
}

export interface LargeResult extends TreeMemory {
  name: string;
  rows: number;
  exitCode: number | null;
  outputBytes: number;
  journalBytes: number;
  locatorBytes: number;
  seconds: number;
  written: boolean;
  loadavgBefore: number[];
  loadavgAfter: number[];
  stderrTail?: string;
}

/** Writes the case's locator row by row (a 1M-row locator is not built as one string either). */
async function writeLocator(file: string, c: LargeCase): Promise<void> {
  const out = createWriteStream(file);
  const small = c.name === 'locator-1m';
  out.write(small ? 'File Path,Domain Tag,File Type,Data Shape,Channel Names,Number of Channels,Sampling Rate,Duration,Completeness Check,Source Hash\n' : 'File Path\n');
  const channels = '"Fp1,Fp2,F3,F4,C3,C4,P3,P4,O1,O2,F7,F8,T3,T4,T5,T6,Fz,Cz,Pz,A1,A2"';
  for (let i = 0; i < c.rows; i++) {
    const line = small
      ? `/data/study-2026/derivatives/highpass-1hz-notch-50hz/sub-${String(i % 5000).padStart(4, '0')}/ses-01/eeg/recording_${String(i).padStart(7, '0')}_task-rest_run-01_eeg.edf,study,edf,"(21, 768000)",${channels},21,256.0,3000.0,Completed,${((i * 2654435761) % 4294967296).toString(16).padStart(8, '0')}${(i * 40503 % 65536).toString(16).padStart(4, '0')}\n`
      : `/d/${i}.edf\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

/** Runs one case through the CLI at `cli` (default: this checkout's dist/cli.js). */
export async function runLargeCase(c: LargeCase, progress: (s: string) => void, cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js')): Promise<LargeResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lb-bench-${c.name}-`));
  try {
    const locator = path.join(dir, 'large.locator.csv');
    await writeLocator(locator, c);
    const apply = path.join(dir, c.name === 'locator-1m' ? 'small.js' : 'spectra.js');
    writeFileSync(apply, c.name === 'locator-1m' ? SMALL_JS : SPECTRA_JS);
    const out = path.join(dir, 'out.json');
    const journal = path.join(dir, 'run.jsonl');
    progress(`large: ${c.name}, ${c.rows} rows through the CLI, --out JSON`);
    const loadavgBefore = os.loadavg();
    const child = spawn(process.execPath, [cli, 'run', locator, '--apply', apply, '--mode', 'process', '--workers', '2', '--quiet', '--journal', journal, '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const sampler = sampleTree(child.pid!, 20);
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const seconds = (performance.now() - t0) / 1000;
    const mem = sampler.stop();
    const size = existsSync(out) ? statSync(out).size : 0;
    const perRow = c.name === 'locator-1m' ? 20 : 40_000; // a 21 KB value is in the report twice
    const written = code === 0 && size > c.rows * perRow && readTail(out).endsWith(']\n}\n');
    return {
      name: c.name,
      rows: c.rows,
      exitCode: code,
      outputBytes: size,
      journalBytes: existsSync(journal) ? statSync(journal).size : 0,
      locatorBytes: statSync(locator).size,
      seconds,
      written,
      loadavgBefore,
      loadavgAfter: os.loadavg(),
      ...(written ? {} : { stderrTail: stderr.trim().split('\n').slice(-3).join('\n') }),
      ...mem,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The section as ./index.ts prints it: a table, its targets, the raw figures. */
export async function benchLarge(opts: { quick: boolean; progress(s: string): void }): Promise<{ text: string[]; checks: Check[]; data: Record<string, unknown> }> {
  const results: LargeResult[] = [];
  for (const c of largeCases(opts.quick)) results.push(await runLargeCase(c, opts.progress));
  const cases = largeCases(opts.quick);
  const text = [
    `## 5. Large locators and large results through the command line (process, 2 workers, journal on, \`--out x.json\`)`,
    '',
    table(
      ['case', 'rows', 'locator', 'output', 'journal', 'exit', 'end to end', 'peak of the tree (VmRSS sum, 20 ms)', 'sum of own peaks (VmHWM)', 'load before → after'],
      results.map((r) => [
        r.name,
        r.rows,
        `${fmt(r.locatorBytes / 2 ** 20, 0)} MB`,
        `${fmt(r.outputBytes / 2 ** 20, 0)} MB${r.written ? '' : ` (not valid: ${r.stderrTail?.split('\n').pop()})`}`,
        `${fmt(r.journalBytes / 2 ** 20, 0)} MB`,
        r.exitCode ?? 'killed',
        `${fmt(r.seconds, 1)} s`,
        `${fmt(r.peakTreeRssMb, 0)} MB`,
        `${fmt(r.sumOfPeaksMb, 0)} MB`,
        `${loadAverage(r.loadavgBefore)} → ${loadAverage(r.loadavgAfter)}`,
      ]),
    ),
    '',
    'Results past 16 MiB are kept only in the journal and read back in row order when --out is written (docs/scaling.md).',
  ];
  if (opts.quick) text.push('Quick mode: no 100k × 21 KB case (minutes, ~6 GB of disk); the full bench runs it.');
  const checks: Check[] = results.map((r, k) => ({
    target: cases[k].target,
    measured: r.written ? `${fmt(r.peakTreeRssMb, 0)} MB in ${fmt(r.seconds, 0)} s` : `not written (exit ${r.exitCode})`,
    pass: r.written && r.peakTreeRssMb < cases[k].limitMb,
  }));
  return { text, checks, data: { cases: results } };
}

/** The last bytes of a file, as text. */
function readTail(file: string, bytes = 64): string {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const quick = argv.includes('--quick');
  const only = arg('--case');
  const cli = arg('--cli');
  const json = arg('--json');
  (async () => {
    const all: LargeResult[] = [];
    for (const c of largeCases(quick).concat(quick && only === 'spectra-100k' ? largeCases(false).filter((x) => x.name === only) : [])) {
      if (only && c.name !== only) continue;
      const r = await runLargeCase(c, (s) => console.error(s), cli && path.resolve(cli));
      console.error(`${r.name}: ${r.rows} rows, exit ${r.exitCode}, written ${r.written}, ${fmt(r.seconds, 1)} s, peak tree ${fmt(r.peakTreeRssMb, 0)} MB (limit ${c.limitMb}); load ${loadAverage(r.loadavgBefore)} → ${loadAverage(r.loadavgAfter)}`);
      all.push(r);
    }
    if (json) {
      mkdirSync(path.dirname(path.resolve(json)), { recursive: true });
      writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), cli: cli ?? 'dist/cli.js', quick, cases: all }, null, 1) + '\n');
    }
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
