// Process-mode workers keep V8's young generation at its initial size (src/core/worker.ts sets it once
// loaded, not as a command-line flag): a row that allocates a lot, keeping some of it, leaves the
// worker's new space at 2 MB, where a plain Node process (this one, sequential mode) grows it to 32.
import * as assert from 'assert';
import { applyFixture, rowsOf, run, useTempDir } from './helpers';

const NEW_SPACE_AFTER_ALLOCATING = `
import * as v8 from 'v8';
export function apply(row) {
  const keep = [];
  for (let i = 0; i < 3e6; i++) {
    const o = { a: i, b: 'x' + i };
    if (i % 1000 === 0) keep.push(o);
  }
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return { newSpaceMb: newSpace.space_size / 2 ** 20, kept: keep.length, pid: process.pid };
}
`;

type Out = { newSpaceMb: number; kept: number; pid: number };

describe('process mode: workers keep a small young generation', function () {
  this.timeout(60_000);
  const dir = useTempDir('worker-heap');

  it('a row allocating ~100 MB leaves a worker with 2 MB of new space; the same row in this process grows it past 8 MB', async () => {
    const loaded = await applyFixture(dir(), 'alloc.mjs', NEW_SPACE_AFTER_ALLOCATING);
    const rows = rowsOf(2, (i) => ({ id: String(i) }));
    const inWorkers = await run(loaded, rows, { mode: 'process', workers: 2 });
    const here = await run(loaded, rows.slice(0, 1), { mode: 'sequential' });
    const worker = inWorkers.records.map((r) => r.value as Out);
    const local = here.records[0].value as Out;
    assert.ok(worker.every((v) => v.pid !== process.pid && v.kept === 3000), JSON.stringify(worker));
    for (const v of worker) assert.ok(v.newSpaceMb <= 2, `a worker's new space grew to ${v.newSpaceMb} MB`);
    assert.ok(local.newSpaceMb > 8, `this process's new space stayed at ${local.newSpaceMb} MB: the test would not see a worker's grow`);
  });
});
