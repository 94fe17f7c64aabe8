// The three ways to run the picked rows: the in-process modes (./inProcess.ts) and process mode
// here, a pool of child processes. Each reports every row it finished through `report`; the run
// (./run.ts) marks whatever was never reported as cancelled.
import * as path from 'path';
import type * as workerpool from 'workerpool';
import type { ApplyBundle, ApplyModule } from './applyModule';
import type { Row, RowRecord } from './types';
import type { ChunkRequest, WorkerMessage } from './worker';

export interface BackendJob {
  mod: ApplyModule;
  bundle: ApplyBundle;
  rows: readonly Row[];
  /** Indices of the rows to apply, in row order. */
  indices: readonly number[];
  workers: number;
  timeoutMs?: number;
  /** Aborted when the run must start no new rows (cancel, or the stop policy). */
  halt: AbortSignal;
  /** Process mode: send each row as it finishes, so a halt loses no finished row. */
  flushEveryRow: boolean;
  locatorPath?: string;
  /** Process mode: keep the workers this long after the run for the next run with as many (0: end them). */
  keepWorkersMs?: number;
  report(rec: RowRecord): void;
  /** A row began (in process mode: the chunk holding it reached a worker). */
  started?(indices: readonly number[]): void;
  /** Bytes a row's result takes on average so far (its journal line), when known. */
  resultBytesPerRow?(): number | undefined;
}

// ---------------------------------------------------------------------------------------------
// process: a workerpool pool of child processes, rows in adaptive chunks
// ---------------------------------------------------------------------------------------------

/**
 * Chunks aim at this much work. Results stream anyway (a worker flushes every 20 ms) and the last
 * chunks shrink so the tail balances (see `fair` below). A worker gets its next chunk only after
 * the parent has its last one (workerpool sends one task at a time), so each chunk costs a round
 * trip: side by side, two workers of 20 ms rows reached 0.970 of the raw floor's speed with 50 ms
 * chunks, 1.001 with 200 ms (medians of 8 rounds, bench/results/chunk-2026-12-02).
 */
const TARGET_CHUNK_MS = 200;
/** Past ~256 rows a chunk, IPC per row stops falling (docs/performance-facts). */
const MAX_CHUNK_ROWS = 256;
const FIRST_CHUNK_ROWS = 8;
/**
 * Once the row cost is known, a chunk holds at least this much work: the fair share shrinks toward
 * the end of a run, and a chunk of a few fast rows costs its round trip (1-5 ms here) for nothing.
 * Side by side, a fresh pool's 10k fast rows: 245 → 235 ms, median of 12 rounds (the floor's 179).
 */
const MIN_CHUNK_MS = 2;
/** A chunk's results aim at this size: 256 rows of 21 KB made each worker peak at 120-190 MB, 48 at ~70. */
const CHUNK_RESULT_BYTES = 1024 * 1024;

interface Chunk {
  indices: number[];
  /** Rows of this chunk not reported yet. */
  pending: Set<number>;
  /** Set when the row now running began (per-row flushing only). */
  runningSince?: number;
  exec?: workerpool.Promise<RowRecord[]>;
  /** Why we cancelled it ourselves, so its rejection is not taken for a crash. */
  killedFor?: 'timeout' | 'halt';
}

export function workerScriptPath(): string {
  // Built layout: dist/worker.js beside the bundle; compiled tests: out/src/core/worker.js.
  return path.join(__dirname, 'worker.js');
}

// A run's pool is kept warm for the next run when asked (the extension does; the CLI runs once):
// starting two Node processes costs 100-300 ms here, more than a 10k-row run's own work. One idle
// pool at most; each run gets it to itself, and its workers load the run's module afresh, so a
// re-run sees neither stale code nor the previous run's module state.
interface IdlePool {
  pool: workerpool.Pool;
  workers: number;
  timer: NodeJS.Timeout;
}
let idlePool: IdlePool | undefined;

// workerpool is loaded with the first pool, not when the extension activates (see esbuild.js).
let workerpoolModule: typeof workerpool | undefined;

function createPool(workers: number): workerpool.Pool {
  return (workerpoolModule ??= require('workerpool') as typeof workerpool).pool(workerScriptPath(), {
    workerType: 'process',
    minWorkers: workers,
    maxWorkers: workers,
    forkOpts: {
      // v8 structured clone keeps NaN and ±Infinity of our encoded results, which JSON would turn into null.
      serialization: 'advanced',
      // No flags of the host (inspector, --expose-gc); Electron needs this to run as plain Node.
      // No V8 flag of ours either: any flag on the command line makes Node compile its built-in
      // modules without their code cache, ~20 ms more per fresh pool. The worker keeps its young
      // generation small itself, once started (src/core/worker.ts).
      execArgv: [],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    },
  });
}

/** Pools runs hold now: a run's pool is kept after it, so warming meanwhile would only compete with it. */
let poolsInUse = 0;

