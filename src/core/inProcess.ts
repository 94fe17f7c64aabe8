// The in-process modes: `sequential` and `async` run the picked rows on this process's event loop
// (the extension host's, or the CLI's). See ./backends.ts for the job and for process mode.
import { setImmediate as yieldToEventLoop } from 'timers/promises';
import type { BackendJob } from './backends';
import { isThenable, runRow } from './rowRunner';
import type { RowRecord } from './types';

// The in-process modes run on the extension host's event loop: give it back this often so
// progress, Cancel and the UI stay responsive while synchronous apply functions run.
const YIELD_EVERY_MS = 15;

/**
 * In-process: `sequential` is a window of 1, `async` a sliding window of `workers` rows in flight
 * (no closure per pending row is created up front, so 100k rows cost no more memory than 1k).
 */
export async function runInProcess(job: BackendJob, window: number): Promise<void> {
  const restoreExit = guardProcessExit();
  try {
    await slidingWindow(job, window);
  } finally {
    restoreExit();
  }
}

/**
 * In process, an apply that calls process.exit would end the whole host (the CLI, or VS Code's
 * extension host): while rows run, make it throw instead, so that row fails alone.
 */
// Counted, because runs can overlap in one host: with a plain save/restore, the first run to end
// put back the real exit while the other still ran rows (so its process.exit ended the host), and
// the last one put back the first one's guard for good.
let exitGuards = 0;
let unguardedExit: typeof process.exit | undefined;

function guardProcessExit(): () => void {
  if (exitGuards++ === 0) {
    unguardedExit = process.exit;
    process.exit = ((code?: number) => {
      throw new Error(
        `apply called process.exit(${code ?? ''}); in sequential and async mode that would end the host process, so the row was failed instead`,
      );
    }) as typeof process.exit;
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    if (--exitGuards === 0) {
      process.exit = unguardedExit!;
      unguardedExit = undefined;
    }
  };
}

async function slidingWindow(job: BackendJob, window: number): Promise<void> {
  const { mod, rows, indices, halt, report } = job;
  const rowSignal = halt; // apply sees the run's signal: aborted on cancel or stop
  let next = 0;
  let inFlight = 0;
  let lastYield = performance.now();
  // While set, a yield to the event loop is pending: rows settling from microtasks in the meantime
  // must not start new rows, or a run of fast-settling promises would never let timers (and
  // Cancel) in.
  let yielding = false;
  // Halting does not wait for rows in flight: they are reported cancelled (their apply sees the
  // aborted signal), and what they return later is ignored.
  let onHalt: (() => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    onHalt = resolve;
    halt.addEventListener('abort', onHalt, { once: true });
    const settle = (rec: RowRecord) => {
      inFlight--;
      // After a halt, a row in flight is cancelled whatever it does next: an apply that answers the
      // aborted signal by resolving (or by rejecting with an AbortError) must not turn into `done`
      // (or `error`) after the user pressed Cancel.
      if (halt.aborted) return;
      report(rec);
      launch();
    };
    const resume = () => {
      yielding = false;
      lastYield = performance.now();
      launch();
    };
    const launch = (): void => {
      if (yielding) return;
      try {
        while (inFlight < window && next < indices.length && !halt.aborted) {
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            yielding = true;
            setImmediate(resume);
            return;
          }
          const index = indices[next++];
          inFlight++;
          job.started?.([index]);
          const result = runRow(mod, index, rows[index], { signal: rowSignal, locatorPath: job.locatorPath });
          if (isThenable(result)) {
            const timed = job.timeoutMs ? withTimeout(result, index, job.timeoutMs) : result;
            timed.then(settle, reject);
          } else {
            inFlight--;
            report(overrun(result, job.timeoutMs));
          }
        }
        if (inFlight === 0 && (next >= indices.length || halt.aborted)) resolve();
      } catch (err) {
        reject(err);
      }
    };
    launch();
  });
  halt.removeEventListener('abort', onHalt!);
  await yieldToEventLoop();
}

/** An async row past its time limit is reported as timed out; its promise is left to settle unseen. */
function withTimeout(p: Promise<RowRecord>, index: number, ms: number): Promise<RowRecord> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () =>
        resolve({
          index,
          status: 'timeout',
          durationMs: ms,
          error: {
            name: 'TimeoutError',
            message: `row ${index} took longer than ${ms} ms; in-process modes cannot stop running code, so its work may still finish in the background (process mode kills it)`,
          },
        }),
      ms,
    );
    p.then((rec) => {
      clearTimeout(timer);
      resolve(overrun(rec, ms));
    });
  });
}

/** Synchronous code cannot be interrupted in process: a row that overran is still reported as a timeout. */
function overrun(rec: RowRecord, ms: number | undefined): RowRecord {
  if (!ms || rec.durationMs <= ms || rec.status !== 'done') return rec;
  return {
    index: rec.index,
    status: 'timeout',
    durationMs: rec.durationMs,
    error: {
      name: 'TimeoutError',
      message: `row ${rec.index} took ${Math.round(rec.durationMs)} ms, over the ${ms} ms limit; synchronous code cannot be interrupted in sequential or async mode, so it ran to the end and its result was discarded (process mode kills the row instead)`,
    },
  };
}

