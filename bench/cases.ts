// What runs inside a benchmark child process: one case, prepared once (rows built, apply file
// bundled, one untimed warm-up run), then timed runs on request. ./index.ts keeps one child per case
// and asks the children of a section for their runs in turns (round-robin), so that a change in the
// machine's load hits every case of a comparison alike.
import { readFileSync } from 'fs';
import * as path from 'path';
import { loadApplyFile, stopBundler } from '../src/core/applyModule';
import { endIdleWorkers, runBatch, warmWorkers } from '../src/core/run';
import type { Mode, Row } from '../src/core/types';
import { startCpuFloor } from './cpuFloor';
import { runFloor } from './floor';

/** How long a prewarmed pool waits before its run: the user looking at the locator before Run. */
const PREWARM_WAIT_MS = 1000;

export const FIXTURES = path.resolve(__dirname, '..', '..', 'bench', 'fixtures');

export type CaseSpec =
  | {
      kind: 'engine';
      mode: Mode;
      workers: number;
      rows: number;
      fixture: 'trivial' | 'trivial-async' | 'trivial-condition' | 'busy' | 'io';
      /**
       * Build the rows inside the timed run (as the original's total includes building its tasks
       * with iterrows): the comparison of totals with the original.
       */
      buildRows?: boolean;
      /** One untimed run first (lets the JIT settle, as in a long-lived extension host). */
      warmup: boolean;
      /** process: keep the pool between runs, as the extension does (the warm-up run starts it). */
      keepWorkers?: boolean;
      /**
       * process: before each timed run (untimed), end any pool, start one with warmWorkers (as the
       * extension does when a locator opens) and wait 1 s; the run is the first one on that pool.
       */
      prewarm?: boolean;
      /** busy fixture: arithmetic per row. */
      iters?: number;
      /** io fixture: the file each row stats. */
      file?: string;
    }
  | { kind: 'floor'; rows: number; serialization: 'json' | 'advanced'; chunkRows: number; children: number }
  /** The anchor for async mode: the io fixture's apply over the same rows through p-limit, nothing else. */
  | { kind: 'p-limit'; rows: number; concurrency: number; file: string; warmup: boolean }
  /** 100k rows through process mode; the parent measures the whole process tree's memory. */
  | { kind: 'memory'; rows: number }
  | { kind: 'calibrate'; targetMs: number }
  /**
   * The machine's limit for CPU-bound rows (./cpuFloor.ts): raw children started before the clock, or
   * with `fresh` started and ended inside it (beside a fresh pool, which starts and ends its workers).
   */
  | { kind: 'cpu-floor'; rows: number; children: number; iters: number; fresh?: boolean };

export interface RunSample {
  ms: number;
  /** CPU time of this process and of the child processes it reaped during the run (its workers). */
  cpuMs: number;
  /** runBatch start to the first row reported. */
  firstRowMs?: number;
  /** floor only: fork until every child was ready. */
  startupMs?: number;
}

export interface PreparedCase {
  /** Facts known after preparing: the calibrated iterations, the parent's RSS with rows loaded. */
  info: { iters?: number; baseRssMb?: number };
  run(): Promise<RunSample>;
}

/** Rows of 10 short string fields, shaped like a locator's. */
export function makeRows(n: number, extra: Partial<Row> = {}): Row[] {
  const rows: Row[] = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = {
      'File Path': `/d/s${String(i).padStart(6, '0')}.fif`,
      'Domain Tag': 'bench',
      'File Type': 'csvData',
      'Data Shape': '(8, 1000)',
      'Channel Names': 'C3,Cz,C4',
      'Number of Channels': '8',
      'Sampling Rate': '250.0',
      Duration: '3.996',
      'Completeness Check': 'Completed',
      'Source Hash': ((i * 2654435761) % 4294967296).toString(16).padStart(8, '0'),
      ...extra,
    } as Row;
  }
  return rows;
}

/**
 * CPU time used so far by this process (µs precision) and by its children that have exited and been
 * waited for (/proc/self/stat cutime + cstime, in clock ticks of 10 ms).
 */
