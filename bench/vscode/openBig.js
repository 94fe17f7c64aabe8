#!/usr/bin/env node
'use strict';
// Issue 12, items 2 and 4: section 5 of bench/vscode.js (openBigSection), or on its own (a few minutes):
// in one workbench, the 100k-row big.locator.csv opened in the locator editor and the same bytes
// (big-as-text.csv) in VS Code's own text editor, alternately, each from Quick Open, R rounds:
// - first rows: the locator editor's first rows vs the text editor's first line, side by side;
// - a tab shown again (hidden behind README.md, shown again);
// - the extension host's RSS and heap after GC (its inspector, opened with SIGUSR1) before the open,
//   with the editor shown, and after every editor closed.
//   node bench/vscode/openBig.js [--runs R] [--repo DIR] [--json FILE] [--no-heap]
// `--repo DIR`: build the extension from another checkout (e.g. an older commit, for before/after).
// Needs `npm run compile-tests` first (out/bench/).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { h, REPO, sleep, report, fmt, spread } = require('./common');
const { buildProduction, makeWorkspace } = require('./workspace');
const { closeAllEditors, openTimed, openPlain, openTextTimed } = require('./workbench');
const { rssByRole, cpuMeter } = require('./processes');

function args(argv) {
  const o = { runs: 2, repo: REPO, json: undefined, heap: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--repo') o.repo = path.resolve(argv[++i]);
    else if (argv[i] === '--json') o.json = argv[++i];
    // The attached inspector slows the extension host's first open: time without it.
    else if (argv[i] === '--no-heap') o.heap = false;
  }
  return o;
}

const { procTree } = require('./common');

/** The extension host's pid (this benchmark's code-server starts one). */
function hostPid() {
  return procTree.treePids(process.pid).find((pid) => /--type=extensionHost/.test(procTree.cmdline(pid)));
}

/**
 * The extension host's inspector (opened with SIGUSR1, as `node inspect -p` does), for its heap
 * after a full GC: what it holds, which its RSS (V8 keeps freed pages) does not tell.
 */
async function hostInspector() {
  const pid = hostPid();
  process._debugProcess(pid);
  await sleep(1000);
  const list = await (await fetch('http://127.0.0.1:9229/json/list')).json();
  const { ws: WebSocket } = require('playwright-core/lib/utilsBundle');
  const sock = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => (sock.once('open', resolve), sock.once('error', reject)));
  let id = 0;
  const waiting = new Map();
  sock.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id && waiting.has(msg.id)) waiting.get(msg.id)(msg.result), waiting.delete(msg.id);
  });
  const send = (method, params = {}) => new Promise((resolve) => {
    waiting.set(++id, resolve);
    sock.send(JSON.stringify({ id, method, params }));
  });
  return {
    pid,
    async heapMb() {
      await send('HeapProfiler.collectGarbage');
      await sleep(200);
      await send('HeapProfiler.collectGarbage');
      const u = await send('Runtime.getHeapUsage');
      return Math.round(u.usedSize / 2 ** 20);
    },
    close: () => sock.close(),
  };
}

let inspector;

/** The extension host's RSS and heap after GC (MB) once it has had a few seconds to settle. */
async function hostRss(settleMs = 3000) {
  await sleep(settleMs);
  const heap = inspector ? await inspector.heapMb().catch(() => NaN) : NaN;
  return { rss: Math.round(rssByRole()['extension host'] ?? NaN), heap };
}

function buildFrom(repo, dir) {
  if (repo === REPO) return buildProduction(dir);
  // workspace.js builds from REPO: build from the other checkout the same way.
  fs.mkdirSync(dir, { recursive: true });
  for (const l of ['src', 'media']) fs.symlinkSync(path.join(repo, l), path.join(dir, l));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  for (const f of ['package.json', 'esbuild.js', 'LICENSE', 'README.md', 'CHANGELOG.md']) {
    if (fs.existsSync(path.join(repo, f))) fs.copyFileSync(path.join(repo, f), path.join(dir, f));
  }
  require('child_process').execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: dir, stdio: ['ignore', process.stderr, process.stderr] });
  return dir;
}

