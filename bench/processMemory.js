'use strict';
// Issue 12, item 2: where the memory of 100k rows through process mode goes. The same case as
// bench/index.ts's memory section (out/bench/cases.ts 'memory': runBatch, 2 workers, trivial.js),
// sampled every 10 ms per process: the parent's peak and each worker's, beside the tree's peak.
//   npm run compile-tests && node bench/processMemory.js [rows] [runs]
const path = require('path');
const os = require('os');
const OUT = path.join(__dirname, '..', 'out', 'bench');
const { CaseChild } = require(path.join(OUT, 'caseChild'));
const { treePids, readStatus, cmdline, sampleTree } = require(path.join(OUT, 'procTree'));

async function main() {
  const rows = Number(process.argv[2] ?? 100_000);
  const runs = Number(process.argv[3] ?? 2);
  const out = { rows, loadavgBefore: os.loadavg(), runs: [] };
  for (let r = 0; r < runs; r++) {
    const child = await CaseChild.start({ kind: 'memory', rows });
    const byPid = new Map();
    const timer = setInterval(() => {
      for (const pid of treePids(child.pid)) {
        const s = readStatus(pid);
        if (!s) continue;
        const e = byPid.get(pid) ?? { role: pid === child.pid ? 'parent' : /worker/.test(cmdline(pid)) ? 'worker' : cmdline(pid).slice(0, 60), peakMb: 0 };
        e.peakMb = Math.max(e.peakMb, s.hwmKb / 1024);
        byPid.set(pid, e);
      }
    }, 10);
    const tree = sampleTree(child.pid);
    const sample = await child.run();
    const mem = tree.stop();
    clearInterval(timer);
    out.runs.push({
      ms: Math.round(sample.ms),
      baseRssMb: Math.round(child.info.baseRssMb),
      peakTreeMb: Math.round(mem.peakTreeMb), // own pages + file pages once (bench/procTree.ts)
      peakTreeRssMb: Math.round(mem.peakTreeRssMb),
      processes: [...byPid.values()].map((e) => ({ role: e.role, peakMb: Math.round(e.peakMb) })),
    });
    await child.end?.();
  }
  out.loadavgAfter = os.loadavg();
  console.log(JSON.stringify(out, null, 1));
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
