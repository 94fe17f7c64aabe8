#!/usr/bin/env node
'use strict';
// Issue 12, items 2 and 4, on their own (a few minutes, not the whole UI section of bench/vscode.js):
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
const { h, REPO, sleep } = require('./common');
const { buildProduction, makeWorkspace } = require('./workspace');
const { closeAllEditors, openTimed, openPlain, openTextTimed } = require('./workbench');
const { rssByRole } = require('./processes');

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

async function main() {
  const o = args(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-openbig-'));
  const extDir = buildFrom(o.repo, path.join(tmp, 'ext'));
  const ws = makeWorkspace(path.join(tmp, 'ws'));
  const firstLine = fs.readFileSync(ws.big, 'utf8').split('\n', 1)[0];
  const out = { date: new Date().toISOString(), repo: o.repo, uptime: os.loadavg(), bigBytes: ws.bigBytes, rounds: [] };
  const server = await h.startCodeServer({ folder: ws.dir, extensionDevelopmentPath: extDir, settings: { 'workbench.editorLargeFileConfirmation': 1024 } });
  let browser;
  try {
    browser = await h.launchBrowser();
    const { page } = browser;
    await h.openWorkbench(page, server, ws.dir);
    // Activate the extension on the small demo locator, so every round starts from the same state.
    await openTimed(page, 'demo.locator.csv');
    await closeAllEditors(page);
    inspector = o.heap ? await hostInspector().catch((err) => void console.error(`no heap figures: ${err.message}`)) : undefined;
    for (let r = 0; r < o.runs; r++) {
      const round = {};
      round.hostBeforeMb = await hostRss();
      const opened = await openTimed(page, 'big.locator.csv', { timeout: 240_000 });
      round.locatorEditor = { htmlMs: opened.htmlMs, initMs: opened.initMs, firstRowsMs: opened.firstRowsMs, allRowsMs: opened.allRowsMs };
      round.hostShownMb = await hostRss();
      await openPlain(page, 'README.md');
      const again = await openTimed(page, 'big.locator.csv', { timeout: 240_000 });
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
      out.rounds.push(round);
      console.error(JSON.stringify(round));
    }
  } finally {
    inspector?.close();
    if (browser) await browser.close();
    await server.stop();
  }
  const text = JSON.stringify(out, null, 1);
  if (o.json) fs.writeFileSync(o.json, text + '\n');
  console.log(text);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
