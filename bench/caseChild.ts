// One benchmark case in its own Node child process (with --expose-gc): it builds its rows and
// bundles its apply file once (./cases.ts), warms up, then does one timed run each time it is
// asked. This file is both sides: run as a child (`--case SPEC`) it serves the case; imported, it
// gives the orchestrator CaseChild and rounds().
import { execFileSync, fork, type ChildProcess } from 'child_process';
import * as path from 'path';
import { prepareCase, type CaseSpec, type PreparedCase, type RunSample } from './cases';

// The child is this file as bench/build.js bundles it (out/bench-dist/caseChild.js): the engine inside
// bundled as dist/ bundles it, its worker.js beside it as in dist/. Built from the sources by the
// first CaseChild.start of the orchestrator, so a case never runs a stale bundle.
const CHILD_SCRIPT = path.resolve(__dirname, '..', 'bench-dist', 'caseChild.js');
const BUILD_SCRIPT = path.resolve(__dirname, '..', '..', 'bench', 'build.js');
let built = false;

if (require.main === module && process.argv[2] === '--case') childMain(JSON.parse(process.argv[3]) as CaseSpec);

function childMain(spec: CaseSpec): void {
  const fail = (err: unknown) =>
    process.send!({ type: 'error', message: (err as Error)?.stack ?? String(err) }, () => process.exit(1));
  prepareCase(spec).then((prepared: PreparedCase) => {
    process.on('message', (msg: string) => {
      if (msg === 'run') prepared.run().then((sample) => process.send!({ type: 'sample', sample }), fail);
      else if (msg === 'end') process.exit(0);
    });
    process.send!({ type: 'ready', info: prepared.info });
  }, fail);
}

/** One case's child process: prepared once, then one timed run per `run()`. */
export class CaseChild {
  info: PreparedCase['info'] = {};
  readonly samples: RunSample[] = [];
  private pending?: { resolve(s: RunSample): void; reject(e: Error): void };
  private exited: Promise<void>;

  private constructor(
    readonly spec: CaseSpec,
    private child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start(spec: CaseSpec, env: NodeJS.ProcessEnv = process.env): Promise<CaseChild> {
    if (!built) execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
    built = true;
    const child = fork(CHILD_SCRIPT, ['--case', JSON.stringify(spec)], {
      execArgv: ['--expose-gc'],
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const c = new CaseChild(spec, child);
    return new Promise((resolve, reject) => {
      let ready = false;
      child.on('message', (msg: { type: string; info?: PreparedCase['info']; sample?: RunSample; message?: string }) => {
        if (msg.type === 'ready') {
          ready = true;
          c.info = msg.info ?? {};
          resolve(c);
        } else if (msg.type === 'sample') {
          c.samples.push(msg.sample!);
          c.pending?.resolve(msg.sample!);
          c.pending = undefined;
        } else if (msg.type === 'error') {
          const err = new Error(`case ${JSON.stringify(spec)} failed:\n${msg.message}`);
          if (!ready) reject(err);
          c.pending?.reject(err);
          c.pending = undefined;
        }
      });
      child.once('exit', (code) => {
        const err = new Error(`case ${JSON.stringify(spec)}: its process exited (code ${code})`);
        if (!ready) reject(err);
        c.pending?.reject(err);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  run(): Promise<RunSample> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send('run');
    });
  }

  /** Ends the child and waits for it to exit, so its CPU time is counted in ours. */
  async end(): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) this.child.send('end');
    await this.exited;
  }
}

/**
 * Starts the cases, asks them for `runs` timed runs in turns, ends them; returns their samples in order.
 * Every other round goes in the reverse order, so no case always runs first (after the orchestrator's
 * pause) or always right after the same neighbour: samples[r] of every case still belong to round r.
 */
export async function rounds(specs: CaseSpec[], runs: number, env?: NodeJS.ProcessEnv): Promise<CaseChild[]> {
  const children: CaseChild[] = [];
  try {
    for (const spec of specs) children.push(await CaseChild.start(spec, env));
    for (let r = 0; r < runs; r++) for (const c of roundOrder(children, r)) await c.run();
  } finally {
    await Promise.all(children.map((c) => c.end()));
  }
  return children;
}

/** The order of round `r`: as given in even rounds, reversed in odd ones. */
export function roundOrder<T>(cases: readonly T[], r: number): T[] {
  return r % 2 ? [...cases].reverse() : [...cases];
}
