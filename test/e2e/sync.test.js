'use strict';
// UI: the locator editor and the text of its file, driven as a person would. (1) Typing in a text
// editor of the same *.locator.csv shows in the locator editor's table without saving. (2) A
// malformed locator shows its parse error with the line to fix and an "Open as text" button that
// opens the file in a text editor.
//
// The `it`s share one workbench and run in order. The locators this suite writes to demo/ are
// removed in `after`.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const u = require('./util');

const { DEMO } = u;
const SYNC = path.join(DEMO, 'e2e-sync.locator.csv');
const SYNC_NAME = path.basename(SYNC);
const SYNC_TEXT = 'File Path,Domain Tag\n/data/a.csv,alpha\n/data/b.csv,beta\n/data/c.csv,gamma\n';
const BROKEN = path.join(DEMO, 'e2e-broken.locator.csv');
const BROKEN_NAME = path.basename(BROKEN);
// Line 3 has three fields; the header has two.
const BROKEN_TEXT = 'File Path,Domain Tag\n/data/a.csv,alpha\n/data/b.csv,beta,extra\n/data/c.csv,gamma\n';

describe('locator editor: in sync with the text of its file', function () {
  this.timeout(120_000);
  let page;
  u.workbenchSuite({
    files: [
      [SYNC, SYNC_TEXT],
      [BROKEN, BROKEN_TEXT],
    ],
    // Off, as on the desktop: the typed change stays in the document, never on disk.
    settings: { 'files.autoSave': 'off' },
    started: (env) => (page = env.page),
  });

  /** The Domain Tag cells of the rows the table shows now. */
  const tags = async (frame) => (await u.visibleRows(frame)).map((r) => r.cells[r.cells.length - 1]);
  /** The active group's active tab, when it is a text (Monaco) editor for `name`. */
  const activeTextEditorFor = async (name) => {
    const group = page.locator('.editor-group-container.active');
    const tab = group.locator('.tabs-container .tab.active', { hasText: name });
    if ((await tab.count()) === 0) return false;
    const mon = group.locator('.editor-container .monaco-editor');
    return (await mon.count()) > 0 && (await mon.first().isVisible());
  };

  it('shows in the table a change typed in a text editor of the same file, without saving', async () => {
    await u.quickOpen(page, SYNC_NAME);
    let editor = await u.findWebview(page, { kind: 'editor', title: SYNC_NAME });
    await editor.locator('#grid .grid-row[data-index="2"]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepStrictEqual(await tags(editor), ['alpha', 'beta', 'gamma']);

    // Beside it: split the editor, then reopen the new one as text.
    await u.runCommand(page, 'View: Split Editor');
    await u.until(async () => (await page.locator('.editor-group-container').count()) >= 2, { message: 'a second editor group' });
    await u.runCommand(page, 'View: Reopen Editor With...');
    await u.pickQuickItem(page, 'Text Editor', { exact: false, type: false, timeout: 30_000 });
    await u.until(() => activeTextEditorFor(SYNC_NAME), { message: `a text editor for ${SYNC_NAME} in the active group` });
    const text = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    await u.until(async () => (await text.textContent()).includes('alpha'), { message: 'the text editor shows the file' });
    // The locator editor is still open in the other group.
    editor = await u.findWebview(page, { kind: 'editor', title: SYNC_NAME });

    // Replace "alpha" (line 2, after the comma) with "omega", as a person would from the keyboard.
    await text.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Shift+ArrowLeft');
    await page.keyboard.type('omega');
    await u.until(async () => (await text.textContent()).includes('/data/a.csv,omega'), { message: 'the text editor to show the typed "omega"' });

    const t0 = Date.now();
    await u.until(async () => (await tags(await u.findWebview(page, { kind: 'editor', title: SYNC_NAME }))).includes('omega'), {
      timeout: 5_000,
      message: 'the table to show "omega"',
    });
    const ms = Date.now() - t0;
    editor = await u.findWebview(page, { kind: 'editor', title: SYNC_NAME });
    assert.deepStrictEqual(await tags(editor), ['omega', 'beta', 'gamma'], `table after the edit (${ms} ms)`);
    assert.strictEqual((await editor.locator('#rows-info').textContent()).trim(), '3 rows');
    // Not saved: the tab is dirty and the file on disk is as written.
    await page.locator('.tabs-container .tab.dirty', { hasText: SYNC_NAME }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.strictEqual(fs.readFileSync(SYNC, 'utf8'), SYNC_TEXT, 'nothing saved to disk');
    await u.debugShot(page, 'sync-typed.png');

    // Revert (from the text editor): the table follows back to "alpha".
    await u.runCommand(page, 'File: Revert File');
    await u.until(async () => (await tags(await u.findWebview(page, { kind: 'editor', title: SYNC_NAME }))).includes('alpha'), {
      timeout: 10_000,
      message: 'the table to show "alpha" again after revert',
    });
    await page.locator('.tabs-container .tab.dirty', { hasText: SYNC_NAME }).first().waitFor({ state: 'detached', timeout: 10_000 });
    // Clean slate for the next test.
    await u.runCommand(page, 'View: Close All Editor Groups');
    await u.until(async () => (await page.locator('.tabs-container .tab', { hasText: SYNC_NAME }).count()) === 0, { message: 'the editors to close' });
  });

  it('shows a parse error naming line 3; "Open as text" opens the text beside it at that line, and fixing the line brings the table', async () => {
    await u.quickOpen(page, BROKEN_NAME);
    const editor = await u.findWebview(page, { kind: 'editor', title: BROKEN_NAME });
    const err = editor.locator('#parse-error');
    await err.waitFor({ state: 'visible', timeout: 30_000 });
    const msg = (await editor.locator('#parse-error-message').textContent()).trim();
    assert.match(msg, /\bline 3\b/i, `the message names line 3: ${msg}`);
    assert.match(msg, /2 columns.*3 fields/, `the message says what is wrong: ${msg}`);
    assert.ok(await editor.locator('#grid').isHidden(), 'no table');
    const open = editor.locator('#open-text');
    assert.match(await open.textContent(), /Open as text/);
    await u.debugShot(page, 'sync-parse-error.png');

    await open.click();
    await u.until(() => activeTextEditorFor(BROKEN_NAME), { timeout: 30_000, message: `a text editor for ${BROKEN_NAME} to become active` });
    const text = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    await u.until(async () => (await text.textContent()).includes('/data/b.csv,beta,extra'), { message: 'the text editor to show the file' });
    // The cursor is on line 3 (status bar "Ln 3, Col 1").
    await u.until(async () => /Ln 3, Col 1/.test(await page.locator('.part.statusbar').textContent()), {
      timeout: 10_000,
      message: 'the cursor on line 3 (status bar "Ln 3, Col 1")',
    });
    await u.debugShot(page, 'sync-open-text.png');
    // Beside the locator editor, which stays open in its own group.
    assert.strictEqual(await page.locator('.editor-group-container').count(), 2, 'two editor groups');
    const groupOf = (name) => page.locator('.editor-group-container', { has: page.locator('.tabs-container .tab.active', { hasText: name }) });
    assert.strictEqual(await groupOf(BROKEN_NAME).count(), 2, `${BROKEN_NAME} is the active tab of both groups`);

    // Fix line 3 from the keyboard (drop ",extra"): the locator editor shows the table, unsaved.
    await page.keyboard.press('End');
    for (let i = 0; i < ',extra'.length; i++) await page.keyboard.press('Backspace');
    await u.until(async () => !(await text.textContent()).includes(',extra'), { message: 'the text editor to show line 3 fixed' });
    const fixed = await u.until(
      async () => {
        const frame = await u.findWebview(page, { kind: 'editor', title: BROKEN_NAME });
        return (await frame.locator('#grid .grid-row[data-index="2"]').isVisible()) ? frame : undefined;
      },
      { timeout: 10_000, message: 'the table in the locator editor once line 3 is fixed' },
    );
    assert.ok(await fixed.locator('#parse-error').isHidden(), 'the parse error is gone');
    assert.strictEqual((await fixed.locator('#rows-info').textContent()).trim(), '3 rows');
    // The rows' cells are filled in the frame after the row elements appear: wait for the text.
    await u.until(async () => (await tags(fixed)).join() === 'alpha,beta,gamma', {
      timeout: 10_000,
      message: 'the fixed table to show the tags alpha, beta, gamma',
    });
    assert.strictEqual(fs.readFileSync(BROKEN, 'utf8'), BROKEN_TEXT, 'nothing saved to disk');
  });
});
