#!/usr/bin/env node
'use strict';
// Locator Batch benchmarks in a real VS Code (code-server 4.139.1 + Debian's chromium, through the
// test harness in test/harness/): what the engine benchmarks (bench/index.ts) cannot see.
//
//   node bench/vscode.js [--runs N | --quick] [--only bundle,activation,ui,openbig] [--json FILE] [--strict] [--keep]
//   (plain CommonJS; it builds the extension it measures itself.) BENCH_RUNS=N = --runs N,
//   BENCH_QUICK=1 = --quick (1 run), BENCH_VSCODE=0 skips it (it runs at the end of `npm run bench`).
//   Default: 3 runs per figure (fresh hosts, demo runs, tab re-shows), 1 run of 100k rows per 3 runs.
//
// Sections (names for --only):
//   bundle      `node esbuild.js --production` into a temp copy (dist/ of the repo is not touched):
//               the size of every bundle. Target: dist/extension.js < 1 MB.
//   activation  N fresh extension hosts (the harness's runExtensionHostTests, entry
//               bench/vscode-host/index.js), each timing the first
//               `await vscode.extensions.getExtension('locator-batch.locator-batch').activate()`.
//               Target < 50 ms. Then N fresh windows each, alternating, with ours alone and with an
//               extension that does nothing (same activation events): "Developer: Show Running
//               Extensions" in each (section 2b). Target < 50 ms; over it, ours − the empty one's.
//   ui          one workbench in chromium on a temp workspace (scripts/make-demo.js + a generated
//               100k-row, ~25 MB locator + a trivial apply file):
//               - demo.locator.csv, apply/mean-std.ts, process mode: Run → first result row shown,
//                 Run → every row done (N runs);
//               - big.locator.csv (100k rows): open → first rows shown (target < 2 s), → every row
//                 loaded; the same when its tab is hidden and shown again (VS Code rebuilds the
//                 webview, the document stays loaded: the extension's own part), before and after
//                 a run; a 100k-row process-mode run: results shown per second, scroll
//                 time-to-paint while results stream (and idle, for comparison), long tasks;
//                 memory (the page's JS heap after GC, processes' RSS) after opening and after the run;
//               - VS Code's own activation figure ("Developer: Show Running Extensions").
//   openbig     another workbench (bench/vscode/openBig.js), max(2, N) rounds: big.locator.csv in the
//               locator editor and the same bytes in VS Code's text editor, alternately; the tab
//               hidden and shown again; the extension host's RSS before, with the editor shown and
//               after close (heap after GC in the last round, whose times are left out: its inspector
//               slows the host). Targets (issue 12): first rows <= 0.5 s after the text editor's first
//               line, a re-shown tab's first rows < 0.5 s, the open adds < 120 MB, the close gives
//               most of it back.
// Every extension measured is the production bundle (what `vsce package` ships).
// Times taken in the page are taken by the page itself (performance.now() / Date.now() in
// requestAnimationFrame callbacks and observers), not by polling from this process.
// Noise: the machine is shared; for each section the share of the CPU used by processes outside
// this benchmark's own process tree (code-server, chromium, extension hosts, workers included) is
// measured from /proc and printed, as bench/index.ts does.
//
// Files, by job (bench/vscode/): common.js (the repo, the harness, the shared helpers of
// bench/report.ts and bench/procTree.ts from out/bench/, constants), processes.js (this tree's CPU
// and memory by role), workspace.js (the production build, the workspace, bundle sizes),
// activation.js (section 2), inPage.js (what runs in the page), workbench.js (opening files, the
// run bar, memory snapshots), ui.js (sections 3–4 measured) and uiReport.js (printed).
// Needs `npm run compile-tests` first (for out/bench/); `npm run bench` does it.

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { REPO, h, report, fmt, kb, TARGETS, BIG_ROWS } = require('./vscode/common');
const { cpuMeter, machineBusy } = require('./vscode/processes');
const { buildProduction, bundleSizes, makeWorkspace } = require('./vscode/workspace');
const { activationSection, runningExtensionsSection } = require('./vscode/activation');
const { openTimed, editorFrame, chooseRunSettings, waitRunEnd, runningExtensionsFigure } = require('./vscode/workbench');
const { armRunRecorder, armMainThreadMonitor, defineScrollProbe } = require('./vscode/inPage');
const { measureUi, summarizeBigRun } = require('./vscode/ui');
const { printUi } = require('./vscode/uiReport');
const { openBigSection } = require('./vscode/openBig');

