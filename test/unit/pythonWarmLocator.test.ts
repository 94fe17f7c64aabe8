// A warm Python worker keeps the last locator it parsed and starts the next run from a copy of that
// frame when the locator's bytes are the same (locator_batch_worker.py). What a user must see:
// an edited locator is read again, however quickly it was rewritten and whatever its size, and
// rows a run's condition changed do not leak into the next run.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'fs';
import { endIdlePythonWorkers, idlePythonWorkerCount } from '../../src/core/python/pythonPool';
import { useTempDir, writeFixture } from './helpers';
import { loadPy, runPy } from './pythonHelpers';

describe('Python apply files: a warm worker and its locator', function () {
  this.timeout(120_000);
  const tmp = useTempDir('py-warm-locator');
  after(() => endIdlePythonWorkers());

  it('reads a locator rewritten at once with the same size again (no stale rows from the kept worker)', async () => {
    const loc = writeFixture(tmp(), 'same-size.csv', 'a,b\n1,2\n3,4\n');
    const apply = await loadPy(writeFixture(tmp(), 'first.py', 'def app_func(row):\n    return int(row["a"]) * 10 + int(row["b"])\n'));
    const first = await runPy(apply, loc, { mode: 'sequential' });
    assert.deepEqual(first.out.records.map((r) => r.value), [12, 34]);
    assert.ok(idlePythonWorkerCount() >= 1, 'the worker is kept for the next run');
    writeFileSync(loc, 'a,b\n5,6\n7,8\n'); // same size, within the same clock tick
    const second = await runPy(apply, loc, { mode: 'sequential' });
    assert.deepEqual(second.out.records.map((r) => r.value), [56, 78]);
  });

  it("a condition that changes its rows changes that run's frame only: the next run starts from the file", async () => {
    const loc = writeFixture(tmp(), 'ints.csv', 'a,b\n1,2\n3,4\n'); // all ints: iterrows gives views of the frame
    const apply = await loadPy(
      writeFixture(tmp(), 'mutates.py', 'def con_func(row):\n    row["a"] += 1000\n    return True\n\ndef app_func(row):\n    return int(row["a"])\n'),
    );
    const first = await runPy(apply, loc, { mode: 'sequential' });
    const second = await runPy(apply, loc, { mode: 'sequential' });
    assert.deepEqual(second.out.records.map((r) => r.value), first.out.records.map((r) => r.value));
    assert.ok(second.out.records.every((r) => (r.value as number) < 2000), JSON.stringify(second.out.records.map((r) => r.value)));
  });
});
