// Two promises the README makes about apply files: a `condition` may be async (its promise is
// awaited, in every mode), and `context.signal` is aborted when the user cancels a run.
import { strict as assert } from 'node:assert';
import { existsSync } from 'fs';
import * as path from 'path';
import type { Mode, Row } from '../../src/core/types';
import { applyFixture, essence, linesOf, liveWorkerPids, rowsOf, run, sleep, useTempDir } from './helpers';

const ALL_MODES: Mode[] = ['sequential', 'async', 'process'];

describe('an async condition and context.signal', function () {
  this.timeout(30000);
  const tmp = useTempDir('cond-signal');

  afterEach(() => {
    assert.deepEqual(liveWorkerPids(), [], 'worker processes left running after the test');
  });

  describe('a condition that returns a promise picks rows by what the promise resolves to', () => {
    for (const mode of ALL_MODES) {
      it(mode, async () => {
        const loaded = await applyFixture(
          tmp(),
          `async-condition-${mode}.cjs`,
          `exports.condition = async (row) => {
  await new Promise((r) => setTimeout(r, 2));
  if (row.pick === 'boom') throw new Error('cannot decide ' + row.id);
  return row.pick === 'y';
};
exports.apply = (row) => 'v-' + row.id;`,
        );
        const picks = ['y', 'n', 'y', 'boom', 'n', 'y'];
        const rows: Row[] = picks.map((pick, i) => ({ id: `r${i}`, pick }));
        const out = await run(loaded, rows, { mode, workers: 2 });
        assert.deepEqual(out.records.map(essence), [
          { index: 0, status: 'done', value: 'v-r0' },
          { index: 1, status: 'skipped' },
          { index: 2, status: 'done', value: 'v-r2' },
          { index: 3, status: 'error', error: 'cannot decide r3' },
          { index: 4, status: 'skipped' },
          { index: 5, status: 'done', value: 'v-r5' },
        ]);
        // The rejected promise is the condition's failure, pointing at the user's line.
        assert.equal(out.records[3].error?.phase, 'condition');
        assert.equal(out.records[3].error?.location?.line, 3);
      });
    }
  });

  describe('context.signal is aborted on Cancel; finished rows are kept', () => {
    for (const mode of ['sequential', 'async'] as const) {
      it(`${mode}: the rows in flight see the abort, and their late result is not taken`, async () => {
        const started = path.join(tmp(), `started-${mode}.log`);
        const aborted = path.join(tmp(), `aborted-${mode}.log`);
        const loaded = await applyFixture(
          tmp(),
          `signal-${mode}.cjs`,
          `const fs = require('fs');
exports.apply = (row, ctx) => {
  if (ctx.index < 2) return 'v-' + row.id;
  fs.appendFileSync(${JSON.stringify(started)}, ctx.index + '\\n');
  return new Promise((resolve) => {
    ctx.signal.addEventListener('abort', () => {
      fs.appendFileSync(${JSON.stringify(aborted)}, ctx.index + '\\n');
      resolve('late');
    });
  });
};`,
        );
        const controller = new AbortController();
        const pending = run(loaded, rowsOf(10, (i) => ({ id: `r${i}` })), { mode, workers: 3, signal: controller.signal });
        const inFlight = mode === 'async' ? 3 : 1; // rows 2.. wait for the signal; async has 3 in flight
        const deadline = Date.now() + 10_000;
        while (linesOf(started).length < inFlight) {
          assert.ok(Date.now() < deadline, 'the slow rows started');
          await sleep(10);
        }
        assert.equal(existsSync(aborted), false, 'no abort before Cancel');
        controller.abort();
        const out = await pending;

        assert.equal(out.endedBy, 'cancelled');
        assert.deepEqual(linesOf(aborted).sort(), linesOf(started).sort(), 'every row in flight saw its signal abort');
        assert.equal(linesOf(started).length, inFlight, 'no row started after Cancel');
        assert.deepEqual(out.records.slice(0, 2).map(essence), [
          { index: 0, status: 'done', value: 'v-r0' },
          { index: 1, status: 'done', value: 'v-r1' },
        ]);
        assert.deepEqual(
          out.records.slice(2).map((r) => r.status),
          Array(8).fill('cancelled'),
        );
      });
    }

    it('process: the worker running a row is ended on Cancel (its apply never goes on), finished rows are kept', async () => {
      // The worker gets no live signal: Cancel kills it, so nothing of the row runs after Cancel.
      const started = path.join(tmp(), 'started-process.log');
      const late = path.join(tmp(), 'late-process.log');
      const loaded = await applyFixture(
        tmp(),
        'signal-process.cjs',
        `const fs = require('fs');
exports.apply = (row, ctx) => {
  if (ctx.index < 2) return 'v-' + row.id;
  fs.appendFileSync(${JSON.stringify(started)}, ctx.index + '\\n');
  return new Promise((resolve) => setTimeout(() => { fs.appendFileSync(${JSON.stringify(late)}, ctx.index + '\\n'); resolve('late'); }, 600));
};`,
      );
      const controller = new AbortController();
      const pending = run(loaded, rowsOf(10, (i) => ({ id: `r${i}` })), { mode: 'process', workers: 1, signal: controller.signal });
      const deadline = Date.now() + 10_000;
      while (linesOf(started).length < 1) {
        assert.ok(Date.now() < deadline, 'a slow row started');
        await sleep(10);
      }
      controller.abort();
      const out = await pending;
      assert.equal(out.endedBy, 'cancelled');
      await sleep(900);
      assert.deepEqual(linesOf(late), [], 'the row in flight did not go on after Cancel');
      assert.deepEqual(out.records.slice(2).map((r) => r.status), Array(8).fill('cancelled'));
    });
  });
});
