// A warm Python worker keeps the last locator it parsed and starts the next run from a copy of that
// frame when the locator's bytes are the same (locator_batch_worker.py). What a user must see:
// an edited locator is read again, however quickly it was rewritten and whatever its size, and
// rows a run's condition changed do not leak into the next run.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, writeFileSync } from 'fs';
import { findPython } from '../../src/core/python/interpreter';
import { endIdlePythonWorkers, idlePythonWorkerCount, warmPythonWorkers } from '../../src/core/python/pythonPool';
import { useTempDir, writeFixture } from './helpers';
import { loadPy, runPy, testPython } from './pythonHelpers';

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

describe('Python apply files: workers started before the first run', function () {
  this.timeout(120_000);
  const tmp = useTempDir('py-prewarm');
  afterEach(() => endIdlePythonWorkers());

  it('warmPythonWorkers starts them with pandas imported; the first process-mode run uses them, ends them after the keep time', async () => {
    await endIdlePythonWorkers();
    const py = await findPython(testPython());
    assert.equal(await warmPythonWorkers(py, 2, 60_000), 2);
    assert.equal(idlePythonWorkerCount(), 2, 'two workers wait before any run');
    const warmed = pythonWorkerPids();
    assert.equal(warmed.length, 2);
    const loc = writeFixture(tmp(), 'pids.csv', 'a\n1\n2\n3\n4\n');
    const apply = await loadPy(writeFixture(tmp(), 'pid.py', 'import os\n\ndef app_func(row):\n    return os.getpid()\n'));
    const started = performance.now();
    const { out } = await runPy(apply, loc, { mode: 'process', workers: 2 });
    const ms = performance.now() - started;
    assert.equal(out.counts.done, 4);
    const used = [...new Set(out.records.map((r) => r.value as number))];
    assert.ok(used.every((pid) => warmed.includes(pid)), `rows ran in the warmed workers ${warmed}, not in ${used}`);
    console.log(`      first Python process-mode run (4 rows) on pre-started workers: ${ms.toFixed(0)} ms`);

    await endIdlePythonWorkers();
    assert.equal(await warmPythonWorkers(py, 1, 300), 1);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(idlePythonWorkerCount(), 0, 'ended after the keep time');
    assert.equal(await warmPythonWorkers(py, 2, 0), 0, 'a keep time of 0 starts none');
  });
});

/** Live child processes of this process running the Python worker script. */
function pythonWorkerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === process.pid && state !== 'Z' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('locator_batch_worker.py')) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}
