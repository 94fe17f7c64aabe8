'use strict';
// Driving the workbench for the UI sections: opening files through the shared Quick Open helper
// (test/harness/quickInput.js) with the clock started at Enter, the locator editor's webview, its
// run bar, the page's memory, and VS Code's own activation figure.

const { h, quickInput, sleep, mb } = require('./common');
const { watchEditorStages } = require('./inPage');
const { rssByRole } = require('./processes');

const { runCommand } = quickInput;

async function closeAllEditors(page) {
  await runCommand(page, 'View: Close All Editors');
  await page.waitForFunction(() => document.querySelectorAll('.tabs-container .tab').length === 0, null, { timeout: 20_000 }).catch(() => {});
}

/**
 * Quick open (Ctrl+P) of `name`, timed from Enter: the page itself watches, in every animation
 * frame, for the stages of the locator editor of `name`; returns each stage's ms after Enter.
 * (When Quick Open has to try again, the clock starts again at the second Enter.)
 */
async function openTimed(page, name, { timeout = 90_000 } = {}) {
  let watch;
  let t0;
  await quickInput.quickOpen(page, name, {
    tabTimeout: timeout,
    beforeEnter: async () => {
      watch = page.evaluate(watchEditorStages, { title: name, timeout });
      await sleep(50); // the watcher is installed (one evaluate round trip) before the key goes
      t0 = Date.now();
    },
  });
  const st = await watch;
  if (st.timedOut) throw new Error(`opening ${name}: no rows shown within ${timeout} ms (${JSON.stringify(st)})`);
  return {
    htmlMs: st.html - t0,
    initMs: st.init - t0,
    firstRowsMs: st.firstRows - t0,
    allRowsMs: st.allRows - t0,
    rowsInfo: st.rowsInfo,
  };
}

/** Quick open of a file that opens in a text editor (to move the locator editor to a hidden tab). */
async function openPlain(page, name) {
  await quickInput.quickOpen(page, name);
}

/**
 * Quick open of `name` in VS Code's text editor, timed from Enter until its first line is drawn:
 * VS Code's own cost of loading that document, which every custom text editor waits for.
 */
async function openTextTimed(page, name, firstLine, timeout = 240_000) {
  let t0;
  await quickInput.quickOpen(page, name, { tabTimeout: timeout, beforeEnter: () => void (t0 = Date.now()) });
  await page.waitForFunction(
    (text) => {
      const lines = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
      return !!lines && lines.textContent.replace(/\s/g, '').includes(text.replace(/\s/g, ''));
    },
    firstLine.slice(0, 60),
    { timeout, polling: 'raf' },
  );
  return Date.now() - t0;
}

/** The visible Locator Batch webview frame titled `title` (Playwright Frame). */
async function editorFrame(page, title, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      if (f.isDetached()) continue;
      const t = await f.evaluate(() => (document.getElementById('app') ? document.title : null)).catch(() => null);
      if (t !== title) continue;
      const el = await f.frameElement().catch(() => null);
      const box = el && (await el.boundingBox().catch(() => null));
      if (box && box.width > 50 && box.height > 50) return f;
    }
    if (Date.now() > deadline) throw new Error(`no visible webview titled ${title}`);
    await sleep(100);
  }
}

/** Chooses the run settings in the run bar, as a person would (selects, then waits until Run is enabled). */
async function chooseRunSettings(frame, { apply, mode, workers, resultType }) {
  await frame.locator('#apply').waitFor({ state: 'visible', timeout: 30_000 });
  await frame.waitForFunction((a) => [...document.querySelectorAll('#apply option')].some((o) => o.textContent === a), apply, { timeout: 30_000 });
  await frame.selectOption('#apply', { label: apply });
  await frame.selectOption('#mode', mode);
  await frame.fill('#workers', String(workers));
  await frame.locator('#workers').dispatchEvent('change');
  await frame.selectOption('#result-type', resultType);
  await frame.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: 30_000 });
}

async function waitRunEnd(frame, timeout) {
  try {
    await frame.waitForFunction(() => window.__lbRun && window.__lbRun.end !== undefined, null, { timeout, polling: 200 });
  } catch (err) {
    // Say what the page saw: the messages that came, the strip, any notice (a refused run).
    const seen = await frame
      .evaluate(() => ({
        run: { ...window.__lbRun, progress: window.__lbRun?.progress?.slice(-3), probes: undefined },
        summaryHidden: document.getElementById('summary')?.hidden,
        progress: document.getElementById('progress')?.textContent,
        notice: document.querySelector('.notice')?.textContent,
        runDisabled: document.getElementById('run')?.disabled,
      }))
      .catch((e) => `page not readable: ${e.message}`);
    throw new Error(`the run's end was not seen within ${timeout} ms: ${String(err.message).split('\n')[0]}; the page saw ${JSON.stringify(seen)}`);
  }
  return frame.evaluate(() => window.__lbRun);
}