/**
 * The rounds in one workbench (code-server on `ws`, the extension from `extDir`): the locator
 * editor's first open and the text editor's, alternately, the tab shown again, the extension
 * host's memory. Rounds before `heapFrom` time without an inspector (it slows the host's first
 * open); from round `heapFrom` on, the host's heap after GC is taken too. Returns the rounds.
 */
async function openBigRounds(extDir, ws, { runs, heapFrom = runs, log = () => {} }) {
  const firstLine = fs.readFileSync(ws.big, 'utf8').split('\n', 1)[0];
  const rounds = [];
  const server = await h.startCodeServer({ folder: ws.dir, extensionDevelopmentPath: extDir, settings: { 'workbench.editorLargeFileConfirmation': 1024 } });
  let browser;
  try {
    browser = await h.launchBrowser();
    const { page } = browser;
    await h.openWorkbench(page, server, ws.dir);
    // Activate the extension on the small demo locator, so every round starts from the same state.
    await openTimed(page, 'demo.locator.csv');
    await closeAllEditors(page);
    for (let r = 0; r < runs; r++) {
      if (r === heapFrom) inspector = await hostInspector().catch((err) => void console.error(`no heap figures: ${err.message}`));
      const round = { inspector: !!inspector };
      round.hostBeforeMb = await hostRss();
      const opened = await openTimed(page, 'big.locator.csv', { timeout: 240_000 });
      round.locatorEditor = { htmlMs: opened.htmlMs, initMs: opened.initMs, firstRowsMs: opened.firstRowsMs, allRowsMs: opened.allRowsMs };
      round.hostShownMb = await hostRss();
      await openPlain(page, 'README.md');
      const again = await openTimed(page, 'big.locator.csv', { timeout: 240_000 });
      round.reshown = { htmlMs: again.htmlMs, initMs: again.initMs, firstRowsMs: again.firstRowsMs };
      round.reshownFirstRowsMs = again.firstRowsMs;
      await closeAllEditors(page);
      round.hostClosedMb = await hostRss(8000);
      round.textEditorFirstLineMs = await openTextTimed(page, 'big-as-text.csv', firstLine);
      await closeAllEditors(page);
      round.hostTextClosedMb = await hostRss(8000);
      round.locatorLateByMs = round.locatorEditor.firstRowsMs - round.textEditorFirstLineMs;
      round.rssAddedByEditorMb = round.hostShownMb.rss - round.hostBeforeMb.rss;
      round.rssKeptAfterCloseMb = round.hostClosedMb.rss - round.hostBeforeMb.rss;
      round.heapAddedByEditorMb = round.hostShownMb.heap - round.hostBeforeMb.heap;
      round.heapKeptAfterCloseMb = round.hostClosedMb.heap - round.hostBeforeMb.heap;
      round.loadavg = os.loadavg();
      rounds.push(round);
      log(JSON.stringify(round));
    }
  } finally {
    inspector?.close();
    inspector = undefined;
    if (browser) await browser.close();
    await server.stop();
  }
  return rounds;
}

// Issue 12's targets for these figures.
const LATE_BY_MS = 500;
const RESHOWN_MS = 500;
/** A few frames of the page (60 Hz): what "at once" means once the page is there. */
const FIRST_FRAMES_MS = 50;
const ADDED_MB = 120;

/**
 * Section 5 of bench/vscode.js: `opts.runs` rounds (at least 2; the last with the host's heap),
 * printed, with their targets; returns the rounds.
 */
