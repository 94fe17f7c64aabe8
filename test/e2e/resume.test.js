'use strict';
// UI (issue 11, part 2): a run that outlives its window. A run started in the locator editor is cut
// off by SIGKILL of THIS code-server's extension host mid-run (as when the window or the remote
// connection dies); after a reload the editor shows the rows that run finished, and a notice
// "The last run of ... stopped at N of 24 rows" with Resume and Dismiss. A changed apply file is
// refused with the reason; with the apply file as it was, Resume runs only the rows without a
// result: every row ends with a result, the rows the first run finished are not run again, and
// each row after the point where it stopped runs once. Dismiss is remembered across reloads, and
// the palette's Resume Last Run is offered only while there is a run to resume.
//
// Its own workspace (a temp folder); the apply file appends each row's index to a side-effect file
// before it sleeps, so the test counts how often each row really ran.

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const u = require('./util');

const { h } = u;
const NAME = 'resume.locator.csv';
const ROWS = 24;
const ROW_DELAY_MS = 300;
const APPLY_LABEL = 'apply/append-index.js';
const RESUME_COMMAND = 'Locator Batch: Resume Last Run';
const WRITE_COLUMN = 'resumed';

/** A journal as the test reads it from disk: header, and the rows with a record. */
function readJournal(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const header = JSON.parse(lines[0]);
  const records = new Map();
  for (const l of lines.slice(1)) {
    try {
      const r = JSON.parse(l);
      records.set(r.index, r);
    } catch { /* a torn last line */ }
  }
  return { header, records };
}

