'use strict';
// UI: large locators in the locator editor, driven as a person would. A 60,000-row locator shows
// every row (counted right when a quoted field spans two lines) and keeps its place when its tab is
// hidden and shown again; one broken far below its top shows the parse error with that line; a
// process-mode run over it streams results while the table scrolls, Cancel keeps what finished, and
// Re-run Failed Rows finishes the rest.
//
// The `it`s share one workbench and run in order. The files this suite writes to demo/ are removed
// in `after`.

const assert = require('assert');
const path = require('path');
const u = require('./util');

const { DEMO } = u;
// Large enough that the editor draws its top lines before the whole is parsed. Row 7's note spans
// two lines, so the file has one line more than it has rows.
const BIG_ROWS = 60_000;
const BIG = path.join(DEMO, 'e2e-big.locator.csv');
const BIG_NAME = path.basename(BIG);
const bigText = (brokenLine) => {
  const lines = ['File Path,Domain Tag,Note'];
  for (let i = 0; i < BIG_ROWS; i++) lines.push(i === 7 ? `/data/r${i}.csv,big,"two\nlines"` : `/data/r${i}.csv,big,n${i}`);
  // A line with a field too many, far below the top lines drawn first.
  if (brokenLine) lines[brokenLine - 1] += ',extra';
  return lines.join('\n') + '\n';
};
const BIG_BROKEN = path.join(DEMO, 'e2e-big-broken.locator.csv');
const BIG_BROKEN_NAME = path.basename(BIG_BROKEN);
const BIG_BROKEN_LINE = 50_001;
// ~0.15 ms of work per row: 60,000 rows take a few seconds on two workers, long enough to cancel.
const APPLY = path.join(DEMO, 'apply', 'e2e-busy.js');
const APPLY_LABEL = 'apply/e2e-busy.js';
const APPLY_SOURCE = `// Written and removed by test/e2e/large.test.js: the length of each row's File Path, slowly.
function apply(row) {
  const until = performance.now() + 0.15;
  while (performance.now() < until) {}
  return row['File Path'].length;
}
module.exports = { apply };
`;

// A one-row locator whose apply file holds the extension host for a few seconds (a sequential run
// runs in the host): what a re-shown tab draws while the extension cannot answer.
const SMALL = path.join(DEMO, 'e2e-small.locator.csv');
const SMALL_NAME = path.basename(SMALL);
const BLOCK = path.join(DEMO, 'apply', 'e2e-block.js');
const BLOCK_LABEL = 'apply/e2e-block.js';
const BLOCK_MS = 8000;
// The apply file writes this when its row starts (the host is busy from then on).
const BLOCK_STARTED = path.join(DEMO, 'e2e-block.started');
const BLOCK_SOURCE = `// Written and removed by test/e2e/large.test.js: keeps the extension host busy (sequential mode).
function apply() {
  require('fs').writeFileSync(${JSON.stringify(BLOCK_STARTED)}, String(Date.now()));
  const until = Date.now() + ${BLOCK_MS};
  while (Date.now() < until) {}
  return 'held';
}
module.exports = { apply };
`;