const SECTIONS = ['bundle', 'activation', 'ui', 'openbig'];

function parseArgs(argv) {
  const o = { runs: 3, only: undefined, json: undefined, strict: false, keep: false };
  // The same environment variables as bench/index.ts (npm run bench runs both).
  if (process.env.BENCH_QUICK === '1') o.runs = 1;
  if (process.env.BENCH_RUNS) o.runs = Number(process.env.BENCH_RUNS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--only') o.only = new Set(argv[++i].split(','));
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--strict') o.strict = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--quick') o.runs = 1;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/vscode.js [--runs N | --quick] [--only bundle,activation,ui,openbig] [--json FILE] [--strict] [--keep]\n' +
        'env: BENCH_RUNS=N, BENCH_QUICK=1 (= --runs 1), BENCH_VSCODE=0 (skip this benchmark, e.g. at the end of npm run bench)');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.runs >= 1)) throw new Error('--runs must be at least 1');
  for (const s of o.only ?? []) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}`);
  return o;
}

/** The machine (bench/report.ts), and the code-server and chromium this benchmark drives. */
function machine() {
  return {
    ...report.machine(),
    codeServer: h.CODE_SERVER_VERSION,
    chromium: (() => {
      try {
        return execFileSync(process.env.LOCATOR_BATCH_CHROMIUM || '/usr/bin/chromium', ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        return 'unknown';
      }
    })(),
  };
}

// ---------------------------------------------------------------------------------------------
// Sections: each measures, prints and adds its targets; `b` is the report being written.
// ---------------------------------------------------------------------------------------------

/** 1. The size of every production bundle. */
function bundleSection(b, extDir, buildMs) {
  const sizes = bundleSizes(extDir);
  b.say();
  b.say(`## 1. Bundles: \`node esbuild.js --production\` (${buildMs} ms, into a temp copy)`);
  b.say();
  b.say(report.table(['file', 'size', 'gzip -9'], sizes.map((s) => [s.file, kb(s.bytes), kb(s.gzipBytes)])));
  const ext = sizes.find((s) => s.file === 'dist/extension.js');
  b.checks.push({ target: 'dist/extension.js (production) < 1 MB', measured: ext ? kb(ext.bytes) : 'missing', pass: !!ext && ext.bytes < TARGETS.extensionBytes });
  return sizes;
}

