'use strict';
// UI: Workspace Trust, through the locator editor's own message path. code-server starts WITHOUT
// --disable-workspace-trust on a fresh folder, which opens in Restricted Mode; the user opens a
// locator. The run bar says trust is needed and Run is disabled. A webview
// is not where a guard can live (its buttons are only drawn), so the test then makes the webview's
// Run (and Re-run Failed Rows) post its message anyway, as a webview that missed the trust state
// would: the extension must refuse, say trust is needed, and run nothing: the apply file is never
// loaded, no journal is written, no row shows a result.

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const u = require('./util');

const { h } = u;
const LOCATOR_NAME = 'trust.locator.csv';

/** Files under `dir` (recursively) whose name ends in `ext`. */
function filesEnding(dir, ext) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(ext)) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

describe('Workspace Trust: the locator editor in an untrusted folder', function () {
  this.timeout(180_000);
  let folder;
  let marker;
  let server;
  let browser;
  let page;
  let editor;

  before(async function () {
    this.timeout(150_000);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-e2e-untrusted-'));
    marker = path.join(folder, 'ran.log');
    fs.writeFileSync(path.join(folder, LOCATOR_NAME), 'File Path,Domain Tag\n/data/a.fif,mi\n/data/b.fif,sleep\n');
    fs.mkdirSync(path.join(folder, 'apply'));
    fs.writeFileSync(
      path.join(folder, 'apply', 'mark.js'),
      `const fs = require('fs');\nfs.appendFileSync(${JSON.stringify(marker)}, 'loaded\\n');\n` +
        `exports.apply = (row) => { fs.appendFileSync(${JSON.stringify(marker)}, 'applied\\n'); return 1; };\n`,
    );
    server = await h.startCodeServer({ folder, extensionDevelopmentPath: h.REPO_ROOT, workspaceTrust: true });
    browser = await h.launchBrowser();
    page = browser.page;
    await h.openWorkbench(page, server, folder);
  });

  afterEach(async function () {
    await u.failureShot(this, page);
  });

  after(async function () {
    this.timeout(60_000);
    if (browser) await browser.close();
    if (server) await server.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('the user does not trust the folder; the locator opens, the run bar says trust is needed, Run is disabled', async () => {
    // VS Code for the web opens a new folder in Restricted Mode without asking (the desktop asks
    // first; a careful user answers "No, I don't trust the authors", which leads to the same state).
    const noTrust = page.locator('.monaco-dialog-box .monaco-button', { hasText: "No, I don't trust the authors" });
    if (await noTrust.isVisible()) await noTrust.click();
    await page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await u.quickOpen(page, LOCATOR_NAME);
    editor = await u.findWebview(page, { kind: 'editor', title: LOCATOR_NAME });
    await editor.locator('#trust-message').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await editor.locator('#trust-message').textContent(), /needs a trusted workspace/);
    assert.strictEqual(await editor.locator('#run').isDisabled(), true, 'Run is disabled');
    // The apply file can still be picked (the run bar lists the workspace's apply files).
    await u.until(
      () => editor.evaluate(() => [...document.querySelectorAll('#apply option')].some((o) => o.textContent === 'apply/mark.js')),
      { message: 'apply/mark.js in the run bar' },
    );
    await editor.locator('#apply').selectOption({ label: 'apply/mark.js' });
  });

  it("Run posted from the webview anyway is refused by the extension: it says trust is needed, nothing runs", async () => {
    // What the Run button does when enabled: its click handler posts {type: 'run'} with the run bar's settings.
    await editor.evaluate(() => {
      const run = document.getElementById('run');
      run.disabled = false;
      run.click();
    });
    await h.notification(page, 'needs a trusted workspace').first().waitFor({ state: 'visible', timeout: 30_000 });
    // A run that was (wrongly) let through loads the apply file within a second or two: give it that.
    await new Promise((r) => setTimeout(r, 3000));
    assert.strictEqual(fs.existsSync(marker), false, `the apply file ran: ${fs.existsSync(marker) && fs.readFileSync(marker, 'utf8')}`);
    assert.deepStrictEqual(filesEnding(server.dir, '.jsonl'), [], 'no journal was written');
    const statuses = await editor.evaluate(() => [...document.querySelectorAll('#grid .grid-row[data-status]')].map((r) => r.dataset.status));
    assert.deepStrictEqual(statuses, [], 'no row shows a run status');
    assert.strictEqual(await editor.locator('#summary').isVisible(), false, 'no run summary');
  });

  it('Re-run Failed Rows posted from the webview runs nothing either', async () => {
    await u.clearNotifications(page);
    await editor.evaluate(() => {
      const rerun = document.getElementById('rerun-failed');
      rerun.hidden = false;
      rerun.disabled = false;
      rerun.click();
    });
    // Without a finished run (none can finish here) the extension says so; either way nothing runs.
    await h.notification(page, 'Locator Batch').first().waitFor({ state: 'visible', timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 2000));
    assert.strictEqual(fs.existsSync(marker), false, 'the apply file ran');
    assert.deepStrictEqual(filesEnding(server.dir, '.jsonl'), [], 'no journal was written');
  });
});
