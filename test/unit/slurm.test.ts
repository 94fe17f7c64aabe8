// The Slurm backend on a real one-node cluster (scripts/slurm.sh): a run in slurm mode gives what a
// sequential run gives; a task cancelled, a task exiting non-zero and a task over its time limit
// each turn their unfinished rows into errors naming the job, the task and Slurm's state while the
// other rows are done; Cancel and the stop policy are scancel; Re-run Failed Rows runs only those rows.
// Without a cluster: the refusal without sbatch, Slurm options in layers, reading scontrol.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { appendFileSync, chmodSync, existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { readJournal } from '../../src/core/journal';
import { readLocator } from '../../src/core/locator';
import { runBatch, shapeResults, type RunOptions, type RunOutcome } from '../../src/core/run';
import { defaultShardCount, listRunFolders, readRunFolder, slurmAvailable, summarizeStates } from '../../src/core/slurm';
import { splitShards } from '../../src/core/slurm/runFolder';
import { prepareRun, type RunRequest } from '../../src/session/lifecycle';
import { RunRefusal } from '../../src/session/refusal';
import { offeredModes } from '../../src/session/slurm';
import { expandTaskIds, parseJobStatus } from '../../src/core/slurm/scheduler';
import { applyFixture, essence, linesOf, sleep, useTempDir, writeFixture, type Loaded } from './helpers';
import { EXAMPLE_LOCATOR, PYTHON_FIXTURES, loadPy } from './pythonHelpers';
import { queuedJobs, useSlurmCluster } from './slurmHelpers';

/** Twelve rows: rows 3 and 7 are "Failed" (the condition skips them), row 10 returns nothing. */
const LOCATOR = ['File Path,Tag,Check,Rate', ...Array.from({ length: 12 }, (_, i) => `/data/s${i}.edf,${i % 2 ? 'odd' : 'even'},${i === 3 || i === 7 ? 'Failed' : 'Completed'},${100 + i}`)].join('\n') + '\n';

const SHAPES_JS = `
exports.condition = (row) => row.Check === 'Completed';
exports.apply = (row, ctx) => {
  if (ctx.index === 10) return undefined;
  if (process.env.SHAPE === 'series') return { ...row, Double: Number(row.Rate) * 2, Index: ctx.index, Locator: ctx.locatorPath };
  return Number(row.Rate) * 2 + ctx.index / 4;
};
`;

async function locatorAt(dir: string, rel: string, text = LOCATOR) {
  const file = writeFixture(dir, rel, text);
  return { file, locator: await readLocator(file) };
}

function slurmRun(dir: string, base: Partial<RunOptions> & Pick<RunOptions, 'rows'>, slurm: Partial<NonNullable<RunOptions['slurm']>> = {}) {
  return runBatch({
    mode: 'slurm',
    workers: 1,
    resultType: 'value',
    isPatch: false,
    onError: 'continue',
    ...base,
    slurm: { runsDir: path.join(dir, 'runs'), pollMinMs: 300, pollMaxMs: 1000, ...slurm },
  });
}

const byIndex = (out: RunOutcome) => out.records.map(essence);

