// Outputs larger than one string can hold (V8 caps a string at ~512 MB; 20k rows of 21 KB results
// made `--out x.json` die with "Invalid string length"): exports are made and written row by row.
// Here: the streamed text is byte for byte what the whole-string writers made, no write is larger
// than a chunk and an entry, and the CLI writes many large results as valid JSON (file and stdout),
// and when it cannot write them, says how to get them from the journal without running a row again.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { stringify } from 'csv-stringify/sync';
import { stringifyPlain } from '../../src/core/encode';
import { readJournal } from '../../src/core/journal';
import type { Locator } from '../../src/core/locator';
import { shapeResults } from '../../src/core/run';
import { writeChunks } from '../../src/core/textSink';
import type { PlainValue, ResultType, Row, RowRecord } from '../../src/core/types';
import { exportChunks, exportText, type RunResults } from '../../src/session/outputs';
import { useTempDir, writeFixture } from './helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** The JSON report as it was made before streaming: one object, one JSON.stringify. */
function wholeReport(records: readonly RowRecord[], locator: Locator, resultType: ResultType, isPatch: boolean): string {
  const shaped = shapeResults(records, locator.rows, locator.columns, resultType, isPatch);
  const results = shaped.resultType === 'series' ? shaped.rows : shaped.resultType === 'value' ? shaped.values.map((v) => v ?? null) : null;
  const report: Record<string, unknown> = {
    results,
    rows: records.map(({ index, status, value, error }) => {
      const r: Record<string, unknown> = { index, status };
      if (value !== undefined) r.value = value;
      if (error) r.error = error;
      return r;
    }),
  };
  if (shaped.resultType !== 'none' && shaped.warning) report.warning = shaped.warning;
  return stringifyPlain(report as PlainValue, 2) + '\n';
}

/** A locator as csv-stringify writes it in one call (pandas' quoting, the file's BOM and line ends). */
function wholeCsv(columns: string[], rows: Row[], format: Locator['format']): string {
  const text = stringify([columns, ...rows.map((r) => columns.map((c) => r[c] ?? ''))], {
    record_delimiter: format.eol,
    eof: format.finalEol,
    quoted_match: /[\r\n]/,
    quoted_empty: columns.length === 1,
  });
  return (format.bom ? '\ufeff' : '') + text;
}

function mixedRun(n: number, resultType: ResultType, isPatch: boolean, format: Locator['format']): RunResults {
  const columns = ['File Path', 'Domain Tag'];
  const rows: Row[] = Array.from({ length: n }, (_, i) => ({ 'File Path': `/d/s${i}, "x".edf`, 'Domain Tag': i % 3 ? 'eeg' : 'line\nbreak' }));
  const records: RowRecord[] = rows.map((_, i): RowRecord => {
    if (i % 7 === 3) return { index: i, status: 'skipped', durationMs: 0 };
    if (i % 11 === 5) return { index: i, status: 'error', durationMs: 1, error: { name: 'Error', message: `bad ${i}`, phase: 'apply', stack: 'Error\n    at x' } };
    if (i % 13 === 6) return { index: i, status: 'done', durationMs: 1 }; // apply returned nothing
    const value: PlainValue =
      resultType === 'series'
        ? i % 17 === 2
          ? 42 // not a row object: left out, with a warning
          : { 'File Path': `/out/${i}`, Spectrum: [i, NaN, -Infinity, 0.5], Note: i % 2 ? 'a,b' : null }
        : { n: i, nested: { list: [1, Infinity, [2, { deep: 'x' }]], empty: [], obj: {} }, s: 'q"uote' };
    return { index: i, status: 'done', durationMs: 1, value };
  });
  return { locator: { columns, rows, format }, records, settings: { resultType, isPatch } };
}

