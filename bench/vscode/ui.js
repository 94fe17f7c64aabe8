'use strict';
// Sections 3–4, measured: one workbench in chromium on the temp workspace; demo.locator.csv
// (open, runs in process mode, opens again) and big.locator.csv (100k rows: open, tab hidden and
// shown again, a 100k-row run with scroll probes, memory), the same file as plain text, and VS
// Code's own activation figure (ours and an empty extension's). Printed by ./uiReport.js.

const fs = require('fs');
const path = require('path');
const { h, quickInput, BIG_ROWS, sleep, fmt } = require('./common');
const { armRunRecorder, armMainThreadMonitor, defineScrollProbe } = require('./inPage');
const { cpuMeter } = require('./processes');
const {
  closeAllEditors, openTimed, openPlain, openTextTimed, editorFrame, chooseRunSettings, waitRunEnd, finishedOf,
  heapAfterGc, memorySnapshot, countWebviews, runningExtensionsFigure,
} = require('./workbench');
const { makeFloorExtension, FLOOR_EXTENSION_NAME } = require('./workspace');

const { waitForCommand } = quickInput;

/** Fills `out` as it goes (so a failure keeps the figures taken before it); returns it. */
async function measureUi(extDir, ws, opts, progress, out) {
  const R = opts.runs;
  const bigRuns = Math.max(1, Math.floor(R / 3));
  Object.assign(out, { demo: { opens: [], runs: [] }, big: { reshows: [], reshowsAfterRun: [], runs: [], memory: [] } });
  // Beside ours, an extension that does nothing, activated by the same events: VS Code's own part
  // of the activation figure in this window (its host is busy starting then).
  const floorDir = makeFloorExtension(path.join(path.dirname(extDir), 'activation-floor'), extDir);
  const server = await h.startCodeServer({
    folder: ws.dir,
    extensionDevelopmentPath: extDir,
    alsoInstalled: [floorDir],
    // VS Code for the web asks before showing a file over 10 MB in its text editor (the plain-text
    // comparison below); it never asks for a custom editor.
    settings: { 'workbench.editorLargeFileConfirmation': 1024 },
  });
  let browser;
  try {
    browser = await h.launchBrowser();
    const { page } = browser;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    progress('ui: opening the workbench');
    const t = Date.now();
    await h.openWorkbench(page, server, ws.dir);
    out.workbenchMs = Date.now() - t;
    // The custom editor is known once the host has scanned the extension (it is not active yet).
    await waitForCommand(page, 'Locator Batch: Run Batch...');

    await measureDemo(page, R, progress, out.demo);
    await measureBig(page, cdp, ws, R, bigRuns, progress, out.big);
    await measurePlainText(page, ws, progress, out.big);

    // VS Code's own activation figure for this window's host.
    progress('ui: Developer: Show Running Extensions');
    const figures = await runningExtensionsFigure(page, ['Locator Batch', FLOOR_EXTENSION_NAME]).catch((e) => {
      const text = `not read: ${String(e.message).split('\n')[0]}`;
      return [{ ms: NaN, text }, { ms: NaN, text }];
    });
    [out.vscodeActivation, out.vscodeActivationFloor] = figures;
  } finally {
    if (browser) await browser.close();
    await server.stop();
  }
  return out;
}

/** demo.locator.csv: the first open (it activates the extension), R runs in process mode, R opens again. */
async function measureDemo(page, R, progress, out) {
  progress('ui: demo.locator.csv, first open (activates the extension)');
  out.firstOpen = await openTimed(page, 'demo.locator.csv');
  const demo = await editorFrame(page, 'demo.locator.csv');
  await chooseRunSettings(demo, { apply: 'apply/mean-std.ts', mode: 'process', workers: 2, resultType: 'value' });
  for (let r = 0; r < R; r++) {
    progress(`ui: demo.locator.csv, apply/mean-std.ts, process mode: run ${r + 1}/${R}`);
    await demo.evaluate(armRunRecorder, { probeEveryMs: 0 });
    await demo.locator('#run').click();
    const rec = await waitRunEnd(demo, 120_000);
    out.runs.push({ firstResultMs: rec.first - rec.t0, firstAnyMs: rec.firstAny - rec.t0, allDoneMs: rec.end - rec.t0, summary: rec.summary });
    await demo.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: 30_000 });
  }
  // Opening the small locator again: the fixed cost of the editor (webview, handshake) alone.
  for (let r = 0; r < R; r++) {
    await closeAllEditors(page);
    out.opens.push(await openTimed(page, 'demo.locator.csv'));
  }
}

/**
 * big.locator.csv (100k rows): the first open, its tab hidden and shown again R times, scroll
 * probes with nothing running, `bigRuns` 100k-row runs, shown again after them; memory throughout.
 */
