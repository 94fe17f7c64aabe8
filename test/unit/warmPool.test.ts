// Process mode with workers kept warm between runs (what the extension does): later runs reuse the
// processes, yet every run sees its own code and fresh module state, and a broken or cancelled
// run never hands its pool on.
import * as assert from 'assert';
import { endIdleWorkers, idleWorkerCount, warmWorkers } from '../../src/core/run';
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

  // Workers ready before Run (the extension warms them when a locator opens in process mode).
  describe('warmWorkers: started before any run', function () {
    const untilLive = async (n: number) => {
      for (let i = 0; i < 100 && liveWorkerPids().length !== n; i++) await sleep(50);
      return liveWorkerPids().sort();
    };

    it('starts the processes before any apply file is known; the first run runs in them and skips the start-up', async () => {
      const loaded = await applyFixture(dir(), 'first.mjs', PID_AND_COUNT);
      const two = rowsOf(2, (i) => ({ id: String(i) }));
      // Cold: the run starts its own pool.
      let t = performance.now();
      await run(loaded, two, { mode: 'process', workers: 2 });
      const coldMs = performance.now() - t;
      await sleep(200);
      assert.deepStrictEqual(liveWorkerPids(), []);

      assert.strictEqual(await warmWorkers(2, 60_000), 2);
      assert.strictEqual(idleWorkerCount(), 2);
      const warm = await untilLive(2);
      assert.strictEqual(warm.length, 2, 'two worker processes run before any run');
      await sleep(300); // let them finish booting, as they would while the user looks at the locator

      t = performance.now();
      const first = await run(loaded, two, { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
      const warmMs = performance.now() - t;
      const pids = [...new Set(first.records.map((r) => (r.value as Out).pid))];
      assert.ok(pids.every((p) => warm.includes(p)), `rows ran in the warmed processes ${warm}, not in ${pids}`);
      assert.ok(warmMs < coldMs, `first run on warmed workers ${warmMs.toFixed(0)} ms, cold ${coldMs.toFixed(0)} ms`);
      console.log(`      2-row run: cold pool ${coldMs.toFixed(0)} ms, warmed before the run ${warmMs.toFixed(0)} ms`);
    });

    it('warming again keeps the same processes; another size replaces them', async () => {
      await warmWorkers(2, 60_000);
      const first = await untilLive(2);
      await warmWorkers(2, 60_000);
      await sleep(100);
      assert.deepStrictEqual(liveWorkerPids().sort(), first);
      await warmWorkers(1, 60_000);
      const after = await untilLive(1);
      assert.strictEqual(after.length, 1);
      assert.ok(!first.includes(after[0]), 'a new one-worker pool');
      assert.strictEqual(idleWorkerCount(), 1);
    });

    it('starts nothing while a run holds its pool (that pool is kept after the run)', async () => {
      const slow = await applyFixture(dir(), 'slow.mjs', 'export async function apply() { await new Promise((r) => setTimeout(r, 50)); return process.pid; }\n');
      const going = run(slow, rowsOf(40, (i) => ({ id: String(i) })), { mode: 'process', workers: 2, keepWorkersMs: 60_000 });
      await untilLive(2);
      assert.strictEqual(await warmWorkers(2, 60_000), 0, 'no idle pool while the run holds one');
      await sleep(300);
      assert.strictEqual(liveWorkerPids().length, 2, 'no second pool beside the running one');
      const out = await going;
      assert.strictEqual(out.counts.done, 40);
      assert.strictEqual(idleWorkerCount(), 2, "the run's pool is the one kept");
    });

    it('warmed workers end after the keep time; a keep time of 0 starts none', async () => {
      await untilLive(0); // the previous test's workers have exited
      await warmWorkers(2, 300);
      // The keep time counts from when they are ready, however long starting them took.
      assert.strictEqual(idleWorkerCount(), 2);
      assert.strictEqual((await untilLive(2)).length, 2);
      await sleep(1000);
      assert.strictEqual(idleWorkerCount(), 0);
      assert.deepStrictEqual(liveWorkerPids(), []);
      assert.strictEqual(await warmWorkers(2, 0), 0);
      await sleep(200);
      assert.deepStrictEqual(liveWorkerPids(), []);
    });
  });
});
