// Running a .py apply file's rows (the Python side of runBatch, ../run.ts). Every mode runs in
// Python worker processes: `sequential` one process, one row at a time; `async` one process with a
// pool of `workers` threads (the seed's thread mode); `process` `workers` processes fed chunks.
// The condition runs first for every row, in order, in one of them. A worker that dies fails the
// row it ran (or its chunk's unfinished rows run again one by one, to find it) and is replaced; a
// row over its time limit is killed with its worker; a halt (Cancel, the stop policy) kills them all.
import type { Mode, ResultType, RowError, RowRecord } from '../types';
import { decodeRecord, type WireRecord } from './decodeRecords';
import { pythonLoadError, type PythonApply } from './pythonApply';
import { keepPythonWorkers, startPythonWorkers } from './pythonPool';
import { describeExit, type ProcessExit, type PythonProcess, type RowOutput, type WorkerMessage } from './pythonProcess';

export interface PythonRowsJob {
  apply: PythonApply;
  /** Rows in the locator: pandas must read as many. */
  rowCount: number;
  /** Rows to run (the condition first), in row order. */
  candidates: readonly number[];
  mode: Mode;
  workers: number;
  resultType: ResultType;
  timeoutMs?: number;
  halt: AbortSignal;
  /** Send each row as it finishes (time limits and the stop policy need it). */
  flushEveryRow: boolean;
  locatorPath?: string;
  /** The locator's text when it has unsaved edits: read instead of the file. */
  locatorText?: string;
  keepWorkersMs?: number;
  report(rec: RowRecord): void;
  started?(indices: readonly number[]): void;
  onOutput?(out: RowOutput): void;
}

const TARGET_CHUNK_MS = 50;
const MAX_CHUNK_ROWS = 256;
const FIRST_CHUNK_ROWS = 8;
const CHUNKS_PER_WORKER = 2;
/** A row whose worker died this often without a verdict fails (a guard against crash loops). */
const MAX_CRASHES_PER_ROW = 2;

interface Chunk {
  id: number;
  indices: number[];
  pending: Set<number>;
  began: boolean;
}

interface Slot {
  proc: PythonProcess;
  chunks: Chunk[];
  /** Rows started and not finished, with when they started (known when rows flush one by one). */
  running: Map<number, number>;
  killedFor?: 'timeout';
}

let runs = 0;

export async function runPythonRows(job: PythonRowsJob): Promise<void> {
  const processes = job.mode === 'process' ? Math.max(1, job.workers) : 1;
  const threads = job.mode === 'async' ? Math.max(1, job.workers) : 1;
  const runId = `${process.pid}-${++runs}`;
  const locator = job.locatorText !== undefined ? { text: job.locatorText } : job.locatorPath ? { path: job.locatorPath } : undefined;
  if (!locator) throw new Error('a Python run needs the locator: its file (locatorPath) or its text (locatorText)');
  const loadCmd = { op: 'load', run: runId, file: job.apply.file, locator, resultType: job.resultType, threads };
  const { halt, report } = job;
  const slots: Slot[] = [];
  let ended = false;

  const load = async (proc: PythonProcess): Promise<Slot> => {
    proc.onOutput = (out) => job.onOutput?.(out);
    const reply = await proc.request(loadCmd, ['loaded', 'loadError']);
    if (reply.op === 'loadError') throw pythonLoadError(job.apply.file, reply.error as RowError);
    if (reply.rows !== job.rowCount) {
      throw new Error(`pandas.read_csv reads ${reply.rows} rows from the locator where the engine has ${job.rowCount}; the rows would not match, so nothing ran`);
    }
    const slot: Slot = { proc, chunks: [], running: new Map() };
    slots.push(slot);
    return slot;
  };
  const newSlot = async (): Promise<Slot> => {
    const { workers } = await startPythonWorkers(job.apply.interpreter, 1, job.apply.env);
    if (ended) {
      workers[0].kill();
      throw new Error('run ended');
    }
    return load(workers[0]);
  };
  const killAll = () => {
    for (const s of slots) s.proc.kill();
  };
  const onHaltKill = () => killAll();
  halt.addEventListener('abort', onHaltKill);

  try {
    const { workers } = await startPythonWorkers(job.apply.interpreter, processes, job.apply.env);
    if (halt.aborted) {
      for (const w of workers) w.kill();
      return;
    }
    await Promise.all(workers.map(load)).catch((err) => {
      for (const w of workers) w.kill();
      throw err;
    });
    const toApply = job.apply.hasCondition ? await runConditions(job, slots, newSlot) : [...job.candidates];
    if (!halt.aborted && toApply.length) await applyRows(job, toApply, slots, newSlot, threads, processes);
    // What the workers wrote straight to fd 1 / 2 belongs to this run: let it arrive first.
    if (!halt.aborted) await Promise.all(slots.map((s) => s.proc.syncOutput()));
  } finally {
    ended = true;
    halt.removeEventListener('abort', onHaltKill);
    if (halt.aborted) killAll();
    else keepPythonWorkers(slots.filter((s) => s.proc.alive).map((s) => s.proc), job.keepWorkersMs ?? 0);
  }
}

