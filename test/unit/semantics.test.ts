// batch_process semantics as a table: every mode x result type x is_patch x worker count x
// condition, compared with a small reference model of EEGUnity's Python dispatcher written here
// from the Python source (shared seed parallel_execute.py and the batch-semantics notes), not from
// the TypeScript engine.
import { strict as assert } from 'node:assert';
import * as path from 'path';
import type { Locator } from '../../src/core/locator';
import { withValueColumn } from '../../src/core/output';
import { runBatch, shapeResults, validateSettings, type RunSettings } from '../../src/core/run';
import { MODES as ALL_MODES, RESULT_TYPES, type Mode, type ResultType, type Row } from '../../src/core/types';

// The modes that run on this machine; slurm mode is checked against sequential runs in slurm.test.ts.
const MODES = ALL_MODES.filter((m) => m !== 'slurm');
import { applyFixture, linesOf, run, useTempDir, type Loaded } from './helpers';

// ---------------------------------------------------------------------------------------------
// The reference model (plain JS, Python semantics). `null` plays Python's None.
// ---------------------------------------------------------------------------------------------
type PyValue = unknown;
type Model =
  | { resultType: 'series'; columns: string[]; rows: Record<string, string>[]; warning: boolean }
  | { resultType: 'value'; values: PyValue[] }
  | { resultType: 'none' };

function referenceBatchProcess(
  rows: readonly Row[],
  columns: readonly string[],
  conFunc: ((row: Row) => unknown) | undefined,
  appFunc: (row: Row) => unknown,
  isPatch: boolean,
  resultType: ResultType,
): Model {
  // con_func runs first, for every row, in order -> tasks (index, row, should_apply). Rows handed to
  // user code are copies (pandas iterrows gives a new Series per row).
  const tasks = rows.map((row, i) => [i, row, conFunc ? Boolean(conFunc({ ...row })) : true] as const);
  // _placeholder: the row itself only for is_patch + 'series', else None.
  const placeholder = (row: Row): PyValue => (isPatch && resultType === 'series' ? row : null);
  // One result per task, in task order; a function that returns nothing returns None.
  const results: PyValue[] = tasks.map(([, row, should]) => (should ? (appFunc({ ...row }) ?? null) : placeholder(row)));

  if (resultType === 'series') {
    // None rows are dropped; the rest become a DataFrame (pd.concat(results, axis=1).T, index
    // reset): columns are the union of the rows' labels in first-seen order, missing cells NaN.
    const kept = results.filter((r) => r !== null) as Record<string, unknown>[];
    if (kept.length === 0) return { resultType, columns: [...columns], rows: [], warning: true };
    const cols: string[] = [];
    for (const r of kept) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
    // As written to CSV: NaN as an empty cell, ints as digits.
    const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    return { resultType, columns: cols, rows: kept.map((r) => Object.fromEntries(cols.map((c) => [c, cell(r[c])]))), warning: false };
  }
  if (resultType === 'value') {
    return { resultType, values: isPatch ? results : results.filter((r) => r !== null) };
  }
  return { resultType: 'none' }; // side effects only
}

// ---------------------------------------------------------------------------------------------
// The apply files (CommonJS so the model can `require` the very same functions).
// ---------------------------------------------------------------------------------------------
const SERIES_APPLY = `
exports.apply = function (row) {
  if (row.kind === 'none') { row.id = 'mutated'; return undefined; } // a changed copy is not a result
  if (row.kind === 'null') return null;
  return Object.assign({}, row, { ID: row.id.toUpperCase(), len: row.id.length });
};
`;
const VALUE_APPLY = `
exports.apply = function (row) {
  switch (row.kind) {
    case 'none': row.id = 'mutated'; return undefined;
    case 'null': return null;
    case 'zero': return 0;          // falsy but not None: kept
    case 'empty': return '';        // falsy but not None: kept
    case 'false': return false;     // falsy but not None: kept
    case 'obj': return { id: row.id, parts: row.note.split(',') };
    default: return row.id + ':' + row.note;
  }
};
`;
const CONDITION = `
exports.condition = function (row) { return row.pick === 'y'; };
`;

const COLUMNS = ['id', 'pick', 'kind', 'note'];
const KINDS = ['str', 'none', 'obj', 'null', 'zero', 'str', 'empty', 'false', 'obj', 'none', 'str'];
const MIXED: Row[] = Array.from({ length: 22 }, (_, i) => ({
  id: `r${i}`,
  pick: i % 3 === 1 ? 'n' : 'y',
  kind: KINDS[i % KINDS.length],
  note: i % 4 === 0 ? 'a,"b"\nc' : `n${i}`,
}));
const ALL_SKIPPED: Row[] = MIXED.slice(0, 7).map((r) => ({ ...r, pick: 'n' }));
const ALL_NONE: Row[] = MIXED.slice(0, 7).map((r, i) => ({ ...r, kind: i % 2 ? 'none' : 'null' }));