export function cpuMsNow(): number {
  const u = process.cpuUsage();
  let children = 0;
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    children = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    // not Linux: children unknown
  }
  return (u.user + u.system) / 1000 + children;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export async function prepareCase(spec: CaseSpec): Promise<PreparedCase> {
  switch (spec.kind) {
    case 'engine':
      return prepareEngine(spec);
    case 'floor': {
      const rows = makeRows(spec.rows);
      await runFloor(rows.slice(0, 1000), spec); // warm the parent side, as the engine cases do
      return {
        info: {},
        async run() {
          gc();
          const c0 = cpuMsNow();
          const res = await runFloor(rows, spec);
          return { ms: res.totalMs, startupMs: res.startupMs, cpuMs: cpuMsNow() - c0 };
        },
      };
    }
    case 'p-limit': {
      // p-limit is ESM only: Node >= 20.19 requires it (the engines field asks for that).
      const pLimit = (require('p-limit') as { default: (n: number) => <T>(fn: () => Promise<T>) => Promise<T> }).default;
      const { apply } = require(path.join(FIXTURES, 'io.js')) as { apply(row: Row): Promise<unknown> };
      const rows = makeRows(spec.rows, { 'File Path': spec.file });
      const once = async (): Promise<RunSample> => {
        gc();
        const c0 = cpuMsNow();
        const t0 = performance.now();
        const limit = pLimit(spec.concurrency);
        // Results in row order, as the engine keeps them.
        const values = await Promise.all(rows.map((row) => limit(() => apply(row))));
        const ms = performance.now() - t0;
        if (values.length !== rows.length) throw new Error('p-limit anchor lost rows');
        return { ms, cpuMs: cpuMsNow() - c0 };
      };
      // One untimed run first, as the engine's cases it is compared with have (warmup: true).
      if (spec.warmup) await once();
      return { info: {}, run: once };
    }
    case 'memory': {
      const rows = makeRows(spec.rows);
      const { bundle, module } = await loadApplyFile(path.join(FIXTURES, 'trivial.js'));
      // As the CLI does once its apply file is bundled (the extension stops it after 30 s idle).
      await stopBundler();
      gc();
      return {
        info: { baseRssMb: process.memoryUsage().rss / 2 ** 20 },
        async run() {
          const c0 = cpuMsNow();
          const t0 = performance.now();
          const out = await runBatch({ rows, module, bundle, mode: 'process', workers: 2, resultType: 'value', isPatch: true, onError: 'continue' });
          const ms = performance.now() - t0;
          if (out.counts.done !== rows.length) throw new Error(`memory case: ${JSON.stringify(out.counts)}`);
          return { ms, cpuMs: cpuMsNow() - c0 };
        },
      };
    }
    case 'cpu-floor':
      return {
        info: {},
        async run() {
          if (spec.fresh) {
            // Started, run and ended inside the clock, as a fresh pool's run is.
            gc();
            const c0 = cpuMsNow();
            const t0 = performance.now();
            const floor = await startCpuFloor(spec.children);
            await floor.run(spec.rows, spec.iters);
            await floor.stop();
            return { ms: performance.now() - t0, cpuMs: cpuMsNow() - c0 };
          }
          // Started before the clock and ended after it: the first run on children ready and waiting.
          const floor = await startCpuFloor(spec.children);
          gc();
          const c0 = cpuMsNow();
          const ms = await floor.run(spec.rows, spec.iters);
          const cpuMs = cpuMsNow() - c0;
          await floor.stop();
          return { ms, cpuMs };
        },
      };
    case 'calibrate':
      return {
        info: { iters: calibrate(spec.targetMs) },
        run: () => Promise.reject(new Error('calibrate has no runs')),
      };
  }
}

async function prepareEngine(spec: Extract<CaseSpec, { kind: 'engine' }>): Promise<PreparedCase> {
  const extra: Partial<Row> = {};
  if (spec.iters !== undefined) extra.iters = String(spec.iters);
  if (spec.file !== undefined) extra['File Path'] = spec.file;
  let rows = makeRows(spec.rows, extra);
  const { bundle, module } = await loadApplyFile(path.join(FIXTURES, `${spec.fixture}.js`));
  const once = async (): Promise<RunSample> => {
    if (spec.prewarm) {
      await endIdleWorkers();
      await warmWorkers(spec.workers, 10 * 60_000);
      await new Promise((r) => setTimeout(r, PREWARM_WAIT_MS));
    }
    gc();
    let firstRowMs: number | undefined;
    if (spec.buildRows) rows = [];
    const c0 = cpuMsNow();
    const t0 = performance.now();
    if (spec.buildRows) rows = makeRows(spec.rows, extra);
    const out = await runBatch({
      rows,
      module,
      bundle,
      mode: spec.mode,
      workers: spec.workers,
      resultType: 'value',
      isPatch: true,
      onError: 'continue',
      keepWorkersMs: spec.keepWorkers || spec.prewarm ? 10 * 60_000 : 0,
      onRow: () => {
        firstRowMs ??= performance.now() - t0;
      },
    });
    const ms = performance.now() - t0;
    const cpuMs = cpuMsNow() - c0;
    if (spec.prewarm) await endIdleWorkers(); // the next round is a first run again
    if (out.counts.done !== rows.length || out.effectiveMode !== spec.mode) {
      const first = out.records.find((r) => r.error)?.error;
      throw new Error(`${spec.mode}: ${JSON.stringify(out.counts)} (${out.effectiveMode}); first error: ${JSON.stringify(first)}`);
    }
    return { ms, firstRowMs, cpuMs };
  };
  if (spec.warmup) await once();
  return { info: {}, run: once };
}

/** Iterations of the busy fixture's loop that take `targetMs` on this core (fastest of 5: the least disturbed). */
function calibrate(targetMs: number): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const busy = require(path.join(FIXTURES, 'busy.js')) as { apply(row: Row): number };
  const probe = 2_000_000;
  busy.apply({ iters: String(probe) }); // JIT warm-up
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    busy.apply({ iters: String(probe) });
    times.push(performance.now() - t0);
  }
  return Math.round((probe * targetMs) / Math.min(...times));
}
