'use strict';
// Section 2: activation in fresh extension hosts (the harness's runExtensionHostTests, entry
// bench/vscode-host/index.js), each timing the first activate() of Locator Batch.

const fs = require('fs');
const path = require('path');
const { Writable } = require('stream');
const { REPO, TARGETS, report, fmt, spread } = require('./common');
const { freshWindowFigure } = require('./workbench');
const { makeFloorExtension, FLOOR_EXTENSION_NAME } = require('./workspace');
const { cpuMeter } = require('./processes');
const { runExtensionHostTests } = require(path.join(REPO, 'test/harness/runVscodeTests.js'));

const HOST_ENTRY = path.join(REPO, 'bench', 'vscode-host', 'index.js');

/**
 * A copy of the extension at `extDir` (its files linked) whose package.json has no
 * onStartupFinished: VS Code would activate it as the host starts, often before the probe has
 * wrapped the loader (its figures were then n/a); the probe activates it instead. Loading and
 * activate() cost the same whichever event activates it.
 */
function probeCopy(extDir) {
  const dir = `${extDir.replace(/\/+$/, '')}-activation-probe`;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  for (const name of fs.readdirSync(extDir)) {
    if (name !== 'package.json') fs.symlinkSync(path.join(extDir, name), path.join(dir, name));
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  pkg.activationEvents = (pkg.activationEvents ?? []).filter((e) => e !== 'onStartupFinished');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  return dir;
}

/** One fresh extension host: the LB_BENCH_ACTIVATION figures it printed. */
async function activationRun(extDir, workspace) {
  const probeDir = probeCopy(extDir);
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  // @vscode/test-electron's runTests prints "Exit code: N" with console.log: keep stdout for the report.
  const log = console.log;
  console.log = (...a) => (/^Exit code:/.test(String(a[0])) ? undefined : log(...a));
  let code;
  let output;
  try {
    ({ code, output } = await runExtensionHostTests({
      extensionDevelopmentPath: probeDir,
      extensionTestsPath: HOST_ENTRY,
      workspaceFolder: workspace,
      timeoutMs: 180_000,
      stdout: sink,
    }));
  } finally {
    console.log = log;
    fs.rmSync(probeDir, { recursive: true, force: true });
  }
  const line = output.split('\n').find((l) => l.startsWith('LB_BENCH_ACTIVATION '));
  if (!line) throw new Error(`the extension host printed no LB_BENCH_ACTIVATION line (exit ${code}); its output:\n${output.slice(-2000)}`);
  const r = JSON.parse(line.slice('LB_BENCH_ACTIVATION '.length));
  if (r.wasActive) throw new Error('Locator Batch was already active when the host started: nothing to time');
  return r;
}

/** Measures `opts.runs` fresh hosts, prints the section and adds its targets; returns its figures. */
async function activationSection(b, extDir, ws) {
  const { say, checks, opts } = b;
  const { stats, table } = report;
  const meter = cpuMeter();
  const runs = [];
  const errors = [];
  for (let r = 0; r < opts.runs; r++) {
    b.progress(`activation: fresh extension host ${r + 1}/${opts.runs}`);
    try {
      runs.push(await activationRun(extDir, ws.dir));
    } catch (e) {
      errors.push(String(e.message || e).split('\n')[0]);
      b.progress(`activation run failed: ${errors[errors.length - 1]}`);
    }
  }
  b.noise.activation = meter.stop();
  const a = {
    api: stats(runs.map((x) => x.activateMs)),
    load: stats(runs.map((x) => x.loadMs)),
    call: stats(runs.map((x) => x.activateCallMs)),
    own: stats(runs.map((x) => x.loadMs + x.activateCallMs)),
    cpu: stats(runs.map((x) => x.cpuMs)),
    heap: stats(runs.map((x) => x.heapGrowthMb)),
    toEsm: stats(runs.map((x) => x.toEsmCopyMs)),
    apiKeys: runs[0]?.vscodeApiKeys,
    toEsmSites: (fs.readFileSync(path.join(extDir, 'dist', 'extension.js'), 'utf8').match(/[\w$]+\(require\("vscode"\)\)/g) ?? []).length,
    firstCommand: stats(runs.map((x) => x.firstCommandMs)),
    featuresLoad: stats(runs.map((x) => x.featuresLoadMs)),
    byVscode: runs.filter((x) => /^VS Code/.test(x.activatedBy ?? '')).length,
    settle: stats(runs.map((x) => x.settleMs)),
    unsettled: runs.filter((x) => !x.settled).length,
    runs,
    errors,
  };
  say();
  say(`## 2. Activation in a fresh extension host (ms, ${runs.length} host${runs.length === 1 ? '' : 's'}${errors.length ? `, ${errors.length} failed` : ''})`);
  say();
  say(
    table(
      ['what', 'ms'],
      [
        ['`await getExtension(id).activate()`, wall clock', spread(a.api, 1)],
        ['  of which: loading dist/extension.js (require)', spread(a.load, 1)],
        ['  of which: the activate() call', spread(a.call, 1)],
        ['loading + activate() (what VS Code reports as "Activation")', spread(a.own, 1)],
        ['CPU time of the extension-host process meanwhile', spread(a.cpu, 1)],
        ['the first command after activation (Cancel Run, no run going)', spread(a.firstCommand, 1)],
        ['  of which: loading the rest of the extension (dist/extension-features.js)', spread(a.featuresLoad, 1)],
      ],
    ),
  );
  say();
  say(
    `Each host was left to settle first (its event loop quiet and the machine's CPUs less than half busy for 1 s): ${spread(a.settle, 0, ' ms')}` +
      (a.unsettled ? `; ${a.unsettled} host(s) did not settle within 8 s and were measured anyway` : '') +
      `. The heap grew by ${spread(a.heap, 1, ' MB')}. ${b.others('activation')}`,
  );
  say(
    `For scale: esbuild turns each \`import * as vscode from 'vscode'\` into a copy of the API object (${a.apiKeys ?? 'n/a'} properties), ` +
      `${fmt(a.toEsm.median, 2)} ms per copy in the host; the production bundle makes ${a.toEsmSites} of them while it loads.`,
  );
  if (a.byVscode) {
    say(
      `In ${a.byVscode} of ${runs.length} host(s) VS Code activated the extension itself (onStartupFinished) while the host settled: ` +
        'the split (loading, activate()) is of that activation, timed as VS Code times it; the API figures are of the other hosts only.',
    );
  }
  if (errors.length) say(`Failed hosts: ${errors.join('; ')}`);
  if (a.api.n) checks.push({ target: 'activation via the API, wall clock < 50 ms', measured: `${fmt(a.api.median, 1)} ms`, pass: a.api.median < TARGETS.activationMs });
  checks.push({
    target: 'activation as VS Code counts it (load + activate()) < 50 ms',
    measured: a.own.n ? `${fmt(a.own.median, 1)} ms (max ${fmt(a.own.max, 1)})` : 'n/a (not measured)',
    pass: a.own.n > 0 && a.own.median < TARGETS.activationMs,
  });
  return a;
}

/**
 * "Developer: Show Running Extensions" in fresh windows of the workspace, alternately with ours
 * alone and with an extension that does nothing, activated by the same events (so both by
 * onStartupFinished, while the workbench starts and built-in extensions activate): the figure VS
 * Code shows, and what it shows for no work in a window opened alike.
 */
async function runningExtensionsRounds(b, extDir, ws) {
  const floorDir = makeFloorExtension(path.join(path.dirname(extDir), 'activation-floor'), extDir);
  const out = { ours: [], empty: [], errors: [] };
  for (let r = 0; r < b.opts.runs; r++) {
    for (const [dir, name, into] of [[extDir, 'Locator Batch', out.ours], [floorDir, FLOOR_EXTENSION_NAME, out.empty]]) {
      b.progress(`activation: Running Extensions, fresh window ${r + 1}/${b.opts.runs}, ${name}`);
      try {
        const f = await freshWindowFigure({ folder: ws.dir, extDir: dir, name });
        if (!Number.isFinite(f.ms)) throw new Error(`no figure: ${f.text}`);
        into.push(f.ms);
      } catch (e) {
        out.errors.push(`${name}: ${String(e.message || e).split('\n')[0]}`);
      }
    }
  }
  return out;
}

/** Section 2b: the Running Extensions rounds, printed, with their target. */
async function runningExtensionsSection(b, extDir, ws) {
  const { say, checks } = b;
  const { stats, table } = report;
  const meter = cpuMeter();
  const w = await runningExtensionsRounds(b, extDir, ws);
  b.noise.runningExtensions = meter.stop();
  const ours = stats(w.ours);
  const empty = stats(w.empty);
  const diff = ours.median - empty.median;
  say();
  say(`## 2b. Activation as "Developer: Show Running Extensions" shows it, fresh windows (ms; ${w.ours.length} + ${w.empty.length} windows, alternating)`);
  say();
  say(table(['extension in the window', 'Activation (ms)'], [['Locator Batch', spread(ours, 0)], [`an extension that does nothing, same activation events (${FLOOR_EXTENSION_NAME})`, spread(empty, 0)]]));
  say();
  say(
    'Each window opens the workspace and shows Running Extensions once the extension has activated (onStartupFinished, while the workbench starts and ' +
      "built-in extensions activate). The figure is VS Code's code loading + activate() of that activation, waits of the busy host included. " +
      b.others('runningExtensions') +
      (w.errors.length ? ` Failed windows: ${w.errors.join('; ')}.` : ''),
  );
  const measured = ours.n && empty.n;
  checks.push({
    target: `activation as VS Code shows it (Running Extensions, fresh windows) < ${TARGETS.activationMs} ms; over it, ours − an extension that does nothing (same events, windows opened alike, medians) < ${TARGETS.activationMs} ms`,
    measured: measured ? `${fmt(ours.median, 0)} ms [${fmt(ours.min, 0)}–${fmt(ours.max, 0)}]; the empty extension ${fmt(empty.median, 0)} ms [${fmt(empty.min, 0)}–${fmt(empty.max, 0)}]` : 'n/a (not measured)',
    pass: !!measured && (ours.median < TARGETS.activationMs || diff < TARGETS.activationMs),
  });
  return { ...w, oursMs: ours, emptyMs: empty };
}

module.exports = { activationRun, activationSection, runningExtensionsSection };
