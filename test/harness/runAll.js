#!/usr/bin/env node
'use strict';
// Runs the tests that need a real VS Code:
//   vscode: extension-host suite (out/test/vscode/index.js, compiled from test/vscode/index.ts; it
//           exports run(): Promise<void>) with the repo as extensionDevelopmentPath, on demo/; then
//           the Workspace Trust suite (untrusted.test.js) in a second host WITHOUT
//           --disable-workspace-trust and with LOCATOR_BATCH_SUITE=untrusted in its environment.
//   e2e:    UI suite, mocha over test/e2e/*.test.js (plain JS, drives code-server + chromium through
//           ./codeServer.js; they load the repo as an installed extension via a symlink in the run's
//           extensions dir, see startCodeServer's extensionDevelopmentPath).
// Usage: node test/harness/runAll.js [--suite vscode|e2e|all] [--grep PATTERN]   (default: all)
// Needs: npm run build, npm run compile-tests, node scripts/make-demo.js (checked, with a clear message).
// Prints a closing "total: N passed, N failed" line; exit code 0 only when every suite passed.
// A run also fails when a suite file listed in ./suites.js is missing or ran no test (see there).

const fs = require('fs');
const path = require('path');
const { ensureInstalled, REPO_ROOT } = require('./codeServer');
const { runExtensionHostTests } = require('./runVscodeTests');
const {
  EXPECTED_SUITES, missingSuiteFiles, unlistedSuiteFiles, parseMochaSummary, parseTestCounts, suiteProblems, judgeSuiteRun,
} = require('./suites');

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

const repoPathExists = (p) => fs.existsSync(path.join(REPO_ROOT, p));

/** Prints a run's problems and warnings; returns its totals. */
function report(label, judged) {
  for (const p of judged.problems) console.error(`[runAll] ${label}: FAIL: ${p}`);
  return judged;
}

function warnUnlisted(run, files) {
  for (const f of unlistedSuiteFiles(run, files)) console.error(`[runAll] ${run}: ${f} runs but is not listed in test/harness/suites.js: list it`);
}

async function runVscodeSuite() {
  const outDir = path.join(REPO_ROOT, 'out/test/vscode');
  const testsPath = path.join(outDir, 'index.js');
  const demo = path.join(REPO_ROOT, 'demo');
  checkBuilt();
  need(testsPath, 'run `npm run compile-tests` first (tsc compiles test/vscode/index.ts to it)');
  need(demo, 'run `node scripts/make-demo.js` first (it generates the demo/ workspace the suite opens)');
  // Two hosts: the normal one (trust disabled, as test-electron does), and one started WITHOUT
  // --disable-workspace-trust; index.js picks its files by LOCATOR_BATCH_SUITE.
  const runs = [
    { label: 'vscode', workspaceTrust: false, extensionEnvironment: {} },
    { label: 'vscode-untrusted', workspaceTrust: true, extensionEnvironment: { LOCATOR_BATCH_SUITE: 'untrusted' } },
  ];
  warnUnlisted('vscode', fs.readdirSync(outDir));
  const total = { name: 'vscode', code: 0, passed: 0, failed: 0 };
  for (const r of runs) {
    console.log(`[runAll] --- ${r.label} ---`);
    const missing = missingSuiteFiles(r.label, repoPathExists);
    let judged;
    if (missing.length === EXPECTED_SUITES[r.label].files.length) {
      // Nothing of this run is there: no host to start.
      judged = report(r.label, { passed: 0, failed: missing.length, problems: missing.map((m) => m.message) });
    } else {
      const { code, output } = await runExtensionHostTests({
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: testsPath,
        workspaceFolder: demo,
        workspaceTrust: r.workspaceTrust,
        extensionEnvironment: r.extensionEnvironment,
      });
      judged = report(r.label, judgeSuiteRun({ run: r.label, counts: parseTestCounts(output), summary: parseMochaSummary(output), code, missing }));
      if (code !== 0) total.code = code;
    }
    total.passed += judged.passed;
    total.failed += judged.failed;
    if (judged.problems.length) total.code ||= 1;
  }
  return total;
}

async function runE2eSuite({ grep }) {
  const dir = path.join(REPO_ROOT, 'test/e2e');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort() : [];
  if (!files.length) throw new Prereq('no test/e2e/*.test.js files');
  checkBuilt();
  warnUnlisted('e2e', files);
  const missing = missingSuiteFiles('e2e', repoPathExists);
  const { default: Mocha } = await import('mocha');
  const mocha = new Mocha({ timeout: 180_000, reporter: 'spec', color: !!process.stdout.isTTY, grep });
  for (const f of files) mocha.addFile(path.join(dir, f));
  await mocha.loadFilesAsync();
  // Ctrl-C / kill: exit through process.exit so codeServer.js kills the servers' process groups.
  const onSig = () => process.exit(130);
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    const counts = Object.fromEntries(files.map((f) => [f, { passed: 0, failed: 0, pending: 0 }]));
    const stats = await new Promise((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats));
      const bump = (key) => (t) => {
        for (let x = t; x; x = x.parent) if (x.file) return void (counts[path.basename(x.file)] ??= { passed: 0, failed: 0, pending: 0 })[key]++;
      };
      runner.on('pass', bump('passed'));
      runner.on('fail', bump('failed'));
      runner.on('pending', bump('pending'));
    });
    const problems = suiteProblems({ run: 'e2e', counts, grep, missing });
    report('e2e', { problems });
    const failed = stats.failures + problems.length;
    return { name: 'e2e', code: failed ? 1 : 0, passed: stats.passes, failed };
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
