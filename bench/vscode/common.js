'use strict';
// What every part of bench/vscode.js shares: the repo, the harness, the helpers both benchmarks
// print with (bench/report.ts and bench/procTree.ts, compiled to out/bench/ by `npm run
// compile-tests`, which `npm run bench` runs first), and this benchmark's constants.

const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');

function compiled(name) {
  const file = path.join(REPO, 'out', 'bench', `${name}.js`);
  if (!fs.existsSync(file)) throw new Error(`missing ${path.relative(REPO, file)}: run \`npm run compile-tests\` first (it compiles bench/${name}.ts)`);
  return require(file);
}

const report = compiled('report');
const procTree = compiled('procTree');
const h = require(path.join(REPO, 'test/harness/codeServer.js'));
const quickInput = require(path.join(REPO, 'test/harness/quickInput.js'));

const EXT_ID = 'locator-batch.locator-batch';
const BIG_ROWS = 100_000;
const TARGETS = { activationMs: 50, extensionBytes: 1024 * 1024 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// This benchmark's figures are milliseconds: whole numbers unless a call says otherwise.
const fmt = (x, digits = 0) => report.fmt(x, digits);
const spread = (s, digits = 0, unit = '') => report.spread(s, digits, unit);
const mb = (bytes) => bytes / 2 ** 20;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

module.exports = { REPO, report, procTree, h, quickInput, EXT_ID, BIG_ROWS, TARGETS, sleep, fmt, spread, mb, kb };
