// One benchmark case in its own Node child process (with --expose-gc): it builds its rows and
// bundles its apply file once (./cases.ts), warms up, then does one timed run each time it is
// asked. This file is both sides: run as a child (`--case SPEC`) it serves the case; imported, it
// gives the orchestrator CaseChild and rounds().
import { execFileSync, fork, type ChildProcess } from 'child_process';
import * as path from 'path';
import { prepareCase, type CaseSpec, type PreparedCase, type RunSample } from './cases';
import { machineMeter } from './machineShare';
import { endIdleWorkers } from '../src/core/run';

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
      // A kept or pre-started pool ends first: workers left behind would be reparented away from our
      // process tree, and their CPU time counted as other processes' (machineShare.ts).
      else if (msg === 'end') void endIdleWorkers().finally(() => process.exit(0));
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

/** One metered round: others' largest share during its runs, and its samples (a round set aside keeps them for the report). */
export interface RedoneRound {
  /** Largest share of the machine other processes took during one of the round's runs. */
  othersShare: number;
  /** Each case's sample of that round, in the order of the specs. */
  samples: RunSample[];
}

export interface RoundsOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Re-run a round when, during one of its runs (the case's untimed preparation of the run included),
   * other processes took more than this share of all the machine's cores, up to `runs` extra rounds. When that still leaves fewer
   * than `runs` undisturbed rounds, every round is kept as measured and none is set aside.
   */
  redoAbove?: number;
}

export interface RoundsResult extends Array<CaseChild> {
  /** Others' largest share of the machine in each kept round (samples[r] of every case is round r). */
  othersShare: number[];
  /** Rounds set aside as disturbed, with their figures. */
  redone: RedoneRound[];
}

/**
 * Starts the cases, asks them for `runs` timed runs in turns, ends them; returns their samples in order.
 * Every other round goes in the reverse order, so no case always runs first (after the orchestrator's
 * pause) or always right after the same neighbour: samples[r] of every case still belong to round r.
 * Each run is metered (machineShare.ts), so a round's disturbance is known and reported.
 */
export async function rounds(specs: CaseSpec[], runs: number, opts: RoundsOptions = {}): Promise<RoundsResult> {
  const children: CaseChild[] = [];
  const all: RedoneRound[] = [];
  try {
    for (const spec of specs) children.push(await CaseChild.start(spec, opts.env));
    const maxRounds = opts.redoAbove === undefined ? runs : 2 * runs;
    const undisturbed = () => all.filter((r) => !disturbed(r, opts.redoAbove)).length;
    for (let r = 0; r < maxRounds && undisturbed() < runs; r++) {
      const samples: RunSample[] = new Array(children.length);
      let worst = NaN; // stays NaN only where no run could be metered
      // A round run again keeps the order of the round it replaces, so the judged rounds still alternate.
      for (const c of roundOrder(children, undisturbed())) {
        const meter = machineMeter();
        samples[children.indexOf(c)] = await c.run();
        const share = meter().othersShare;
        if (Number.isNaN(worst) || share > worst) worst = share;
      }
      all.push({ othersShare: worst, samples });
    }
  } finally {
    await Promise.all(children.map((c) => c.end()));
  }
  const { kept, redone } = judgeRounds(all, runs, opts.redoAbove);
  children.forEach((c, i) => c.samples.splice(0, c.samples.length, ...kept.map((r) => r.samples[i])));
  return Object.assign(children, { othersShare: kept.map((r) => r.othersShare), redone });
}

/** Others took more than `redoAbove` (never when not asked, or not measured: NaN). */
function disturbed(r: { othersShare: number }, redoAbove?: number): boolean {
  return redoAbove !== undefined && r.othersShare > redoAbove;
}

/**
 * The rounds to judge and those set aside: with `redoAbove`, the rounds where others stayed at or
 * under it, once there are `runs` of them; otherwise (or without it) every round as measured.
 * NaN (no /proc) counts as undisturbed: nothing is set aside where nothing could be measured.
 */
export function judgeRounds<T extends { othersShare: number }>(all: T[], runs: number, redoAbove?: number): { kept: T[]; redone: T[] } {
  if (redoAbove === undefined) return { kept: all, redone: [] };
  const undisturbed = all.filter((r) => !disturbed(r, redoAbove));
  if (undisturbed.length < runs) return { kept: all, redone: [] };
  return { kept: undisturbed, redone: all.filter((r) => disturbed(r, redoAbove)) };
}

/** The order of round `r`: as given in even rounds, reversed in odd ones. */
export function roundOrder<T>(cases: readonly T[], r: number): T[] {
  return r % 2 ? [...cases].reverse() : [...cases];
}