interface Dataset {
  name: string;
  rows: Row[];
  condition: boolean;
}
const DATASETS: Dataset[] = [
  { name: 'mixed rows, no condition', rows: MIXED, condition: false },
  { name: 'mixed rows, condition', rows: MIXED, condition: true },
  { name: 'condition skips every row', rows: ALL_SKIPPED, condition: true },
  { name: 'apply returns nothing for every row', rows: ALL_NONE, condition: false },
];

describe('batch_process semantics (table against a reference model)', function () {
  this.timeout(60000);
  const tmp = useTempDir('semantics');
  const fixtures = new Map<string, Loaded>();
  const requireFresh = (file: string) => require(file) as { apply: (row: Row) => unknown; condition?: (row: Row) => unknown };

  before(async () => {
    for (const rt of ['series', 'value'] as const) {
      for (const cond of [false, true]) {
        const name = `${rt}${cond ? '-cond' : ''}.cjs`;
        const source = (rt === 'series' ? SERIES_APPLY : VALUE_APPLY) + (cond ? CONDITION : '');
        fixtures.set(name, await applyFixture(tmp(), name, source));
      }
    }
  });

  it('the model itself behaves like the Python code on the docstring example', () => {
    // parallel_execute docstring: tasks [(0, {'x': 1}, True), (1, {'x': 2}, False)], x * 2, value, no patch
    const rows = [{ x: '1' }, { x: '2' }];
    const picked = (r: Row) => r.x === '1';
    const double = (r: Row) => Number(r.x) * 2;
    assert.deepEqual(referenceBatchProcess(rows, ['x'], picked, double, false, 'value'), { resultType: 'value', values: [2] });
    assert.deepEqual(referenceBatchProcess(rows, ['x'], picked, double, true, 'value'), { resultType: 'value', values: [2, null] });
    const keep = (r: Row) => r;
    const filtered = referenceBatchProcess(rows, ['x'], picked, keep, false, 'series');
    assert.deepEqual(filtered, { resultType: 'series', columns: ['x'], rows: [{ x: '1' }], warning: false });
    const patched = referenceBatchProcess(rows, ['x'], picked, () => ({ x: 'new' }), true, 'series');
    assert.deepEqual(patched, { resultType: 'series', columns: ['x'], rows: [{ x: 'new' }, { x: '2' }], warning: false });
  });

  for (const data of DATASETS) {
    describe(data.name, () => {
      for (const resultType of RESULT_TYPES) {
        for (const isPatch of [true, false]) {
          for (const mode of MODES) {
            for (const workers of [2, 0, -1]) {
              const label = `${mode}, ${resultType}, isPatch=${isPatch}, workers=${workers}`;
              it(label, async () => {
                const fixtureName = `${resultType === 'series' ? 'series' : 'value'}${data.condition ? '-cond' : ''}.cjs`;
                const loaded = fixtures.get(fixtureName)!;
                const snapshot = structuredClone(data.rows);
                const outcome = await runBatch({
                  rows: data.rows,
                  module: loaded.module,
                  bundle: loaded.bundle,
                  mode,
                  workers,
                  resultType,
                  isPatch,
                  onError: 'continue',
                });

                assert.equal(outcome.effectiveMode, workers <= 0 ? 'sequential' : mode);
                assert.equal(outcome.endedBy, 'finished');
                assert.deepEqual(
                  outcome.records.map((r) => r.index),
                  data.rows.map((_, i) => i),
                );
                const picked = data.rows.map((r) => !data.condition || r.pick === 'y');
                assert.deepEqual(
                  outcome.records.map((r) => r.status),
                  picked.map((p) => (p ? 'done' : 'skipped')),
                );
                assert.deepEqual(data.rows, snapshot, 'apply changed the caller\'s rows');

                const ref = requireFresh(path.join(tmp(), fixtureName));
                const expected = referenceBatchProcess(data.rows, COLUMNS, ref.condition, ref.apply, isPatch, resultType);
                const shaped = shapeResults(outcome.records, data.rows, COLUMNS, resultType, isPatch);
                if (expected.resultType === 'none') {
                  assert.deepEqual(shaped, { resultType: 'none' });
                } else if (expected.resultType === 'value') {
                  assert.equal(shaped.resultType, 'value');
                  if (shaped.resultType === 'value') assert.deepEqual(shaped.values, expected.values);
                } else {
                  assert.equal(shaped.resultType, 'series');
                  if (shaped.resultType !== 'series') return;
                  assert.deepEqual(shaped.columns, expected.columns);
                  assert.deepEqual(
                    shaped.rows.map((r) => Object.fromEntries(shaped.columns.map((c) => [c, r[c] ?? '']))),
                    expected.rows,
                  );
                  assert.equal(Boolean(shaped.warning), expected.warning, shaped.warning);
                  if (expected.warning) assert.match(shaped.warning!, /empty/);
                }
              });
            }
          }
        }
      }
    });
  }

  describe('result type none: apply runs for its side effects on exactly the picked rows', () => {
    for (const mode of MODES) {
      it(mode, async () => {
        const log = path.join(tmp(), `side-${mode}.log`);
        const loaded = await applyFixture(
          tmp(),
          `side-${mode}.cjs`,
          `const fs = require('fs');
exports.condition = (row) => row.pick === 'y';
exports.apply = (row) => { fs.appendFileSync(${JSON.stringify(log)}, row.id + '\\n'); return 'ignored'; };`,
        );
        const outcome = await run(loaded, MIXED, { mode, resultType: 'none', workers: 2 });
        assert.deepEqual(linesOf(log).sort(), MIXED.filter((r) => r.pick === 'y').map((r) => r.id).sort());
        assert.deepEqual(shapeResults(outcome.records, MIXED, COLUMNS, 'none', false), { resultType: 'none' });
      });
    }
  });

  describe("a value column is written by row index, never by position in the shortened list", () => {
    for (const mode of MODES) {
      it(mode, async () => {
        const loaded = await applyFixture(
          tmp(),
          `column-${mode}.cjs`,
          `exports.condition = (row) => row.pick === 'y';
exports.apply = (row) => ({ r0: 'h0', r2: 3, r3: true, r5: 'h5' })[row.id];`,
        );
        const locator: Locator = {
          columns: ['id', 'pick', 'Source Hash'],
          rows: ['y', 'n', 'y', 'y', 'n', 'y', 'y'].map((pick, i) => ({ id: `r${i}`, pick, 'Source Hash': `old${i}` })),
          format: { bom: false, eol: '\n', finalEol: true },
        };
        const out = await run(loaded, locator.rows, { mode, workers: 2, isPatch: false });
        // The Python way: a list without the skipped rows (and without r6, whose apply gave nothing).
        const shaped = shapeResults(out.records, locator.rows, locator.columns, 'value', false);
        assert.deepEqual(shaped.resultType === 'value' && shaped.values, ['h0', 3, true, 'h5']);
        const updated = withValueColumn(locator, out.records, 'Source Hash');
        // Rows without a value keep their cell: r1 and r4 were skipped, r6 ran and returned nothing.
        assert.deepEqual(
          updated.rows.map((r) => r['Source Hash']),
          ['h0', 'old1', '3', 'True', 'old4', 'h5', 'old6'],
        );
        const added = withValueColumn(locator, out.records, 'File Size');
        assert.deepEqual(added.columns, ['id', 'pick', 'Source Hash', 'File Size']);
        assert.deepEqual(
          added.rows.map((r) => r['File Size']),
          ['h0', '', '3', 'True', '', 'h5', ''],
        );
        assert.deepEqual(locator.rows[0]['Source Hash'], 'old0', 'the input locator was changed');
      });
    }
  });

  describe('a value write-back: null empties the cell (as pandas writes None); nothing, a skip or a failure keeps it', () => {
    for (const mode of MODES) {
      it(mode, async () => {
        const loaded = await applyFixture(
          tmp(),
          `null-${mode}.cjs`,
          `exports.condition = (row) => row.id !== 'r3';
exports.apply = (row) => {
  if (row.id === 'r0') return null;
  if (row.id === 'r1') return 'new1';
  if (row.id === 'r2') return undefined;
  throw new Error('no value for ' + row.id);
};`,
        );
        const locator: Locator = {
          columns: ['id', 'Source Hash'],
          rows: ['r0', 'r1', 'r2', 'r3', 'r4'].map((id, i) => ({ id, 'Source Hash': `old${i}` })),
          format: { bom: false, eol: '\n', finalEol: true },
        };
        const out = await run(loaded, locator.rows, { mode, workers: 2, isPatch: true });
        assert.deepEqual(
          out.records.map((r) => r.status),
          ['done', 'done', 'done', 'skipped', 'error'],
        );
        assert.equal(out.records[0].value, null, 'a null result crosses every mode as null');
        assert.deepEqual(
          withValueColumn(locator, out.records, 'Source Hash').rows.map((r) => r['Source Hash']),
          ['', 'new1', 'old2', 'old3', 'old4'],
        );
        // What batch_process returns with is_patch: None for r0, r2 (nothing), the skip and the failure.
        const shaped = shapeResults(out.records, locator.rows, locator.columns, 'value', true);
        assert.deepEqual(shaped.resultType === 'value' && shaped.values, [null, 'new1', null, null, null]);
      });
    }
  });

  describe('workers: rows in flight in async mode, processes in process mode', () => {
    it('async runs exactly `workers` rows at once, sequential one, process spreads rows over `workers` processes', async () => {
      const loaded = await applyFixture(
        tmp(),
        'concurrency.cjs',
        `let inFlight = 0;
exports.apply = async () => {
  const most = ++inFlight; // rows running now, this one included
  await new Promise((r) => setTimeout(r, 30));
  inFlight--;
  return { most, pid: process.pid };
};`,
      );
      const rows = Array.from({ length: 16 }, (_, i) => ({ id: `r${i}` }));
      const mostInFlight = (out: { records: { value?: unknown }[] }) => Math.max(...out.records.map((r) => (r.value as { most: number }).most));
      assert.equal(mostInFlight(await run(loaded, rows, { mode: 'sequential', workers: 4 })), 1);
      assert.equal(mostInFlight(await run(loaded, rows, { mode: 'async', workers: 4 })), 4);
      assert.equal(mostInFlight(await run(loaded, rows, { mode: 'async', workers: 0 })), 1); // falls back to sequential
      const proc = await run(loaded, rows, { mode: 'process', workers: 2 });
      const pids = new Set(proc.records.map((r) => (r.value as { pid: number }).pid));
      assert.equal(pids.size, 2);
      assert.ok(!pids.has(process.pid));
    });
  });

  describe('settings are checked with errors naming the accepted values', () => {
    const base: RunSettings = { mode: 'sequential', workers: 1, resultType: 'value', isPatch: false, onError: 'continue' };

    it("an unknown mode names 'sequential', 'async', 'process' (runBatch rejects before any row runs)", async () => {
      const loaded = await applyFixture(tmp(), 'never.cjs', `exports.apply = () => { throw new Error('must not run'); };`);
      for (const mode of ['thread', 'processes', undefined, null]) {
        await assert.rejects(
          run(loaded, MIXED, { mode: mode as unknown as Mode }),
          (err: Error) => {
            assert.match(err.message, /mode must be one of 'sequential', 'async', 'process', 'slurm'/);
            assert.ok(err.message.includes(JSON.stringify(mode) ?? 'undefined'), err.message);
            return true;
          },
        );
      }
    });

    it('an unknown result type, error policy, worker count or timeout', () => {
      assert.throws(() => validateSettings({ ...base, resultType: 'list' as ResultType }), /result type must be one of 'series', 'value', 'none'/);
      assert.throws(() => validateSettings({ ...base, onError: 'ignore' as 'stop' }), /error policy must be one of 'continue', 'stop'/);
      assert.throws(() => validateSettings({ ...base, workers: 1.5 }), /workers must be a whole number/);
      assert.throws(() => validateSettings({ ...base, isPatch: 'yes' as unknown as boolean }), /isPatch must be true or false/);
      assert.throws(() => validateSettings({ ...base, timeoutMs: -1 }), /timeout must be/);
      assert.doesNotThrow(() => validateSettings({ ...base, workers: -4, timeoutMs: 0 }));
    });
  });
});

