// The workerpool child process. It loads the bundled apply module once per run, then runs
// chunks of rows, catching per row so one failing row fails alone, and streams finished rows back.
import { BUNDLE_BANNER, loadApplyBundle, loadApplyBundleFile, type ApplyModule } from './applyModule';
import { runRow } from './rowRunner';
import type { Row, RowRecord } from './types';

// Only workerpool's worker half: its index also loads the pool side (and asks the OS for the CPU
// count), which a worker never uses; dist/worker.js is 27 KB instead of 66.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const workerpool = require('workerpool/src/worker') as typeof import('workerpool/types/worker');

export interface ChunkRequest {
  /** Workers outlive runs (a warm pool): each run gets its own instance of the module. */
  runId: string;
  file: string;
  bundlePath: string;
  locatorPath?: string;
  indices: number[];
  rows: Row[];
  /** Send every row as it finishes (timeouts and the stop policy need to know which row runs). */
  flushEveryRow: boolean;
}

/** What the worker emits while a chunk runs. */
export type WorkerMessage = { kind: 'started'; at: number } | { kind: 'rows'; rows: RowRecord[] };

// Without per-row flushing, finished rows are sent at least this often, so results stream.
const FLUSH_MS = 20;

// Backpressure: a worker making results faster than the run takes them (21 KB rows, a parent busy
// writing its journal) would queue them unsent in its own memory, without bound. Messages not yet
// written to the channel are counted; past MAX_UNSENT, rows wait for them.
const MAX_UNSENT = 2;
let unsent = 0;
let onSent: (() => void) | undefined;
const sendMessage = process.send?.bind(process);
if (sendMessage) {
  // workerpool sends through process.send, looked up at each call: every message is counted.
  process.send = ((message: unknown) => {
    unsent++;
    return sendMessage(message, (err: Error | null) => {
      unsent--;
      if (err || unsent <= MAX_UNSENT) onSent?.();
    });
  }) as typeof process.send;
}

/** Resolves once at most MAX_UNSENT messages wait to be written. */
function channelDrained(): Promise<void> | undefined {
  if (unsent <= MAX_UNSENT) return undefined;
  return new Promise((resolve) => {
    onSent = () => {
      onSent = undefined;
      resolve();
    };
  });
}

// The module being loaded or loaded for a run (a promise: an ES module's top-level await may take time,
// and chunks that arrive meanwhile wait for the same load).
let loaded: { runId: string; mod: Promise<ApplyModule> } | undefined;

function load(req: ChunkRequest): Promise<ApplyModule> {
  if (loaded?.runId !== req.runId) {
    loaded = undefined; // let the previous run's module go before loading this one
    loaded = { runId: req.runId, mod: loadApplyBundleFile(req.file, req.bundlePath) };
  }
  return loaded.mod;
}

async function runChunk(req: ChunkRequest): Promise<RowRecord[]> {
  const mod = await load(req);
  // Fast rows finish a chunk before its first flush: the previous chunks' results wait here too.
  const sent = channelDrained();
  if (sent) await sent;
  // One message per chunk: the run learns which rows a worker has begun (and when, for time limits).
  emit({ kind: 'started', at: Date.now() });
  let pending: RowRecord[] = [];
  let lastFlush = performance.now();
  for (let i = 0; i < req.indices.length; i++) {
    let rec = runRow(mod, req.indices[i], req.rows[i], { locatorPath: req.locatorPath });
    if (rec instanceof Promise) rec = await rec;
    pending.push(rec);
    const now = performance.now();
    if (req.flushEveryRow || (now - lastFlush >= FLUSH_MS && i < req.indices.length - 1)) {
      emit({ kind: 'rows', rows: pending });
      pending = [];
      const drained = channelDrained();
      if (drained) await drained;
      lastFlush = performance.now();
    }
  }
  return pending;
}

function emit(msg: WorkerMessage): void {
  workerpool.emit(msg);
}

/**
 * A pool started before any run (warmWorkers) calls this once in each worker: it takes the path a
 * run takes (compile a bundle, run a row, encode its result) on a throwaway module, so the first real
 * run does not pay for compiling that code. It leaves no module loaded for any run.
 */
async function warm(): Promise<number> {
  // Shaped as a bundle is (its banner, an inline source map), so the first run compiles nothing new.
  const code = `${BUNDLE_BANNER}\nexports.apply = (row) => ({ x: Number(row.x) });\n//# sourceMappingURL=data:application/json;base64,e30=\n`;
  const mod = await loadApplyBundle(`${__dirname}/locator-batch-warm-up.js`, code);
  let rec = runRow(mod, 0, { x: '1' });
  if (rec instanceof Promise) rec = await rec;
  // The messages a chunk sends (the pool has no listener for them here: they are dropped).
  emit({ kind: 'started', at: Date.now() });
  emit({ kind: 'rows', rows: [rec] });
  return process.pid;
}

workerpool.add({ runChunk, warm });

// The young generation stays at its initial 1 MB semi-spaces instead of growing to 16 MB under the
// run's allocations: each worker of a 100k-row run peaks ~15 MB lower, rows no slower. Set here, once
// the worker has loaded: as a command-line flag (--max-semi-space-size) it cost every fresh pool ~20 ms
// of start-up, the built-in modules compiled without their code cache (A/B: docs/scaling.md). V8 reads
// this factor each time it would grow the space.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('v8') as typeof import('v8')).setFlagsFromString('--semi-space-growth-factor=1');