function acquirePool(workers: number): workerpool.Pool {
  poolsInUse++;
  const idle = idlePool;
  if (idle && idle.workers === workers) {
    idlePool = undefined;
    clearTimeout(idle.timer);
    return idle.pool;
  }
  return createPool(workers);
}

async function releasePool(pool: workerpool.Pool, workers: number, keepMs: number, force: boolean): Promise<void> {
  poolsInUse--;
  if (force || keepMs <= 0) {
    await pool.terminate(force).catch(() => undefined);
    return;
  }
  const previous = idlePool;
  const timer = setTimeout(() => {
    if (idlePool?.pool === pool) idlePool = undefined;
    void pool.terminate().catch(() => undefined);
  }, keepMs);
  timer.unref?.();
  idlePool = { pool, workers, timer };
  if (previous) {
    clearTimeout(previous.timer);
    await previous.pool.terminate().catch(() => undefined);
  }
}

/**
 * Starts `workers` worker processes before any run (or keeps the idle pool of that size), so the
 * next run with as many workers finds them booted and warmed up (resolves then): they load a run's
 * apply file when its first chunk comes. They end after `keepMs` unless a run takes them; 0 starts
 * nothing, nor does a run going (its pool is kept after it).
 * Returns the number of workers kept warm now.
 */
export async function warmWorkers(workers: number, keepMs: number): Promise<number> {
  const n = Math.max(1, Math.floor(workers));
  if (keepMs <= 0 || poolsInUse > 0) return idleWorkerCount();
  if (idlePool?.workers === n) {
    // Already warm: the keep time starts again from now.
    keepIdleFor(idlePool, keepMs);
    return n;
  }
  poolsInUse++;
  const pool = createPool(n);
  await releasePool(pool, n, keepMs, false);
  // The keep time counts from when they are ready (starting them can take a second on a busy machine).
  if (idlePool?.pool === pool) clearTimeout(idlePool.timer);
  // One warm-up per worker (each is busy with its own, so they spread); a run taking the pool
  // meanwhile queues its first chunks behind them.
  await Promise.all(Array.from({ length: n }, () => pool.exec('warm', []).catch(() => undefined)));
  if (idlePool?.pool === pool) keepIdleFor(idlePool, keepMs);
  return n;
}

function keepIdleFor(idle: IdlePool, keepMs: number): void {
  clearTimeout(idle.timer);
  idle.timer = setTimeout(() => {
    if (idlePool?.pool === idle.pool) idlePool = undefined;
    void idle.pool.terminate().catch(() => undefined);
  }, keepMs);
  idle.timer.unref?.();
}

/** Ends the workers kept warm between runs (on shutdown, or when the setting turns it off). */
export async function endIdleWorkers(): Promise<void> {
  const idle = idlePool;
  idlePool = undefined;
  if (!idle) return;
  clearTimeout(idle.timer);
  await idle.pool.terminate().catch(() => undefined);
}

/** Worker processes kept warm now (0 when none). */
export function idleWorkerCount(): number {
  return idlePool?.workers ?? 0;
}

let runCounter = 0;