describe('slurm mode on a real cluster', function () {
  this.timeout(180_000);
  useSlurmCluster();
  const dir = useTempDir('slurm');

  it('gives what a sequential run gives: value and series, with and without patch (JS), and a journal like any other', async () => {
    const { file, locator } = await locatorAt(dir(), 'eq/rec.csv');
    // The apply file reads SHAPE when it loads; tasks inherit this process's environment through sbatch.
    const cases = [['value', false], ['value', true], ['series', false], ['series', true]] as const;
    for (const [resultType, isPatch] of cases) {
      process.env.SHAPE = resultType;
      const loaded: Loaded = await applyFixture(dir(), `eq/apply-${resultType}-${isPatch}.js`, SHAPES_JS);
      const base = { rows: locator.rows, module: loaded.module, bundle: loaded.bundle, locatorPath: file, resultType, isPatch };
      const sequential = await runBatch({ ...base, mode: 'sequential', workers: 0, onError: 'continue' });
      const journalPath = path.join(dir(), `eq/${resultType}-${isPatch}.jsonl`);
      const submitted: string[] = [];
      const slurm = await slurmRun(dir(), { ...base, journalPath }, { shards: 3, onSubmitted: (j) => submitted.push(j.jobId) });
      assert.strictEqual(slurm.effectiveMode, 'slurm');
      assert.strictEqual(submitted.length, 1, 'one job array submitted');
      assert.deepStrictEqual(byIndex(slurm), byIndex(sequential), `${resultType}${isPatch ? ' patch' : ''}: records`);
      assert.deepStrictEqual(
        shapeResults(slurm.records, locator.rows, locator.columns, resultType, isPatch),
        shapeResults(sequential.records, locator.rows, locator.columns, resultType, isPatch),
        `${resultType}${isPatch ? ' patch' : ''}: shaped results`,
      );
      assert.deepStrictEqual(slurm.counts, sequential.counts);
      const journal = await readJournal(journalPath);
      assert.strictEqual(journal.header.mode, 'slurm');
      assert.deepStrictEqual([...journal.records.values()].sort((a, b) => a.index - b.index).map(essence), byIndex(sequential));
    }
    delete process.env.SHAPE;
    const runs = await listRunFolders(path.join(dir(), 'runs'), file);
    assert.strictEqual(runs.length, 4, 'a run folder per run, listed for the locator');
    assert.ok(runs.every((r) => r.ended && r.manifest.endedBy === 'finished'), 'each run folder records its end');
    assert.deepStrictEqual(runs[0].manifest.shards.flat().sort((a, b) => a - b), [...Array(12).keys()], 'the shards cover every row once');
  });

  it('gives what a sequential run gives with a Python apply file (value, and series with patch; one and two processes per task)', async () => {
    const locatorPath = writeFixture(dir(), 'py/example_locator.csv', readFileSync(EXAMPLE_LOCATOR, 'utf8'));
    const locator = await readLocator(locatorPath);
    const cases = [['compare_value.py', 'value', false, 1], ['compare_series.py', 'series', true, 2]] as const;
    for (const [fixture, resultType, isPatch, workers] of cases) {
      const python = await loadPy(path.join(PYTHON_FIXTURES, fixture));
      const base = { rows: locator.rows, python, locatorPath, resultType, isPatch } as const;
      const sequential = await runBatch({ ...base, mode: 'sequential', workers: 0, onError: 'continue' });
      const runsDir = path.join(dir(), `py-runs-${workers}`);
      const slurm = await slurmRun(dir(), { ...base, workers }, { shards: 3, runsDir });
      // Each task ran its shard the way `workers` says: in a pool of Python processes, or one row at a time.
      const [folder] = await listRunFolders(runsDir, locatorPath);
      for (const task of [0, 1, 2]) {
        const journal = await readJournal(path.join(folder.folder, 'journals', `${task}.jsonl`));
        assert.strictEqual(journal.header.mode, workers > 1 ? 'process' : 'sequential', `${fixture}: task ${task}'s mode`);
      }
      assert.ok(sequential.counts.done > 5, `${fixture}: rows ran`);
      assert.deepStrictEqual(byIndex(slurm), byIndex(sequential), `${fixture}: records`);
      assert.deepStrictEqual(
        shapeResults(slurm.records, locator.rows, locator.columns, resultType, isPatch),
        shapeResults(sequential.records, locator.rows, locator.columns, resultType, isPatch),
      );
    }
  });

  it('a task cancelled, a task that exits non-zero and a task over its time limit give errors naming job, task and state; the rest is done', async () => {
    // Four shards of three rows. Task 1's rows wait (it is scancelled), task 2 exits with 3 on its
    // second row, task 3's rows wait (its time limit is set to 0). Task 0 finishes.
    const markers = path.join(dir(), 'fail/started.txt');
    const { file, locator } = await locatorAt(dir(), 'fail/rec.csv');
    const loaded = await applyFixture(
      dir(),
      'fail/apply.js',
      `const fs = require('fs');
exports.apply = async (row, ctx) => {
  fs.appendFileSync(${JSON.stringify(markers)}, ctx.index + '\\n');
  // The engine turns process.exit() in apply into a row error; a crash of the task is this:
  if (ctx.index === 7) { console.error('giving up on row 7'); process.reallyExit(3); }
  if (ctx.index >= 3 && ctx.index < 6 || ctx.index >= 9) await new Promise((r) => setTimeout(r, 600_000));
  return ctx.index;
};`,
    );
    let jobId = '';
    const running = slurmRun(dir(), { rows: locator.rows, module: loaded.module, bundle: loaded.bundle, locatorPath: file }, {
      shards: 4,
      onSubmitted: (j) => (jobId = j.jobId),
    });
    // Wait until tasks 1 and 3 have begun their first rows, then cancel task 1 and time out task 3.
    for (let i = 0; i < 600 && !(linesOf(markers).includes('3') && linesOf(markers).includes('9')); i++) await sleep(100);
    assert.ok(jobId, 'submitted');
    execFileSync('scancel', [`${jobId}_1`]);
    execFileSync('scontrol', ['update', `JobId=${jobId}_3`, 'TimeLimit=0']);
    const out = await running;
    const rec = (i: number) => out.records[i];
    for (const i of [0, 1, 2, 6]) assert.deepStrictEqual(essence(rec(i)), { index: i, status: 'done', value: i }, `row ${i} done`);
    const expectError = (i: number, task: number, state: string) => {
      assert.strictEqual(rec(i).status, 'error', `row ${i}`);
      const msg = rec(i).error!.message;
      assert.match(msg, new RegExp(`Slurm job ${jobId}, task ${task} ended ${state}`), `row ${i}: ${msg}`);
      assert.strictEqual(rec(i).error!.code, state);
    };
    for (const i of [3, 4, 5]) expectError(i, 1, 'CANCELLED');
    for (const i of [7, 8]) expectError(i, 2, 'FAILED');
    assert.match(rec(7).error!.message, /exit code 3:0/);
    assert.match(rec(7).error!.message, /giving up on row 7/, 'the log tail is in the message');
    for (const i of [9, 10, 11]) expectError(i, 3, 'TIMEOUT');
    assert.strictEqual(out.endedBy, 'finished');
    assert.deepStrictEqual(out.counts, { total: 12, done: 4, skipped: 0, error: 8, timeout: 0, cancelled: 0 });
  });

  it('Cancel is scancel of the job: finished rows are kept, the others cancelled', async () => {
    const markers = path.join(dir(), 'cancel/ran.txt');
    const { file, locator } = await locatorAt(dir(), 'cancel/rec.csv');
    const loaded = await applyFixture(
      dir(),
      'cancel/apply.js',
      `const fs = require('fs');
exports.apply = async (row, ctx) => {
  if (ctx.index % 6 !== 0) await new Promise((r) => setTimeout(r, 600_000));
  fs.appendFileSync(${JSON.stringify(markers)}, ctx.index + '\\n');
  return 'ok ' + ctx.index;
};`,
    );
    const controller = new AbortController();
    let jobId = '';
    const seen: number[] = [];
    const running = slurmRun(
      dir(),
      { rows: locator.rows, module: loaded.module, bundle: loaded.bundle, locatorPath: file, signal: controller.signal, onRow: (r) => seen.push(r.index) },
      { shards: 2, onSubmitted: (j) => (jobId = j.jobId) },
    );
    for (let i = 0; i < 600 && seen.length < 2; i++) await sleep(100);
    controller.abort();
    const out = await running;
    assert.strictEqual(out.endedBy, 'cancelled');
    assert.deepStrictEqual(essence(out.records[0]), { index: 0, status: 'done', value: 'ok 0' });
    assert.deepStrictEqual(essence(out.records[6]), { index: 6, status: 'done', value: 'ok 6' });
    assert.deepStrictEqual(out.counts, { total: 12, done: 2, skipped: 0, error: 0, timeout: 0, cancelled: 10 });
    for (let i = 0; i < 50 && queuedJobs().includes(jobId); i++) await sleep(200);
    assert.ok(!queuedJobs().includes(jobId), `job ${jobId} is gone from the queue`);
    const runs = await listRunFolders(path.join(dir(), 'runs'), file);
    assert.strictEqual(runs[0].manifest.endedBy, 'cancelled');
  });

  it('the stop policy cancels the job at the first failed row: that row is an error, rows not finished are cancelled', async () => {
    const { file, locator } = await locatorAt(dir(), 'stop/rec.csv');
    const loaded = await applyFixture(
      dir(),
      'stop/apply.js',
      `exports.apply = async (row, ctx) => {
  if (ctx.index === 0) throw new Error('first row fails');
  await new Promise((r) => setTimeout(r, 600_000));
};`,
    );
    let jobId = '';
    const out = await slurmRun(dir(), { rows: locator.rows, module: loaded.module, bundle: loaded.bundle, locatorPath: file, onError: 'stop' }, {
      shards: 3,
      onSubmitted: (j) => (jobId = j.jobId),
    });
    assert.strictEqual(out.endedBy, 'stopped');
    assert.strictEqual(out.records[0].status, 'error');
    assert.match(out.records[0].error!.message, /first row fails/);
    assert.deepStrictEqual(out.counts, { total: 12, done: 0, skipped: 0, error: 1, timeout: 0, cancelled: 11 });
    for (let i = 0; i < 50 && queuedJobs().includes(jobId); i++) await sleep(200);
    assert.ok(!queuedJobs().includes(jobId), `job ${jobId} was cancelled`);
  });

  it('re-running failed rows submits an array over those rows only', async () => {
    const sideEffects = path.join(dir(), 'rerun/applied.txt');
    const fixed = path.join(dir(), 'rerun/fixed');
    const { file, locator } = await locatorAt(dir(), 'rerun/rec.csv');
    const loaded = await applyFixture(
      dir(),
      'rerun/apply.js',
      `const fs = require('fs');
exports.apply = (row, ctx) => {
  fs.appendFileSync(${JSON.stringify(sideEffects)}, ctx.index + '\\n');
  if (row.Tag === 'odd' && !fs.existsSync(${JSON.stringify(fixed)})) throw new Error('odd row ' + ctx.index);
  return ctx.index * 10;
};`,
    );
    const base = { rows: locator.rows, module: loaded.module, bundle: loaded.bundle, locatorPath: file };
    const first = await slurmRun(dir(), base, { shards: 3 });
    assert.deepStrictEqual(first.counts, { total: 12, done: 6, skipped: 0, error: 6, timeout: 0, cancelled: 0 });
    appendFileSync(fixed, 'yes');
    const before = linesOf(sideEffects).length;
    const second = await slurmRun(dir(), { ...base, previous: first.records }, { shards: 3 });
    const rerun = linesOf(sideEffects).slice(before).map(Number).sort((a, b) => a - b);
    assert.deepStrictEqual(rerun, [1, 3, 5, 7, 9, 11], 'only the failed rows ran again');
    assert.deepStrictEqual(second.records.map((r) => r.value), [...Array(12).keys()].map((i) => i * 10));
    assert.deepStrictEqual(second.records.filter((r) => r.reused).map((r) => r.index), [0, 2, 4, 6, 8, 10]);
    const [latest] = await listRunFolders(path.join(dir(), 'runs'), file);
    const manifest = await readRunFolder(latest.folder);
    assert.deepStrictEqual(manifest.shards.flat().sort((a, b) => a - b), [1, 3, 5, 7, 9, 11], 'the new array covers the failed rows only');
    assert.strictEqual(manifest.reused, 6);
    assert.ok(existsSync(path.join(latest.folder, 'previous.jsonl')));
  });
});