describe('large outputs are streamed, byte for byte as before', function () {
  const formats: Locator['format'][] = [
    { bom: false, eol: '\n', finalEol: true },
    { bom: true, eol: '\r\n', finalEol: false },
  ];
  for (const resultType of ['value', 'series', 'none'] as const) {
    for (const isPatch of [false, true]) {
      it(`JSON report, ${resultType}${isPatch ? ', patch' : ''}: the same text as one JSON.stringify of the report`, function () {
        for (const n of [0, 1, 2500]) {
          const run = mixedRun(n, resultType, isPatch, formats[0]);
          assert.equal(exportText(run, 'json', 'result'), wholeReport(run.records, run.locator, resultType, isPatch), `${n} rows`);
        }
      });
    }
  }

  it('CSV exports (value column, series) over many chunks: the same text as one csv-stringify call', function () {
    for (const format of formats) {
      for (const isPatch of [false, true]) {
        const value = mixedRun(2500, 'value', isPatch, format);
        const withColumn = value.locator.rows.map((row, i) => {
          const rec = value.records[i];
          return { ...row, result: rec.status === 'done' && rec.value !== undefined ? stringifyPlain(rec.value) : '' };
        });
        assert.equal(exportText(value, 'csv', 'result'), wholeCsv([...value.locator.columns, 'result'], withColumn, format));
        const series = mixedRun(2500, 'series', isPatch, format);
        const shaped = shapeResults(series.records, series.locator.rows, series.locator.columns, 'series', isPatch);
        assert.ok(shaped.resultType === 'series');
        assert.equal(exportText(series, 'csv', 'result'), wholeCsv(shaped.columns, shaped.rows, format));
      }
    }
  });

  it('writes a large report in many small writes: no write holds more than a chunk and one entry', async function () {
    // 600 rows of ~21 KB results (a 20 KB string and 200 numbers): ~25 MB of JSON.
    const pad = 'x'.repeat(20_000);
    const records: RowRecord[] = Array.from({ length: 600 }, (_, i) => ({
      index: i,
      status: 'done',
      durationMs: 1,
      value: { text: pad + i, spectrum: Array.from({ length: 200 }, (_, k) => Math.sin(i + k)) },
    }));
    const run: RunResults = {
      locator: { columns: ['File Path'], rows: records.map((r) => ({ 'File Path': `/d/${r.index}` })), format: formats[0] },
      records,
      settings: { resultType: 'value', isPatch: false },
    };
    for (const format of ['json', 'csv'] as const) {
      const writes: number[] = [];
      let text = '';
      await writeChunks(exportChunks(run, format, 'result'), {
        async write(chunk) {
          writes.push(chunk.length);
          text += chunk;
        },
      });
      const total = writes.reduce((a, b) => a + b, 0);
      assert.ok(total > 12_000_000, `${format}: ${total} characters written`);
      assert.ok(writes.length > (format === 'json' ? 200 : 40), `${format}: ${writes.length} writes`);
      // A gathered write is at most 64 K characters plus the entry that did not fit (~27 KB here);
      // a CSV chunk stops after the row passing 256 K characters.
      const limit = format === 'json' ? 64 * 1024 + 30_000 : 256 * 1024 + 30_000;
      assert.ok(Math.max(...writes) <= limit, `${format}: largest write ${Math.max(...writes)} characters`);
      if (format === 'json') {
        const parsed = JSON.parse(text) as { results: { text: string; spectrum: number[] }[] };
        assert.equal(parsed.results.length, 600);
        assert.equal(parsed.results[599].text, pad + 599);
        assert.equal(parsed.results[599].spectrum[199], Math.sin(599 + 199));
      }
    }
  });
});