/** 3–4. The locator editor in one workbench; returns the figures (undefined when none was taken). */
async function uiSection(b, extDir, ws) {
  const meter = cpuMeter();
  const ui = {};
  try {
    await measureUi(extDir, ws, b.opts, b.progress, ui);
  } catch (e) {
    ui.error = String(e.stack || e);
    b.say();
    b.say(`## 3–4. The locator editor: FAILED (the figures below are those taken before the failure): ${ui.error}`);
    b.checks.push({ target: 'UI section ran to the end', measured: 'failed', pass: false });
  }
  b.noise.ui = meter.stop();
  if (!ui.demo) return undefined;
  printUi(b, ui, ws);
  return ui;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.env.BENCH_VSCODE === '0') {
    console.log('bench/vscode.js: skipped (BENCH_VSCODE=0)');
    return;
  }
  const want = (s) => !opts.only || opts.only.has(s);
  const started = Date.now();
  const { say, progress, lines } = report.reporter();
  const noise = {};
  const b = {
    opts,
    say,
    progress,
    checks: [],
    noise,
    others: (section) => {
      const n = noise[section];
      return n && Number.isFinite(n.othersShare) ? `Other processes used ${fmt(n.othersShare * 100)}% of the machine's CPU meanwhile (this benchmark's processes ${fmt(n.oursShare * 100)}%).` : '';
    },
  };

  const info = machine();
  const busyBefore = await machineBusy(1000);
  const loadBefore = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-bench-vscode-'));
  const cleanup = () => {
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('exit', cleanup);

  say('# Locator Batch benchmark in a real VS Code');
  say();
  say(
    `${report.describeMachine(info)}, code-server ${info.codeServer}, ${info.chromium}, ` +
      `${new Date().toISOString().slice(0, 10)}. ${opts.runs} run(s) per figure unless said, median [min–max]. ` +
      `Before the start, other processes kept ${fmt(busyBefore * 100)}% of the machine busy (load average ${report.loadAverage(loadBefore)}).`,
  );

  progress('building the production bundles into a temp copy');
  const t = Date.now();
  const extDir = buildProduction(path.join(tmp, 'ext'));
  const buildMs = Date.now() - t;
  const ws = want('activation') || want('ui') || want('openbig') ? makeWorkspace(path.join(tmp, 'ws')) : undefined;

  const results = { bundles: undefined, activation: undefined, ui: undefined, openBig: undefined };
  if (want('bundle')) results.bundles = bundleSection(b, extDir, buildMs);
  if (want('activation')) results.activation = await activationSection(b, extDir, ws);
  if (want('activation')) results.runningExtensions = await runningExtensionsSection(b, extDir, ws);
  if (want('ui')) results.ui = await uiSection(b, extDir, ws);
  if (want('openbig')) {
    results.openBig = await openBigSection(b, extDir, ws).catch((e) => {
      b.say();
      b.say(`## 5. big.locator.csv beside the text editor: FAILED: ${e.stack || e}`);
      b.checks.push({ target: 'section 5 (big.locator.csv beside the text editor, memory) ran to the end', measured: 'failed', pass: false });
      return undefined;
    });
  }

  const targets = report.targetsSection(b.checks, started);
  for (const l of targets.lines) say(l);
  // Every run keeps its raw figures: --json FILE, else bench/results/<UTC date-time>-vscode.json.
  opts.json ??= path.join(REPO, 'bench', 'results', `${new Date().toISOString().slice(0, 16).replace('T', '-').replace(':', '')}-vscode.json`);
  if (opts.json) {
    const json = {
      date: new Date().toISOString(),
      command: `node ${path.relative(process.cwd(), __filename)} ${process.argv.slice(2).join(' ')}`.trim(),
      commit: report.sourceCommit(),
      runsPerFigure: opts.runs,
      machine: info,
      load: { loadavgBefore: loadBefore, othersShareBefore: busyBefore, loadavgAfter: targets.loadAfter, bySection: noise },
      workspace: ws && { bigBytes: ws.bigBytes, bigRows: BIG_ROWS, demoRows: ws.demoRows },
      ...results,
      checks: b.checks,
      seconds: targets.seconds,
      text: lines.join('\n'),
    };
    fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
    fs.writeFileSync(opts.json, JSON.stringify(json, null, 2) + '\n');
    console.error(`wrote ${opts.json}`);
  }
  if (opts.keep) console.error(`kept ${tmp}`);
  if (opts.strict && b.checks.some((c) => !c.pass)) process.exitCode = 1;
}

// The parts, for one-off scripts (e.g. an A/B run of one stage).
module.exports = {
  buildProduction,
  makeWorkspace,
  bundleSizes,
  runningExtensionsFigure,
  openTimed,
  editorFrame,
  chooseRunSettings,
  armRunRecorder,
  armMainThreadMonitor,
  defineScrollProbe,
  waitRunEnd,
  summarizeBigRun,
  cpuMeter,
};

if (require.main === module) {
  // Ctrl-C / kill: exit through process.exit so the harness kills code-server's process group.
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
