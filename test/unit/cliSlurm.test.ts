// The command line with Slurm, as a user runs it (`node dist/cli.js`, a real cluster): a slurm run
// writes what a sequential run writes; --detach prints the job id and the run folder last, status
// exits 3 while rows are pending and 0 once the run has ended, collect writes the results with the
// run's exit code; without sbatch, slurm mode is refused. And a local run killed with SIGKILL
// resumes from its journal: every row once, none of the journaled ones run again.
import * as assert from 'assert';
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { readJournal } from '../../src/core/journal';
import { readRunFolder } from '../../src/core/slurm';
import { linesOf, sleep, useTempDir, writeFixture, spawnCli } from './helpers';
import { useSlurmCluster } from './slurmHelpers';


const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnCli(args, { env });
const run = (args: string[], env?: NodeJS.ProcessEnv) => cli(args, env).done;

const LOCATOR = ['File Path,Tag', ...Array.from({ length: 8 }, (_, i) => `/data/r${i}.edf,${i === 5 ? 'bad' : 'ok'}`)].join('\n') + '\n';

// Each row takes a moment (so a detached run is still going when status first looks); row 5 fails.
const APPLY = `exports.apply = async (row, ctx) => {
  await new Promise((r) => setTimeout(r, Number(process.env.ROW_MS || 0)));
  if (row.Tag === 'bad') throw new Error('bad row ' + ctx.index);
  return row['File Path'].length * 10 + ctx.index;
};
`;

