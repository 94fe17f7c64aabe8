// Results past the memory budget live only in the journal (issue 12, item 5): real runs in every
// mode, once with every value spilled (budget 0) and once with every value in memory; the records,
// the exports and the write-back must be the same, byte for byte and in row order; spilled values
// come back after the journal is renamed or deleted; a journal read back spills too, line by line.
import * as assert from 'assert';
import { readFileSync, renameSync, rmSync, statSync } from 'fs';
import * as path from 'path';
import { readJournal } from '../../src/core/journal';
import type { Mode, Row, RowRecord } from '../../src/core/types';
import { exportText, planValueWriteBack, type RunResults } from '../../src/session/outputs';
import { applyFixture, essence, run, rowsOf, useTempDir, writeFixture, type Loaded } from './helpers';

const ROWS = 240;

// Values of every kind a journal must give back exactly: NaN, -0, ±Infinity, multi-byte text (byte
// offsets), long strings (lines across the reader's 1 MB blocks); some rows return nothing, some
// fail, some are skipped by the condition.
const APPLY = `exports.condition = (row, ctx) => ctx.index % 13 !== 6;
exports.apply = (row, ctx) => {
  const i = ctx.index;
  // Thrown without a stack: in-process modes' stacks name the test's own calling line, which differs between runs.
  if (i % 11 === 5 && !process.env.FIXED) throw { name: 'BadRow', message: 'bad row ' + i };
  if (i % 9 === 4) return undefined;
  return { i, text: 'ä€😀'.repeat(i % 7) + 'x'.repeat(Number(row.n)), nums: [NaN, -0, Infinity, -Infinity, i / 3] };
};
`;

const rowsFor = () => rowsOf(ROWS, (i): Row => ({ name: `r${i}`, n: String((i * 7919) % 30_000) }));

/** True when the record's value is not held in memory (read back from the journal when asked). */
const spilled = (rec: RowRecord) => typeof Object.getOwnPropertyDescriptor(rec, 'value')?.get === 'function';

function results(records: readonly RowRecord[], rows: Row[]): RunResults {
  return { locator: { columns: ['name', 'n'], rows, format: { eol: '\n', finalEol: true, bom: false } } as RunResults['locator'], records, settings: { resultType: 'value', isPatch: true } };
}

