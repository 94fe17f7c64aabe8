'use strict';
// What is measured, made in a temp dir: a production build of the extension and a workspace.

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { REPO, BIG_ROWS } = require('./common');

/** `node esbuild.js --production` in a temp copy of the repo (sources symlinked): returns the extension dir. */
function buildProduction(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const l of ['src', 'media', 'node_modules']) fs.symlinkSync(path.join(REPO, l), path.join(dir, l));
  for (const f of ['package.json', 'esbuild.js', 'LICENSE', 'README.md', 'CHANGELOG.md']) {
    if (fs.existsSync(path.join(REPO, f))) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  }
  execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: dir, stdio: ['ignore', process.stderr, process.stderr] });
  return dir;
}

/** The size of every bundle in the extension's dist/, plain and gzip -9. */
function bundleSizes(extDir) {
  const dist = path.join(extDir, 'dist');
  const files = fs.readdirSync(dist).filter((f) => !f.endsWith('.map')).sort();
  return files.map((f) => {
    const buf = fs.readFileSync(path.join(dist, f));
    return { file: `dist/${f}`, bytes: buf.length, gzipBytes: zlib.gzipSync(buf, { level: 9 }).length };
  });
}

const TRIVIAL_APPLY = "// Trivial apply (bench/vscode.js): the length of the row's file path.\nexports.apply = (row) => row['File Path'].length;\n";
const { eegunityLocatorText } = require('../fixtures/eegunityLocator');

/** The demo workspace (scripts/make-demo.js) plus big.locator.csv (100k rows, ~25 MB) and apply/trivial.js. */
function makeWorkspace(dir) {
  execFileSync(process.execPath, [path.join(REPO, 'scripts/make-demo.js'), dir], { stdio: ['ignore', process.stderr, process.stderr] });
  fs.writeFileSync(path.join(dir, 'apply', 'trivial.js'), TRIVIAL_APPLY);
  // Rows shaped like EEGUnity's locators (bcic_iv_2a: 25 channels), ~256 bytes each.
  const big = path.join(dir, 'big.locator.csv');
  fs.writeFileSync(big, eegunityLocatorText(BIG_ROWS));
  // The same bytes under a name VS Code opens in its text editor: what loading the document costs alone.
  fs.copyFileSync(big, path.join(dir, 'big-as-text.csv'));
  return { dir, big, bigBytes: fs.statSync(big).size, demoRows: fs.readFileSync(path.join(dir, 'demo.locator.csv'), 'utf8').trim().split('\n').length - 1 };
}

/** The display name of the extension makeFloorExtension writes. */
const FLOOR_EXTENSION_NAME = 'Activation Floor (bench)';

/**
 * An extension that does nothing, activated by the same events as ours: what VS Code's activation
 * figure shows for no work, in the same window and at the same moment (installed beside ours).
 */
function makeFloorExtension(dir, extDir) {
  const ours = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name: 'activation-floor',
    publisher: 'locator-batch-bench',
    displayName: FLOOR_EXTENSION_NAME,
    version: '0.0.1',
    engines: ours.engines,
    main: './extension.js',
    activationEvents: ours.activationEvents,
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, 'extension.js'), "'use strict';\nexports.activate = () => {};\n");
  return dir;
}

module.exports = { buildProduction, bundleSizes, makeWorkspace, makeFloorExtension, FLOOR_EXTENSION_NAME };
