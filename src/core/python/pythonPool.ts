// Python worker processes kept warm between runs (importing pandas costs ~0.8 s a process): a run
// takes idle ones of its interpreter first and starts the rest; each run imports the apply file
// afresh in them (see locator_batch_worker.py). Idle ones end after the keep time.
import { noPandasError, type PythonInterpreter } from './interpreter';
import { PythonProcess, type WorkerHello } from './pythonProcess';

let idle: PythonProcess[] = [];
let idleTimer: NodeJS.Timeout | undefined;
/** Workers a run (or an apply file's check) holds now; warming meanwhile would only compete with them. */
const inUse = new Set<PythonProcess>();

/**
 * `count` started workers of `py`, each past its hello. Refuses (PythonSetupError) when the
 * interpreter has no pandas. `hello` is the first worker's.
 */
export async function startPythonWorkers(
  py: PythonInterpreter,
  count: number,
  env?: NodeJS.ProcessEnv,
): Promise<{ workers: PythonProcess[]; hello: WorkerHello }> {
  const workers: PythonProcess[] = [];
  const rest: PythonProcess[] = [];
  for (const proc of idle) {
    if (workers.length < count && proc.alive && proc.interpreter.command === py.command) workers.push(proc);
    else rest.push(proc);
  }
  idle = rest;
  if (!idle.length && idleTimer) {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  }
  while (workers.length < count) workers.push(new PythonProcess(py, env));
  for (const w of workers) {
    w.setIdle(false);
    inUse.add(w);
  }
  try {
    const hellos = await Promise.all(workers.map((w) => w.hello));
    const bad = hellos.find((h) => h.pandas === undefined);
    if (bad) throw noPandasError(py, bad.pandasError ?? 'unknown error');
    return { workers, hello: hellos[0] };
  } catch (err) {
    for (const w of workers) {
      w.kill();
      inUse.delete(w);
    }
    throw err;
  }
}

/** Keeps live workers for `keepMs` for the next run (0: they end now). */
export function keepPythonWorkers(workers: readonly PythonProcess[], keepMs: number): void {
  for (const w of workers) {
    inUse.delete(w);
    w.onMessage = undefined;
    w.onOutput = undefined;
    w.currentRow = undefined;
    if (keepMs > 0 && w.alive) {
      w.setIdle(true);
      idle.push(w);
    } else w.kill();
  }
  if (keepMs > 0 && idle.length) {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void endIdlePythonWorkers(), keepMs);
    idleTimer.unref?.();
  }
}

/** Ends the Python workers kept warm (on shutdown, or when the setting turns keeping off). */
export async function endIdlePythonWorkers(): Promise<void> {
  const ending = idle;
  idle = [];
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
  for (const w of ending) {
    w.setIdle(false); // referenced again until they are gone: awaiting an unreferenced exit can end the host's event loop first
    w.kill();
  }
  await Promise.all(ending.map((w) => w.exited));
}

export function idlePythonWorkerCount(): number {
  return idle.filter((w) => w.alive).length;
}

/**
 * Starts `count` Python workers of `py` before any run (past their hello, pandas imported) and
 * keeps them for `keepMs`, so the next run finds them ready; idle ones of `py` count towards `count`.
 * Starts nothing while a run holds workers (they are kept after it).
 */
export async function warmPythonWorkers(py: PythonInterpreter, count: number, keepMs: number, env?: NodeJS.ProcessEnv): Promise<number> {
  for (const w of inUse) if (!w.alive) inUse.delete(w); // killed in a run (a time limit), never kept
  if (keepMs <= 0 || inUse.size > 0) return idlePythonWorkerCount();
  const { workers } = await startPythonWorkers(py, Math.max(1, Math.floor(count)), env);
  keepPythonWorkers(workers, keepMs);
  return idlePythonWorkerCount();
}
