// The machine's own limit for CPU-bound rows on N cores: N raw forked children, started before the
// clock (as the extension's pre-started workers are), one row a message with two in flight per child,
// each row the busy fixture's arithmetic. No pool library, no records, no journal: what two cores of
// this machine give for this work. Process mode's CPU-bound speed-up is judged beside it, same round.
import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';

/** N children forked and ready (untimed); `run` sends them `rows` busy rows and resolves when all are back. */
export async function startCpuFloor(children: number): Promise<{ run(rows: number, iters: number): Promise<number>; stop(): Promise<void> }> {
  const script = path.join(__dirname, 'cpuFloorChild.js');
  const kids: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: children }, () => {
      const child = fork(script, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      kids.push(child);
      return new Promise<void>((resolve) => child.once('message', () => resolve()));
    }),
  );
  return {
    run(rows, iters) {
      const t0 = performance.now();
      let next = 0;
      let done = 0;
      return new Promise<number>((resolve) => {
        const send = (child: ChildProcess) => {
          if (next < rows) child.send({ index: next++, iters });
        };
        for (const child of kids) {
          child.removeAllListeners('message');
          child.on('message', () => {
            if (++done === rows) resolve(performance.now() - t0);
            else send(child);
          });
          send(child);
          send(child);
        }
      });
    },
    async stop() {
      await Promise.all(kids.map((k) => new Promise<void>((resolve) => (k.once('exit', () => resolve()), k.send('stop')))));
    },
  };
}
