// The hand-rolled floor for process mode: raw child_process.fork, N children, rows sent in chunks
// (256 rows a message), at most 2 chunks in flight per child, results stored by row index.
// Everything a real backend must also do, nothing more: it is what process mode is measured against.
import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';

type Row = Record<string, string>;

export interface FloorOptions {
  children: number;
  chunkRows: number;
  serialization: 'json' | 'advanced';
}

export interface FloorResult {
  /** fork to last child exited, like runBatch's pool start-up to terminate. */
  totalMs: number;
  /** fork until every child said ready. */
  startupMs: number;
}

export async function runFloor(rows: readonly Row[], opts: FloorOptions): Promise<FloorResult> {
  const t0 = performance.now();
  const script = path.join(__dirname, 'floorChild.js');
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const exited: Promise<void>[] = [];
  for (let c = 0; c < opts.children; c++) {
    const child = fork(script, [], { serialization: opts.serialization, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    ready.push(new Promise((resolve) => child.once('message', () => resolve())));
    exited.push(new Promise((resolve) => child.once('exit', () => resolve())));
  }
  await Promise.all(ready);
  const t1 = performance.now();

  const results: Array<{ index: number; value: number }> = new Array(rows.length);
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const send = (child: ChildProcess) => {
      if (next >= rows.length) return;
      const base = next;
      next = Math.min(rows.length, next + opts.chunkRows);
      child.send({ base, rows: rows.slice(base, next) });
    };
    for (const child of children) {
      child.on('message', (msg: { base: number; values: number[] }) => {
        for (let i = 0; i < msg.values.length; i++) results[msg.base + i] = { index: msg.base + i, value: msg.values[i] };
        done += msg.values.length;
        if (done === rows.length) resolve();
        else send(child);
      });
      send(child);
      send(child); // two chunks in flight per child, so a child never waits for the parent
    }
    if (rows.length === 0) resolve();
  });
  for (const child of children) child.send('stop');
  await Promise.all(exited);
  const t2 = performance.now();
  if (results[rows.length - 1]?.value !== rows[rows.length - 1]['File Path'].length) throw new Error('floor: wrong results');
  return { totalMs: t2 - t0, startupMs: t1 - t0 };
}
