// Slurm mode's overhead on the one-node cluster (scripts/slurm.sh; started here when SLURM_CONF is
// not set): 10k trivial rows in 4 shards against process mode (2 workers) on the same machine, round
// after round; and following (tailing, parsing, reporting) 1M journal lines of an ended run.
//   slurm   bench/index.ts --only slurm
import { execFileSync, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadApplyFile } from '../src/core/applyModule';
import { readLocator } from '../src/core/locator';
import { runBatch } from '../src/core/run';
import { slurmAvailable } from '../src/core/slurm';
import { followRun } from '../src/core/slurm/follow';
import { taskJournal, writeManifest, type RunManifest } from '../src/core/slurm/runFolder';
import type { RowRecord } from '../src/core/types';
import { fmt, spread, stats, table, type Check } from './report';

const REPO = path.resolve(__dirname, '..', '..');
const SLURM_SH = path.join(REPO, 'scripts', 'slurm.sh');

export interface SlurmBenchSection {
  text: string[];
  checks: Check[];
  data: Record<string, unknown>;
}

function ensureCluster(): { stop(): void } | string {
  if (process.env.SLURM_CONF && slurmAvailable()) return { stop: () => undefined };
  const r = spawnSync('bash', [SLURM_SH, 'start'], { encoding: 'utf8' });
  const conf = /export SLURM_CONF=(\S+)/.exec(r.stdout ?? '')?.[1];
  if (r.status !== 0 || !conf) return `skipped: Slurm did not start (${(r.stderr ?? '').trim().split('\n').pop()})`;
  process.env.SLURM_CONF = conf;
  return { stop: () => execFileSync('bash', [SLURM_SH, 'stop'], { stdio: 'ignore' }) };
}

