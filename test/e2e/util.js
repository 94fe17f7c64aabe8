'use strict';
// Helpers shared by the UI suites (test/e2e/*.test.js). Not a test file itself (runAll only loads
// *.test.js). Everything waits on a condition; nothing sleeps for a fixed time to "let things settle".

const fs = require('fs');
const path = require('path');
const h = require('../harness/codeServer.js');
// The palette, Quick Open, quick picks and input boxes: one copy, shared with bench/vscode.js.
const { focusWorkbench, runCommand, quickOpen, waitQuickTitle, pickQuickItem, answerInputBox } = require('../harness/quickInput.js');

const DEMO = path.join(h.REPO_ROOT, 'demo');
const DOCS = path.join(h.REPO_ROOT, 'docs');

/** Fails with a clear message when the demo workspace or the build is missing. */
function checkPrereqs() {
  for (const [p, hint] of [
    [path.join(h.REPO_ROOT, 'dist/extension.js'), 'run `node esbuild.js` first'],
    [path.join(h.REPO_ROOT, 'dist/webview.js'), 'run `node esbuild.js` first'],
    [path.join(DEMO, 'demo.locator.csv'), 'run `node scripts/make-demo.js` first'],
    [path.join(DEMO, 'example_locator.csv'), 'run `node scripts/make-demo.js` first'],
  ]) {
    if (!fs.existsSync(p)) throw new Error(`missing ${path.relative(h.REPO_ROOT, p)}: ${hint}`);
  }
}

