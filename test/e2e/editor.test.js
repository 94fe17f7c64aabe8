'use strict';
// UI: the locator editor (issue 4) on a real VS Code (code-server) in Chromium, driven as a person
// would: open EEGUnity's example locator with "Locator Batch: Open in Locator Editor", check the
// table, pick an apply file in the run bar, run, watch the rows fill in order and the progress reach
// 100%, sort and filter the view, take dark, high-contrast and light screenshots (the selection
// outlined in high contrast), write the values back into the document and undo that, move and copy
// with the keyboard, resize a column, click an error to land on the apply file's failing line, and
// check that cell text is never parsed as HTML and that a line break in a cell shows as ↵.
//
// The `it`s share one workbench and run in order (each starts where the previous one left off).
// Files this suite adds to demo/ (an apply file, a small hostile locator) are removed in `after`.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { parse } = require('csv-parse/sync');
const u = require('./util');

const { h, DEMO } = u;
const LOCATOR = path.join(DEMO, 'example_locator.csv');
const APPLY = path.join(DEMO, 'apply', 'e2e-length.js');
const APPLY_LABEL = 'apply/e2e-length.js';
const XSS_LOCATOR = path.join(DEMO, 'e2e-xss.locator.csv');
const XSS_CELL = '<img src=x onerror=alert(1)>';
const XSS_HEADER = '<b>Note</b>';
// Ends the page's first-screen JSON block (webviewHtml) if it were written there unescaped.
const XSS_SCRIPT_CELL = '</script><script>alert(2)</script>';
const MULTILINE_LOCATOR = path.join(DEMO, 'e2e-multiline.locator.csv');
const MULTILINE_NOTE = 'Eyes closed.\nSubject moved\nat 3:10';
const WRITE_COLUMN = 'e2e_len';
const ROW_DELAY_MS = 80;

// Slow enough per row that the progress can be watched moving; the value is what the test
// computes itself from the CSV.
const APPLY_SOURCE = `// Written and removed by test/e2e/editor.test.js: the length of each row's File Path.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function apply(row) {
  await sleep(${ROW_DELAY_MS});
  return row['File Path'].length;
}
module.exports = { apply };
`;

/** Natural sort key as the grid sorts text: case-folded, digit runs zero-padded. */
const naturalKey = (s) => s.toLowerCase().replace(/\d+/g, (d) => (d.length < 16 ? d.padStart(16, '0') : d));