/** "1,234 / 60,000 (2%)" -> 1234 */
const finishedOf = (text) => Number((/^([\d,]+)\s*\//.exec(text) || [])[1]?.replace(/,/g, '') ?? NaN);
/** "Cancelled: 1,234 done, 58,766 cancelled in ..." -> { done: 1234, cancelled: 58766 } */
const countsOf = (summary) => ({
  done: Number((/([\d,]+) done/.exec(summary) || [])[1]?.replace(/,/g, '') ?? 0),
  cancelled: Number((/([\d,]+) cancelled/.exec(summary) || [])[1]?.replace(/,/g, '') ?? 0),
});

describe('locator editor: a 60,000-row locator', function () {
  this.timeout(180_000);
  let page;
  u.workbenchSuite({
    files: [
      [BIG, bigText()],
      [BIG_BROKEN, bigText(BIG_BROKEN_LINE)],
      [APPLY, APPLY_SOURCE],
      [SMALL, 'File Path,Domain Tag\n/data/one.csv,small\n'],
      [BLOCK, BLOCK_SOURCE],
    ],
    settings: { 'files.autoSave': 'off' },
    started: (env) => (page = env.page),
  });

  it('shows every row, counted right (a quoted field over two lines is one row), and keeps its place when shown again', async () => {
    await u.runCommand(page, 'View: Close All Editor Groups');
    await u.quickOpen(page, BIG_NAME);
    const editor = await u.findWebview(page, { kind: 'editor', title: BIG_NAME });
    await editor.locator('#grid .grid-row[data-index="0"]').waitFor({ state: 'visible', timeout: 30_000 });
    await u.until(async () => (await editor.locator('#load-info').textContent()) === '', { timeout: 60_000, message: 'every row loaded' });
    assert.strictEqual((await editor.locator('#rows-info').textContent()).trim(), '60,000 rows');
    const top = await u.visibleRows(editor);
    // The cell shows its line break as ↵ (the value, break included, is its hover text).
    assert.deepStrictEqual(top[7].cells.slice(-3), ['/data/r7.csv', 'big', 'two↵lines']);
    assert.deepStrictEqual(top[8].cells.slice(-3), ['/data/r8.csv', 'big', 'n8']);
    // The end of the table: the last row is the file's last row, nothing after it.
    await editor.evaluate(() => {
      const g = document.getElementById('grid');
      g.scrollTop = g.scrollHeight;
    });
    await u.until(async () => (await u.visibleRows(editor)).some((r) => r.index === BIG_ROWS - 1), { message: 'the last row drawn' });
    const bottom = await u.visibleRows(editor);
    const last = bottom[bottom.length - 1];
    assert.strictEqual(last.index, BIG_ROWS - 1);
    assert.deepStrictEqual(last.cells.slice(-3), [`/data/r${BIG_ROWS - 1}.csv`, 'big', `n${BIG_ROWS - 1}`]);

    // Another file over it (VS Code drops the hidden webview), then back: still at the end.
    await u.quickOpen(page, 'README.md');
    await page.locator('.tabs-container .tab.active', { hasText: 'README.md' }).waitFor({ state: 'visible', timeout: 30_000 });
    await u.quickOpen(page, BIG_NAME);
    const again = await u.findWebview(page, { kind: 'editor', title: BIG_NAME });
    await u.until(async () => (await u.visibleRows(again)).some((r) => r.index === BIG_ROWS - 1 && r.cells.includes(`n${BIG_ROWS - 1}`)), {
      timeout: 30_000,
      message: 'the re-shown tab to show the last row where it was left',
    });
    assert.ok(!(await u.visibleRows(again)).some((r) => r.index === 0), 'not back at the top');
  });

  it("shown again while the extension host is busy and the file changed: the rows it showed, from its saved state, Run waiting; then the file as it is now", async () => {
    const fs = require('fs');
    const editor = await u.findWebview(page, { kind: 'editor', title: BIG_NAME });
    await u.until(async () => (await editor.locator('#load-info').textContent()) === '', { timeout: 60_000, message: 'every row loaded' });
    await editor.evaluate(() => {
      const g = document.getElementById('grid');
      g.scrollTop = g.scrollHeight * 0.7;
    });
    const deep = async (frame) => (await u.visibleRows(frame)).filter((r) => r.index > BIG_ROWS / 2);
    await u.until(async () => (await deep(editor)).length > 5, { message: 'rows drawn far down' });
    const seen = (await deep(editor))[3];
    // A click in the table, as a person scrolling it would: leaving the tab then takes the page's focus away.
    await editor.locator(`#grid .grid-row[data-index="${seen.index}"] [role=gridcell]`).last().click();
    // Another tab over it (VS Code drops the hidden page), the file changes on disk, and the host gets
    // busy: a sequential run of a row that takes BLOCK_MS.
    await u.quickOpen(page, SMALL_NAME);
    const small = await u.findWebview(page, { kind: 'editor', title: SMALL_NAME });
    await small.locator('#apply').selectOption({ label: BLOCK_LABEL });
    await small.locator('#mode').selectOption('sequential');
    fs.rmSync(BLOCK_STARTED, { force: true });
    try {
      fs.writeFileSync(BIG, bigText().replace(`,big,n${seen.index}\n`, ',big,changed while hidden\n'));
      await small.locator('#run').click();
      await u.until(() => fs.existsSync(BLOCK_STARTED), { timeout: 30_000, message: 'the blocking row started' });
      const heldFrom = Date.now();
      // Shown again meanwhile: the rows it showed, drawn from its saved state; Run waits for the extension.
      await u.quickOpen(page, BIG_NAME);
      const again = await u.findWebview(page, { kind: 'editor', title: BIG_NAME });
      await u.until(async () => (await u.visibleRows(again)).some((r) => r.index === seen.index && r.cells.includes(`n${seen.index}`)), {
        timeout: 5_000,
        message: `row ${seen.index} drawn where it was left, as it was, before the extension answers`,
      });
      assert.ok(await again.evaluate(() => document.body.hasAttribute('data-restoring')), 'drawn from the saved state: the extension has not answered');
      assert.ok(await again.locator('#run').isDisabled(), 'Run waits for the extension');
      assert.ok(Date.now() - heldFrom < BLOCK_MS - 500, 'the extension host was still busy all along (else this test proves nothing: make BLOCK_MS longer)');
      // The extension answers once the row is done: the file as it is now, in the same place; Run works.
      await u.until(async () => (await u.visibleRows(again)).some((r) => r.index === seen.index && r.cells.includes('changed while hidden')), {
        timeout: 60_000,
        message: `row ${seen.index} as the file has it now`,
      });
      assert.ok(!(await again.evaluate(() => document.body.hasAttribute('data-restoring'))), "the extension's own view");
      await u.until(async () => (await again.locator('#load-info').textContent()) === '', { timeout: 60_000, message: 'every row loaded' });
      assert.strictEqual((await again.locator('#rows-info').textContent()).trim(), '60,000 rows');
      await u.until(async () => !(await again.locator('#run').isDisabled()), { timeout: 30_000, message: 'Run enabled' });
    } finally {
      fs.writeFileSync(BIG, bigText());
      fs.rmSync(BLOCK_STARTED, { force: true });
    }
  });

  it('broken far below its top: shows the parse error with that line, and no table', async () => {
    await u.runCommand(page, 'View: Close All Editor Groups');
    await u.quickOpen(page, BIG_BROKEN_NAME);
    const editor = await u.findWebview(page, { kind: 'editor', title: BIG_BROKEN_NAME });
    await editor.locator('#parse-error').waitFor({ state: 'visible', timeout: 60_000 });
    const msg = (await editor.locator('#parse-error-message').textContent()).trim();
    assert.match(msg, new RegExp(`\\bline ${BIG_BROKEN_LINE + 1}\\b`, 'i'), `the message names the line (one more: row 7 takes two): ${msg}`);
    assert.ok(await editor.locator('#grid').isHidden(), 'no table');
  });

  it('runs in process mode while the table scrolls; Cancel keeps what finished; Re-run Failed Rows finishes the rest', async () => {
    await u.runCommand(page, 'View: Close All Editor Groups');
    await u.quickOpen(page, BIG_NAME);
    const editor = await u.findWebview(page, { kind: 'editor', title: BIG_NAME });
    await u.until(async () => (await editor.locator('#load-info').textContent()) === '', { timeout: 60_000, message: 'every row loaded' });
    await editor.locator('#apply').selectOption({ label: APPLY_LABEL });
    await editor.locator('#mode').selectOption('process');
    await editor.locator('#workers').fill('2');
    await editor.locator('#workers').press('Tab');
    await editor.locator('#result-type').selectOption('value');
    await editor.locator('#run').click();

    // Results stream in: the progress passes 5% while the run goes.
    await u.until(async () => finishedOf((await u.progressState(editor)).text) >= BIG_ROWS / 20, {
      timeout: 60_000,
      message: 'the progress to pass 5%',
    });
    // The table scrolls during the run: the rows of a new position are drawn.
    await editor.evaluate(() => {
      const g = document.getElementById('grid');
      g.scrollTop = g.scrollHeight / 2;
    });
    await u.until(async () => (await u.visibleRows(editor)).some((r) => r.index > BIG_ROWS / 3 && r.cells.some((c) => /^\/data\/r\d+\.csv$/.test(c))), {
      timeout: 5_000,
      message: 'rows drawn in the middle of the table during the run',
    });
    const before = finishedOf((await u.progressState(editor)).text);
    assert.ok(before < BIG_ROWS, `still running when Cancel is clicked (${before} finished)`);
    await editor.locator('#cancel').click();

    const cancelled = await u.until(
      async () => {
        const p = await u.progressState(editor);
        return /^Cancelled:/.test(p.summary) ? p.summary : undefined;
      },
      { timeout: 30_000, message: 'a "Cancelled" summary' },
    );
    const c = countsOf(cancelled);
    assert.ok(c.done >= before, `the rows finished before Cancel are kept: ${cancelled}`);
    assert.ok(c.cancelled > 0, cancelled);
    assert.strictEqual(c.done + c.cancelled, BIG_ROWS, cancelled);

    // The first row is done with its value; the last one cancelled.
    await editor.evaluate(() => { document.getElementById('grid').scrollTop = 0; });
    await u.until(async () => (await u.visibleRows(editor)).some((r) => r.index === 0 && r.status === 'done' && r.cells.includes(String('/data/r0.csv'.length))), {
      message: 'row 0 done, with its value',
    });
    const lastRow = async (status) => {
      await editor.evaluate(() => {
        const g = document.getElementById('grid');
        g.scrollTop = g.scrollHeight;
      });
      return u.until(async () => (await u.visibleRows(editor)).find((r) => r.index === BIG_ROWS - 1 && r.status === status), {
        message: `row ${BIG_ROWS - 1} ${status}`,
      });
    };
    await lastRow('cancelled');

    await editor.locator('#rerun-failed').click();
    const finished = await u.until(
      async () => {
        const p = await u.progressState(editor);
        return /^Finished:/.test(p.summary) ? p.summary : undefined;
      },
      { timeout: 90_000, message: 'a "Finished" summary after Re-run Failed Rows' },
    );
    assert.strictEqual(countsOf(finished).cancelled, 0, finished);
    const last = await lastRow('done');
    assert.ok(last.cells.includes(String(`/data/r${BIG_ROWS - 1}.csv`.length)), `row ${BIG_ROWS - 1} has its value: ${last.cells}`);
  });
});