/** The condition for every candidate row, in order, in the first worker. Returns the picked rows. */
async function runConditions(job: PythonRowsJob, slots: Slot[], newSlot: () => Promise<Slot>): Promise<number[]> {
  const picked: number[] = [];
  let remaining = [...job.candidates];
  let slot = slots[0];
  while (remaining.length && !job.halt.aborted) {
    const answered = new Set<number>();
    const outcome = await new Promise<'done' | 'exited' | 'halt'>((resolve) => {
      slot.proc.onMessage = (msg) => {
        if (msg.op !== 'cond') return;
        for (const i of msg.p as number[]) answered.add(i), picked.push(i);
        for (const i of msg.s as number[]) answered.add(i), job.report({ index: i, status: 'skipped', durationMs: 0 });
        for (const [i, error] of msg.e as [number, RowError][]) answered.add(i), job.report({ index: i, status: 'error', error, durationMs: 0 });
        if (msg.done) resolve('done');
      };
      void slot.proc.exited.then(() => resolve('exited'));
      job.halt.addEventListener('abort', () => resolve('halt'), { once: true });
      slot.proc.send({ op: 'condition', rows: remaining.length === job.rowCount ? null : remaining });
    });
    if (outcome !== 'exited') break;
    remaining = remaining.filter((i) => !answered.has(i));
    // The condition runs in order: the first unanswered row is the one that killed the worker.
    const [guilty, ...rest] = remaining;
    if (guilty !== undefined) job.report({ index: guilty, status: 'error', error: { ...exitError(slot.proc.exit!, slot.proc), phase: 'condition' }, durationMs: 0 });
    remaining = rest;
    slots.splice(slots.indexOf(slot), 1);
    if (remaining.length && !job.halt.aborted) slot = await newSlot();
  }
  if (slots[0]) slots[0].proc.onMessage = undefined;
  return picked;
}

function exitError(e: ProcessExit, proc: PythonProcess): RowError {
  const error: RowError = {
    name: 'WorkerExited',
    message: `worker exited with ${describeExit(e)}: the Python process running this row ended; it was replaced and the run went on`,
    phase: 'worker',
  };
  if (e.code !== null) error.code = e.code;
  const tail = proc.stderrTail.trim();
  if (tail) error.stack = tail.slice(-2048);
  return error;
}

