// The benchmark's account of who used the machine (bench/machineShare.ts) and which CPU-bound rounds
// it judges (bench/caseChild.ts judgeRounds): a pool's workers are ours, even once they have ended.
import { strict as assert } from 'node:assert';
import { spawn } from 'child_process';
import { judgeRounds } from '../../bench/caseChild';
import { treeTicks } from '../../bench/machineShare';

/** Busy arithmetic for `ms` of wall time, as a `node -e` snippet. */
const spin = (ms: number) => `{ const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); }`;

describe('bench: CPU of our process tree', () => {
  it('counts a grandchild that worked and ended during the interval, reaped by its living parent', async function () {
    this.timeout(30_000);
    // A child whose own child spins 1 s and exits (the child reaps it); the child stays alive, idle:
    // the shape of a case process and a pool worker it ended. The child's own CPU (its start-up) is
    // far under the threshold: only the grandchild's time, through the child's cutime, reaches it.
    const code = `
      const { spawn } = require('child_process');
      const kid = spawn(process.execPath, ['-e', ${JSON.stringify(spin(1000))}], { stdio: 'ignore' });
      kid.once('exit', () => { process.send('done'); setInterval(() => {}, 1000); });
    `;
    const before = treeTicks();
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      await new Promise((resolve) => child.once('message', resolve));
      const usedMs = (treeTicks() - before) * 10; // ticks of 10 ms (USER_HZ 100)
      // 1 s of spinning (on a busy machine a spin gets less CPU than its wall time: 60% of it at least)
      assert.ok(usedMs >= 600, `our tree used ${usedMs} ms of CPU`);
    } finally {
      child.kill();
    }
  });

  it("keeps every round when too few were undisturbed, and sets aside the disturbed ones otherwise", () => {
    const r = (othersShare: number) => ({ othersShare });
    // 5 wanted, 2 of 7 disturbed: the 5 calm ones are judged, the 2 reported.
    const mixed = [r(0.01), r(0.2), r(0.02), r(0.01), r(0.08), r(0.03), r(0.0)];
    assert.deepEqual(judgeRounds(mixed, 5, 0.05), { kept: [r(0.01), r(0.02), r(0.01), r(0.03), r(0.0)], redone: [r(0.2), r(0.08)] });
    // Only 4 calm of 10: nothing is set aside, every round is judged as measured.
    const busy = [r(0.1), r(0.01), r(0.2), r(0.02), r(0.3), r(0.01), r(0.4), r(0.02), r(0.5), r(0.6)];
    assert.deepEqual(judgeRounds(busy, 5, 0.05), { kept: busy, redone: [] });
    // Without a threshold, or where nothing could be measured (NaN), nothing is set aside.
    assert.deepEqual(judgeRounds(mixed, 5), { kept: mixed, redone: [] });
    const unmeasured = [r(NaN), r(NaN)];
    assert.deepEqual(judgeRounds(unmeasured, 2, 0.05), { kept: unmeasured, redone: [] });
  });
});
