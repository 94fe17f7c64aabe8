'use strict';
// UI: where the run bar's settings come from (issue 9). Picking an apply file whose `defaults` say
// process mode puts the run bar on Process with its workers, each field's tooltip names the apply
// file, and Run runs in process mode; a value the user changes says "your choice". A Run with no
// apply file is refused at once (the Run button does not stay disabled), and a run started from the
// visible editor shows its summary there without a notification repeating it.

const assert = require('assert');
const path = require('path');
const u = require('./util');

const { h, DEMO } = u;
const LOCATOR = path.join(DEMO, 'e2e-defaults.locator.csv');
const APPLY = path.join(DEMO, 'apply', 'e2e-process-defaults.js');
const APPLY_LABEL = 'apply/e2e-process-defaults.js';

describe('run bar settings: the apply file\'s defaults, and where each value came from', function () {
  this.timeout(120_000);
  let page;
  let editor;
  u.workbenchSuite({
    files: [
      [LOCATOR, 'File Path,Completeness Check\n/data/a.fif,Completed\n/data/bb.fif,Completed\n/data/ccc.fif,Completed\n'],
      [
        APPLY,
        `// Written and removed by test/e2e/settings.test.js.\n` +
          `exports.defaults = { mode: 'process', workers: 2 };\n` +
          `exports.apply = (row) => row['File Path'].length + ':' + process.pid;\n`,
      ],
    ],
    started: (env) => (page = env.page),
  });

  const field = (id) => u.runBarField(editor, id);

  it('opens a locator with no apply file picked: the values are the built-ins and the demo\'s settings', async () => {
    await u.quickOpen(page, path.basename(LOCATOR));
    editor = await u.findWebview(page, { kind: 'editor', title: path.basename(LOCATOR) });
    await editor.locator('#grid .grid-row[data-index="2"]').waitFor({ state: 'visible', timeout: 30_000 });
    const mode = await field('mode');
    assert.strictEqual(mode.value, 'sequential');
    assert.match(mode.title, /\(built-in default\)$/);
  });

  it('refuses Run without an apply file at once, and Run is usable again right away', async () => {
    await editor.locator('#run').click();
    const notice = editor.locator('#notice');
    await u.until(async () => /pick an apply file first/.test((await notice.textContent()) ?? '') && !(await notice.isHidden()), {
      timeout: 5_000,
      message: 'the editor to say an apply file is needed',
    });
    // The refusal answers the request: no 3 s wait with Run disabled.
    await u.until(async () => !(await editor.locator('#run').isDisabled()), { timeout: 1_000, message: 'Run enabled again' });
  });

  it("takes the picked apply file's defaults: process mode, 2 workers, each saying it came from the file", async () => {
    await u.until(async () => (await editor.locator('#apply option').allTextContents()).includes(APPLY_LABEL), { message: `${APPLY_LABEL} in the list` });
    await editor.locator('#apply').selectOption({ label: APPLY_LABEL });
    const from = new RegExp(`\\(from ${APPLY_LABEL.replace(/[./]/g, '\\$&')}\\)$`);
    await u.until(async () => (await field('mode')).value === 'process', { timeout: 10_000, message: 'the run bar to switch to process mode' });
    const mode = await field('mode');
    assert.match(mode.title, from);
    const workers = await field('workers');
    assert.strictEqual(workers.value, '2');
    assert.match(workers.title, from);
    assert.match((await field('result-type')).title, /\(built-in default\)$/);
  });

  it('Run runs in process mode; the summary says so, and no notification repeats it over the visible editor', async () => {
    await editor.locator('#run').click();
    const end = await u.until(async () => {
      const p = await u.progressState(editor);
      return /^Finished:/.test(p.summary ?? '') ? p : undefined;
    }, { timeout: 60_000, message: 'the run to finish' });
    assert.match(end.summary, /^Finished: 3 done in .* · process mode$/);
    const cells = (await u.allRows(editor)).rows.map((r) => r.cells[2]);
    const pids = new Set(cells.map((c) => c.split(':')[1]));
    assert.deepStrictEqual(cells.map((c) => c.split(':')[0]), ['11', '12', '13']);
    assert.ok(pids.size >= 1 && !cells.some((c) => c.split(':')[1] === ''), `worker pids in ${cells}`);
    // The end's notification would show within moments of the summary: give it two seconds.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.strictEqual(await h.notification(page, 'e2e-defaults.locator.csv: Finished').count(), 0, 'no "Finished" notification');
  });

  it('a value the user changes is their choice, and stays when the editor is opened again', async () => {
    await editor.locator('#mode').selectOption('async');
    await u.until(async () => /\(your choice\)$/.test((await field('mode')).title), { timeout: 10_000, message: 'mode to say "your choice"' });
    await u.runCommand(page, 'View: Close All Editors');
    await u.quickOpen(page, path.basename(LOCATOR));
    editor = await u.findWebview(page, { kind: 'editor', title: path.basename(LOCATOR) });
    await u.until(async () => (await field('mode')).value === 'async', { timeout: 30_000, message: 'the remembered mode' });
    assert.match((await field('mode')).title, /\(your choice\)$/);
    assert.match((await field('result-type')).title, /\(built-in default\)$/);
    assert.strictEqual((await editor.locator('#apply option:checked').textContent()), APPLY_LABEL);
  });
});