describe('a run that outlives its window: resume after the extension host was killed mid-run', function () {
  this.timeout(240_000);
  let folder;
  let outDir;
  let server;
  let browser;
  let page;
  let editor;
  let sideFile;
  let applyFile;
  let applySource;
  /** What the killed run left: the rows its journal finished, and the rows that had started. */
  let finishedBeforeKill;
  let startedBeforeKill;
  let broken = false;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest.state === 'failed') broken = true;
    await u.failureShot(this, page);
  });

  before(async function () {
    this.timeout(150_000);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-e2e-resume-'));
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-e2e-resume-out-'));
    sideFile = path.join(outDir, 'ran.txt');
    const rows = Array.from({ length: ROWS }, (_, i) => `/data/sub-${String(i + 1).padStart(2, '0')}.edf,Completed`);
    fs.writeFileSync(path.join(folder, NAME), ['File Path,Completeness Check', ...rows].join('\n') + '\n');
    applyFile = path.join(folder, 'apply', 'append-index.js');
    applySource =
      `// Written by test/e2e/resume.test.js: notes each row it runs, then takes a while.\n` +
      `const fs = require('fs');\n` +
      `exports.defaults = { mode: 'sequential', resultType: 'value' };\n` +
      `exports.apply = async (row, context) => {\n` +
      `  fs.appendFileSync(${JSON.stringify(sideFile)}, context.index + '\\n');\n` +
      `  await new Promise((resolve) => setTimeout(resolve, ${ROW_DELAY_MS}));\n` +
      `  return 'v' + context.index;\n` +
      `};\n`;
    fs.mkdirSync(path.dirname(applyFile));
    fs.writeFileSync(applyFile, applySource);
    // Journals where the test can read them (the run bar's runs journal there: locatorBatch.outputDirectory).
    server = await h.startCodeServer({ folder, extensionDevelopmentPath: h.REPO_ROOT, settings: { 'locatorBatch.outputDirectory': outDir, 'files.autoSave': 'off' } });
    browser = await h.launchBrowser();
    page = browser.page;
    await h.openWorkbench(page, server, folder);
  });

  after(async function () {
    this.timeout(60_000);
    if (browser) await browser.close();
    if (server) await server.stop();
    for (const d of [folder, outDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  const journals = () => {
    const dir = path.join(outDir, 'journals');
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f)).sort() : [];
  };
  const ranLines = () => (fs.existsSync(sideFile) ? fs.readFileSync(sideFile, 'utf8').split('\n').filter(Boolean).map(Number) : []);
  const noticeText = async () => ((await editor.locator('#unfinished-run').isVisible()) ? (await editor.locator('#unfinished-run-text').textContent()) : '');

  async function openEditor() {
    editor = await u.findWebview(page, { kind: 'editor', title: NAME, timeout: 90_000 });
    await editor.locator('#grid .grid-row[data-index="0"]').waitFor({ state: 'visible', timeout: 60_000 });
  }

  async function reloadWindow() {
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    await page.locator('.part.statusbar .statusbar-item').first().waitFor({ state: 'visible', timeout: 90_000 });
    // The locator editor tab comes back with the window.
    await openEditor();
  }

  it('a run started in the editor dies with its extension host (SIGKILL mid-run)', async () => {
    await u.quickOpen(page, NAME);
    await openEditor();
    await u.until(async () => (await editor.locator('#apply option').allTextContents()).includes(APPLY_LABEL), { message: `${APPLY_LABEL} in the run bar` });
    await editor.locator('#apply').selectOption({ label: APPLY_LABEL });
    await u.until(async () => (await u.runBarField(editor, 'mode')).value === 'sequential', { message: 'the apply file\'s defaults' });
    await editor.locator('#run').click();
    // Mid-run: some rows journaled, most not yet run.
    const journal = await u.until(() => {
      const [file] = journals();
      return file && readJournal(file).records.size >= 6 ? file : undefined;
    }, { timeout: 60_000, message: 'the run to journal 6 rows' });
    const { header } = readJournal(journal);
    // The extension host of THIS code-server (one window: one host) is the journal's writer.
    const hosts = u.descendantsMatching(server.pid, '--type=extensionHost');
    assert.deepStrictEqual(hosts, [header.pid], `the extension host under code-server ${server.pid} wrote the journal`);
    process.kill(header.pid, 'SIGKILL');
    await u.until(() => !u.alive(header.pid), { timeout: 10_000, message: 'the extension host to end' });
    finishedBeforeKill = [...readJournal(journal).records.keys()].sort((a, b) => a - b);
    startedBeforeKill = ranLines();
    assert.ok(finishedBeforeKill.length >= 6 && finishedBeforeKill.length < ROWS - 4, `stopped mid-run (${finishedBeforeKill.length} of ${ROWS} rows journaled)`);
    assert.ok(readJournal(journal).records.size < ROWS, 'the journal stops short');
    // Nothing runs the rest any more.
    await new Promise((r) => setTimeout(r, 2 * ROW_DELAY_MS));
    assert.strictEqual(ranLines().length, startedBeforeKill.length, 'no row ran after the kill');
  });

  it('after a reload the editor shows the rows that run finished, and says where it stopped', async () => {
    await reloadWindow();
    const want = `The last run of ${NAME} stopped at ${finishedBeforeKill.length} of ${ROWS} rows`;
    await u.until(async () => (await noticeText()).startsWith(want), { timeout: 30_000, message: `the notice "${want}"` });
    assert.ok(await editor.locator('#resume-run').isVisible(), 'Resume is offered');
    assert.ok(await editor.locator('#dismiss-run').isVisible(), 'Dismiss is offered');
    const { rows } = await u.allRows(editor);
    const finished = new Set(finishedBeforeKill);
    for (const r of rows) {
      if (finished.has(r.index)) {
        assert.strictEqual(r.status, 'done', `row ${r.index} shows the result it had`);
        assert.ok(r.cells.includes(`v${r.index}`), `row ${r.index} shows its value (${r.cells})`);
      } else {
        assert.ok(!r.status, `row ${r.index} has no result (${r.status})`);
      }
    }
  });

  it('Resume with a changed apply file is refused with the reason, and nothing runs', async () => {
    const before = ranLines().length;
    fs.writeFileSync(applyFile, applySource.replace("'v' + context.index", "'w' + context.index"));
    try {
      await editor.locator('#resume-run').click();
      await u.until(async () => /another apply file \(or this one has changed since\)/.test((await editor.locator('#notice').textContent()) ?? ''), {
        timeout: 30_000,
        message: 'the refusal in the editor',
      });
    } finally {
      fs.writeFileSync(applyFile, applySource);
    }
    assert.strictEqual(ranLines().length, before, 'no row ran');
    assert.ok((await noticeText()).startsWith(`The last run of ${NAME} stopped at`), 'the run is still offered');
  });

  it('Resume runs only the rows without a result: every row ends done, none finished before runs again; write-back has every value', async () => {
    await u.until(async () => !(await editor.locator('#resume-run').isDisabled()), { timeout: 10_000, message: 'Resume enabled again' });
    await editor.locator('#resume-run').click();
    const end = await u.until(async () => {
      const p = await u.progressState(editor);
      return /^Finished:/.test(p.summary ?? '') ? p : undefined;
    }, { timeout: 90_000, message: 'the resumed run to finish' });
    assert.match(end.summary, new RegExp(`^Finished: ${ROWS} done`));
    assert.ok(await editor.locator('#unfinished-run').isHidden(), 'the notice is gone');
    const { rows } = await u.allRows(editor);
    assert.strictEqual(rows.length, ROWS);
    for (const r of rows) {
      assert.strictEqual(r.status, 'done', `row ${r.index}`);
      assert.ok(r.cells.includes(`v${r.index}`), `row ${r.index} value (${r.cells})`);
    }
    // How often each row really ran, over both runs.
    const times = new Map();
    for (const i of ranLines()) times.set(i, (times.get(i) ?? 0) + 1);
    const finished = new Set(finishedBeforeKill);
    const lastStarted = Math.max(...startedBeforeKill);
    for (let i = 0; i < ROWS; i++) {
      const n = times.get(i) ?? 0;
      if (finished.has(i)) assert.strictEqual(n, 1, `row ${i} finished before the kill: not run again`);
      else if (i > lastStarted) assert.strictEqual(n, 1, `row ${i} (after the point the run stopped) ran once`);
      // A row started but not yet journaled when the host died ran then and again now.
      else assert.ok(n >= 1 && n <= 2, `row ${i} in flight at the kill ran ${n} times`);
    }
    // The results are whole, as after a full run: a write-back puts every row's value in the column,
    // the rows the first run finished included (undone again: the locator stays as it was).
    await editor.locator('#column').fill(WRITE_COLUMN);
    await editor.locator('#column').press('Tab');
    await u.until(async () => (await editor.locator('#write-back').textContent()).includes(WRITE_COLUMN), { message: 'Write back to name the column' });
    await editor.locator('#write-back').click();
    const dirtyTab = page.locator('.tabs-container .tab.dirty', { hasText: NAME });
    await dirtyTab.waitFor({ state: 'visible', timeout: 30_000 });
    await u.until(async () => (await u.headers(editor)).some((c) => c.title === WRITE_COLUMN), { message: `the "${WRITE_COLUMN}" column in the table` });
    const col = (await u.headers(editor)).findIndex((c) => c.title === WRITE_COLUMN);
    assert.deepStrictEqual((await u.allRows(editor)).rows.map((r) => r.cells[col]), Array.from({ length: ROWS }, (_, i) => `v${i}`));
    await editor.locator('#grid .grid-row[data-index="0"] .cell.k-data').first().click();
    await page.keyboard.press('Control+Z');
    await dirtyTab.waitFor({ state: 'detached', timeout: 30_000 });
    // The resumed run's journal is whole: nothing is offered any more, after a reload either.
    const newest = journals().pop();
    assert.strictEqual(readJournal(newest).records.size, ROWS, 'the new journal has every row');
    await reloadWindow();
    await new Promise((r) => setTimeout(r, 2000));
    assert.strictEqual(await noticeText(), '', 'no unfinished run after a reload');
  });

  it('Dismiss: a run killed again is offered after a reload (the palette too); dismissed, it is not offered again', async () => {
    const before = journals().length;
    await editor.locator('#run').click();
    const journal = await u.until(() => {
      const all = journals();
      return all.length > before && readJournal(all[all.length - 1]).records.size >= 3 ? all[all.length - 1] : undefined;
    }, { timeout: 60_000, message: 'a second run to journal 3 rows' });
    const { header } = readJournal(journal);
    // The window's earlier hosts may still be ending: the writer is one of this code-server's hosts.
    const hosts = u.descendantsMatching(server.pid, '--type=extensionHost');
    assert.ok(hosts.includes(header.pid), `the journal's writer ${header.pid} is an extension host of this code-server (${hosts})`);
    process.kill(header.pid, 'SIGKILL');
    await u.until(() => !u.alive(header.pid), { timeout: 10_000, message: 'the extension host to end' });
    await reloadWindow();
    await u.until(async () => (await noticeText()).startsWith(`The last run of ${NAME} stopped at`), { timeout: 30_000, message: 'the notice' });
    // The palette offers it too while there is one.
    await u.focusWorkbench(page);
    await h.waitForCommand(page, RESUME_COMMAND, { timeout: 20_000 });
    await editor.locator('#dismiss-run').click();
    await u.until(async () => (await noticeText()) === '', { timeout: 10_000, message: 'the notice to go' });
    await u.focusWorkbench(page);
    const listed = await h.findCommand(page, RESUME_COMMAND, { timeout: 3_000 }).then(() => true, () => false);
    await page.keyboard.press('Escape');
    assert.strictEqual(listed, false, `"${RESUME_COMMAND}" is not offered once dismissed`);
    await reloadWindow();
    await new Promise((r) => setTimeout(r, 2000));
    assert.strictEqual(await noticeText(), '', 'a dismissed run is not offered again');
  });
});