describe('series results: the columns of the new locator', () => {
  const rows: Row[] = [
    { 'File Path': '/a', 'Domain Tag': 'x' },
    { 'File Path': '/b', 'Domain Tag': 'y' },
  ];
  const columns = ['File Path', 'Domain Tag'];
  const done = (index: number, value: Record<string, string>) => ({ index, status: 'done' as const, value, durationMs: 0 });

  it('are the columns the result rows have, original ones first, new ones in the order they appear', () => {
    const shaped = shapeResults(
      [done(0, { 'Source Hash': 'h0', 'File Path': '/a' }), done(1, { 'File Path': '/b', 'Source Hash': 'h1', Extra: 'e' })],
      rows,
      columns,
      'series',
      false,
    );
    assert.ok(shaped.resultType === 'series');
    // pandas builds the frame from the returned rows: a column no row has is not in it.
    assert.deepEqual(shaped.columns, ['File Path', 'Source Hash', 'Extra']);
  });

  it('keep every original column when a patch keeps a skipped row', () => {
    const shaped = shapeResults(
      [done(0, { 'File Path': '/a', Note: 'n' }), { index: 1, status: 'skipped', durationMs: 0 }],
      rows,
      columns,
      'series',
      true,
    );
    assert.ok(shaped.resultType === 'series');
    assert.deepEqual(shaped.columns, ['File Path', 'Domain Tag', 'Note']);
    assert.deepEqual(shaped.rows[1], rows[1]);
  });

  it('are the original columns when no row comes back, with a warning', () => {
    const shaped = shapeResults([{ index: 0, status: 'skipped', durationMs: 0 }], rows.slice(0, 1), columns, 'series', false);
    assert.ok(shaped.resultType === 'series');
    assert.deepEqual(shaped.columns, columns);
    assert.deepEqual(shaped.rows, []);
    assert.match(shaped.warning ?? '', /empty/);
  });
});
