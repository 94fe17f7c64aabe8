// A .py apply file gives what EEGUnity's batch_process gives: the seed's own parallel_execute and
// EEGUnity's shaping (test/unit/fixtures/python/eegunity_reference.py) on the same functions and
// locator, compared with our runs in all three modes x value/series x patch.
import { strict as assert } from 'node:assert';
import * as path from 'path';
import { shapeResults } from '../../src/core/run';
import type { Mode } from '../../src/core/types';
import { endIdlePythonWorkers } from '../../src/core/python/pythonPool';
import { useTempDir, writeFixture } from './helpers';
import { EXAMPLE_LOCATOR, PYTHON_FIXTURES, eegunityReference, type ReferenceAnswer, jsonish, loadPy, runPy, sameCell } from './pythonHelpers';

const MODES: Mode[] = ['sequential', 'async', 'process'];

describe('Python apply files: the same results as EEGUnity', function () {
  this.timeout(180_000);
  const tmp = useTempDir('py-semantics');
  after(() => endIdlePythonWorkers());
  const cases = (['value', 'series'] as const).flatMap((resultType) =>
    [true, false].flatMap((isPatch) => MODES.map((mode) => ({ resultType, isPatch, mode }))),
  );
  const fileOf = (resultType: string) => path.join(PYTHON_FIXTURES, `compare_${resultType}.py`);
  let reference: ReferenceAnswer[];
  before(() => {
    reference = eegunityReference(cases.map((c) => [EXAMPLE_LOCATOR, fileOf(c.resultType), c.mode, c.resultType, c.isPatch]));
  });

  cases.forEach(({ resultType, isPatch, mode }, n) => {
    it(`${mode} mode, ${resultType}, ${isPatch ? 'patch' : 'no patch'}: the shaped results equal batch_process's`, async () => {
      const apply = await loadPy(fileOf(resultType));
      const { out, locator } = await runPy(apply, EXAMPLE_LOCATOR, { mode, workers: 2, resultType, isPatch });
      assert.equal(out.endedBy, 'finished');
      assert.equal(out.counts.error, 0, JSON.stringify(out.records.filter((r) => r.error)));
      const ours = shapeResults(out.records, locator.rows, locator.columns, resultType, isPatch);
      const ref = reference[n];
      if (ours.resultType === 'value') {
        assert.ok(ref.values!.length > 3, 'the reference has values');
        assert.deepEqual(jsonish(ours.values), ref.values);
      } else if (ours.resultType === 'series') {
        assert.deepEqual(ours.columns, ref.columns);
        assert.ok(ref.rows!.length > 3, 'the reference has rows');
        assert.equal(ours.rows.length, ref.rows!.length);
        const cells = (rows: Record<string, string>[]) => rows.map((r) => ref.columns!.map((c) => sameCell(r[c])));
        assert.deepEqual(cells(ours.rows), cells(ref.rows!));
      }
    });
  });

  it("the row is pandas': row.name is the index, numbers are numbers, an empty cell is NaN; unsaved text is read instead of the file", async () => {
    const file = writeFixture(
      tmp(),
      'types.py',
      `import math\ndef apply(row):\n    n = row['Number of Channels']\n    return [int(row.name), n * 2, type(n).__name__, math.isnan(row['Sampling Rate'])]\n`,
    );
    const locatorPath = writeFixture(tmp(), 'rec.csv', 'File Path,Number of Channels,Sampling Rate\n/a.fif,25,250.0\n/b.fif,8,\n');
    const apply = await loadPy(file);
    const { out } = await runPy(apply, locatorPath, { keepWorkersMs: 60_000 });
    assert.deepEqual(out.records.map((r) => r.value), [
      [0, 50, 'int', false],
      [1, 16, 'int', true],
    ]);
    const edited = 'File Path,Number of Channels,Sampling Rate\n/a.fif,30,250.0\n/b.fif,9,100\n';
    const { out: fromText } = await runPy(apply, locatorPath, { locatorText: edited });
    assert.deepEqual(fromText.records.map((r) => r.value), [
      [0, 60, 'int', false],
      [1, 18, 'int', false],
    ]);
  });
});
