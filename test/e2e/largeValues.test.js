'use strict';
// UI: large results (issue 12, item 5). An apply file whose every row returns ~21 KB (per-channel
// spectra of real recordings are this size): the webview is sent each value's start only, the cell
// shows that start with the value's size, and clicking the cell opens the whole value in an editor.
//
// The `it`s share one workbench and run in order. The files this suite writes to demo/ are removed
// in `after`.

const assert = require('assert');
const path = require('path');
const u = require('./util');

const { DEMO } = u;
const ROWS = 20;
const LOCATOR = path.join(DEMO, 'e2e-large-values.locator.csv');
const LOCATOR_NAME = path.basename(LOCATOR);
const APPLY = path.join(DEMO, 'apply', 'e2e-large-value.js');
const APPLY_LABEL = 'apply/e2e-large-value.js';
// 300 lines of 70 characters between a first and a last line that name the row: 21,3xx characters.
const APPLY_SOURCE = `// Written and removed by test/e2e/largeValues.test.js: ~21 KB of text per row.
function apply(row) {
  const id = row['File Path'];
  const lines = [\`start of \${id}\`];
  for (let i = 0; i < 300; i++) lines.push(String(i).padStart(4, '0') + ' ' + 'x'.repeat(65));
  lines.push(\`end of \${id}\`);
  return lines.join('\\n');
}
module.exports = { apply };
`;
const valueLength = (id) => `start of ${id}`.length + 300 * 71 + `end of ${id}`.length + 1;

describe('locator editor: large results', function () {
  this.timeout(120_000);
  let page;
  let editor;
  const rows = Array.from({ length: ROWS }, (_, i) => `/data/r${i}.csv`);
  u.workbenchSuite({
    files: [
      [LOCATOR, `File Path,Domain Tag\n${rows.map((r) => `${r},big`).join('\n')}\n`],
      [APPLY, APPLY_SOURCE],
    ],
    started: (env) => (page = env.page),
  });

  it('sends each value\'s start only; the cell shows it with the value\'s size', async () => {
    await u.quickOpen(page, LOCATOR_NAME);
    editor = await u.findWebview(page, { kind: 'editor', title: LOCATOR_NAME });
    await editor.locator('#grid .grid-row[data-index="0"]').waitFor({ state: 'visible', timeout: 30_000 });
    await editor.locator('#apply').selectOption({ label: APPLY_LABEL });
    await editor.locator('#mode').selectOption('sequential');
    await editor.locator('#result-type').selectOption('value');
    // Count what reaches the page: the characters of every message carrying results.
    await editor.evaluate(() => {
      window.__e2eResultChars = 0;
      window.addEventListener('message', (e) => {
        if (e.data && (e.data.type === 'results' || e.data.type === 'init')) window.__e2eResultChars += JSON.stringify(e.data).length;
      });
    });
    await editor.locator('#run').click();
    await u.until(async () => (await u.progressState(editor)).text === `${ROWS} / ${ROWS} (100%)`, { timeout: 60_000, message: 'the run to finish' });
    const whole = rows.reduce((n, r) => n + valueLength(r), 0);
    const posted = await editor.evaluate(() => window.__e2eResultChars);
    assert.ok(posted < whole / 10, `the page was sent ${posted} characters of results for ${whole} characters of values`);

    const cells = await editor.evaluate(() =>
      [...document.querySelectorAll('#grid .grid-row[data-index]')].map((r) => {
        const c = r.querySelector('.cell.k-result');
        return { index: Number(r.dataset.index), text: c.textContent, size: c.querySelector('.value-size')?.textContent, title: c.title };
      }),
    );
    assert.strictEqual(cells.length, ROWS);
    for (const c of cells) {
      const id = rows[c.index];
      assert.strictEqual(c.size, `${(valueLength(id) / 1000).toFixed(1)}k chars`, `row ${c.index}'s size`);
      assert.ok(c.text.includes(`start of ${id}`), `row ${c.index} shows its value's start: ${c.text.slice(0, 80)}`);
      assert.ok(!c.text.includes(`end of ${id}`) && c.text.length < 1100, `row ${c.index} shows the start only (${c.text.length} characters)`);
      assert.match(c.title, /The whole value is [\d,]+ characters: click \(or Enter\) to open it\.$/);
    }
  });

  it('opens the whole value of a cell that is clicked, in an editor beside', async () => {
    await editor.locator('#grid .grid-row[data-index="3"] .cell.k-result').click();
    const text = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    // The editor draws spaces as no-break spaces.
    const shown = async () => ((await text.count()) > 0 ? (await text.first().textContent()).replace(/\u00a0/g, ' ') : '');
    await u.until(async () => (await shown()).includes(`start of ${rows[3]}`), {
      message: 'a text editor showing row 3\'s value',
    });
    // Its end is there too: the whole value, not the start the cell had.
    await text.first().click();
    await page.keyboard.press('Control+End');
    await u.until(async () => (await shown()).includes(`end of ${rows[3]}`), { message: 'the end of row 3\'s value' });
    const tab = await page.locator('.editor-group-container.active .tabs-container .tab.active').textContent();
    assert.match(tab, /Untitled/, `an untitled editor: ${tab}`);
  });

  it('copies a large result whole (Ctrl+C on its cell), not the start the cell shows', async () => {
    // VS Code's clipboard in the browser is the page's: note what the workbench writes to it.
    await page.evaluate(() => {
      window.__e2eCopied = undefined;
      const write = navigator.clipboard.writeText.bind(navigator.clipboard);
      navigator.clipboard.writeText = (t) => ((window.__e2eCopied = t), write(t).catch(() => undefined));
    });
    // Select row 5's result from the keyboard (a click on it opens the value): its File Path cell, then across.
    const row = editor.locator('#grid .grid-row[data-index="5"]');
    await row.locator('.cell.k-data').first().click();
    const steps = await row.evaluate((r) => {
      const cells = [...r.querySelectorAll('.cell')];
      return cells.findIndex((c) => c.classList.contains('k-result')) - cells.findIndex((c) => c.classList.contains('k-data'));
    });
    for (let i = 0; i < Math.abs(steps); i++) await page.keyboard.press(steps > 0 ? 'ArrowRight' : 'ArrowLeft');
    await page.keyboard.press('Control+C');
    const copied = await u.until(() => page.evaluate(() => window.__e2eCopied), { message: 'the workbench to write the clipboard' });
    // TSV of one cell: a value with line breaks is quoted.
    assert.ok(copied.startsWith(`"start of ${rows[5]}`), copied.slice(0, 80));
    assert.ok(copied.endsWith(`end of ${rows[5]}"`), `the whole value, to its end: …${copied.slice(-60)}`);
    assert.strictEqual(copied.length, valueLength(rows[5]) + 2, 'the value and the quotes around it');
  });
});