describe('command line: large results and a failed write', function () {
  this.timeout(120_000);
  const tmp = useTempDir('large-out');
  const ROWS = 500;
  let locator: string;
  let applyFile: string;
  let calls: string;

  before(function () {
    const dir = tmp();
    locator = writeFixture(dir, 'big.locator.csv', 'File Path\n' + Array.from({ length: ROWS }, (_, i) => `/d/${i}.edf`).join('\n') + '\n');
    calls = path.join(dir, 'calls.txt');
    // Each row returns ~21 KB (a 20 KB string and 200 numbers) and leaves a mark that it ran.
    applyFile = writeFixture(
      dir,
      'spectra.js',
      `const fs = require('fs');
const PAD = 'x'.repeat(20000);
exports.apply = function (row, ctx) {
  fs.appendFileSync(${JSON.stringify(calls)}, '.');
  const spectrum = [];
  for (let k = 0; k < 200; k++) spectrum.push(Math.sin(ctx.index + k));
  return { text: PAD + ctx.index, spectrum };
};
`,
    );
  });

  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: tmp(), encoding: 'utf8', maxBuffer: 1 << 30 });
  const callCount = () => (existsSync(calls) ? readFileSync(calls, 'utf8').length : 0);

  it('writes 500 × 21 KB results as valid JSON to --out and to stdout', function () {
    const out = path.join(tmp(), 'out.json');
    const ran = cli(['run', locator, '--apply', applyFile, '--mode', 'process', '--workers', '2', '--no-journal', '--quiet', '--out', out]);
    assert.equal(ran.status, 0, ran.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { results: { text: string; spectrum: number[] }[]; rows: { status: string }[] };
    assert.equal(report.results.length, ROWS);
    assert.equal(report.results[ROWS - 1].text.length, 20_000 + String(ROWS - 1).length);
    assert.equal(report.results[ROWS - 1].spectrum.length, 200);
    assert.ok(report.rows.every((r) => r.status === 'done'));
    assert.deepEqual(readdirSync(tmp()).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');

    const piped = cli(['run', locator, '--apply', applyFile, '--mode', 'process', '--workers', '2', '--no-journal', '--quiet']);
    assert.equal(piped.status, 0, piped.stderr);
    assert.deepEqual(JSON.parse(piped.stdout), report);
  });

  it('when --out cannot be written: exit 2, and the command it prints writes the results from the journal without running a row', function () {
    const journal = path.join(tmp(), 'run.jsonl');
    const bad = path.join(tmp(), 'no-such-folder', 'out.json');
    const before = callCount();
    const ran = cli(['run', locator, '--apply', applyFile, '--mode', 'process', '--workers', '2', '--journal', journal, '--quiet', '--out', bad]);
    assert.equal(ran.status, 2);
    assert.equal(callCount() - before, ROWS, 'every row ran once');
    assert.match(ran.stderr, /results could not be written: .*ENOENT/);
    const command = /^ {2}(locator-batch .*)$/m.exec(ran.stderr)?.[1];
    assert.ok(command?.includes(`--resume ${journal}`), ran.stderr);

    // The printed command, as the user would run it (with an --out that can be written).
    const good = path.join(tmp(), 'recovered.json');
    const args = command!.replace(/^locator-batch /, '').replace(bad, good).split(' ');
    const recovered = cli(args);
    assert.equal(recovered.status, 0, recovered.stderr);
    assert.equal(callCount() - before, ROWS, 'no row ran again');
    const report = JSON.parse(readFileSync(good, 'utf8')) as { results: { text: string }[] };
    assert.equal(report.results.length, ROWS);
    assert.equal(report.results[7].text, 'x'.repeat(20_000) + 7);
  });

  it('with results spilled to the journal, a failure while writing --out keeps the journal whole, says how to recover, and the recovery writes the same bytes', async function () {
    const spill = { ...process.env, LOCATOR_BATCH_KEEP_RESULTS_MB: '0' };
    const cliSpilling = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: tmp(), encoding: 'utf8', maxBuffer: 1 << 30, env: spill });
    const expected = path.join(tmp(), 'expected.json');
    assert.equal(cli(['run', locator, '--apply', applyFile, '--mode', 'process', '--workers', '2', '--no-journal', '--quiet', '--out', expected]).status, 0);

    // --out names a folder: every result is read back from the journal and written, then the rename fails.
    const journal = path.join(tmp(), 'spilled.jsonl');
    const folder = path.join(tmp(), 'taken.json');
    mkdirSync(folder);
    const before = callCount();
    const ran = cliSpilling(['run', locator, '--apply', applyFile, '--mode', 'process', '--workers', '2', '--journal', journal, '--quiet', '--out', folder]);
    assert.equal(ran.status, 2, ran.stderr);
    assert.match(ran.stderr, /the run finished but its results could not be written: .*(EISDIR|ENOTEMPTY|EEXIST)/);
    assert.match(ran.stderr, new RegExp(`Results are in ${journal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const { header, records } = await readJournal(journal);
    assert.equal(header.total, ROWS);
    assert.equal(records.size, ROWS, 'the journal holds every row');
    assert.ok([...records.values()].every((r) => r.status === 'done'));
    assert.equal((records.get(ROWS - 1)!.value as { text: string }).text, 'x'.repeat(20_000) + (ROWS - 1));

    const command = /^ {2}(locator-batch .*)$/m.exec(ran.stderr)?.[1];
    const good = path.join(tmp(), 'recovered-spilled.json');
    const recovered = cliSpilling(command!.replace(/^locator-batch /, '').replace(folder, good).split(' '));
    assert.equal(recovered.status, 0, recovered.stderr);
    assert.equal(callCount() - before, ROWS, 'no row ran again');
    assert.ok(readFileSync(good).equals(readFileSync(expected)), 'the recovered output is byte for byte what a run in memory writes');

    // Resumed into its own journal: the values it reuses are read back from the journal it replaces.
    const again = path.join(tmp(), 'resumed-in-place.json');
    const inPlace = cliSpilling(['run', locator, '--apply', applyFile, '--resume', journal, '--journal', journal, '--quiet', '--out', again]);
    assert.equal(inPlace.status, 0, inPlace.stderr);
    assert.equal(callCount() - before, ROWS, 'no row ran again');
    assert.ok(readFileSync(again).equals(readFileSync(expected)), 'every reused value written, byte for byte');
    const rewritten = await readJournal(journal);
    assert.equal(rewritten.records.size, ROWS, 'the journal it wrote holds every row');
    assert.equal((rewritten.records.get(ROWS - 1)!.value as { text: string }).text, 'x'.repeat(20_000) + (ROWS - 1));
  });
});
