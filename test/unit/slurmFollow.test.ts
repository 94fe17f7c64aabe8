// Following Slurm runs through what goes wrong on a cluster (issue 11 review): a requeued task
// rewrites its journal; the apply file changes while the run goes; a cancelled run collected later;
// a run folder never submitted; --detach with no row to run; Slurm asked at most once a second; a
// late collect journals when the run started; the re-run hint keeps --mode slurm.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { readJournal } from '../../src/core/journal';
import { readLocator } from '../../src/core/locator';
import { runBatch } from '../../src/core/run';
import { attachSlurmRun, readRunFolder } from '../../src/core/slurm';
import { JournalTail } from '../../src/core/slurm/follow';
import { writeManifest } from '../../src/core/slurm/runFolder';
import { parseJobStatus, queryJob } from '../../src/core/slurm/scheduler';
import { applyFixture, essence, sleep, useTempDir, writeFixture, spawnCli, type CliRan } from './helpers';
import { useSlurmCluster } from './slurmHelpers';


function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliRan> {
  return spawnCli(args, { env, cwd }).done;
}

const LOCATOR = ['File Path,Tag', ...Array.from({ length: 6 }, (_, i) => `/data/r${i}.edf,${i === 5 ? 'bad' : 'ok'}`)].join('\n') + '\n';
const APPLY = `exports.apply = async (row, ctx) => {
  await new Promise((r) => setTimeout(r, Number(process.env.ROW_MS || 0)));
  if (row.Tag === 'bad') throw new Error('bad row ' + ctx.index);
  return 'v1 ' + ctx.index;
};
`;

const header = (pid: number) => JSON.stringify({ journal: 'locator-batch', version: 2, startedAt: new Date(pid).toISOString(), apply: 'a.js', mode: 'sequential', resultType: 'value', isPatch: false, total: 9, pid });
const record = (index: number) => JSON.stringify({ index, status: 'done', value: `row ${index} `.repeat(3), durationMs: 1 });

describe('following Slurm runs: journals rewritten under the follower (no cluster)', () => {
  const dir = useTempDir('slurm-follow');

  it('a journal written again by a requeued task (longer than what was read) is read again from its start, never mid-line', async () => {
    const file = path.join(dir(), '0.jsonl');
    writeFileSync(file, [header(1), record(0), record(1)].join('\n') + '\n');
    const tail = new JournalTail(file);
    assert.deepStrictEqual((await tail.read()).map((r) => r.index), [0, 1]);
    // The requeued task: a new header (startedAt, pid), and already more than the first attempt wrote.
    writeFileSync(file, [header(22222), record(0), record(1), record(2), record(3)].join('\n') + '\n');
    assert.deepStrictEqual((await tail.read()).map((r) => r.index), [0, 1, 2, 3]);
    assert.strictEqual(tail.header?.pid, 22222);
  });

  it('a line that cannot be read is not thrown: the journal is read again from the start on the next read', async () => {
    const file = path.join(dir(), '1.jsonl');
    writeFileSync(file, [header(1), record(0), '{"index": 1, "sta'].join('\n') + '\nnot json\n');
    const tail = new JournalTail(file);
    assert.deepStrictEqual((await tail.read()).map((r) => r.index), [0]);
    writeFileSync(file, [header(2), record(0), record(1)].join('\n') + '\n');
    assert.deepStrictEqual((await tail.read()).map((r) => r.index), [0, 1]);
  });

  it("reads scontrol's Restarts (how often a task was requeued)", () => {
    const s = parseJobStatus('JobId=8 ArrayJobId=7 ArrayTaskId=0 JobState=PENDING Reason=BeginTime Restarts=2 ExitCode=0:0\n', 1);
    assert.strictEqual(s.get(0)?.restarts, 2);
  });

  it('journals the same apply identity from any working directory (a task runs in its run folder)', async () => {
    const locator = writeFixture(dir(), 'cwd/data/rec.csv', LOCATOR);
    const apply = writeFixture(dir(), 'cwd/apply/len.js', APPLY);
    const applyHash = async (cwd: string, journal: string) => {
      await cli(['run', locator, '--apply', apply, '--mode', 'sequential', '--journal', journal, '--quiet'], {}, cwd);
      return (await readJournal(journal)).header.identity?.apply;
    };
    const fromApplyFolder = await applyHash(path.dirname(apply), path.join(dir(), 'cwd/a.jsonl'));
    assert.ok(fromApplyFolder);
    assert.strictEqual(await applyHash(dir(), path.join(dir(), 'cwd/b.jsonl')), fromApplyFolder);
  });
});