/** Parses "12,345 / 100,000 (12%)". */
function finishedOf(text) {
  const m = /^\s*([\d,.\s\u00a0\u202f]+)\//.exec(text || '');
  return m ? Number(m[1].replace(/[^\d]/g, '')) : NaN;
}

async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await sleep(100);
  await cdp.send('HeapProfiler.collectGarbage');
  const u = await cdp.send('Runtime.getHeapUsage');
  const m = await cdp.send('Performance.getMetrics');
  const metric = (n) => m.metrics.find((x) => x.name === n)?.value;
  return { heapUsedMb: mb(u.usedSize), heapTotalMb: mb(u.totalSize), domNodes: metric('Nodes'), documents: metric('Documents'), listeners: metric('JSEventListeners') };
}

async function memorySnapshot(page, cdp, label, frame) {
  const heap = await heapAfterGc(cdp);
  const rss = rssByRole();
  const webviewNodes = frame ? await frame.evaluate(() => document.getElementsByTagName('*').length).catch(() => NaN) : undefined;
  return { label, ...heap, webviewNodes, rssMb: rss };
}

/** Locator Batch webviews whose document is titled `title` (hidden ones included). */
function countWebviews(page, title) {
  return page.evaluate((t) => {
    let n = 0;
    for (const ifr of document.querySelectorAll('iframe.webview')) {
      try {
        if (ifr.contentDocument?.querySelector('iframe#active-frame')?.contentDocument?.title === t) n++;
      } catch {
        /* not ours */
      }
    }
    return n;
  }, title);
}

/**
 * "Developer: Show Running Extensions": the "Activation: N ms" VS Code shows for each extension
 * named (display names; default Locator Batch). Returns { ms, text } for one name, an array for several.
 */
async function runningExtensionsFigure(page, names = 'Locator Batch') {
  const list = Array.isArray(names) ? names : [names];
  await runCommand(page, 'Developer: Show Running Extensions');
  const editor = page.locator('.runtime-extensions-editor').first();
  await editor.waitFor({ state: 'visible', timeout: 30_000 });
  // The list is virtualised and sorted by activation time: a tall window shows every row.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: viewport.width, height: 5000 });
  let all;
  const pattern = (name) => new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+([\\s\\S]*?)(Startup )?Activation:\\s*([\\d.]+)\\s*ms`, 'i');
  try {
    await page.waitForFunction(
      (sources) => sources.every((src) => new RegExp(src, 'i').test(document.querySelector('.runtime-extensions-editor')?.innerText ?? '')),
      list.map((n) => pattern(n).source),
      { timeout: 30_000 },
    );
    all = await editor.innerText();
  } finally {
    await page.setViewportSize(viewport);
  }
  const figures = list.map((name) => {
    const m = pattern(name).exec(all);
    return { name, ms: m ? Number(m[3]) : NaN, text: m ? m[0].replace(/\s+/g, ' ').trim() : all.slice(0, 200) };
  });
  return Array.isArray(names) ? figures : figures[0];
}

/**
 * Running Extensions' figure for `name` in a fresh window of `folder` with only `extDir` installed;
 * `open`: a file opened first (Quick Open), else the figure of the activation at startup.
 */
async function freshWindowFigure({ folder, extDir, name = 'Locator Batch', open }) {
  const server = await h.startCodeServer({ folder, extensionDevelopmentPath: extDir });
  let browser;
  try {
    browser = await h.launchBrowser();
    await h.openWorkbench(browser.page, server, folder);
    if (open) await openTimed(browser.page, open);
    return await runningExtensionsFigure(browser.page, name);
  } finally {
    if (browser) await browser.close();
    await server.stop();
  }
}

module.exports = {
  freshWindowFigure,
  closeAllEditors,
  openTimed,
  openPlain,
  openTextTimed,
  editorFrame,
  chooseRunSettings,
  waitRunEnd,
  finishedOf,
  heapAfterGc,
  memorySnapshot,
  countWebviews,
  runningExtensionsFigure,
};