export async function runProcessPool(job: BackendJob): Promise<void> {
  const { rows, halt, report } = job;
  const workers = Math.max(1, job.workers);
  const pool = acquirePool(workers);
  const runId = `${process.pid}-${++runCounter}`;
  const queue: number[][] = [];
  let perRowMs: number | undefined;
  const remaining = () => queue.reduce((n, q) => n + q.length, 0);
  // Rows still to dispatch: job.indices from `cursor` on (failed chunks are re-queued in `queue`,
  // which goes first). A cursor, not splice: splicing the front of 1M indices is quadratic.
  let cursor = 0;
  const todoLeft = () => job.indices.length - cursor;
  const takeTodo = (n: number) => job.indices.slice(cursor, (cursor += n));
  const inFlight = new Set<Chunk>();
  const maxInFlight = workers * 2;

  const nextChunkSize = () => {
    const left = todoLeft() + remaining();
    const fair = Math.max(1, Math.ceil(left / maxInFlight));
    const byCost = perRowMs === undefined ? FIRST_CHUNK_ROWS : Math.floor(TARGET_CHUNK_MS / Math.max(perRowMs, 0.001));
    const bytes = job.resultBytesPerRow?.();
    const bySize = bytes ? Math.floor(CHUNK_RESULT_BYTES / bytes) : MAX_CHUNK_ROWS;
    const worthATrip = perRowMs === undefined ? 1 : Math.ceil(MIN_CHUNK_MS / Math.max(perRowMs, 0.001));
    // Never past the rows left to take (the cursor must not overshoot them).
    return Math.max(1, Math.min(todoLeft(), MAX_CHUNK_ROWS, byCost, bySize, Math.max(fair, worthATrip)));
  };

  const observeCost = (recs: RowRecord[]) => {
    for (const r of recs) perRowMs = perRowMs === undefined ? r.durationMs : perRowMs * 0.9 + r.durationMs * 0.1;
  };

  let wake: (() => void) | undefined;
  const poke = () => wake?.();

  const accept = (chunk: Chunk, recs: RowRecord[]) => {
    observeCost(recs);
    for (const rec of recs) {
      if (!chunk.pending.delete(rec.index)) continue;
      report(rec);
    }
    chunk.runningSince = Date.now();
  };

  const dispatch = (indices: number[]) => {
    const chunk: Chunk = { indices, pending: new Set(indices) };
    const req: ChunkRequest = {
      runId,
      file: job.bundle.file,
      bundlePath: job.bundle.bundlePath,
      locatorPath: job.locatorPath,
      indices,
      rows: indices.map((i) => rows[i]),
      flushEveryRow: job.flushEveryRow,
    };
    const exec = pool.exec('runChunk', [req], {
      on: (msg: WorkerMessage) => {
        if (msg.kind === 'started') {
          chunk.runningSince = Date.now();
          job.started?.(indices.filter((i) => chunk.pending.has(i)));
        }
        else accept(chunk, msg.rows);
      },
    }) as workerpool.Promise<RowRecord[]>;
    chunk.exec = exec;
    inFlight.add(chunk);
    exec.then(
      (recs) => accept(chunk, recs),
      (err: unknown) => chunkFailed(chunk, err),
    ).then(() => {
      inFlight.delete(chunk);
      poke();
    });
  };

  const chunkFailed = (chunk: Chunk, err: unknown) => {
    if (chunk.killedFor === 'halt' || chunk.pending.size === 0) return;
    const pending = chunk.indices.filter((i) => chunk.pending.has(i));
    if (chunk.killedFor === 'timeout') {
      // Rows stream one by one here, so the first unreported row is the one that ran too long.
      const [slow, ...rest] = pending;
      chunk.pending.clear();
      report({
        index: slow,
        status: 'timeout',
        durationMs: job.timeoutMs ?? 0,
        error: {
          name: 'TimeoutError',
          message: `row ${slow} took longer than ${job.timeoutMs} ms; its worker process was killed and replaced`,
          phase: 'worker',
        },
      });
      if (rest.length) queue.unshift(rest);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    const died = /terminated unexpectedly/i.test(message);
    if (died && pending.length > 1 && !job.flushEveryRow) {
      // We do not know which row killed the worker: run each unfinished row on its own, so only
      // the guilty row fails. (A row that ran partly before the crash runs again.)
      chunk.pending.clear();
      for (let k = pending.length - 1; k >= 0; k--) queue.unshift([pending[k]]);
      return;
    }
    const guilty = died && job.flushEveryRow ? [pending[0]] : pending;
    for (const index of guilty) {
      chunk.pending.delete(index);
      report({ index, status: 'error', durationMs: 0, error: workerError(message, died) });
    }
    const rest = pending.filter((i) => chunk.pending.has(i));
    chunk.pending.clear();
    if (rest.length) queue.unshift(rest);
  };

  // Per-row time limits: a watchdog kills the worker whose current row ran too long.
  const watchdog = job.timeoutMs
    ? setInterval(() => {
        const now = Date.now();
        for (const chunk of inFlight) {
          if (chunk.runningSince !== undefined && !chunk.killedFor && now - chunk.runningSince > job.timeoutMs!) {
            chunk.killedFor = 'timeout';
            chunk.exec?.cancel();
          }
        }
      }, Math.max(5, Math.min(100, job.timeoutMs / 4)))
    : undefined;

  const onHalt = () => {
    for (const chunk of inFlight) chunk.killedFor ??= 'halt';
    // Force: a worker stuck in synchronous code would otherwise never see the request.
    void pool.terminate(true).catch(() => undefined);
    poke();
  };
  halt.addEventListener('abort', onHalt);

  try {
    while (!halt.aborted) {
      while (inFlight.size < maxInFlight && (queue.length || todoLeft())) {
        dispatch(queue.length ? queue.shift()! : takeTodo(nextChunkSize()));
      }
      if (inFlight.size === 0) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    halt.removeEventListener('abort', onHalt);
    if (watchdog) clearInterval(watchdog);
    // A halt has already terminated the pool (forcibly): it is not kept.
    await releasePool(pool, workers, job.keepWorkersMs ?? 0, halt.aborted);
  }
}

function workerError(message: string, died: boolean): RowRecord['error'] {
  if (!died) return { name: 'WorkerError', message, phase: 'worker' };
  const code = /exitCode: `([^`]*)`/.exec(message)?.[1];
  const signal = /signalCode: `([^`]*)`/.exec(message)?.[1];
  const parts = [code && code !== 'null' ? `exit code ${code}` : '', signal && signal !== 'null' ? `signal ${signal}` : '']
    .filter(Boolean)
    .join(', ');
  return {
    name: 'WorkerExited',
    message: `the worker process running this row exited${parts ? ` (${parts})` : ''}; it was replaced and the run went on`,
    code: code && code !== 'null' ? Number(code) : undefined,
    phase: 'worker',
  };
}