const report = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('command line with Slurm: run --mode slurm, --detach, status, collect', function () {
  this.timeout(180_000);
  useSlurmCluster();
  const dir = useTempDir('cli-slurm');

  it('a slurm run, and a detached one collected later, write what a sequential run writes (exit 1: a row failed)', async () => {
    const locator = writeFixture(dir(), 'data/rec.csv', LOCATOR);
    const apply = writeFixture(dir(), 'apply/len.js', APPLY);
    const out = (name: string) => path.join(dir(), name);

    const sequential = await run(['run', locator, '--apply', apply, '--mode', 'sequential', '--out', out('seq.json'), '--no-journal']);
    assert.strictEqual(sequential.code, 1, sequential.stderr);

    const slurm = await run(['run', locator, '--apply', apply, '--mode', 'slurm', '--shards', '3', '--out', out('slurm.json')]);
    assert.strictEqual(slurm.code, 1, slurm.stderr);
    assert.match(slurm.stderr, /Submitted Slurm job \d+; run folder: /);
    assert.match(slurm.stderr, /slurm mode/);
    assert.deepStrictEqual(report(out('slurm.json')), report(out('seq.json')));

    // Detached: the job id, then the run folder as the last line.
    const detached = await run(['run', locator, '--apply', apply, '--mode', 'slurm', '--shards', '4', '--detach'], { ROW_MS: '1500' });
    assert.strictEqual(detached.code, 0, detached.stderr);
    const lines = detached.stdout.trim().split('\n');
    const jobId = /^Submitted Slurm job (\d+)$/.exec(lines[0])?.[1];
    assert.ok(jobId, detached.stdout);
    const folder = lines[lines.length - 1];
    assert.ok(existsSync(path.join(folder, 'run.json')), `the last line is the run folder: ${folder}`);
    assert.strictEqual(path.dirname(folder), path.join(dir(), 'data', '.locator-batch', 'runs'), 'beside the locator by default');

    const going = await run(['status', folder]);
    assert.strictEqual(going.code, 3, `status while rows are pending: ${going.stdout}${going.stderr}`);
    assert.match(going.stdout, new RegExp(`Slurm job ${jobId}: 4 task\\(s\\)`));
    assert.match(going.stdout, /Rows: 8 · \d+ done, 0 skipped, \d+ failed, 0 cancelled, [1-8] pending/);
    assert.match(going.stdout, /Still going/);

    const collected = await run(['collect', folder, '--out', out('collected.json')]);
    assert.strictEqual(collected.code, 1, collected.stderr);
    assert.deepStrictEqual(report(out('collected.json')), report(out('seq.json')));
    assert.match(collected.stderr, /row 5: error: Error: bad row 5/);
    const manifest = await readRunFolder(folder);
    assert.strictEqual(manifest.endedBy, 'finished');
    assert.ok(manifest.journal && existsSync(manifest.journal), 'collect writes the run journal');
    assert.strictEqual((await readJournal(manifest.journal!)).records.size, 8);

    const over = await run(['status', folder]);
    assert.strictEqual(over.code, 0, over.stdout + over.stderr);
    assert.match(over.stdout, /Rows: 8 · 7 done, 0 skipped, 1 failed, 0 cancelled, 0 pending/);
    assert.match(over.stdout, /4 ended/);
  });

  it('refuses slurm mode where sbatch is not on PATH (exit 2, nothing submitted)', async () => {
    const locator = writeFixture(dir(), 'nos/rec.csv', LOCATOR);
    const apply = writeFixture(dir(), 'nos/len.js', APPLY);
    const ran = await run(['run', locator, '--apply', apply, '--mode', 'slurm', '--runs-dir', path.join(dir(), 'nos/runs')], { PATH: path.join(dir(), 'nos') });
    assert.strictEqual(ran.code, 2, ran.stderr);
    assert.match(ran.stderr, /slurm mode needs Slurm's sbatch on PATH/);
    assert.ok(!existsSync(path.join(dir(), 'nos/runs')), 'no run folder');
  });

  it("a job sbatch refuses (a partition that does not exist): sbatch's words, exit 2, no run folder left", async () => {
    const locator = writeFixture(dir(), 'bad/rec.csv', LOCATOR);
    const apply = writeFixture(dir(), 'bad/len.js', APPLY);
    const runs = path.join(dir(), 'bad/runs');
    const ran = await run(['run', locator, '--apply', apply, '--mode', 'slurm', '--runs-dir', runs, '--sbatch-arg=--partition=nope']);
    assert.strictEqual(ran.code, 2, ran.stderr);
    assert.match(ran.stderr, /invalid partition/i);
    assert.doesNotMatch(ran.stderr, /unexpected error/);
    assert.deepStrictEqual(readdirSync(runs), []);
  });
});

describe('command line: a run killed with SIGKILL, then --resume', function () {
  this.timeout(120_000);
  const dir = useTempDir('cli-kill');

  it('ends with every row once: none journaled before the kill runs again, none is lost', async () => {
    const n = 30;
    const locator = writeFixture(dir(), 'rec.csv', ['File Path', ...Array.from({ length: n }, (_, i) => `/data/k${i}.edf`)].join('\n') + '\n');
    const sideEffects = path.join(dir(), 'applied.txt');
    const apply = writeFixture(
      dir(),
      'apply.js',
      `const fs = require('fs');
exports.apply = async (row, ctx) => {
  await new Promise((r) => setTimeout(r, 80));
  fs.appendFileSync(${JSON.stringify(sideEffects)}, ctx.index + '\\n');
  return 'done ' + ctx.index;
};
`,
    );
    const journal = path.join(dir(), 'run.jsonl');
    const first = cli(['run', locator, '--apply', apply, '--mode', 'sequential', '--journal', journal, '--quiet']);
    for (let i = 0; i < 300 && linesOf(sideEffects).length < 12; i++) await sleep(20);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.strictEqual(killed.code, null, 'killed, not ended');
    const journaled = [...(await readJournal(journal)).records.keys()];
    const appliedBefore = linesOf(sideEffects).map(Number);
    assert.ok(journaled.length >= 5 && journaled.length < n, `the journal stops short: ${journaled.length} rows`);

    const resumed = await run(['run', locator, '--apply', apply, '--mode', 'sequential', '--resume', journal, '--no-journal', '--out', path.join(dir(), 'out.json')]);
    assert.strictEqual(resumed.code, 0, resumed.stderr);
    const out = report(path.join(dir(), 'out.json'));
    assert.deepStrictEqual(out.results, Array.from({ length: n }, (_, i) => `done ${i}`), 'every row has its result, in order');

    const applied = linesOf(sideEffects).map(Number);
    const times = (i: number) => applied.filter((x) => x === i).length;
    for (const i of journaled) assert.strictEqual(times(i), 1, `row ${i} (journaled before the kill) ran once`);
    for (let i = 0; i < n; i++) assert.ok(times(i) >= 1, `row ${i} ran`);
    // A row that finished but was not yet journaled when the process died runs again (at most the
    // last ~100 ms of rows: the journal's write interval); nothing else does.
    const twice = [...new Set(applied.filter((i) => times(i) > 1))];
    assert.ok(twice.every((i) => appliedBefore.includes(i) && !journaled.includes(i)), `run twice: ${twice}`);
    assert.ok(twice.length <= 2, `run twice: ${twice}`);
  });
});
