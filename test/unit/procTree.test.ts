// The benchmark's memory of a process tree (bench/procTree.ts): the tree's memory counts the pages
// every Node process maps from the node binary once, not once per process as a sum of VmRSS does.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'child_process';
import { filePageFrames, readStatus, sampleTree } from '../../bench/procTree';

/** A Node child that holds `mb` MB of its own (anonymous) memory until killed. */
function holder(mb: number): Promise<ChildProcess> {
  const code = `globalThis.keep = Buffer.alloc(${mb} * 2 ** 20, 1); process.send('ready'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('error', reject);
  });
}

describe('bench: memory of a process tree', () => {
  it("counts each process's own pages and the node binary's pages once", async function () {
    this.timeout(30_000);
    const kids = await Promise.all([holder(30), holder(30)]);
    try {
      const sampler = sampleTree(process.pid, 10);
      await new Promise((r) => setTimeout(r, 150));
      const mem = sampler.stop();
      const pids = [process.pid, ...kids.map((k) => k.pid!)];
      const statuses = pids.map((pid) => readStatus(pid)!);
      for (const s of statuses) assert.ok(s.anonKb > 0 && s.fileKb > 0, `anonymous and file-backed pages: ${JSON.stringify(s)}`);
      // Each child holds 30 MB of its own: the tree has at least 60 MB of private pages.
      assert.ok(mem.peakTreeMb >= 60, `tree ${mem.peakTreeMb} MB`);
      // The node binary is mapped by all three: the sum of VmRSS counts it three times, the tree once.
      const ownMb = statuses.reduce((n, s) => n + s.anonKb + s.shmemKb, 0) / 1024;
      const largestFileMb = Math.max(...statuses.map((s) => s.fileKb)) / 1024;
      const totalFileMb = statuses.reduce((n, s) => n + s.fileKb, 0) / 1024;
      const frames = pids.map(filePageFrames);
      let fileOnceMb = largestFileMb; // without root: the largest process's file pages (a lower bound)
      if (frames.every(Boolean)) {
        assert.equal(mem.fileCounted, 'page frames');
        const union = new Set(frames.flatMap((f) => [...f!]));
        fileOnceMb = (union.size * 4096) / 2 ** 20;
        // The three share most of them: far fewer distinct pages than the three counts added.
        assert.ok(fileOnceMb < 0.6 * totalFileMb, `distinct file pages ${fileOnceMb} MB of ${totalFileMb} MB counted per process`);
      }
      // The peak is this tree's own pages plus its file pages once (the holders are idle: within a few MB).
      const expected = ownMb + fileOnceMb;
      assert.ok(Math.abs(mem.peakTreeMb - expected) < 8, `tree ${mem.peakTreeMb} MB, expected ${expected} MB (own ${ownMb}, file once ${fileOnceMb})`);
      assert.ok(mem.peakTreeRssMb - mem.peakTreeMb >= totalFileMb - fileOnceMb - 8, `RSS sum ${mem.peakTreeRssMb} MB, tree ${mem.peakTreeMb} MB`);
      assert.ok(mem.maxProcesses >= 3, `${mem.maxProcesses} processes`);
    } finally {
      for (const k of kids) k.kill();
    }
  });
});
