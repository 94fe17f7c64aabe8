'use strict';
// Builds the benchmark's case processes (bench/caseChild.ts and the floors' children) into
// out/bench-dist/ as esbuild bundles, with the options of dist/ (esbuild.js: a development build),
// and the engine's worker, lazy packages and Python worker beside them as the extension has them.
// So the cases time the engine's bundled code, not tsc's one-file-per-module output (in a one-off
// probe a fresh pool of out/src/core/worker.js took ~30 ms longer to start than dist/worker.js).
//   node bench/build.js   (the bench's first CaseChild.start runs it: bench/caseChild.ts)
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { node, lazyPackages, LAZY_PACKAGES, PYTHON_WORKER_FILES } = require('../esbuild.js');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'out', 'bench-dist');

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  for (const name of PYTHON_WORKER_FILES) fs.copyFileSync(path.join(ROOT, 'src/core/python', name), path.join(OUT, name));
  const entries = { caseChild: 'bench/caseChild.ts', cpuFloorChild: 'bench/cpuFloorChild.ts', floorChild: 'bench/floorChild.ts', worker: 'src/core/worker.ts' };
  await Promise.all([
    esbuild.build({ ...node, absWorkingDir: ROOT, entryPoints: entries, outdir: OUT, plugins: [lazyPackages] }),
    esbuild.build({ ...node, absWorkingDir: ROOT, entryPoints: Object.entries(LAZY_PACKAGES).map(([pkg, out]) => ({ in: pkg, out })), outdir: OUT }),
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
