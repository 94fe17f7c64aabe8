// The command-line runner as a user runs it: `node dist/cli.js run ...` in a real child process,
// on real files. Exit codes (0 all rows succeeded, 1 a row failed or the run ended early, 2 bad
// arguments or input with nothing written), --out in JSON and CSV, the report on stdout, the
// progress bar on a terminal, Ctrl+C keeping finished rows, and --resume running only what failed.
import * as assert from 'assert';
import { spawnSync, type ChildProcess } from 'child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'csv-parse/sync';
import { sleep, useTempDir, writeFixture, spawnCli, type CliRan } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

const HEADER = ['File Path', 'Domain Tag', 'Completeness Check', 'Sampling Rate'];
/** Eight rows; rows 2 and 5 are not "Completed" (the condition skips them), row 6 is tagged "bad". */
const ROWS: string[][] = [
  ['/data/a/s01.fif', 'mi', 'Completed', '250'],
  ['/data/a/s02.fif', 'mi', 'Completed', '250'],
  ['/data/b/sleep, night 1.edf', 'sleep', 'Unavailable', '100'],
  ['/data/b/n2.edf', 'sleep', 'Completed', '100'],
  ['/data/c/"quoted".csv', 'csv', 'Completed', '500'],
  ['/data/c/r5.csv', 'csv', 'Failed', '500'],
  ['/data/c/r6.csv', 'bad', 'Completed', '500'],
  ['/data/c/r7.csv', 'csv', 'Completed', '500'],
];
const PICKED = ROWS.map((r, i) => (r[2] === 'Completed' ? i : -1)).filter((i) => i >= 0);

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const LOCATOR_TEXT = [HEADER, ...ROWS].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

// The length of each row's File Path; rows tagged "bad" throw on line 7 of this file.
const LENGTH_TS = `export const defaults = { mode: 'process', workers: 2 } as const;
type Row = Record<string, string>;
export function condition(row: Row): boolean {
  return row['Completeness Check'] === 'Completed';
}
export function apply(row: Row): number {
  if (row['Domain Tag'] === 'bad') throw new Error('bad row: ' + row['File Path']);
  return row['File Path'].length;
}
`;
const lengthOf = (i: number) => ROWS[i][0].length;

type Ran = CliRan;

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Ran> } {
  return spawnCli(args, { cwd, env });
}

const run = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => cli(args, cwd, env).done;

interface Report {
  results: unknown;
  rows: Array<{ index: number; status: string; value?: unknown; error?: { message: string; location?: { file: string; line: number } } }>;
}
const readJson = (file: string): Report => JSON.parse(readFileSync(file, 'utf8'));