describe('results spilled to the journal: the same results as in memory, in every mode', function () {
  this.timeout(60_000);
  const tmp = useTempDir('spill');
  let loaded: Loaded;
  const rows = rowsFor();

  before(async () => {
    loaded = await applyFixture(tmp(), 'spill.js', APPLY);
  });

  const modes: Array<{ mode: Mode; workers: number }> = [
    { mode: 'sequential', workers: 0 },
    { mode: 'async', workers: 4 },
    { mode: 'process', workers: 2 },
  ];
  for (const { mode, workers } of modes) {
    it(`${mode}: records, JSON and CSV exports and write-back are identical with every value spilled`, async function () {
      const inMemory = await run(loaded, rows, { mode, workers, journalPath: path.join(tmp(), `${mode}-mem.jsonl`), keepResultsBytes: Infinity });
      const journal = path.join(tmp(), `${mode}-spill.jsonl`);
      const streamed: RowRecord[] = [];
      const onDisk = await run(loaded, rows, { mode, workers, journalPath: journal, keepResultsBytes: 0, onRow: (_rec, kept) => streamed.push(kept) });

      const withValue = onDisk.records.filter((r) => r.value !== undefined);
      assert.ok(withValue.length > ROWS / 2, 'most rows return a value');
      assert.ok(withValue.every(spilled), 'every value lives in the journal only');
      assert.ok(!inMemory.records.some(spilled), 'an unlimited budget keeps every value');
      // What a listener (the editor's results) is handed to keep is the kept record: holding it holds no value.
      assert.deepEqual(streamed.filter((r) => r.value !== undefined).map((r) => r.index).sort((a, b) => a - b), withValue.map((r) => r.index));
      assert.ok(streamed.every((r) => r === onDisk.records[r.index]), "onRow's second argument is the record the run keeps");

      assert.deepEqual(onDisk.records.map((r) => r.index), rows.map((_, i) => i), 'records in row order');
      assert.deepEqual(onDisk.records.map(essence), inMemory.records.map(essence));
      assert.deepEqual(Object.keys(onDisk.records[1]), Object.keys(inMemory.records[1]), 'a record keeps its keys in their order');
      for (const format of ['json', 'csv'] as const) {
        assert.equal(exportText(results(onDisk.records, rows), format, 'result'), exportText(results(inMemory.records, rows), format, 'result'), format);
      }
      const current = results([], rows).locator;
      assert.equal(planValueWriteBack(results(onDisk.records, rows), current, 'result'), planValueWriteBack(results(inMemory.records, rows), current, 'result'));
      // A spilled value is read afresh each time: NaN, -0 and the multi-byte text come back exactly.
      const v = onDisk.records[3].value as { nums: number[]; text: string };
      assert.ok(Number.isNaN(v.nums[0]) && Object.is(v.nums[1], -0) && v.nums[2] === Infinity);
      assert.equal(v.text, 'ä€😀'.repeat(3) + 'x'.repeat((3 * 7919) % 30_000));
    });
  }

  it('a spilled value comes back after its journal is renamed, and after it is deleted', async function () {
    const journal = path.join(tmp(), 'moved.jsonl');
    const inMemory = await run(loaded, rows, { mode: 'process', workers: 2 });
    const onDisk = await run(loaded, rows, { mode: 'process', workers: 2, journalPath: journal, keepResultsBytes: 0 });
    renameSync(journal, journal + '.renamed');
    assert.deepEqual(onDisk.records.map(essence), inMemory.records.map(essence), 'after a rename');
    rmSync(journal + '.renamed');
    assert.deepEqual(onDisk.records.map(essence), inMemory.records.map(essence), 'after a delete');
  });

  it('a budget keeps the first values in memory and spills the rest; small values stay in memory', async function () {
    const onDisk = await run(loaded, rows, { mode: 'sequential', journalPath: path.join(tmp(), 'budget.jsonl'), keepResultsBytes: 200_000 });
    const withValue = onDisk.records.filter((r) => r.value !== undefined);
    const firstSpilled = withValue.findIndex(spilled);
    assert.ok(firstSpilled > 0, 'the first values are kept');
    const late = withValue.slice(firstSpilled);
    assert.ok(late.some((r) => !spilled(r) && JSON.stringify(r).length < 256), 'past the budget, small values are kept');
    const keptLarge = withValue.filter((r) => !spilled(r) && JSON.stringify(r).length >= 256);
    const keptChars = keptLarge.reduce((n, r) => n + JSON.stringify(r).length, 0);
    assert.ok(keptChars <= 200_000 * 1.05, `large values kept: ${keptChars} characters, over the budget`);
  });

  it('re-running failed rows from spilled records gives what one clean run gives', async function () {
    const first = await run(loaded, rows, { mode: 'process', workers: 2, journalPath: path.join(tmp(), 'first.jsonl'), keepResultsBytes: 0 });
    assert.ok(first.counts.error > 0);
    process.env.FIXED = '1';
    try {
      const fixed = await applyFixture(tmp(), 'fixed.js', APPLY); // the same code; the workers see FIXED too
      const rerun = await run(fixed, rows, { mode: 'process', workers: 2, previous: first.records, journalPath: path.join(tmp(), 'rerun.jsonl'), keepResultsBytes: 0 });
      const clean = await run(fixed, rows, { mode: 'sequential' });
      assert.equal(rerun.counts.error, 0);
      assert.deepEqual(rerun.records.map(essence), clean.records.map(essence));
    } finally {
      delete process.env.FIXED;
    }
  });

  it('a journal read back line by line (lines across 1 MB blocks) spills past its budget and gives the same records', async function () {
    const journal = path.join(tmp(), 'read.jsonl');
    const ran = await run(loaded, rows, { mode: 'sequential', journalPath: journal, keepResultsBytes: Infinity });
    assert.ok(statSync(journal).size > 2 * 2 ** 20, 'the journal spans several read blocks');
    const whole = await readJournal(journal, Infinity);
    const lean = await readJournal(journal, 0);
    const inOrder = (j: typeof whole) => [...j.records.values()].sort((a, b) => a.index - b.index);
    assert.ok(inOrder(lean).filter((r) => r.value !== undefined).every(spilled));
    assert.deepEqual(inOrder(lean).map(essence), ran.records.map(essence));
    assert.deepEqual(inOrder(whole).map(essence), ran.records.map(essence));
    assert.equal(lean.header.total, ROWS);
  });

  it('a torn last line is still ignored, a bad line in the middle is still an error naming it', async function () {
    const good = readFileSync(path.join(tmp(), 'read.jsonl'), 'utf8');
    const lines = good.split('\n');
    const torn = writeFixture(tmp(), 'torn.jsonl', good + '{"index":9999,"status":"do');
    assert.equal((await readJournal(torn)).records.size, lines.length - 2);
    const broken = writeFixture(tmp(), 'broken.jsonl', [...lines.slice(0, 5), 'not json', ...lines.slice(5)].join('\n'));
    await assert.rejects(readJournal(broken), /broken\.jsonl:6: not valid JSON/);
  });
});