async function applyRows(
  job: PythonRowsJob,
  toApply: readonly number[],
  slots: Slot[],
  newSlot: () => Promise<Slot>,
  threads: number,
  processes: number,
): Promise<void> {
  const { halt, report } = job;
  const queue: number[][] = [];
  const crashes = new Map<number, number>();
  let cursor = 0;
  let perRowMs: number | undefined;
  let chunkIds = 0;
  let replacing = 0;
  let finished = false;

  await new Promise<void>((resolve, reject) => {
    const stop = (err?: unknown) => {
      if (finished) return;
      finished = true;
      if (watchdog) clearInterval(watchdog);
      halt.removeEventListener('abort', onHalt);
      if (err) reject(err);
      else resolve();
    };
    const onHalt = () => stop();
    halt.addEventListener('abort', onHalt);

    const nextSize = () => {
      const left = toApply.length - cursor + queue.reduce((n, q) => n + q.length, 0);
      const fair = Math.max(1, Math.ceil(left / (processes * CHUNKS_PER_WORKER)));
      const byCost = perRowMs === undefined ? FIRST_CHUNK_ROWS : Math.floor(TARGET_CHUNK_MS / Math.max(perRowMs, 0.001));
      const size = Math.max(1, Math.min(MAX_CHUNK_ROWS, byCost, fair));
      return threads > 1 ? Math.max(size, Math.min(threads * 2, left)) : size;
    };

    const pump = () => {
      if (finished) return;
      // Round by round (one chunk for each worker, then a second), so few rows still spread out.
      for (let depth = 1; depth <= CHUNKS_PER_WORKER; depth++) {
        for (const slot of slots) {
          if (!slot.proc.alive || slot.chunks.length >= depth || !(queue.length || cursor < toApply.length)) continue;
          const indices = queue.length ? queue.shift()! : toApply.slice(cursor, (cursor += nextSize()));
          const chunk: Chunk = { id: ++chunkIds, indices, pending: new Set(indices), began: false };
          slot.chunks.push(chunk);
          slot.proc.send({ op: 'chunk', c: chunk.id, rows: indices, flush: job.flushEveryRow });
        }
      }
      if (!queue.length && cursor >= toApply.length && replacing === 0 && slots.every((s) => !s.chunks.length)) stop();
    };

    const finish = (slot: Slot, chunk: Chunk | undefined, rec: RowRecord) => {
      if (!chunk?.pending.delete(rec.index)) return;
      slot.running.delete(rec.index);
      perRowMs = perRowMs === undefined ? rec.durationMs : perRowMs * 0.9 + rec.durationMs * 0.1;
      report(rec);
    };

    const attach = (slot: Slot) => {
      slot.proc.onMessage = (msg: WorkerMessage) => {
        const chunk = slot.chunks.find((c) => c.id === msg.c);
        if (msg.op === 'begin' && chunk) {
          chunk.began = true;
          job.started?.(chunk.indices.filter((i) => chunk.pending.has(i)));
        } else if (msg.op === 'start') {
          slot.running.set(msg.i as number, Date.now());
          slot.proc.currentRow = slot.running.size === 1 ? (msg.i as number) : undefined;
        } else if (msg.op === 'rows' && chunk) {
          for (const wire of msg.r as WireRecord[]) finish(slot, chunk, decodeRecord(wire));
          if (msg.done) {
            slot.chunks.splice(slot.chunks.indexOf(chunk), 1);
            pump();
          }
        } else if (msg.op === 'fatal') slot.proc.kill();
      };
      void slot.proc.exited.then((e) => exited(slot, e));
    };

    const exited = (slot: Slot, e: ProcessExit) => {
      if (finished) return;
      slots.splice(slots.indexOf(slot), 1);
      const pending = slot.chunks.flatMap((c) => c.indices.filter((i) => c.pending.has(i)));
      const suspects = slot.killedFor
        ? []
        : job.flushEveryRow
          ? [...slot.running.keys()]
          : (slot.chunks.find((c) => c.began)?.indices.filter((i) => pending.includes(i)) ?? []);
      const error = exitError(e, slot.proc);
      const guilty = suspects.length === 1 ? suspects : suspects.filter((i) => (crashes.get(i) ?? 0) + 1 >= MAX_CRASHES_PER_ROW);
      for (const i of guilty) report({ index: i, status: 'error', error, durationMs: 0 });
      for (const i of suspects) crashes.set(i, (crashes.get(i) ?? 0) + 1);
      // Unsure which row killed it: the suspects run again one by one; the rest as they were.
      const alone = suspects.filter((i) => !guilty.includes(i));
      const rest = pending.filter((i) => !suspects.includes(i));
      if (rest.length) queue.unshift(rest);
      for (let k = alone.length - 1; k >= 0; k--) queue.unshift([alone[k]]);
      replacing++;
      newSlot().then(
        (fresh) => {
          replacing--;
          attach(fresh);
          pump();
        },
        (err) => stop(err),
      );
    };

    // Per-row time limits: the worker whose row ran too long is killed; exited() re-queues the rest.
    const watchdog = job.timeoutMs
      ? setInterval(() => {
          const now = Date.now();
          for (const slot of slots) {
            if (slot.killedFor) continue;
            for (const [index, since] of slot.running) {
              if (now - since <= job.timeoutMs!) continue;
              const chunk = slot.chunks.find((c) => c.pending.has(index));
              finish(slot, chunk, {
                index,
                status: 'timeout',
                durationMs: now - since,
                error: { name: 'TimeoutError', message: `row ${index} took longer than ${job.timeoutMs} ms; its Python worker process was killed and replaced`, phase: 'worker' },
              });
              slot.killedFor = 'timeout';
            }
            if (slot.killedFor) slot.proc.kill();
          }
        }, Math.max(5, Math.min(100, job.timeoutMs / 4)))
      : undefined;

    for (const slot of slots) attach(slot);
    pump();
  });
}