describe('slurm mode in the session: refusal without sbatch, options in layers (no cluster)', () => {
  const dir = useTempDir('slurm-session');
  const request = (over: Partial<RunRequest> = {}): RunRequest => {
    const locatorPath = writeFixture(dir(), 'data/rec.csv', LOCATOR);
    return {
      locatorPath,
      readLocator: () => readLocator(locatorPath),
      applyFile: writeFixture(dir(), 'apply/id.js', 'exports.apply = (row, ctx) => ctx.index;\n'),
      trusted: true,
      choice: { mode: 'slurm' },
      ...over,
    };
  };

  it("refuses slurm mode where sbatch is not on PATH ('no-slurm', saying how to fix it)", async () => {
    const saved = process.env.PATH;
    process.env.PATH = dir();
    try {
      await assert.rejects(prepareRun(request()), (err: unknown) => {
        assert.ok(err instanceof RunRefusal);
        assert.strictEqual(err.kind, 'no-slurm');
        assert.match(err.message, /sbatch on PATH.*Remote-SSH.*module load slurm/s);
        return true;
      });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('the run bar and the palette offer slurm only where sbatch is on PATH', () => {
    assert.deepStrictEqual(offeredModes({ PATH: dir() }), ['sequential', 'async', 'process']);
    const bin = path.dirname(writeFixture(dir(), 'bin/sbatch', '#!/bin/sh\nexit 0\n'));
    chmodSync(path.join(bin, 'sbatch'), 0o755);
    assert.deepStrictEqual(offeredModes({ PATH: `${dir()}${path.delimiter}${bin}` }), ['sequential', 'async', 'process', 'slurm']);
  });

  it("takes shards and throttle from the user's settings (locatorBatch.slurm.*) unless the run chooses them", async function () {
    if (!slurmAvailable()) this.skip();
    const fromSettings = await prepareRun(request({ user: { slurm: { shards: 5, throttle: 2 } } }));
    assert.strictEqual(fromSettings.slurm!.shards, 5);
    assert.strictEqual(fromSettings.slurm!.throttle, 2);
    const chosen = await prepareRun(request({ user: { slurm: { shards: 5, throttle: 2 } }, slurm: { shards: 3 } }));
    assert.strictEqual(chosen.slurm!.shards, 3);
    assert.strictEqual(chosen.slurm!.throttle, 2);
  });

  it("resolves Slurm's options: the settings' sbatch arguments then the choice's, setup from the highest layer, runs dir beside the locator", async function () {
    if (!slurmAvailable()) this.skip();
    const prepared = await prepareRun(
      request({
        user: { slurm: { sbatchArgs: ['--partition=long', '--time=1:00:00'], setup: ['module load nodejs'] } },
        slurm: { shards: 3, sbatchArgs: ['--time=0:10:00'] },
      }),
    );
    assert.strictEqual(prepared.resolved.settings.workers, 1, 'one process per task unless chosen');
    assert.deepStrictEqual(prepared.slurm!.sbatchArgs, ['--partition=long', '--time=1:00:00', '--time=0:10:00']);
    assert.deepStrictEqual(prepared.slurm!.setup, ['module load nodejs']);
    assert.strictEqual(prepared.slurm!.shards, 3);
    assert.strictEqual(prepared.slurm!.runsDir, path.join(dir(), 'data', '.locator-batch', 'runs'));
    const chosen = await prepareRun(request({ user: { slurm: { setup: ['a'] } }, slurm: { setup: ['b'] } }));
    assert.deepStrictEqual(chosen.slurm!.setup, ['b']);
    await assert.rejects(prepareRun(request({ slurm: { shards: 0 } })), /shards must be a whole number > 0/);
  });
});

describe('slurm mode: reading Slurm and splitting rows (no cluster)', () => {
  it("reads scontrol's task states: one line a started task, one for the pending ones", () => {
    const text = [
      'JobId=9 ArrayJobId=9 ArrayTaskId=4-7%2 ArrayTaskThrottle=2 JobState=PENDING Reason=JobArrayTaskLimit ExitCode=0:0',
      'JobId=12 ArrayJobId=9 ArrayTaskId=3 JobState=RUNNING Reason=None ExitCode=0:0',
      'JobId=11 ArrayJobId=9 ArrayTaskId=1 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0',
      'JobId=10 ArrayJobId=9 ArrayTaskId=0 JobState=COMPLETED Reason=None ExitCode=0:0',
      '',
    ].join('\n');
    const states = parseJobStatus(text, 8);
    assert.deepStrictEqual([...states.keys()].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.strictEqual(states.get(1)!.state, 'FAILED');
    assert.strictEqual(states.get(1)!.exitCode, '3:0');
    assert.strictEqual(states.get(2)!.state, 'PENDING', 'a task on no line is pending');
    assert.strictEqual(states.get(6)!.state, 'PENDING');
    assert.deepStrictEqual(summarizeStates('9', states), { jobId: '9', pending: 5, running: 1, ended: 2, failed: 1 });
    assert.deepStrictEqual(expandTaskIds('1,3,5-6'), [1, 3, 5, 6]);
    assert.deepStrictEqual(expandTaskIds('0-9:4%2'), [0, 4, 8]);
  });

  it('splits rows into contiguous shards of near-equal size, never an empty one', () => {
    assert.deepStrictEqual(splitShards([1, 3, 5, 7, 9, 11], 4), [[1], [3, 5], [7], [9, 11]]);
    assert.deepStrictEqual(splitShards([2, 4], 5), [[2], [4]]);
    assert.strictEqual(defaultShardCount(250), 3);
    assert.strictEqual(defaultShardCount(1_000_000), 1000, 'under MaxArraySize (1001 by default)');
  });
});
