// The benchmark's memory of a process tree (bench/procTree.ts): the tree's memory counts the pages
// every Node process maps from the node binary once, not once per process as a sum of VmRSS does.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'child_process';
import { filePageFrames, readStatus, sampleTree } from '../../bench/procTree';

/**
 * A tree of three idle Node processes: a parent holding 10 MB of its own (anonymous) memory and two
 * children holding 30 MB each. Not this (mocha's) process: its heap moves with the tests before.
 */
function idleTree(): Promise<{ root: ChildProcess; pids: number[] }> {
  const hold = (mb: number) => `globalThis.keep = Buffer.alloc(${mb} * 2 ** 20, 1); setInterval(() => {}, 1000);`;
  const code = `
    const { spawn } = require('child_process');
    ${hold(10)}
    const kids = [0, 1].map(() => spawn(process.execPath, ['-e', ${JSON.stringify(`${hold(30)} process.send('ready');`)}], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    Promise.all(kids.map((k) => new Promise((r) => k.once('message', r)))).then(() => process.send(kids.map((k) => k.pid)));
    process.on('disconnect', () => { for (const k of kids) k.kill(); process.exit(0); });
  `;
  const root = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    root.once('message', (kids: number[]) => resolve({ root, pids: [root.pid!, ...kids] }));
    root.once('error', reject);
  });
}

describe('bench: memory of a process tree', () => {
  it("counts each process's own pages and the node binary's pages once", async function () {
    this.timeout(30_000);
    const { root, pids } = await idleTree();
    try {
      const sampler = sampleTree(root.pid!, 10);
      await new Promise((r) => setTimeout(r, 150));
      const mem = sampler.stop();
      const statuses = pids.map((pid) => readStatus(pid)!);
      for (const s of statuses) assert.ok(s.anonKb > 0 && s.fileKb > 0, `anonymous and file-backed pages: ${JSON.stringify(s)}`);
      // The three hold 70 MB of their own: the tree has at least that many private pages.
      assert.ok(mem.peakTreeMb >= 70, `tree ${mem.peakTreeMb} MB`);
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
      root.disconnect();
      await new Promise((r) => setTimeout(r, 50));
      for (const pid of pids) {
        try {
          process.kill(pid);
        } catch {
          // already gone
        }
      }
    }
  });
});
