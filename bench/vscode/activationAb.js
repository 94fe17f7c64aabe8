#!/usr/bin/env node
'use strict';
// Activation of two builds side by side: fresh extension hosts (bench/vscode-host/index.js, as in
// bench/vscode.js's section 2), alternating A and B, R rounds. Prints and writes the raw figures.
//   node bench/vscode/activationAb.js --a DIR --b DIR [--runs R] [--json FILE]
// DIR: an extension folder with package.json and a production dist/ (`node esbuild.js --production`).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { activationRun } = require('./activation');
const { makeWorkspace } = require('./workspace');

function args(argv) {
  const o = { runs: 3, a: undefined, b: undefined, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--a') o.a = path.resolve(argv[++i]);
    else if (argv[i] === '--b') o.b = path.resolve(argv[++i]);
    else if (argv[i] === '--json') o.json = argv[++i];
  }
  if (!o.a || !o.b) throw new Error('usage: activationAb.js --a DIR --b DIR [--runs R] [--json FILE]');
  return o;
}

async function main() {
  const o = args(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-activation-ab-'));
  const ws = makeWorkspace(path.join(tmp, 'ws'));
  const out = { date: new Date().toISOString(), a: o.a, b: o.b, loadavgBefore: os.loadavg(), rounds: [] };
  for (let r = 0; r < o.runs; r++) {
    const round = {};
    for (const side of ['a', 'b']) {
      const x = await activationRun(o[side], ws.dir).catch((err) => ({ error: String(err.message || err).split('\n')[0] }));
      round[side] = { loadMs: x.loadMs, activateCallMs: x.activateCallMs, ownMs: x.loadMs + x.activateCallMs, activatedBy: x.activatedBy, firstCommandMs: x.firstCommandMs, featuresLoadMs: x.featuresLoadMs, error: x.error };
    }
    round.loadavg = os.loadavg();
    console.error(JSON.stringify(round));
    out.rounds.push(round);
  }
  const med = (xs) => { const v = xs.filter(Number.isFinite).sort((p, q) => p - q); const m = v.length >> 1; return !v.length ? NaN : v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };
  for (const side of ['a', 'b']) out[`${side}MedianOwnMs`] = med(out.rounds.map((r) => r[side].ownMs));
  out.loadavgAfter = os.loadavg();
  const text = JSON.stringify(out, null, 1);
  if (o.json) fs.writeFileSync(o.json, text + '\n');
  console.log(text);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
