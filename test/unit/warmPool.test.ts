// Process mode with workers kept warm between runs (what the extension does): later runs reuse the
// processes, yet every run sees its own code and fresh module state, and a broken or cancelled
// run never hands its pool on.
import * as assert from 'assert';
import { endIdleWorkers, idleWorkerCount } from '../../src/core/run';
import { applyFixture, liveWorkerPids, rowsOf, run, sleep, useTempDir } from './helpers';

const PID_AND_COUNT = `
let calls = 0;
export function apply(row) {
  if (row.id === 'loop') for (;;) {}
  calls++;
  return { pid: process.pid, calls, tag: 'v1' };
}
`;

type Out = { pid: number; calls: number; tag: string };

describe('process mode: workers kept warm between runs', function () {
  const dir = useTempDir('warm');
  const rows = rowsOf(40, (i) => ({ id: String(i) }));
  afterEach(() => endIdleWorkers());

  it('a second run reuses the same processes, with the module loaded afresh (module state starts over)', async () => {
    const loaded = await applyFixture(dir(), 'state.mjs', PID_AND_COUNT);
    const first = await run(loaded, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    assert.deepStrictEqual(first.counts.done, rows.length);
    const kept = liveWorkerPids().sort();
    assert.strictEqual(kept.length, 2, 'two workers stay alive after the run');
    assert.strictEqual(idleWorkerCount(), 2);

    const second = await run(loaded, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    const values = second.records.map((r) => r.value as Out);
    const pids = [...new Set(values.map((v) => v.pid))].sort();
    assert.ok(pids.every((p) => kept.includes(p)), `rows ran in the kept processes ${kept}, not in ${pids}`);
    // Each worker's counter starts from 1 again in the new run: no state leaks from the first run.
    for (const pid of pids) {
      const counts = values.filter((v) => v.pid === pid).map((v) => v.calls);
      assert.strictEqual(Math.min(...counts), 1, `worker ${pid} started counting at ${Math.min(...counts)}`);
    }
  });

  it('an edited apply file runs its new code in the kept workers', async () => {
    const v1 = await applyFixture(dir(), 'edit.mjs', PID_AND_COUNT);
    await run(v1, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    const v2 = await applyFixture(dir(), 'edit.mjs', PID_AND_COUNT.replace("tag: 'v1'", "tag: 'v2'"));
    const out = await run(v2, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    assert.deepStrictEqual([...new Set(out.records.map((r) => (r.value as Out).tag))], ['v2']);
  });

  it('a run with another number of workers starts its own pool and ends the idle one', async () => {
    const loaded = await applyFixture(dir(), 'sizes.mjs', PID_AND_COUNT);
    await run(loaded, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    const before = liveWorkerPids();
    const out = await run(loaded, rows, { mode: 'process', workers: 1, keepWorkersMs: 60_000 });
    const used = new Set(out.records.map((r) => (r.value as Out).pid));
    assert.strictEqual(used.size, 1);
    assert.ok(!before.includes([...used][0]), 'the one-worker run used a new process');
    await sleep(200);
    assert.deepStrictEqual(liveWorkerPids(), [...used], 'only the new pool is left');
    assert.strictEqual(idleWorkerCount(), 1);
  });

  it('workers are ended once the keep time passes', async () => {
    const loaded = await applyFixture(dir(), 'expire.mjs', PID_AND_COUNT);
    await run(loaded, rows, { mode: 'process', workers: 2, keepWorkersMs: 150 });
    assert.strictEqual(liveWorkerPids().length, 2);
    await sleep(800);
    assert.strictEqual(idleWorkerCount(), 0);
    assert.deepStrictEqual(liveWorkerPids(), []);
  });

  it('without keepWorkersMs no worker outlives the run', async () => {
    const loaded = await applyFixture(dir(), 'fresh.mjs', PID_AND_COUNT);
    await run(loaded, rows, { mode: 'process', workers: 2 });
    await sleep(200);
    assert.deepStrictEqual(liveWorkerPids(), []);
  });

  it('a cancelled run does not keep its pool; the next run starts new workers and finishes', async () => {
    const loaded = await applyFixture(dir(), 'cancel.mjs', PID_AND_COUNT);
    const ac = new AbortController();
    const looping = rowsOf(6, (i) => ({ id: i === 1 ? 'loop' : String(i) }));
    setTimeout(() => ac.abort(), 300);
    const cancelled = await run(loaded, looping, { mode: 'process', workers: 2, keepWorkersMs: 60_000, signal: ac.signal });
    assert.strictEqual(cancelled.endedBy, 'cancelled');
    assert.strictEqual(idleWorkerCount(), 0);
    await sleep(200);
    assert.deepStrictEqual(liveWorkerPids(), [], 'the stuck worker was killed');
    const next = await run(loaded, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    assert.strictEqual(next.counts.done, rows.length);
  });

  it('a row past its time limit kills its worker; the kept pool replaces it and serves the next run', async () => {
    const loaded = await applyFixture(dir(), 'timeout.mjs', PID_AND_COUNT);
    const looping = rowsOf(6, (i) => ({ id: i === 2 ? 'loop' : String(i) }));
    const timed = await run(loaded, looping, { mode: 'process', workers: 2, keepWorkersMs: 60_000, timeoutMs: 300 });
    assert.deepStrictEqual(timed.records.map((r) => r.status), ['done', 'done', 'timeout', 'done', 'done', 'done']);
    assert.strictEqual(idleWorkerCount(), 2);
    const next = await run(loaded, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    assert.strictEqual(next.counts.done, rows.length);
  });

  it('endIdleWorkers ends the kept processes', async () => {
    const loaded = await applyFixture(dir(), 'end.mjs', PID_AND_COUNT);
    await run(loaded, rows, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
    assert.strictEqual(liveWorkerPids().length, 2);
    await endIdleWorkers();
    await sleep(200);
    assert.deepStrictEqual(liveWorkerPids(), []);
  });
});