export async function benchSlurm(ctx: { runs: number; progress(s: string): void }): Promise<SlurmBenchSection> {
  const title = 'Slurm mode: 10k trivial rows in 4 shards against process mode, and merging 1M journal lines';
  const cluster = ensureCluster();
  if (typeof cluster === 'string') {
    // The cluster its targets need could not start: they fail (--strict fails) instead of vanishing.
    return { text: [`## ${title}`, '', cluster], checks: [{ target: `${title}: its targets`, measured: `could not run: ${cluster}`, pass: false }], data: {} };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lb-bench-slurm-'));
  try {
    const rows = 10_000;
    const locatorPath = path.join(dir, 'rows.csv');
    writeFileSync(locatorPath, ['File Path,n', ...Array.from({ length: rows }, (_, i) => `/data/r${i}.edf,${i}`)].join('\n') + '\n');
    const applyFile = path.join(dir, 'trivial.js');
    writeFileSync(applyFile, 'exports.apply = (row) => row["File Path"].length + Number(row.n);\n');
    const locator = await readLocator(locatorPath);
    const { module, bundle } = await loadApplyFile(applyFile);
    const base = { rows: locator.rows, module, bundle, locatorPath, resultType: 'value', isPatch: false, onError: 'continue' } as const;

    const processMs: number[] = [];
    const slurmMs: number[] = [];
    const submitMs: number[] = [];
    const firstRowMs: number[] = [];
    for (let r = 0; r < ctx.runs; r++) {
      ctx.progress(`slurm: round ${r + 1}/${ctx.runs}`);
      let t = performance.now();
      const local = await runBatch({ ...base, mode: 'process', workers: 2 });
      processMs.push(performance.now() - t);
      t = performance.now();
      let submitted = NaN;
      let first = NaN;
      const slurm = await runBatch({
        ...base,
        mode: 'slurm',
        workers: 1,
        onRow: () => (first = Number.isNaN(first) ? performance.now() - t : first),
        slurm: { runsDir: path.join(dir, 'runs'), shards: 4, onSubmitted: () => (submitted = performance.now() - t) },
      });
      slurmMs.push(performance.now() - t);
      submitMs.push(submitted);
      firstRowMs.push(first);
      if (slurm.counts.done !== rows || local.counts.done !== rows) throw new Error(`bench: rows missing (slurm ${slurm.counts.done}, process ${local.counts.done})`);
    }
    const added = slurmMs.map((ms, i) => ms - processMs[i]);

    // Following an ended run of 1M rows in 4 shards: tail, parse, report (the run's merge).
    ctx.progress('slurm: 1M journal lines');
    const mergeRows = 1_000_000;
    const shards = 4;
    const folder = path.join(dir, 'merge');
    mkdirSync(path.join(folder, 'journals'), { recursive: true });
    const shardRows: number[][] = Array.from({ length: shards }, (_, k) => Array.from({ length: mergeRows / shards }, (_, i) => k * (mergeRows / shards) + i));
    let journalBytes = 0;
    for (let k = 0; k < shards; k++) {
      const lines = [JSON.stringify({ journal: 'locator-batch', version: 2, startedAt: new Date().toISOString(), apply: applyFile, mode: 'sequential', resultType: 'value', isPatch: false, total: shardRows[k].length })];
      for (const index of shardRows[k]) lines.push(JSON.stringify({ index, status: 'done', value: 20 + index, durationMs: 0.004 }));
      writeFileSync(taskJournal(folder, k), lines.join('\n') + '\n');
      journalBytes += statSync(taskJournal(folder, k)).size;
    }
    const manifest: RunManifest = {
      kind: 'locator-batch-slurm-run', version: 1, jobId: '0', snapshot: 'locator.csv', rowCount: mergeRows, apply: applyFile,
      settings: { mode: 'slurm', workers: 1, resultType: 'value', isPatch: false, onError: 'continue' },
      shards: shardRows, reused: 0, sbatchArgs: [], setup: [], createdAt: new Date().toISOString(), endedAt: new Date().toISOString(),
      tasks: Object.fromEntries(shardRows.map((_, k) => [k, { state: 'COMPLETED' }])),
    };
    await writeManifest(folder, manifest);
    const mergeMs: number[] = [];
    for (let r = 0; r < ctx.runs; r++) {
      const records: RowRecord[] = new Array(mergeRows);
      let n = 0;
      const t = performance.now();
      await followRun({ folder, manifest, halt: new AbortController().signal, report: (rec) => ((records[rec.index] = rec), n++) });
      mergeMs.push(performance.now() - t);
      if (n !== mergeRows) throw new Error(`bench: merged ${n} of ${mergeRows}`);
    }

    const s = { process: stats(processMs), slurm: stats(slurmMs), added: stats(added), submit: stats(submitMs), firstRow: stats(firstRowMs), merge: stats(mergeMs) };
    return {
      text: [
        `## ${title}`,
        '',
        'The same 10k rows (a trivial apply) in process mode (2 workers) and in slurm mode (4 shards of 2,500 rows, each task ' +
          'one row at a time) on the one-node cluster of this machine, one after the other in each round. Slurm mode adds the ' +
          'run folder, `sbatch`, the tasks\' start (Node + our CLI + bundling the apply file, 4 at once on 2 cores), polling ' +
          'and tailing the task journals.',
        '',
        ...table(
          ['', 'ms'],
          [
            ['process mode, whole run', spread(s.process, 0)],
            ['slurm mode, whole run', spread(s.slurm, 0)],
            ['  of which: run folder + sbatch answered', spread(s.submit, 0)],
            ['  first row reported', spread(s.firstRow, 0)],
            ['slurm minus process (same round)', spread(s.added, 0)],
          ],
        ).split('\n'),
        '',
        `Following an ended run's 1M journal lines (4 journals, ${fmt(journalBytes / 1e6, 0)} MB, ${fmt(journalBytes / mergeRows, 0)} bytes a line): ` +
          `${spread(s.merge, 0)} ms (${fmt((s.merge.median * 1000) / mergeRows, 2)} µs a line: read, parse, report).`,
      ],
      checks: [
        { target: 'slurm mode adds < 5 s to 10k trivial rows (4 shards) over process mode', measured: `${fmt(s.added.median / 1000, 2)} s`, pass: s.added.median < 5000 },
      ],
      data: { rows, shards: 4, processMs, slurmMs, addedMs: added, submitMs, firstRowMs, merge: { lines: mergeRows, journalBytes, ms: mergeMs } },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    cluster.stop();
  }
}