describe('command line: node dist/cli.js run', function () {
  this.timeout(60_000);
  const dir = useTempDir('cli');
  let locator: string;
  let applyTs: string;

  before(function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
    locator = writeFixture(dir(), 'data/rec.locator.csv', LOCATOR_TEXT);
    applyTs = writeFixture(dir(), 'apply/length.ts', LENGTH_TS);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await run(['--help'], dir());
    assert.strictEqual(r.code, 0);
    assert.match(r.stdout, /Usage: locator-batch run LOCATOR --apply FILE/);
    assert.match(r.stdout, /--mode MODE\s+sequential \| async \| process/);
  });

  it('value results in process mode (the file\'s defaults): --out x.json holds what batch_process returns and every row\'s status, in row order; a failing row gives exit 1 and fails alone', async () => {
    const out = path.join(dir(), 'value.json');
    const r = await run(['run', locator, '--apply', applyTs, '--out', out, '--no-journal'], dir());
    assert.strictEqual(r.code, 1, `exit 1: row 6 failed\n${r.stderr}`);
    const report = readJson(out);
    // batch_process without patch drops the rows that gave nothing (skipped, failed).
    const ok = PICKED.filter((i) => ROWS[i][1] !== 'bad');
    assert.deepStrictEqual(report.results, ok.map(lengthOf));
    assert.deepStrictEqual(report.rows.map((x) => x.index), ROWS.map((_, i) => i), 'one entry per row, in row order');
    report.rows.forEach((x, i) => {
      const want = ROWS[i][2] !== 'Completed' ? 'skipped' : ROWS[i][1] === 'bad' ? 'error' : 'done';
      assert.strictEqual(x.status, want, `row ${i}`);
      if (want === 'done') assert.strictEqual(x.value, lengthOf(i), `row ${i} value`);
    });
    const failed = report.rows[6].error!;
    assert.strictEqual(failed.message, `bad row: ${ROWS[6][0]}`);
    assert.deepStrictEqual([path.basename(failed.location!.file), failed.location!.line], ['length.ts', 7], 'the error points at the user\'s .ts line');
    // The summary on stderr says what happened and where.
    assert.match(r.stderr, /Finished: 5 done, 1 error, 2 skipped in (\d+ ms|[\d.]+ s) · process mode/);
    assert.match(r.stderr, /row 6: error: Error: bad row: .*length\.ts:7:/);
  });

  it('--patch keeps an entry per row (null where nothing came back); without --out the report goes to stdout', async () => {
    const r = await run(['run', locator, '--apply', applyTs, '--patch', '--mode', 'async', '--workers', '3', '--quiet', '--no-journal'], dir());
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stderr, '', '--quiet: nothing on stderr');
    const report = JSON.parse(r.stdout) as Report;
    assert.deepStrictEqual(
      report.results,
      ROWS.map((row, i) => (row[2] === 'Completed' && row[1] !== 'bad' ? lengthOf(i) : null)),
    );
  });

  it('--out x.csv with value results: the locator with a result column, every value on its own row, other cells byte for byte', async () => {
    const out = path.join(dir(), 'with-length.csv');
    const r = await run(['run', locator, '--apply', applyTs, '--mode', 'sequential', '--column', 'path_length', '--out', out, '--no-journal'], dir());
    assert.strictEqual(r.code, 1);
    const text = readFileSync(out, 'utf8');
    const records: string[][] = parse(text);
    assert.deepStrictEqual(records[0], [...HEADER, 'path_length']);
    ROWS.forEach((row, i) => {
      const want = row[2] === 'Completed' && row[1] !== 'bad' ? String(lengthOf(i)) : '';
      assert.deepStrictEqual(records[i + 1], [...row, want], `row ${i}`);
    });
    // The original text is kept where nothing changed: each line starts as it did.
    const before = LOCATOR_TEXT.split('\n');
    text.split('\n').slice(1, -1).forEach((line, i) => assert.ok(line.startsWith(before[i + 1] + ','), `line ${i + 2} kept: ${line}`));
  });

  it('a locator with a quote inside an unquoted field runs as pandas reads it: a warning on stderr (even with --quiet) names the line, and --out x.csv writes the field quoted', async () => {
    const geo = writeFixture(dir(), 'data/geo.csv', 'File Path,Domain Tag,Completeness Check\n/d/a.fif,x,Completed\n/d/37°36\'37.8"N.fif,y,Completed\n');
    const out = path.join(dir(), 'geo-out.csv');
    const r = await run(['run', geo, '--apply', applyTs, '--mode', 'sequential', '--column', 'n', '--out', out, '--quiet', '--no-journal'], dir());
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /^locator-batch: warning: .*geo\.csv: line 3: 1 field holds a double quote inside unquoted text/);
    assert.strictEqual(r.stderr.split('\n').filter(Boolean).length, 1, `one warning line:\n${r.stderr}`);
    assert.strictEqual(
      readFileSync(out, 'utf8'),
      `File Path,Domain Tag,Completeness Check,n\n/d/a.fif,x,Completed,8\n"/d/37°36'37.8""N.fif",y,Completed,${"/d/37°36'37.8\"N.fif".length}\n`,
    );
  });

  it('series results: --out x.csv is the new locator (index reset, only the rows apply returned), exit 0 when every row succeeded', async () => {
    const filter = writeFixture(
      dir(),
      'apply/only-250.js',
      `exports.apply = (row) => (row['Sampling Rate'] === '250' ? { ...row, 'Sampling Rate': '125' } : undefined);\n`,
    );
    const out = path.join(dir(), 'resampled.csv');
    const r = await run(['run', locator, '--apply', filter, '--result', 'series', '--mode', 'process', '--workers', '2', '--out', out, '--no-journal'], dir());
    assert.strictEqual(r.code, 0, r.stderr);
    const records: string[][] = parse(readFileSync(out, 'utf8'));
    assert.deepStrictEqual(records, [HEADER, ...ROWS.filter((row) => row[3] === '250').map((row) => [...row.slice(0, 3), '125'])]);
  });

  it('result type none: --out x.json has results null and each row\'s status; the side effects happened once per picked row', async () => {
    const calls = path.join(dir(), 'calls.txt');
    const touch = writeFixture(
      dir(),
      'apply/touch.js',
      `const fs = require('fs');\nexports.condition = (row) => row['Completeness Check'] === 'Completed';\nexports.apply = (row, ctx) => { fs.appendFileSync(${JSON.stringify(calls)}, ctx.index + '\\n'); };\n`,
    );
    const out = path.join(dir(), 'none.json');
    const r = await run(['run', locator, '--apply', touch, '--result', 'none', '--mode', 'process', '--workers', '2', '--out', out, '--no-journal'], dir());
    assert.strictEqual(r.code, 0, r.stderr);
    const report = readJson(out);
    assert.strictEqual(report.results, null);
    assert.deepStrictEqual(report.rows.map((x) => x.status), ROWS.map((row) => (row[2] === 'Completed' ? 'done' : 'skipped')));
    const called = readFileSync(calls, 'utf8').trim().split('\n').map(Number).sort((a, b) => a - b);
    assert.deepStrictEqual(called, PICKED);
  });

  it('--on-error stop: no new row starts after the first failure, finished rows are kept, exit 1', async () => {
    const out = path.join(dir(), 'stop.json');
    const r = await run(['run', locator, '--apply', applyTs, '--mode', 'sequential', '--on-error', 'stop', '--out', out, '--no-journal'], dir());
    assert.strictEqual(r.code, 1);
    const report = readJson(out);
    assert.deepStrictEqual(report.rows.slice(0, 7).map((x) => x.status), ['done', 'done', 'skipped', 'done', 'done', 'skipped', 'error']);
    assert.notStrictEqual(report.rows[7].status, 'done', 'row 7 never ran');
    assert.match(r.stderr, /Stopped at the first error: 4 done, 1 error, 2 skipped, 1 cancelled in /);
  });

  it('--rerun-failed JOURNAL after a fix runs only the rows that failed, and the result is complete', async () => {
    const calls = path.join(dir(), 'resume-calls.txt');
    const source = (failing: boolean) =>
      `const fs = require('fs');\n` +
      `exports.condition = (row) => row['Completeness Check'] === 'Completed';\n` +
      `exports.apply = (row, ctx) => {\n` +
      `  fs.appendFileSync(${JSON.stringify(calls)}, ctx.index + '\\n');\n` +
      (failing ? `  if (row['Domain Tag'] === 'bad') throw new Error('not yet');\n` : '') +
      `  return row['File Path'].length;\n};\n`;
    const apply = writeFixture(dir(), 'apply/resumable.js', source(true));
    const journal = path.join(dir(), 'journals', 'first.jsonl');
    const first = await run(['run', locator, '--apply', apply, '--mode', 'sequential', '--journal', journal, '--quiet', '--out', path.join(dir(), 'first.json')], dir());
    assert.strictEqual(first.code, 1);
    assert.ok(existsSync(journal), 'the journal was written');
    writeFileSync(calls, '');
    writeFileSync(apply, source(false));
    const out = path.join(dir(), 'resumed.json');
    // Resuming is for the same run: the fixed apply file is another one, so --resume refuses it.
    const refused = await run(['run', locator, '--apply', apply, '--resume', journal, '--no-journal', '--out', out], dir());
    assert.strictEqual(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /first\.jsonl: it was written by another apply file \(or this one has changed since\)\. Nothing was run\./);
    assert.ok(!existsSync(out), 'nothing written');
    assert.strictEqual(readFileSync(calls, 'utf8'), '', 'no row ran');
    const second = await run(['run', locator, '--apply', apply, '--mode', 'sequential', '--rerun-failed', journal, '--no-journal', '--out', out], dir());
    assert.strictEqual(second.code, 0, second.stderr);
    assert.deepStrictEqual(readFileSync(calls, 'utf8').trim().split('\n').map(Number), [6], 'only the failed row ran again');
    assert.deepStrictEqual(readJson(out).results, PICKED.map(lengthOf));
  });

  it('--resume JOURNAL goes on with the same run in any mode, and refuses a journal of another locator or result type', async () => {
    const apply = writeFixture(dir(), 'apply/upper.js', `exports.apply = (row) => row['File Path'].toUpperCase();\n`);
    const journal = path.join(dir(), 'journals', 'resumable.jsonl');
    // An interrupted run: its journal holds the header and the first three rows only.
    const full = await run(['run', locator, '--apply', apply, '--journal', journal, '--quiet', '--out', path.join(dir(), 'full.json')], dir());
    assert.strictEqual(full.code, 0, full.stderr);
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    writeFileSync(journal, lines.slice(0, 4).join('\n') + '\n');
    const out = path.join(dir(), 'resumed-upper.json');
    const resumed = await run(['run', locator, '--apply', apply, '--mode', 'process', '--workers', '2', '--resume', journal, '--no-journal', '--out', out], dir());
    assert.strictEqual(resumed.code, 0, resumed.stderr);
    assert.deepStrictEqual(readJson(out).results, readJson(path.join(dir(), 'full.json')).results, 'the same results as the whole run');

    const other = writeFixture(dir(), 'data/other.locator.csv', readFileSync(locator, 'utf8').replace('/data/a/s01.fif', '/data/a/changed.fif'));
    const cases: Array<[string[], RegExp]> = [
      [['run', other, '--apply', apply], /it was written for another locator \(or this one has changed since\)/],
      [['run', locator, '--apply', apply, '--result', 'series'], /it was written with other settings \(result value; this run: result series\)/],
      [['run', other, '--apply', apply, '--rerun-failed'], /another locator/],
    ];
    for (const [args, message] of cases) {
      const flag = args.includes('--rerun-failed') ? [] : ['--resume'];
      const argv = [...args, ...flag, journal, '--no-journal', '--out', path.join(dir(), 'refused.json')];
      const r = await run(argv, dir());
      assert.strictEqual(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(!existsSync(path.join(dir(), 'refused.json')), 'nothing written');
    }
  });

  it('Ctrl+C (SIGINT) cancels: the rows that finished are kept in --out, the rest are "cancelled", exit 1', async () => {
    const many = writeFixture(dir(), 'data/many.csv', 'name\n' + Array.from({ length: 40 }, (_, i) => `row${i}`).join('\n') + '\n');
    const slow = writeFixture(dir(), 'apply/slow.js', `exports.apply = async (row) => { await new Promise((r) => setTimeout(r, 100)); return row.name.toUpperCase(); };\n`);
    const journal = path.join(dir(), 'journals', 'cancelled.jsonl');
    const out = path.join(dir(), 'cancelled.json');
    const { child, done } = cli(['run', many, '--apply', slow, '--mode', 'sequential', '--journal', journal, '--out', out], dir());
    // Wait until a few rows are journaled (finished), then press Ctrl+C.
    const deadline = Date.now() + 20_000;
    while (!(existsSync(journal) && readFileSync(journal, 'utf8').trim().split('\n').length >= 4)) {
      assert.ok(Date.now() < deadline, 'rows were journaled as they finished');
      await sleep(20);
    }
    child.kill('SIGINT');
    const r = await done;
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /Cancelling: finished rows are kept/);
    const report = readJson(out);
    const finished = report.rows.filter((x) => x.status === 'done');
    assert.ok(finished.length >= 3 && finished.length < 40, `some rows finished (${finished.length})`);
    for (const x of finished) assert.strictEqual(x.value, `ROW${x.index}`);
    assert.ok(report.rows.slice(finished.length).every((x) => x.status === 'cancelled'), 'the rest are cancelled, none lost or invented');
    assert.strictEqual(report.rows.length, 40);
  });

  it('draws a progress bar on stderr when it is a terminal, and none when it is not', async function () {
    const r = await run(['run', locator, '--apply', applyTs, '--mode', 'sequential', '--no-journal', '--out', path.join(dir(), 'p.json')], dir());
    assert.doesNotMatch(r.stderr, /\r\[#/, 'no bar when stderr is a pipe');
    // `script` (util-linux, on every Debian) gives the CLI a pseudo-terminal.
    if (!existsSync('/usr/bin/script')) this.skip();
    const cmd = [process.execPath, CLI, 'run', locator, '--apply', applyTs, '--mode', 'sequential', '--no-journal', '--out', path.join(dir(), 'tty.json')]
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const tty = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { cwd: dir(), encoding: 'utf8', timeout: 30_000 });
    assert.strictEqual(tty.status, 1, tty.stdout + tty.stderr);
    assert.match(tty.stdout, /\r\[#+\.*\] \d+\/8 \d+% \d+ rows\/s/, 'the bar: done / total, percent, rows per second');
    assert.match(tty.stdout, /Finished: 5 done/);
  });

  describe('--timeout MS: a row over the limit is `timeout`, the other rows finish, exit 1', () => {
    // Row 2 never ends: process mode kills its worker (a synchronous endless loop); sequential and
    // async cannot interrupt the host's own thread, so an awaited row is reported at the limit (its
    // promise never settles here).
    const cases = [
      { mode: 'process', slow: 'for (;;) {}', message: /took longer than 300 ms; its worker process was killed and replaced/ },
      { mode: 'sequential', slow: 'return new Promise(() => {});', message: /took longer than 300 ms; in-process modes cannot stop running code/ },
      { mode: 'async', slow: 'return new Promise(() => {});', message: /took longer than 300 ms; in-process modes cannot stop running code/ },
    ];
    for (const c of cases) {
      it(c.mode, async () => {
        const rows = writeFixture(dir(), `data/timeout-${c.mode}.csv`, 'name\nr0\nr1\nslow\nr3\nr4\n');
        const apply = writeFixture(
          dir(),
          `apply/timeout-${c.mode}.js`,
          `exports.apply = (row) => {\n  if (row.name === 'slow') { ${c.slow} }\n  return row.name.toUpperCase();\n};\n`,
        );
        const out = path.join(dir(), `timeout-${c.mode}.json`);
        const started = Date.now();
        const r = await run(['run', rows, '--apply', apply, '--mode', c.mode, '--workers', '2', '--timeout', '300', '--no-journal', '--out', out], dir());
        assert.strictEqual(r.code, 1, r.stderr);
        assert.ok(Date.now() - started < 20_000, 'the run did not wait for the endless row');
        const report = readJson(out);
        assert.deepStrictEqual(
          report.rows.map((x) => [x.status, x.value]),
          [['done', 'R0'], ['done', 'R1'], ['timeout', undefined], ['done', 'R3'], ['done', 'R4']],
        );
        assert.match(report.rows[2].error!.message, c.message);
        assert.match(r.stderr, /Finished: 4 done, 1 timed out in /);
        assert.match(r.stderr, /row 2: timeout: TimeoutError: /);
      });
    }
  });

  describe('bad arguments or input: exit 2, a message on stderr, nothing written', () => {
    const cases: Array<{ name: string; args: () => string[]; message: RegExp; files?: Record<string, string> }> = [
      { name: 'no --apply', args: () => ['run', locator], message: /--apply FILE is required/ },
      { name: 'an unknown command', args: () => ['go', locator], message: /unknown command "go"; the commands are: run, status, collect/ },
      { name: 'an unknown option', args: () => ['run', locator, '--apply', applyTs, '--fast'], message: /unknown option --fast/ },
      { name: 'an unknown mode', args: () => ['run', locator, '--apply', applyTs, '--mode', 'turbo'], message: /mode must be one of 'sequential', 'async', 'process', 'slurm'; got "turbo"/ },
      { name: 'an unknown result type', args: () => ['run', locator, '--apply', applyTs, '--result', 'table'], message: /result type must be one of 'series', 'value', 'none'; got "table"/ },
      { name: 'workers not a number', args: () => ['run', locator, '--apply', applyTs, '--workers', 'two'], message: /--workers takes a whole number; got "two"/ },
      { name: '--out neither .json nor .csv', args: () => ['run', locator, '--apply', applyTs, '--out', 'x.txt'], message: /--out must end in .json or .csv/ },
      { name: 'a locator that does not exist', args: () => ['run', path.join(dir(), 'nope.csv'), '--apply', applyTs], message: /nope\.csv/ },
      {
        name: 'a malformed locator (names the line)',
        args: () => ['run', path.join(dir(), 'bad/unclosed.csv'), '--apply', applyTs],
        files: { 'bad/unclosed.csv': 'File Path,Domain Tag\n/a.fif,mi\n"/b.fif,mi\n/c.fif,mi\n' },
        message: /unclosed\.csv:3: a quoted field is never closed/,
      },
      {
        name: 'an apply file with a syntax error (names file and line)',
        args: () => ['run', locator, '--apply', path.join(dir(), 'bad/syntax.ts')],
        files: { 'bad/syntax.ts': 'export function apply(row: Record<string, string>) {\n  return row["File Path"] +;\n}\n' },
        message: /syntax\.ts:2:\d+: Unexpected ";"/,
      },
      {
        name: 'an apply file without apply',
        args: () => ['run', locator, '--apply', path.join(dir(), 'bad/helper.js')],
        files: { 'bad/helper.js': 'exports.double = (x) => 2 * x;\n' },
        message: /helper\.js does not export an apply function/,
      },
      { name: 'an apply file that does not exist', args: () => ['run', locator, '--apply', 'missing.ts'], message: /Apply file not found: .*missing\.ts/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        for (const [rel, text] of Object.entries(c.files ?? {})) writeFixture(dir(), rel, text);
        // An --out the user already has must survive a refused run.
        const out = writeFixture(dir(), 'kept/out.json', '{"mine": true}\n');
        const before = readdirSync(path.dirname(locator));
        const r = await run([...c.args(), ...(c.args().includes('--out') ? [] : ['--out', out])], dir());
        assert.strictEqual(r.code, 2, `exit 2\n${r.stderr}`);
        assert.match(r.stderr, c.message);
        assert.strictEqual(readFileSync(out, 'utf8'), '{"mine": true}\n', '--out untouched');
        assert.deepStrictEqual(readdirSync(path.dirname(locator)), before, 'no journal, nothing beside the locator');
      });
    }
  });
});