/** Polls `fn` until it returns a truthy value; returns that value. The message says what was awaited. */
async function until(fn, { timeout = 30_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      const why = lastErr ? ` (last error: ${lastErr.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${why}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Starts code-server on `folder` with the repo as an installed extension, opens the workbench. */
async function startWorkbench({ folder = DEMO, settings = {}, viewport } = {}) {
  checkPrereqs();
  const server = await h.startCodeServer({ folder, extensionDevelopmentPath: h.REPO_ROOT, settings });
  let browser;
  try {
    browser = await h.launchBrowser(viewport ? { viewport } : undefined);
    await h.openWorkbench(browser.page, server, folder);
  } catch (e) {
    if (browser) await browser.close();
    await server.stop();
    throw e;
  }
  return { server, browser, page: browser.page };
}

/**
 * The Locator Batch webview frame whose body has data-kind=`kind` and (when given) whose document
 * title is `title` (the locator's file name). Webviews live in nested iframes
 * (iframe.webview.ready → iframe#active-frame); hidden ones may be torn down and rebuilt, so the
 * frame is looked up again on every call.
 */
async function findWebview(page, { kind, title, timeout = 60_000 } = {}) {
  return until(
    async () => {
      for (const f of page.frames()) {
        if (f.isDetached()) continue;
        const info = await f
          .evaluate(() => (document.getElementById('app') && document.body ? { kind: document.body.dataset.kind, title: document.title } : null))
          .catch(() => null);
        if (!info || (kind && info.kind !== kind) || (title && info.title !== title)) continue;
        // Visible: the frame element has a size (a hidden webview keeps its iframe but 0×0 or display:none).
        const el = await f.frameElement().catch(() => null);
        const box = el && (await el.boundingBox().catch(() => null));
        if (box && box.width > 50 && box.height > 50) return f;
      }
      return undefined;
    },
    { timeout, interval: 200, message: `a visible Locator Batch webview (kind ${kind ?? 'any'}, title ${title ?? 'any'})` },
  );
}

/** The rows the virtualised grid has in the DOM now: view position, locator index, status, cell texts. */
async function visibleRows(frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll('#grid .grid-row[data-index]')]
      .filter((r) => !r.hidden)
      .map((r) => ({
        pos: Number(r.getAttribute('aria-rowindex')) - 2,
        index: Number(r.dataset.index),
        status: r.dataset.status || null,
        statusLabel: r.querySelector('.cell.k-status')?.getAttribute('aria-label') ?? null,
        cells: [...r.querySelectorAll('.cell')].map((c) => c.textContent),
      }))
      .sort((a, b) => a.pos - b.pos),
  );
}

/** Header titles and keys, in column order. */
async function headers(frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll('#grid .grid-header .hcell')].map((c) => ({ key: c.dataset.key, title: c.querySelector('.hlabel')?.textContent ?? '' })),
  );
}

/**
 * Every row of the view, by scrolling the virtualised grid from top to bottom and collecting what
 * each scroll position shows. Returns rows sorted by view position (one entry per position).
 */
async function allRows(frame) {
  const byPos = new Map();
  const total = await frame.evaluate(() => Number(document.getElementById('grid').getAttribute('aria-rowcount')) - 1);
  await frame.evaluate(() => {
    const g = document.getElementById('grid');
    g.scrollTop = 0;
  });
  for (let step = 0; step < 1000; step++) {
    // Rows are drawn in the scroll event; wait a frame (or 50 ms when frames are throttled).
    await frame.evaluate(() => new Promise((r) => { requestAnimationFrame(() => r()); setTimeout(r, 50); }));
    for (const r of await visibleRows(frame)) byPos.set(r.pos, r);
    const done = await frame.evaluate(() => {
      const g = document.getElementById('grid');
      if (g.scrollTop + g.clientHeight >= g.scrollHeight - 1) return true;
      g.scrollTop += Math.max(40, g.clientHeight - 60);
      return false;
    });
    if (done) break;
  }
  await frame.evaluate(() => { document.getElementById('grid').scrollTop = 0; });
  const rows = [...byPos.values()].sort((a, b) => a.pos - b.pos);
  return { total, rows };
}

/** The progress strip: text of #progress, aria-valuenow, summary text. */
async function progressState(frame) {
  return frame.evaluate(() => {
    const bar = document.querySelector('[role=progressbar]');
    const summary = document.getElementById('summary');
    return {
      text: document.getElementById('progress')?.textContent ?? '',
      value: bar ? Number(bar.getAttribute('aria-valuenow')) : NaN,
      summary: summary && !summary.hidden ? summary.textContent : '',
    };
  });
}

/** Screenshot into docs/ under a fixed name (overwrites the previous one). */
async function shot(page, name) {
  return h.screenshot(page, path.join(DOCS, name));
}

/**
 * Saves a screenshot of the page when the current test failed (afterEach: pass `this`), into
 * $LOCATOR_BATCH_E2E_SHOTS or <tmp>/lb-e2e-shots, and says where. Also used for extra screenshots
 * when LOCATOR_BATCH_E2E_SHOTS is set (debugShot).
 */
async function failureShot(ctx, page) {
  const t = ctx.currentTest;
  if (!page || !t || t.state !== 'failed') return;
  const file = path.join(shotsDir(), `${t.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`);
  await h.screenshot(page, file).then(
    () => console.error(`      [e2e] screenshot of the failure: ${file}`),
    () => {},
  );
}

function shotsDir() {
  return process.env.LOCATOR_BATCH_E2E_SHOTS || path.join(require('os').tmpdir(), 'lb-e2e-shots');
}

/** A screenshot for looking at, only when LOCATOR_BATCH_E2E_SHOTS is set. */
async function debugShot(page, name) {
  if (process.env.LOCATOR_BATCH_E2E_SHOTS) await h.screenshot(page, path.join(shotsDir(), name));
}

/** Closes notification toasts (they cover the bottom right of the editor in screenshots). */
async function clearNotifications(page) {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  if ((await toasts.count()) === 0) return;
  await runCommand(page, 'Notifications: Clear All Notifications');
  await toasts.first().waitFor({ state: 'detached', timeout: 10_000 });
}

/** Waits (at most `timeout`, then goes on: it is cosmetic) until the status bar no longer says "Activating Extensions...". */
async function extensionsActivated(page, timeout = 15_000) {
  await page
    .locator('.part.statusbar .statusbar-item', { hasText: 'Activating Extensions' })
    .first()
    .waitFor({ state: 'detached', timeout })
    .catch(() => {});
}

/**
 * Hooks for a suite whose `it`s build on each other in one workbench: after a failure the rest are
 * skipped (they would only fail for the same reason), and every failure leaves a screenshot.
 */
function stepsInOrder(getPage) {
  let broken;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest.state === 'failed') broken = this.currentTest.title;
    await failureShot(this, getPage());
  });
}

/**
 * One workbench for a suite whose `it`s build on each other (registers the stepsInOrder hooks).
 * Before all: writes `files` ([path, text] pairs) and starts code-server and Chromium with
 * `settings`; `started(env)` hands the running workbench to the suite. After all, even when a step
 * failed: stops them and removes every file written through it.
 * Returns `tempFile(path, text)` for files a step adds (removed with the others; the returned
 * remover may also be called early).
 */
function workbenchSuite({ files = [], settings = {}, started }) {
  let env;
  const removers = [];
  const tempFileForSuite = (file, text) => {
    const rm = tempFile(file, text);
    removers.push(rm);
    return rm;
  };
  stepsInOrder(() => env?.page);
  before(async function () {
    this.timeout(150_000);
    for (const [file, text] of files) tempFileForSuite(file, text);
    env = await startWorkbench({ settings });
    started(env);
  });
  after(async function () {
    this.timeout(60_000);
    try {
      await stopWorkbench(env);
    } finally {
      for (const rm of removers) rm();
    }
  });
  return { tempFile: tempFileForSuite };
}

/** Closes what startWorkbench opened (nothing when it never started). */
async function stopWorkbench(env) {
  if (!env) return;
  await env.browser.close();
  await env.server.stop();
}

/** Writes a file for the duration of a suite; returns a remover (also safe to call twice). */
function tempFile(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return () => fs.rmSync(file, { force: true });
}

/** The "Locator Batch" Output channel's text once it matches `pattern` (long lines wrap in the view: joined again). */
async function outputChannelText(page, pattern, message) {
  await runCommand(page, 'Output: Show Output Channels...');
  await pickQuickItem(page, 'Locator Batch');
  const log = page.locator('.part.panel .monaco-editor .view-lines').first();
  return until(
    async () => {
      const t = (await log.innerText().catch(() => '')).replace(/\u00a0/g, ' ').replace(/\n/g, '');
      return pattern.test(t) ? t : undefined;
    },
    { message },
  );
}

/** A run bar field of the editor's webview: its value (a checkbox's as "true"/"false") and its tooltip. */
function runBarField(editor, id) {
  return editor.locator(`#${id}`).evaluate((el) => ({ value: el.type === 'checkbox' ? String(el.checked) : el.value, title: el.title }));
}

/** The pids of the process tree under `root` whose command line contains `needle` (Linux /proc). */
function descendantsMatching(root, needle) {
  const parentOf = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch { /* ended meanwhile */ }
  }
  const under = (pid) => {
    for (let p = parentOf.get(pid); p; p = parentOf.get(p)) if (p === root) return true;
    return false;
  };
  return [...parentOf.keys()].filter((pid) => {
    if (!under(pid)) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.includes(needle));
    } catch {
      return false;
    }
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

module.exports = {
  h,
  DEMO,
  DOCS,
  until,
  startWorkbench,
  stopWorkbench,
  workbenchSuite,
  focusWorkbench,
  runCommand,
  quickOpen,
  waitQuickTitle,
  pickQuickItem,
  answerInputBox,
  findWebview,
  visibleRows,
  headers,
  allRows,
  progressState,
  shot,
  failureShot,
  debugShot,
  clearNotifications,
  extensionsActivated,
  tempFile,
  outputChannelText,
  runBarField,
  descendantsMatching,
  alive,
};
