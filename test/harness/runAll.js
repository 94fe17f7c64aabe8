#!/usr/bin/env node
'use strict';
// Runs the tests that need a real VS Code:
//   vscode: extension-host suite (out/test/vscode/index.js, compiled from test/vscode/index.ts; it
//           exports run(): Promise<void>) with the repo as extensionDevelopmentPath, on demo/; when
//           out/test/vscode/untrusted.test.js exists, a second host WITHOUT --disable-workspace-trust
//           and with LOCATOR_BATCH_SUITE=untrusted in its environment.
//   e2e:    UI suite, mocha over test/e2e/*.test.js (plain JS, drives code-server + chromium through
//           ./codeServer.js; they load the repo as an installed extension via a symlink in the run's
//           extensions dir, see startCodeServer's extensionDevelopmentPath).
// Usage: node test/harness/runAll.js [--suite vscode|e2e|all] [--grep PATTERN]   (default: all)
// Needs: npm run build, npm run compile-tests, node scripts/make-demo.js (checked, with a clear message).
// Prints a closing "total: N passed, N failed" line; exit code 0 only when every suite passed.

const fs = require('fs');
const path = require('path');
const { ensureInstalled, REPO_ROOT } = require('./codeServer');
const { runExtensionHostTests } = require('./runVscodeTests');

function parseArgs(argv) {
  const o = { suite: 'all', grep: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [k, v] = a.includes('=') ? a.split(/=(.*)/s) : [a, argv[i + 1]];
    if (k === '--suite' || k === '--grep') {
      if (v === undefined) usage(`${k} needs a value`);
      o[k.slice(2)] = v;
      if (!a.includes('=')) i++;
    } else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!['vscode', 'e2e', 'all'].includes(o.suite)) usage(`--suite must be vscode, e2e or all, not "${o.suite}"`);
  return o;
}

function usage(err) {
  if (err) console.error(`runAll: ${err}`);
  console.error('usage: node test/harness/runAll.js [--suite vscode|e2e|all] [--grep PATTERN]');
  process.exit(2);
}

class Prereq extends Error {}

function need(p, hint) {
  if (!fs.existsSync(p)) throw new Prereq(`missing ${path.relative(REPO_ROOT, p) || p}: ${hint}`);
}

function checkBuilt() {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  if (pkg.main) need(path.join(REPO_ROOT, pkg.main), 'run `npm run build` first (the extension under test is loaded from it)');
}

// mocha's spec-reporter summary as printed by the extension host: "N passing", "N failing".
function countMocha(output, code, label) {
  const last = (re) => { const m = [...output.matchAll(re)].pop(); return m ? Number(m[1]) : undefined; };
  let passed = last(/^\s*(\d+) passing/gm);
  let failed = last(/^\s*(\d+) failing/gm) ?? (passed !== undefined ? 0 : undefined);
  if (passed === undefined) {
    console.error(`[runAll] ${label}: no mocha summary in the output; judging by exit code ${code}`);
    passed = 0;
    failed = code === 0 ? 0 : 1;
  } else if (code !== 0 && failed === 0) {
    failed = 1; // the host failed after the tests (run() rejected for another reason, timeout)
  }
  return { passed, failed };
}

async function runVscodeSuite() {
  const outDir = path.join(REPO_ROOT, 'out/test/vscode');
  const testsPath = path.join(outDir, 'index.js');
  const demo = path.join(REPO_ROOT, 'demo');
  checkBuilt();
  need(testsPath, 'run `npm run compile-tests` first (tsc compiles test/vscode/index.ts to it)');
  need(demo, 'run `node scripts/make-demo.js` first (it generates the demo/ workspace the suite opens)');
  // Two hosts: the normal one (trust disabled, as test-electron does), and, when the untrusted suite
  // exists, one started WITHOUT --disable-workspace-trust; index.js picks its files by LOCATOR_BATCH_SUITE.
  const runs = [{ label: 'vscode', workspaceTrust: false, extensionEnvironment: {} }];
  if (fs.existsSync(path.join(outDir, 'untrusted.test.js'))) {
    runs.push({ label: 'vscode-untrusted', workspaceTrust: true, extensionEnvironment: { LOCATOR_BATCH_SUITE: 'untrusted' } });
  }
  const total = { name: 'vscode', code: 0, passed: 0, failed: 0 };
  for (const r of runs) {
    console.log(`[runAll] --- ${r.label} ---`);
    const { code, output } = await runExtensionHostTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: testsPath,
      workspaceFolder: demo,
      workspaceTrust: r.workspaceTrust,
      extensionEnvironment: r.extensionEnvironment,
    });
    const c = countMocha(output, code, r.label);
    total.passed += c.passed;
    total.failed += c.failed;
    if (code !== 0) total.code = code;
  }
  return total;
}

async function runE2eSuite({ grep }) {
  const dir = path.join(REPO_ROOT, 'test/e2e');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort() : [];
  if (!files.length) throw new Prereq('no test/e2e/*.test.js files');
  checkBuilt();
  const { default: Mocha } = await import('mocha');
  const mocha = new Mocha({ timeout: 180_000, reporter: 'spec', color: !!process.stdout.isTTY, grep });
  for (const f of files) mocha.addFile(path.join(dir, f));
  await mocha.loadFilesAsync();
  // Ctrl-C / kill: exit through process.exit so codeServer.js kills the servers' process groups.
  const onSig = () => process.exit(130);
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    const stats = await new Promise((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats));
    });
    return { name: 'e2e', code: stats.failures ? 1 : 0, passed: stats.passes, failed: stats.failures };
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  ensureInstalled();
  const results = [];
  const suites = opts.suite === 'all' ? ['vscode', 'e2e'] : [opts.suite];
  for (const s of suites) {
    const t = Date.now();
    console.log(`\n[runAll] ===== suite ${s} =====`);
    try {
      results.push(s === 'vscode' ? await runVscodeSuite() : await runE2eSuite(opts));
    } catch (e) {
      console.error(`[runAll] suite ${s} could not run: ${e instanceof Prereq ? e.message : e.stack || e}`);
      results.push({ name: s, code: 1, passed: 0, failed: 1 });
    }
    const r = results[results.length - 1];
    console.log(`[runAll] suite ${s}: ${r.passed} passing, ${r.failed} failing, exit ${r.code} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const ok = results.every((r) => r.code === 0 && r.failed === 0);
  console.log(`[runAll] ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`total: ${passed} passed, ${failed} failed`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
