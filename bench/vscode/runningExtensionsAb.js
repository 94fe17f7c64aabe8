#!/usr/bin/env node
'use strict';
// VS Code's own activation figure ("Developer: Show Running Extensions") of one or more builds,
// one fresh workbench each, in the order given (alternate them for an A/B):
//   node bench/vscode/runningExtensionsAb.js DIR [DIR...]
// DIR: an extension folder with package.json and a production dist/. The figure is VS Code's
// code loading + activate() of an activation during the window's startup (onStartupFinished), so it
// also counts the waits of a busy extension host then: it moves a lot with the load.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { REPO } = require('./common');
const { freshWindowFigure } = require('./workbench');

const figure = (extDir) => freshWindowFigure({ folder: path.join(REPO, 'demo'), extDir, open: 'demo.locator.csv' });

(async () => {
  const out = [];
  for (const dir of process.argv.slice(2)) {
    const loadavg = os.loadavg();
    const f = await figure(path.resolve(dir)).catch((e) => ({ ms: NaN, text: String(e.message).split('\n')[0] }));
    out.push({ extDir: dir, ms: f.ms, text: f.text, loadavg });
    console.error(JSON.stringify(out[out.length - 1]));
  }
  console.log(JSON.stringify({ date: new Date().toISOString(), runs: out }, null, 1));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