describe('locator editor: example_locator.csv', function () {
  this.timeout(120_000);
  let page;
  let csvText;
  let columns;
  let rows;
  let lengths;
  let editor; // the editor's webview frame (looked up again where the webview may be rebuilt)
  const dialogs = [];
  const suite = u.workbenchSuite({
    // The run bar lists the workspace's apply files when the editor opens: ours is written first.
    files: [
      [APPLY, APPLY_SOURCE],
      [XSS_LOCATOR, `File Path,${XSS_HEADER}\n/data/x.csv,"${XSS_CELL}"\n/data/y.csv,plain\n/data/z.csv,${XSS_SCRIPT_CELL}\n`],
      [MULTILINE_LOCATOR, `File Path,Note\n/data/a.csv,"${MULTILINE_NOTE}"\n/data/b.csv,one line\n`],
    ],
    // VS Code for the web saves after a delay by default (files.autoSave "afterDelay"): the
    // write-back would reach the disk a second later. Off, as on the desktop, the edit stays in
    // the document (dirty tab) until the user saves.
    settings: { 'files.autoSave': 'off' },
    started: (env) => {
      page = env.page;
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss().catch(() => {});
      });
    },
  });

  const frame = async () => (editor = await u.findWebview(page, { kind: 'editor', title: 'example_locator.csv' }));
  const dirtyTab = () => page.locator('.tabs-container .tab.dirty', { hasText: 'example_locator.csv' });

  before(() => {
    csvText = fs.readFileSync(LOCATOR, 'utf8');
    rows = parse(csvText, { columns: true, skip_empty_lines: true });
    columns = Object.keys(rows[0]);
    lengths = rows.map((r) => r['File Path'].length);
    assert.strictEqual(rows.length, 21, 'example_locator.csv has 21 rows (node scripts/make-demo.js)');
  });

  // The demo locator is shared with the other suites: never leave it changed.
  after(() => {
    if (csvText !== undefined && fs.readFileSync(LOCATOR, 'utf8') !== csvText) {
      fs.writeFileSync(LOCATOR, csvText);
      console.error(`      [e2e] ${path.relative(DEMO, LOCATOR)} had been changed on disk: restored`);
    }
  });

  it('opens with "Open in Locator Editor": the locator\'s columns and its 21 rows', async () => {
    await h.waitForCommand(page, 'Locator Batch: Open in Locator Editor');
    // Nothing is open: the command asks which CSV.
    await u.runCommand(page, 'Locator Batch: Open in Locator Editor');
    await u.waitQuickTitle(page, 'Locator Batch: Locator');
    await u.pickQuickItem(page, 'example_locator.csv');
    await page.locator('.tabs-container .tab', { hasText: 'example_locator.csv' }).waitFor({ state: 'visible', timeout: 30_000 });
    await frame();
    await editor.locator('#grid .grid-row[data-index="0"]').waitFor({ state: 'visible', timeout: 30_000 });

    // Before any run: row number, then the locator's own columns, in file order.
    const hdr = await u.headers(editor);
    assert.deepStrictEqual(hdr.map((c) => c.title), ['#', ...columns]);
    assert.strictEqual((await editor.locator('#rows-info').textContent()).trim(), '21 rows');
    const shown = await u.visibleRows(editor);
    assert.ok(shown.length >= 10, `the first rows are drawn (${shown.length})`);
    shown.forEach((r, pos) => {
      assert.strictEqual(r.pos, pos);
      assert.strictEqual(r.index, pos, 'file order');
      assert.deepStrictEqual(r.cells, [String(pos + 1), ...columns.map((c) => rows[pos][c])], `row ${pos} cells`);
    });
    const all = await u.allRows(editor);
    assert.strictEqual(all.total, 21);
    assert.deepStrictEqual(all.rows.map((r) => r.index), [...Array(21).keys()]);
  });

  it('keeps the run bar\'s apply files current: a file that starts exporting apply appears, a deleted one goes', async () => {
    const options = () => editor.evaluate(() => [...document.querySelectorAll('#apply option')].map((o) => o.textContent));
    /** Waits until the list does (or does not) offer `label`. */
    const waitOptions = (label, offered, what) =>
      editor
        .waitForFunction(
          ([l, want]) => [...document.querySelectorAll('#apply option')].some((o) => o.textContent === l) === want,
          [label, offered],
          { timeout: 20_000 },
        )
        .catch(async (err) => {
          throw new Error(`${what}: the apply list shows ${JSON.stringify(await options())} (${err.message.split('\n')[0]})`);
        });
    await waitOptions(APPLY_LABEL, true, 'the workspace was searched');
    // A helper without an apply export is not offered; once saved with one, it is (no reload).
    const helper = path.join(DEMO, 'apply', 'e2e-helper.js');
    suite.tempFile(helper, 'exports.double = (x) => 2 * x;\n');
    const created = path.join(DEMO, 'apply', 'e2e-created.ts');
    const removeCreated = suite.tempFile(created, 'export function apply(row: Record<string, string>) {\n  return row["File Path"];\n}\n');
    await waitOptions('apply/e2e-created.ts', true, 'a new apply file appears');
    assert.ok(!(await options()).includes('apply/e2e-helper.js'), 'a file that does not export apply is not offered');
    fs.writeFileSync(helper, 'exports.double = (x) => 2 * x;\nexports.apply = (row) => row["File Path"].length;\n');
    await waitOptions('apply/e2e-helper.js', true, 'a file saved with an apply export appears');
    removeCreated();
    await waitOptions('apply/e2e-created.ts', false, 'a deleted apply file goes');
    const labels = (await options()).filter((l) => l.startsWith('apply/'));
    assert.deepStrictEqual(labels, [...labels].sort((a, b) => a.localeCompare(b)), 'in order');
  });

  it('runs the picked apply file: rows fill in order, progress reaches 100%, values are right', async () => {
    // The run bar offers the workspace's apply files by relative path.
    await editor.locator('#apply').selectOption({ label: APPLY_LABEL });
    await editor.locator('#mode').selectOption('sequential');
    await editor.locator('#result-type').selectOption('value');
    await editor.locator('#column').fill(WRITE_COLUMN);
    await editor.locator('#column').press('Tab');
    assert.strictEqual(await editor.locator('#apply option:checked').textContent(), APPLY_LABEL);

    // Record, in the page, every row status change and every progress value while the run goes.
    await editor.evaluate(() => {
      const rec = (window.__e2e = { statuses: [], progress: [] });
      new MutationObserver((muts) => {
        for (const m of muts) {
          const el = m.target;
          if (el.classList.contains('grid-row') && el.dataset.index !== undefined) rec.statuses.push([Number(el.dataset.index), el.dataset.status ?? null]);
        }
      }).observe(document.getElementById('grid'), { subtree: true, attributes: true, attributeFilter: ['data-status'] });
      const bar = document.querySelector('[role=progressbar]');
      new MutationObserver(() => rec.progress.push(Number(bar.getAttribute('aria-valuenow')))).observe(bar, {
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    });
    await editor.locator('#run').click();

    const end = await u.until(
      async () => {
        const p = await u.progressState(editor);
        return p.summary && p.text === '21 / 21 (100%)' ? p : undefined;
      },
      { timeout: 60_000, message: 'the run to finish: "21 / 21 (100%)" and a summary' },
    );
    assert.strictEqual(end.value, 100);
    assert.match(end.summary, /^Finished: 21 done in .* sequential mode$/, end.summary);

    const rec = await editor.evaluate(() => window.__e2e);
    // The progress only went up, passed through values between 0 and 100 (it was watched
    // moving, not just jumping to the end), and ended at 100.
    const p = rec.progress;
    assert.ok(p.length > 0, 'progress changes were seen');
    for (let i = 1; i < p.length; i++) assert.ok(p[i] >= p[i - 1], `progress never goes back: ${p.join(',')}`);
    assert.strictEqual(p[p.length - 1], 100);
    assert.ok(p.some((v) => v > 0 && v < 100), `intermediate progress values: ${p.join(',')}`);
    // Sequential: each row reached its final status after the one before it.
    const FINAL = new Set(['done', 'error', 'skipped', 'timeout', 'cancelled']);
    const finishedOrder = [];
    for (const [index, status] of rec.statuses) if (FINAL.has(status) && !finishedOrder.includes(index)) finishedOrder.push(index);
    assert.deepStrictEqual(finishedOrder, [...Array(21).keys()], 'rows finished in order');

    // The table: status and result columns added, every row in file order with its value.
    const hdr = await u.headers(editor);
    assert.deepStrictEqual(hdr.map((c) => c.title), ['#', 'Status', 'Result', ...columns]);
    const all = await u.allRows(editor);
    assert.deepStrictEqual(all.rows.map((r) => r.index), [...Array(21).keys()]);
    for (const r of all.rows) {
      assert.strictEqual(r.status, 'done', `row ${r.index} status`);
      assert.strictEqual(r.statusLabel, 'done');
      assert.strictEqual(r.cells[2], String(lengths[r.index]), `row ${r.index}: length of ${rows[r.index]['File Path']}`);
    }
  });

  it('sorts by clicking a header and filters with #filter (the view only)', async () => {
    const order = async () => (await u.allRows(editor)).rows.map((r) => r.index);
    const resultHeader = editor.locator('#grid .grid-header .hcell[data-key="result"]');
    const byLength = (dir) => [...Array(21).keys()].sort((a, b) => (lengths[a] - lengths[b]) * dir || a - b);

    // Result (numbers): ascending, then descending, then file order again.
    await resultHeader.locator('.hbtn').click();
    await u.until(async () => (await resultHeader.getAttribute('aria-sort')) === 'ascending', { message: 'Result sorted ascending' });
    const asc = byLength(1);
    assert.notDeepStrictEqual(asc, [...Array(21).keys()], 'the test data sorts differently from file order');
    assert.deepStrictEqual(await order(), asc, 'ascending by result');
    const visible = await u.visibleRows(editor);
    assert.deepStrictEqual(visible.map((r) => Number(r.cells[2])), asc.slice(0, visible.length).map((i) => lengths[i]));

    await resultHeader.locator('.hbtn').click();
    await u.until(async () => (await resultHeader.getAttribute('aria-sort')) === 'descending', { message: 'Result sorted descending' });
    assert.deepStrictEqual(await order(), byLength(-1), 'descending by result');

    await resultHeader.locator('.hbtn').click();
    await u.until(async () => (await resultHeader.getAttribute('aria-sort')) === 'none', { message: 'sort cleared' });
    assert.deepStrictEqual(await order(), [...Array(21).keys()], 'file order again');

    // Text column (Domain Tag): natural order, ties in file order.
    const domainKey = `c${columns.indexOf('Domain Tag')}`;
    const domainHeader = editor.locator(`#grid .grid-header .hcell[data-key="${domainKey}"]`);
    await domainHeader.locator('.hbtn').click();
    await u.until(async () => (await domainHeader.getAttribute('aria-sort')) === 'ascending', { message: 'Domain Tag sorted' });
    const tag = (i) => naturalKey(rows[i]['Domain Tag']);
    const byTag = [...Array(21).keys()].sort((a, b) => (tag(a) < tag(b) ? -1 : tag(a) > tag(b) ? 1 : a - b));
    assert.deepStrictEqual(await order(), byTag, 'ascending by Domain Tag');
    // Back to file order: the row-number header.
    await editor.locator('#grid .grid-header .hcell[data-key="rownum"] .hbtn').click();
    await u.until(async () => (await domainHeader.getAttribute('aria-sort')) === 'none', { message: 'sort cleared' });

    // Filter: only rows with the text in some cell remain (case-insensitive).
    const filter = editor.locator('#filter');
    const q = 'SLEEP_demo';
    const expected = rows.map((r, i) => (Object.values(r).some((v) => v.toLowerCase().includes(q.toLowerCase())) ? i : -1)).filter((i) => i >= 0);
    assert.ok(expected.length > 0 && expected.length < 21);
    await filter.fill(q);
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === `${expected.length} of 21 rows`, {
      message: `"${expected.length} of 21 rows"`,
    });
    const filtered = await u.allRows(editor);
    assert.deepStrictEqual(filtered.rows.map((r) => r.index), expected);
    for (const r of filtered.rows) assert.ok(r.cells.some((c) => c.toLowerCase().includes('sleep_demo')), `row ${r.index} matches`);

    // The Result column is searched too: "49" is in some rows only as their result.
    const q2 = '49';
    const inCsv = (i) => Object.values(rows[i]).some((v) => v.includes(q2));
    const expected2 = [...Array(21).keys()].filter((i) => inCsv(i) || String(lengths[i]).includes(q2));
    assert.ok(expected2.some((i) => !inCsv(i)), 'some rows match by their result only');
    await filter.fill(q2);
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === `${expected2.length} of 21 rows`, {
      message: `"${expected2.length} of 21 rows" for "${q2}"`,
    });
    assert.deepStrictEqual((await u.allRows(editor)).rows.map((r) => r.index), expected2);

    // No match: an empty table that says so.
    await filter.fill('no such text anywhere');
    await u.until(async () => (await editor.locator('.grid-empty').isVisible()) && (await u.visibleRows(editor)).length === 0, {
      message: 'the empty-filter message',
    });
    assert.match(await editor.locator('.grid-empty').textContent(), /No rows match/);

    // Escape in the box empties it: every row again.
    await filter.press('Escape');
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === '21 rows', { message: '"21 rows" after Escape' });
    assert.strictEqual(await filter.inputValue(), '');
    assert.ok(await editor.locator('.filter-clear').isHidden(), 'no clear button on an empty box');
    // The clear button does the same; Enter in the box moves to the table.
    await filter.fill(q);
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === `${expected.length} of 21 rows`, { message: 'filtered again' });
    await editor.locator('.filter-clear').click();
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === '21 rows', { message: '"21 rows" after the clear button' });
    assert.strictEqual(await filter.inputValue(), '');
    await filter.fill(q);
    await filter.press('Enter');
    await u.until(async () => editor.evaluate(() => document.activeElement?.id === 'grid'), { message: 'the table focused after Enter' });
    // The table takes the focus with the filtered rows drawn: Enter applied the filter (the count
    // beside the box follows in the next frame).
    assert.deepStrictEqual((await u.visibleRows(editor)).map((r) => r.index), expected, 'Enter applies the filter at once');
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === `${expected.length} of 21 rows`, { message: 'the count after Enter' });
    await filter.fill('');
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === '21 rows', { message: '"21 rows" again' });
    assert.deepStrictEqual(await order(), [...Array(21).keys()]);
    // "At once", exactly: typed and Enter in one task of the page, the filtered rows are drawn when
    // that task ends (no debounce waited for, no frame).
    const drawnAtOnce = await editor.evaluate((text) => {
      const box = document.getElementById('filter');
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      return [...document.querySelectorAll('#grid .grid-row[data-index]')]
        .filter((r) => !r.hidden)
        .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
        .map((r) => Number(r.dataset.index));
    }, q);
    assert.deepStrictEqual(drawnAtOnce, expected, 'the filtered rows drawn in the task of the Enter');
    await filter.fill('');
    await u.until(async () => (await editor.locator('#rows-info').textContent()).trim() === '21 rows', { message: '"21 rows" once more' });
  });

  it('follows the color theme (screenshots in dark, high contrast and light)', async () => {
    // As a person would: "Preferences: Color Theme" and pick the theme. (Editing settings.json in
    // the user-data-dir is not picked up live by code-server here.) Theme ids of VS Code 1.139.
    const setTheme = async (theme) => {
      await u.runCommand(page, 'Preferences: Color Theme');
      // The theme list fills in asynchronously (slow when the machine is busy).
      await u.pickQuickItem(page, theme, { timeout: 30_000 });
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    };
    // Background luminance of the webview page (0 black … 1 white), once the body has the theme
    // class (in an object: a black page's 0 must not read as "not yet").
    const themed = async (cls) =>
      editor.evaluate((c) => {
        if (!document.body.classList.contains(c)) return null;
        const m = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g);
        if (!m) return null;
        const [r, g, b] = m.map(Number);
        return { luminance: (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 };
      }, cls);

    // The run's notification covers the last rows: close it for the pictures.
    await u.clearNotifications(page);
    await setTheme('Dark 2026');
    await page.locator('.monaco-workbench.vs-dark').waitFor({ state: 'attached', timeout: 30_000 });
    await frame();
    const { luminance: dark } = await u.until(async () => themed('vscode-dark'), { message: 'the webview in the dark theme' });
    assert.ok(dark < 0.3, `dark background (luminance ${dark})`);
    await editor.locator('#grid .grid-row[data-index="0"][data-status="done"]').waitFor({ state: 'visible' });
    await u.extensionsActivated(page);
    await u.shot(page, 'screenshot-editor-dark.png');

    // High contrast: a black page, and the selection drawn with outlines.
    await setTheme('Dark High Contrast');
    await page.locator('.monaco-workbench.hc-black').waitFor({ state: 'attached', timeout: 30_000 });
    await frame();
    const { luminance: hc } = await u.until(async () => themed('vscode-high-contrast'), { message: 'the webview in the high-contrast theme' });
    assert.ok(hc < 0.1, `high-contrast background (luminance ${hc})`);
    await editor.locator('#grid .grid-row[data-index="0"][data-status="done"]').waitFor({ state: 'visible' });
    await u.extensionsActivated(page);
    await u.shot(page, 'screenshot-editor-high-contrast.png');
    // A selection must show without a selection background (high-contrast themes have none): the
    // focused cell gets a solid outline, the others selected a dotted one, in the theme's
    // contrastActiveBorder.
    const k = 3 + columns.indexOf('File Path'); // #, Status, Result, then the locator's columns
    await editor.locator(`#grid .grid-row[data-index="0"] .cell[data-c="${k}"]`).click();
    await page.keyboard.press('Shift+ArrowDown');
    const outlines = await editor.evaluate((c) => {
      // The theme variable, resolved to a colour as an outline would use it.
      const probe = document.createElement('div');
      probe.style.color = 'var(--vscode-contrastActiveBorder)';
      document.body.appendChild(probe);
      const active = getComputedStyle(probe).color;
      probe.remove();
      const outline = (row) => {
        const st = getComputedStyle(document.querySelector(`#grid .grid-row[data-index="${row}"] .cell[data-c="${c}"]`));
        return `${st.outlineStyle} ${st.outlineColor}`;
      };
      return { active, selected: outline(0), focused: outline(1) };
    }, k);
    assert.notStrictEqual(outlines.active, 'rgba(0, 0, 0, 0)', 'the theme defines contrastActiveBorder');
    assert.deepStrictEqual(
      [outlines.selected, outlines.focused],
      [`dotted ${outlines.active}`, `solid ${outlines.active}`],
      'selected cell dotted, focused cell solid, in contrastActiveBorder',
    );

    await setTheme('Light 2026');
    await page.locator('.monaco-workbench.vs:not(.vs-dark)').waitFor({ state: 'attached', timeout: 30_000 });
    await frame();
    const { luminance: light } = await u.until(async () => themed('vscode-light'), { message: 'the webview in the light theme' });
    assert.ok(light > 0.7, `light background (luminance ${light})`);
    await editor.locator('#grid .grid-row[data-index="0"][data-status="done"]').waitFor({ state: 'visible' });
    await u.extensionsActivated(page);
    await u.shot(page, 'screenshot-editor-light.png');
  });

  it(`writes the values back into column "${WRITE_COLUMN}" (tab dirty), and Ctrl+Z undoes it (tab clean)`, async () => {
    const writeBack = editor.locator('#write-back');
    assert.match(await writeBack.textContent(), new RegExp(WRITE_COLUMN));
    assert.strictEqual(await dirtyTab().count(), 0, 'clean before write-back');
    await writeBack.click();

    // The document (not the file) changed: the tab is dirty and the table shows the new column.
    await dirtyTab().waitFor({ state: 'visible', timeout: 30_000 });
    await u.until(async () => (await u.headers(await frame())).some((c) => c.title === WRITE_COLUMN), {
      message: `the "${WRITE_COLUMN}" column in the table`,
    });
    await u.debugShot(page, 'editor-written-back.png');
    const hdr = await u.headers(editor);
    const col = hdr.findIndex((c) => c.title === WRITE_COLUMN);
    const all = await u.allRows(editor);
    assert.deepStrictEqual(
      all.rows.map((r) => r.cells[col]),
      lengths.map(String),
      'the written column holds each row\'s value',
    );
    assert.strictEqual(fs.readFileSync(LOCATOR, 'utf8'), csvText, 'nothing saved to disk');

    // Undo from the keyboard with the focus in the webview: VS Code forwards Ctrl+Z to the
    // workbench, which undoes the custom text editor's document edit.
    await editor.locator('#grid .grid-row[data-index="0"] .cell.k-data').first().click();
    await page.keyboard.press('Control+Z');
    await dirtyTab().waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('.tabs-container .tab', { hasText: 'example_locator.csv' }).waitFor({ state: 'visible' });
    await u.until(async () => !(await u.headers(await frame())).some((c) => c.title === WRITE_COLUMN), {
      message: `the "${WRITE_COLUMN}" column to go away after undo`,
    });
    assert.strictEqual(fs.readFileSync(LOCATOR, 'utf8'), csvText, 'file on disk unchanged');
  });

  it('moves through cells with the keyboard, extends with Shift, copies the selection as tab-separated text', async () => {
    editor = await frame();
    const filePathCol = 3 + columns.indexOf('File Path'); // #, Status, Result, then the locator's columns
    const focused = () =>
      editor.evaluate(() => {
        const cell = document.getElementById('grid-focus');
        return cell ? { row: Number(cell.parentElement.dataset.index), col: Number(cell.dataset.c) } : null;
      });
    const selectedCount = () => editor.locator('#grid .cell.selected').count();
    await editor.locator(`#grid .grid-row[data-index="0"] .cell[data-c="${filePathCol}"]`).click();
    assert.deepStrictEqual(await focused(), { row: 0, col: filePathCol }, 'a click focuses the cell');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.deepStrictEqual(await focused(), { row: 2, col: filePathCol + 1 });
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowLeft');
    assert.deepStrictEqual(await focused(), { row: 3, col: filePathCol });
    assert.strictEqual(await selectedCount(), 4, 'rows 2-3 × two columns selected');

    // Ctrl+C: what lands on the clipboard, seen in the webview's copy event (or its fallback).
    await editor.evaluate(() => {
      window.__copied = undefined;
      window.addEventListener('copy', (e) => (window.__copied = e.clipboardData.getData('text/plain')));
      const write = navigator.clipboard?.writeText?.bind(navigator.clipboard);
      if (navigator.clipboard) navigator.clipboard.writeText = (t) => ((window.__copied = t), write ? write(t).catch(() => undefined) : Promise.resolve());
    });
    await page.keyboard.press('Control+C');
    const copied = await u.until(() => editor.evaluate(() => window.__copied), { message: 'the copied text' });
    const second = columns[columns.indexOf('File Path') + 1];
    assert.strictEqual(copied, [2, 3].map((i) => `${rows[i]['File Path']}\t${rows[i][second]}`).join('\n'));

    // Ctrl+End / Ctrl+Home: the last and the first row; the grid scrolls to show them.
    await page.keyboard.press('Control+End');
    assert.deepStrictEqual(await focused(), { row: 20, col: filePathCol });
    assert.strictEqual(await selectedCount(), 1, 'a plain move collapses the selection');
    await page.keyboard.press('Control+Home');
    assert.deepStrictEqual(await focused(), { row: 0, col: filePathCol });
  });

  it('shows a truncated cell\'s full value on hover, resizes a column by its header edge, and fits it again on double-click', async () => {
    const longest = rows.reduce((a, r, i) => (r['File Path'].length > rows[a]['File Path'].length ? i : a), 0);
    const key = `c${columns.indexOf('File Path')}`;
    const header = editor.locator(`#grid .grid-header .hcell[data-key="${key}"]`);
    const cell = editor.locator(`#grid .grid-row[data-index="${longest}"] .cell.k-data`).first();
    const width = async () => (await header.boundingBox()).width;
    const fitted = await width();

    // Narrower by dragging the edge of the header, as with the mouse.
    const grip = header.locator('.resizer');
    const g = await grip.boundingBox();
    await page.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
    await page.mouse.down();
    await page.mouse.move(g.x + g.width / 2 - 80, g.y + g.height / 2, { steps: 8 });
    await page.mouse.move(g.x + g.width / 2 - 160, g.y + g.height / 2, { steps: 8 });
    await page.mouse.up();
    const narrow = await width();
    assert.ok(Math.abs(narrow - (fitted - 160)) <= 4, `the column follows the mouse: ${fitted} → ${narrow}`);
    assert.ok(Math.abs((await cell.boundingBox()).width - narrow) <= 2, 'its cells are as wide as its header');

    // The long value no longer fits: it is cut with an ellipsis and shown whole on hover.
    const look = await cell.evaluate((el) => ({ text: el.textContent, title: el.title, cut: el.scrollWidth > el.clientWidth, overflow: getComputedStyle(el).textOverflow }));
    assert.deepStrictEqual(look, { text: rows[longest]['File Path'], title: rows[longest]['File Path'], cut: true, overflow: 'ellipsis' });

    await grip.dblclick();
    await u.until(async () => Math.abs((await width()) - fitted) <= 2, { message: `the fitted width ${fitted} again` });
  });

  it('runs with Ctrl+Enter or ⌘Enter from the table, and opens the apply file at the failing line when an error cell is clicked', async () => {
    const failing = path.join(DEMO, 'apply', 'e2e-fails.js');
    suite.tempFile(
      failing,
      `// Written and removed by test/e2e/editor.test.js.\nexports.apply = (row) => {\n  if (row['Domain Tag'] === 'sleep_demo') throw new Error('no sleep data here');\n  return 1;\n};\n`,
    );
    const failedRows = rows.map((r, i) => (r['Domain Tag'] === 'sleep_demo' ? i : -1)).filter((i) => i >= 0);
    assert.ok(failedRows.length > 0);
    await editor.locator('#apply').selectOption({ label: 'apply/e2e-fails.js' });
    // Notebook-style, from the keyboard: Ctrl+Enter with the focus in the table runs.
    assert.match(await editor.locator('#run').getAttribute('title'), /\(Ctrl\+Enter\)$/);
    await editor.locator(`#grid .grid-row[data-index="0"] .cell.k-data`).first().click();
    await page.keyboard.press('Control+Enter');
    await u.until(async () => /^Finished: \d+ done, \d+ errors? /.test((await u.progressState(editor)).summary), { timeout: 60_000, message: 'the run with errors to finish' });
    // ⌘Enter (macOS) runs too: counted by the runs the extension starts in answer.
    await editor.evaluate(() => {
      window.__lbRunsStarted = 0;
      window.addEventListener('message', (e) => e.data?.type === 'runStarted' && window.__lbRunsStarted++, true);
    });
    await editor.locator(`#grid .grid-row[data-index="1"] .cell.k-data`).first().click();
    await page.keyboard.press('Meta+Enter');
    await u.until(() => editor.evaluate(() => window.__lbRunsStarted === 1), { timeout: 10_000, message: 'a run started by ⌘Enter' });
    await u.until(async () => /^Finished: \d+ done, \d+ errors? /.test((await u.progressState(editor)).summary), { timeout: 60_000, message: 'the ⌘Enter run to finish' });
    const first = failedRows[0];
    const errorCell = editor.locator(`#grid .grid-row[data-index="${first}"] .cell.k-result`);
    assert.match(await errorCell.textContent(), /no sleep data here/);
    assert.strictEqual(await editor.locator(`#grid .grid-row[data-index="${first}"]`).getAttribute('data-status'), 'error');
    await errorCell.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'e2e-fails.js' }).waitFor({ state: 'visible', timeout: 30_000 });
    // The cursor is on the throwing line (3), as the status bar says.
    await u.until(async () => /Ln 3, Col \d+/.test(await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().textContent().catch(() => '')), {
      message: 'the cursor on line 3 of e2e-fails.js',
    });
    // Back to the locator for the next step.
    await u.quickOpen(page, 'example_locator.csv');
    editor = await frame();
  });

  it('shows cell text as text: an HTML payload in a cell or header is not parsed; the page of a first open carries its first rows', async () => {
    // A first open: the page VS Code creates carries the locator's first rows (drawn before the
    // extension's init, as a re-shown tab's saved rows are: see test/unit/viewSnapshot.test.ts).
    await u.quickOpen(page, path.basename(XSS_LOCATOR));
    const xss = await u.findWebview(page, { kind: 'editor', title: path.basename(XSS_LOCATOR) });
    await xss.locator('#grid .grid-row[data-index="2"]').waitFor({ state: 'visible', timeout: 30_000 });
    await u.until(async () => !(await xss.evaluate(() => document.body.hasAttribute('data-restoring'))), { message: "the extension's init" });
    const hdr = await u.headers(xss);
    assert.deepStrictEqual(hdr.map((c) => c.title), ['#', 'File Path', XSS_HEADER]);
    const shown = await u.visibleRows(xss);
    assert.deepStrictEqual(shown.map((r) => r.cells), [
      ['1', '/data/x.csv', XSS_CELL],
      ['2', '/data/y.csv', 'plain'],
      ['3', '/data/z.csv', XSS_SCRIPT_CELL],
    ]);
    const block = await xss.evaluate(() => {
      const el = document.getElementById('first-screen');
      return el && { type: el.type, rows: JSON.parse(el.textContent).rows };
    });
    assert.ok(block, 'the page came with its first rows');
    assert.strictEqual(block.type, 'application/json', 'as data, never run');
    assert.deepStrictEqual(block.rows, shown.map((r) => r.cells.slice(1)), 'the rows of the file, cell for cell');
    assert.deepStrictEqual(
      await xss.evaluate(() => [...document.scripts].filter((el) => el.type !== 'application/json' && el.textContent.includes('alert')).length),
      0,
      'no script element made of a cell',
    );
    const cell = xss.locator('#grid .grid-row[data-index="0"] .cell.k-data').nth(1);
    assert.strictEqual(await cell.evaluate((el) => el.textContent), XSS_CELL);
    assert.strictEqual(await cell.evaluate((el) => el.childElementCount), 0, 'the cell holds a text node only');
    assert.strictEqual(await xss.locator('img').count(), 0, 'no <img> element in the webview');
    assert.strictEqual(await xss.locator('#grid b').count(), 0, 'no <b> element from the header text');
    assert.deepStrictEqual(dialogs, [], 'no alert() ran');
    await u.debugShot(page, 'editor-xss.png');
  });

  it('marks a line break in a cell with ↵, shows the whole value on hover, and copies it whole', async () => {
    await u.quickOpen(page, path.basename(MULTILINE_LOCATOR));
    const view = await u.findWebview(page, { kind: 'editor', title: path.basename(MULTILINE_LOCATOR) });
    await view.locator('#grid .grid-row[data-index="1"]').waitFor({ state: 'visible', timeout: 30_000 });
    // One row per record (the quoted breaks do not start rows), each break marked where it is.
    assert.deepStrictEqual((await u.visibleRows(view)).map((r) => r.cells), [
      ['1', '/data/a.csv', 'Eyes closed.↵Subject moved↵at 3:10'],
      ['2', '/data/b.csv', 'one line'],
    ]);
    const cell = view.locator('#grid .grid-row[data-index="0"] .cell.k-data').nth(1);
    await cell.hover();
    const look = await cell.evaluate((el) => ({ hovered: el.matches(':hover'), title: el.title, children: el.childElementCount }));
    assert.deepStrictEqual(look, { hovered: true, title: MULTILINE_NOTE, children: 0 }, 'the hover text is the value, line breaks included; the cell holds text only');
    // A copy carries the value, not the mark (quoted, as spreadsheets paste it).
    await cell.click();
    await view.evaluate(() => {
      window.__copied = undefined;
      window.addEventListener('copy', (e) => (window.__copied = e.clipboardData.getData('text/plain')));
      const write = navigator.clipboard?.writeText?.bind(navigator.clipboard);
      if (navigator.clipboard) navigator.clipboard.writeText = (t) => ((window.__copied = t), write ? write(t).catch(() => undefined) : Promise.resolve());
    });
    await page.keyboard.press('Control+C');
    assert.strictEqual(await u.until(() => view.evaluate(() => window.__copied), { message: 'the copied text' }), `"${MULTILINE_NOTE}"`);
  });
});