async function openBigSection(b, extDir, ws) {
  const { say, checks } = b;
  const { stats, table } = report;
  const runs = Math.max(2, b.opts.runs);
  const meter = cpuMeter();
  const rounds = await openBigRounds(extDir, ws, { runs, heapFrom: runs - 1, log: (l) => b.progress(`openBig round: ${l}`) });
  b.noise.openBig = meter.stop();
  const timed = rounds.filter((r) => !r.inspector);
  const col = (rs, f) => stats(rs.map(f));
  say();
  say(`## 5. big.locator.csv beside VS Code's own text editor, and the extension host's memory (${rounds.length} rounds in one window)`);
  say();
  say(
    'Each round: the locator editor opens big.locator.csv (VS Code loads the document first), its tab is hidden behind README.md and shown again, ' +
      'every editor closes; then VS Code\'s text editor opens the same bytes (big-as-text.csv) and closes. Times from Enter in Quick Open (ms); ' +
      `the last round has an inspector attached to the extension host for its heap after GC, and its times are left out. ${b.others('openBig')}`,
  );
  say();
  say(
    table(
      ['what', 'ms'],
      [
        ["VS Code's text editor: first line drawn", spread(col(timed, (r) => r.textEditorFirstLineMs))],
        ['locator editor: webview page loaded', spread(col(timed, (r) => r.locatorEditor.htmlMs))],
        ['locator editor: **first rows shown**', spread(col(timed, (r) => r.locatorEditor.firstRowsMs))],
        ['  later than the text editor, same round', spread(col(timed, (r) => r.locatorLateByMs))],
        ['locator editor: every row loaded', spread(col(timed, (r) => r.locatorEditor.allRowsMs))],
        ['tab shown again: webview page loaded', spread(col(timed, (r) => r.reshown?.htmlMs))],
        ['tab shown again: **first rows shown**', spread(col(timed, (r) => r.reshownFirstRowsMs))],
      ],
    ),
  );
  say();
  const mem = (f) => spread(col(rounds, f), 0, ' MB');
  say(
    table(
      ['extension host', 'RSS', 'heap after GC (last round)'],
      [
        ['before the open', mem((r) => r.hostBeforeMb.rss), fmt(rounds[rounds.length - 1].hostBeforeMb.heap)],
        ['big.locator.csv shown', mem((r) => r.hostShownMb.rss), fmt(rounds[rounds.length - 1].hostShownMb.heap)],
        ['every editor closed', mem((r) => r.hostClosedMb.rss), fmt(rounds[rounds.length - 1].hostClosedMb.heap)],
        ['**added by the open**', mem((r) => r.rssAddedByEditorMb), fmt(rounds[rounds.length - 1].heapAddedByEditorMb)],
        ['**given back at close**', mem((r) => r.hostShownMb.rss - r.hostClosedMb.rss), fmt(rounds[rounds.length - 1].hostShownMb.heap - rounds[rounds.length - 1].hostClosedMb.heap)],
      ],
    ),
  );
  // What VS Code does before our page runs (loading the 25 MB document, building the webview page) is
  // not ours (the issue says so): where VS Code's page itself comes after its text editor's first
  // line, the target is stated against it, as our own part (page loaded → first rows) ≤ 0.5 s.
  const late = col(timed, (r) => r.locatorLateByMs);
  const ours = col(timed, (r) => r.locatorEditor.firstRowsMs - r.locatorEditor.htmlMs);
  const pageAfterText = col(timed, (r) => r.locatorEditor.htmlMs - r.textEditorFirstLineMs);
  checks.push({
    target: "100k-row locator: first rows ≤ 0.5 s after VS Code's text editor shows the file's first line (same run); where VS Code's own page comes after that line, our part ≤ 0.5 s",
    measured: `${fmt(late.median)} ms later (median of ${late.n}; max ${fmt(late.max)}); text editor ${fmt(col(timed, (r) => r.textEditorFirstLineMs).median)} ms, ours ${fmt(col(timed, (r) => r.locatorEditor.firstRowsMs).median)} ms; VS Code's page ${fmt(pageAfterText.median)} ms after that line`,
    pass: late.n > 0 && (late.median <= LATE_BY_MS || (pageAfterText.median > 0 && ours.median <= LATE_BY_MS)),
  });
  checks.push({
    target: '  our part of it: webview page loaded → first rows ≤ 0.5 s',
    measured: `${fmt(ours.median)} ms (max ${fmt(ours.max)}); VS Code's page loaded ${fmt(col(timed, (r) => r.locatorEditor.htmlMs - r.textEditorFirstLineMs).median)} ms after its text editor's first line`,
    pass: ours.n > 0 && ours.median <= LATE_BY_MS,
  });
  // VS Code rebuilds a re-shown tab's page (code-server: 0.5-1.5 s here) before any of ours runs.
  // Where that alone is over 0.5 s the target is stated against it: our rows in the page's first
  // frames (≤ FIRST_FRAMES_MS after it), judged round by round.
  const again = col(timed, (r) => r.reshownFirstRowsMs);
  const page = col(timed, (r) => r.reshown?.htmlMs);
  const roundPasses = timed.every((r) => r.reshownFirstRowsMs < RESHOWN_MS || (r.reshown?.htmlMs > RESHOWN_MS && r.reshownFirstRowsMs - r.reshown.htmlMs <= FIRST_FRAMES_MS));
  checks.push({
    target: `  the same tab shown again: first rows < 0.5 s (where VS Code's page alone takes longer: ≤ ${FIRST_FRAMES_MS} ms after it, every round)`,
    measured: `${fmt(again.median)} ms (max ${fmt(again.max)}); VS Code's webview page itself: ${fmt(page.median)} ms (max ${fmt(page.max)})`,
    pass: again.n > 0 && roundPasses,
  });
  const againOurs = col(timed, (r) => r.reshownFirstRowsMs - r.reshown?.htmlMs);
  checks.push({
    target: '  shown again, our part: webview page loaded → first rows < 0.5 s',
    measured: `${fmt(againOurs.median)} ms (max ${fmt(againOurs.max)}); the extension's answer (its init, with the rows in view right behind it) ${fmt(col(timed, (r) => r.reshown?.initMs - r.reshown?.htmlMs).median)} ms after the page`,
    pass: againOurs.n > 0 && againOurs.median < RESHOWN_MS,
  });
  // Memory targets from the rounds with the inspector: there each figure is taken after a forced GC
  // (without one, RSS counts garbage the host has not collected yet, and moves with the load).
  const gcRounds = rounds.filter((r) => r.inspector);
  const memRounds = gcRounds.length ? gcRounds : rounds;
  const how = gcRounds.length ? 'after a forced GC' : 'no forced GC: the inspector could not attach';
  const added = col(memRounds, (r) => r.rssAddedByEditorMb);
  checks.push({
    target: 'opening the 25 MB / 100k-row locator adds < 120 MB to the extension host (RSS)',
    measured: `${fmt(added.median)} MB (${how}; heap ${fmt(col(memRounds, (r) => r.heapAddedByEditorMb).median)} MB)`,
    pass: added.n > 0 && added.median < ADDED_MB,
  });
  const back = col(memRounds, (r) => (r.hostShownMb.rss - r.hostClosedMb.rss) / r.rssAddedByEditorMb);
  checks.push({
    target: '  closing it gives most of it back (> 50% of what the open added)',
    measured: `${fmt(back.median * 100)}% of the RSS given back (${how}; heap: ${fmt(col(memRounds, (r) => (r.hostShownMb.heap - r.hostClosedMb.heap) / r.heapAddedByEditorMb).median * 100)}%)`,
    pass: back.n > 0 && back.median > 0.5,
  });
  return rounds;
}

async function main() {
  const o = args(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-openbig-'));
  const extDir = buildFrom(o.repo, path.join(tmp, 'ext'));
  const ws = makeWorkspace(path.join(tmp, 'ws'));
  const out = { date: new Date().toISOString(), repo: o.repo, uptime: os.loadavg(), bigBytes: ws.bigBytes, rounds: [] };
  out.rounds = await openBigRounds(extDir, ws, { runs: o.runs, heapFrom: o.heap ? 0 : o.runs, log: (l) => console.error(l) });
  out.loadavgAfter = os.loadavg();
  const text = JSON.stringify(out, null, 1);
  if (o.json) fs.writeFileSync(o.json, text + '\n');
  console.log(text);
  fs.rmSync(tmp, { recursive: true, force: true });
}

module.exports = { openBigRounds, openBigSection };

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