async function measureBig(page, cdp, ws, R, bigRuns, progress, out) {
  await closeAllEditors(page);
  out.memory.push(await memorySnapshot(page, cdp, 'every editor closed, before big.locator.csv'));
  progress(`ui: big.locator.csv (${BIG_ROWS} rows, ${fmt(ws.bigBytes / 1e6, 1)} MB): open`);
  let meter = cpuMeter();
  out.open = await openTimed(page, 'big.locator.csv', { timeout: 240_000 });
  out.open.cpu = meter.stop();
  let big = await editorFrame(page, 'big.locator.csv');
  out.memory.push(await memorySnapshot(page, cdp, 'big.locator.csv shown, every row loaded', big));
  // The tab hidden and shown again: VS Code drops a hidden custom editor's webview and builds it
  // again when shown; the document stays loaded, so this is the extension's and webview's part alone.
  for (let r = 0; r < R; r++) {
    progress(`ui: big.locator.csv: tab hidden and shown again ${r + 1}/${R}`);
    await openPlain(page, 'README.md');
    if (r === 0) {
      out.webviewsWhileHidden = await countWebviews(page, 'big.locator.csv');
      out.memory.push(await memorySnapshot(page, cdp, 'big.locator.csv in a hidden tab (its webview dropped, the document loaded)'));
    }
    meter = cpuMeter();
    const o = await openTimed(page, 'big.locator.csv', { timeout: 240_000 });
    o.cpu = meter.stop();
    out.reshows.push(o);
  }
  big = await editorFrame(page, 'big.locator.csv');
  await chooseRunSettings(big, { apply: 'apply/trivial.js', mode: 'process', workers: 2, resultType: 'value' });
  await big.evaluate(defineScrollProbe);
  // Scrolling with nothing running, for comparison.
  const idle = [];
  for (let i = 0; i < 12; i++) {
    idle.push(await big.evaluate(() => window.__lbScrollProbe()));
    await sleep(150);
  }
  out.idleProbes = idle;
  // Back to the top, where a person who just clicked Run looks (and where the first results land).
  await big.evaluate(() => new Promise((r) => {
    document.getElementById('grid').scrollTop = 0;
    requestAnimationFrame(() => requestAnimationFrame(r));
  }));
  for (let r = 0; r < bigRuns; r++) {
    progress(`ui: big.locator.csv, apply/trivial.js, process mode, ${BIG_ROWS} rows: run ${r + 1}/${bigRuns}`);
    // Every run starts from a collected heap: the garbage of the webviews dropped before it (the
    // tab was hidden and shown) is not collected in the middle of the first run only.
    await heapAfterGc(cdp);
    await big.evaluate(armRunRecorder, { probeEveryMs: 250 });
    await page.evaluate(armMainThreadMonitor);
    meter = cpuMeter();
    await big.locator('#run').click();
    const rec = await waitRunEnd(big, 300_000);
    const cpu = meter.stop();
    const main = await page.evaluate(() => window.__lbMainStop());
    out.runs.push(summarizeBigRun(rec, main, cpu));
    await big.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: 30_000 });
  }
  out.memory.push(await memorySnapshot(page, cdp, `after the ${BIG_ROWS / 1000}k-row run${bigRuns > 1 ? 's' : ''}`, big));
  // Shown again after the run: the editor's init then carries every row's result too.
  progress('ui: big.locator.csv: tab hidden and shown again after the run');
  await openPlain(page, 'README.md');
  out.memory.push(await memorySnapshot(page, cdp, 'hidden again (the session keeps the results)'));
  meter = cpuMeter();
  const o = await openTimed(page, 'big.locator.csv', { timeout: 240_000 });
  o.cpu = meter.stop();
  out.reshowsAfterRun.push(o);
  big = await editorFrame(page, 'big.locator.csv');
  out.memory.push(await memorySnapshot(page, cdp, 'shown again after the run', big));
  await closeAllEditors(page);
  await sleep(1000);
  out.memory.push(await memorySnapshot(page, cdp, 'every editor closed'));
}

/** The same 25 MB as plain text: how much of a first open is VS Code loading the document. */
async function measurePlainText(page, ws, progress, out) {
  progress('ui: big-as-text.csv in the text editor (VS Code loads the document)');
  const meter = cpuMeter();
  out.textEditorOpenMs = await openTextTimed(page, 'big-as-text.csv', fs.readFileSync(ws.big, 'utf8').split('\n', 1)[0]);
  out.textEditorOpenCpu = meter.stop();
  await closeAllEditors(page);
}

/** One 100k-row run's figures from what the page recorded (armRunRecorder, armMainThreadMonitor) and the CPU meter. */
function summarizeBigRun(rec, main, cpu) {
  const samples = rec.progress.map(([t, text]) => [t, finishedOf(text)]).filter(([, n]) => Number.isFinite(n));
  const firstShown = samples.find(([, n]) => n > 0);
  const lastShown = samples.find(([, n]) => n >= BIG_ROWS) ?? samples[samples.length - 1];
  const rate = firstShown && lastShown && lastShown[0] > firstShown[0] ? ((lastShown[1] - firstShown[1]) * 1000) / (lastShown[0] - firstShown[0]) : NaN;
  const engineRate = /([\d,.]+)\s*rows\/s/.exec(rec.summary || '');
  const arrived = (type) => (rec.arrived?.[type] !== undefined ? rec.arrived[type] - rec.t0 : NaN);
  // The summary's duration reads "in 793 ms" or "in 3.2 s".
  const engineTime = /\bin ([\d.]+) (ms|s)\b/.exec(rec.summary || '');
  return {
    runStartedArrivedMs: arrived('runStarted'),
    firstResultsArrivedMs: arrived('results'),
    runEndedArrivedMs: arrived('runEnded'),
    engineMs: engineTime ? Number(engineTime[1]) * (engineTime[2] === 's' ? 1000 : 1) : NaN,
    firstResultMs: rec.first - rec.t0,
    allShownMs: lastShown ? lastShown[0] - rec.t0 : NaN,
    endMs: rec.end - rec.t0,
    shownPerSecond: rate,
    progressUpdates: samples.length,
    summary: rec.summary,
    engineRowsPerSecond: engineRate ? Number(engineRate[1].replace(/[^\d.]/g, '')) : NaN,
    probes: rec.probes,
    main,
    cpu,
  };
}

module.exports = { measureUi, summarizeBigRun };