describe('following Slurm runs on a real cluster: requeue, a changed apply file, cancelled, never submitted, polling', function () {
  this.timeout(180_000);
  useSlurmCluster();
  const dir = useTempDir('slurm-follow-cluster');

  it('a task requeued mid-run (scontrol requeue) ends with every row done once, the run does not fail', async () => {
    const file = writeFixture(dir(), 'rq/rec.csv', LOCATOR.replace(',bad', ',ok'));
    const locator = await readLocator(file);
    const loaded = await applyFixture(dir(), 'rq/apply.js', `exports.apply = async (row, ctx) => { await new Promise((r) => setTimeout(r, 400)); return 'ok ' + ctx.index; };`);
    let jobId = '';
    const seen: number[] = [];
    const running = runBatch({
      mode: 'slurm', workers: 1, resultType: 'value', isPatch: false, onError: 'continue',
      rows: locator.rows, module: loaded.module, bundle: loaded.bundle, locatorPath: file,
      onRow: (r) => seen.push(r.index),
      slurm: { runsDir: path.join(dir(), 'rq/runs'), shards: 1, pollMinMs: 300, pollMaxMs: 1000, onSubmitted: (j) => (jobId = j.jobId) },
    });
    for (let i = 0; i < 600 && seen.length < 2; i++) await sleep(50);
    execFileSync('scontrol', ['requeue', `${jobId}_0`]);
    // A requeued job waits (BeginTime) before it may start again; let it start at once.
    for (let i = 0; i < 20; i++) {
      try {
        execFileSync('scontrol', ['update', `JobId=${jobId}_0`, 'StartTime=now'], { stdio: 'ignore' });
        break;
      } catch {
        await sleep(100); // still being requeued
      }
    }
    const out = await running;
    assert.deepStrictEqual(out.records.map(essence), locator.rows.map((_, i) => ({ index: i, status: 'done', value: `ok ${i}` })));
    assert.deepStrictEqual(out.counts, { total: 6, done: 6, skipped: 0, error: 0, timeout: 0, cancelled: 0 });
  });

  it('a task that starts after the apply file changed has its rows as errors saying so; the others are done', async () => {
    const locator = writeFixture(dir(), 'chg/rec.csv', LOCATOR.replace(',bad', ',ok'));
    const apply = writeFixture(dir(), 'chg/len.js', APPLY);
    const runs = path.join(dir(), 'chg/runs');
    // One task at a time: task 1 starts (and bundles the apply file) after task 0 ended.
    const ran = cli(['run', locator, '--apply', apply, '--mode', 'slurm', '--shards', '2', '--throttle', '1', '--runs-dir', runs, '--out', path.join(dir(), 'chg/out.json')], { ROW_MS: '500' });
    const task0 = () => (existsSync(runs) ? readdirSync(runs).map((f) => path.join(runs, f, 'journals/0.jsonl')).find(existsSync) : undefined);
    for (let i = 0; i < 600 && !task0(); i++) await sleep(50);
    assert.ok(task0(), 'task 0 started');
    writeFileSync(apply, APPLY.replace("'v1 '", "'v2 '"));
    const done = await ran;
    assert.strictEqual(done.code, 1, done.stderr);
    const rows = JSON.parse(readFileSync(path.join(dir(), 'chg/out.json'), 'utf8')).rows as Array<{ index: number; status: string; value?: string; error?: { message: string } }>;
    assert.deepStrictEqual(rows.slice(0, 3).map((r) => [r.status, r.value]), [['done', 'v1 0'], ['done', 'v1 1'], ['done', 'v1 2']]);
    for (const r of rows.slice(3)) {
      assert.strictEqual(r.status, 'error');
      assert.match(r.error!.message, /task 1 ran a different apply file than the one submitted \(.*len\.js changed since the run started\)/);
    }
  });

  it('collecting a cancelled run gives cancelled rows (not errors), and its journal says when the run started', async () => {
    const file = writeFixture(dir(), 'cc/rec.csv', LOCATOR);
    const locator = await readLocator(file);
    const loaded = await applyFixture(dir(), 'cc/apply.js', `exports.apply = async (row, ctx) => { if (ctx.index % 3) await new Promise((r) => setTimeout(r, 600_000)); return 'ok ' + ctx.index; };`);
    const controller = new AbortController();
    const seen: number[] = [];
    let folder = '';
    const running = runBatch({
      mode: 'slurm', workers: 1, resultType: 'value', isPatch: false, onError: 'continue',
      rows: locator.rows, module: loaded.module, bundle: loaded.bundle, locatorPath: file, signal: controller.signal,
      onRow: (r) => seen.push(r.index),
      slurm: { runsDir: path.join(dir(), 'cc/runs'), shards: 2, pollMinMs: 300, pollMaxMs: 1000, onSubmitted: (j) => (folder = j.runFolder) },
    });
    for (let i = 0; i < 600 && seen.length < 2; i++) await sleep(50);
    controller.abort();
    const first = await running;
    assert.deepStrictEqual(first.counts, { total: 6, done: 2, skipped: 0, error: 0, timeout: 0, cancelled: 4 });
    const manifest = await readRunFolder(folder);
    assert.strictEqual(manifest.endedBy, 'cancelled');

    await sleep(1100); // a later second than the run's start
    const journal = path.join(dir(), 'cc/collected.jsonl');
    const collected = await attachSlurmRun(folder, { journalPath: journal });
    assert.deepStrictEqual(collected.outcome.counts, { total: 6, done: 2, skipped: 0, error: 0, timeout: 0, cancelled: 4 });
    assert.strictEqual((await readJournal(journal)).header.startedAt, manifest.createdAt);
  });

  it('status of a run folder never submitted says so and exits 2', async () => {
    const folder = path.join(dir(), 'never');
    writeFixture(folder, 'locator.csv', LOCATOR);
    await writeManifest(folder, {
      kind: 'locator-batch-slurm-run', version: 1, jobId: '', snapshot: 'locator.csv', rowCount: 6, apply: 'len.js',
      settings: { mode: 'slurm', workers: 1, resultType: 'value', isPatch: false, onError: 'continue' },
      shards: [[0, 1, 2, 3, 4, 5]], reused: 0, sbatchArgs: [], setup: [], createdAt: new Date().toISOString(),
    });
    const status = await cli(['status', folder]);
    assert.strictEqual(status.code, 2, status.stdout + status.stderr);
    assert.match(status.stderr, /never submitted/);
    assert.doesNotMatch(status.stdout, /Still going/);
  });

  it('--detach with no row to run submits nothing: stdout empty, exit 0, the reason on stderr', async () => {
    const locator = writeFixture(dir(), 'none/rec.csv', LOCATOR.replace(',bad', ',ok'));
    const apply = writeFixture(dir(), 'none/len.js', APPLY);
    const journal = path.join(dir(), 'none/j.jsonl');
    const first = await cli(['run', locator, '--apply', apply, '--mode', 'sequential', '--journal', journal, '--out', path.join(dir(), 'none/o.json')]);
    assert.strictEqual(first.code, 0, first.stderr);
    const again = await cli(['run', locator, '--apply', apply, '--mode', 'slurm', '--resume', journal, '--detach', '--runs-dir', path.join(dir(), 'none/runs')]);
    assert.strictEqual(again.code, 0, again.stderr);
    assert.strictEqual(again.stdout, '');
    assert.match(again.stderr, /nothing submitted: every row already has a result/);
  });

  it('asks Slurm about one job at most once a second, however often it is asked', async () => {
    const t0 = Date.now();
    await Promise.all([queryJob('999999', 1), queryJob('999999', 1)]);
    await queryJob('999999', 1);
    assert.ok(Date.now() - t0 >= 1900, `three looks took ${Date.now() - t0} ms`);
  });

  it('the re-run hint after a foreground slurm run keeps --mode slurm', async () => {
    const locator = writeFixture(dir(), 'hint/rec.csv', LOCATOR);
    const apply = writeFixture(dir(), 'hint/len.js', APPLY);
    const ran = await cli(['run', locator, '--apply', apply, '--mode', 'slurm', '--shards', '2', '--runs-dir', path.join(dir(), 'hint/runs'), '--out', path.join(dir(), 'hint/o.json')]);
    assert.strictEqual(ran.code, 1, ran.stderr);
    assert.match(ran.stderr, /Re-run the rows without a result.*--mode slurm --rerun-failed /);
  });
});
