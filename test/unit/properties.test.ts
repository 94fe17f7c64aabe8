// Property: whatever the rows, the skip pattern and what apply does on each row, the three backends
// give the same ordered records, and those records are what the inputs call for.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Mode, Row } from '../../src/core/types';
import { applyFixture, essence, run, useTempDir, type Loaded } from './helpers';

const ACTS = ['value', 'undefined', 'null', 'throw', 'throwString', 'async', 'reject'] as const;
type Act = (typeof ACTS)[number];

// One apply file for every run: the row says what apply does with it.
const APPLY = `
exports.condition = (row) => row.pick === '1';
exports.apply = (row) => {
  switch (row.act) {
    case 'value': return { a: row.a, b: row.b, len: row.a.length + row.b.length, both: [row.a, row.b] };
    case 'undefined': return undefined;
    case 'null': return null;
    case 'throw': throw new Error('bad row ' + row.a);
    case 'throwString': throw 'thrown text ' + row.b;
    case 'async': return new Promise((resolve) => setTimeout(() => resolve(row.b + row.a), 1));
    case 'reject': return Promise.reject(new TypeError('rejected ' + row.b));
  }
  throw new Error('unknown act ' + row.act);
};
`;

/** What the inputs call for, written from the row alone. */
function expected(row: Row, index: number) {
  if (row.pick !== '1') return { index, status: 'skipped' };
  switch (row.act as Act) {
    case 'value':
      return { index, status: 'done', value: { a: row.a, b: row.b, len: row.a.length + row.b.length, both: [row.a, row.b] } };
    case 'undefined':
      return { index, status: 'done' };
    case 'null':
      return { index, status: 'done', value: null };
    case 'throw':
      return { index, status: 'error', error: `bad row ${row.a}` };
    case 'throwString':
      return { index, status: 'error', error: `thrown text ${row.b}` };
    case 'async':
      return { index, status: 'done', value: row.b + row.a };
    case 'reject':
      return { index, status: 'error', error: `rejected ${row.b}` };
  }
}

const rowArb: fc.Arbitrary<Row> = fc.record({
  a: fc.string({ unit: 'binary', maxLength: 12 }),
  b: fc.string({ maxLength: 12 }),
  pick: fc.boolean().map((p) => (p ? '1' : '0')),
  act: fc.constantFrom(...ACTS),
});

describe('property: all three backends return identical ordered records', function () {
  this.timeout(90000);
  const tmp = useTempDir('props');
  let loaded: Loaded;
  before(async () => {
    loaded = await applyFixture(tmp(), 'apply.cjs', APPLY);
  });

  it('for random rows, skip patterns and apply behaviours (value / undefined / throw / async)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 24 }), fc.integer({ min: 1, max: 2 }), async (rows, workers) => {
        const byMode: Record<string, unknown[]> = {};
        for (const mode of ['sequential', 'async', 'process'] as Mode[]) {
          const outcome = await run(loaded, rows, { mode, workers });
          assert.equal(outcome.endedBy, 'finished');
          assert.equal(outcome.records.length, rows.length);
          byMode[mode] = outcome.records.map(essence);
        }
        assert.deepEqual(byMode.async, byMode.sequential, 'async differs from sequential');
        assert.deepEqual(byMode.process, byMode.sequential, 'process differs from sequential');
        assert.deepEqual(byMode.sequential, rows.map(expected));
      }),
      { numRuns: 15 },
    );
  });
});
