'use strict';
// UI: a Python apply file from the locator editor (issue 10). The run bar lists the workspace's .py
// apply file; picking it applies its `defaults` (EEGUnity's spellings: process mode, 2 workers),
// which the extension reads by importing the file in the interpreter of the setting
// locatorBatch.pythonInterpreter (Debian's /usr/bin/python3 with pandas: the python3 first on PATH
// here may lack it). Run shows app_func's values, computed on pandas-typed rows; Write Back puts
// them into a column (tab dirty); the Output channel names the interpreter with its pandas version
// and shows what app_func printed, each line tagged with its row.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const u = require('./util');

const { DEMO } = u;
const LOCATOR = path.join(DEMO, 'e2e-python.locator.csv');
const APPLY = path.join(DEMO, 'apply', 'e2e-channels.py');
const APPLY_LABEL = 'apply/e2e-channels.py';
const PYTHON = '/usr/bin/python3';
const COLUMN = 'Doubled Channels';

describe('a Python apply file from the locator editor', function () {
  this.timeout(120_000);
  let page;
  let editor;
  u.workbenchSuite({
    files: [
      [LOCATOR, 'File Path,Number of Channels,Sampling Rate,Completeness Check\n/data/a.fif,32,250.0,Completed\n/data/b.fif,64,500.0,Completed\n/data/c.fif,19,256.0,Completed\n'],
      [
        APPLY,
        '# Written and removed by test/e2e/python.test.js.\n' +
          "defaults = {'execution_mode': 'process', 'num_workers': 2, 'result_type': 'value'}\n\n\n" +
          'def app_func(row):\n' +
          "    print('channels', row['Number of Channels'], 'at', row['Sampling Rate'])\n" +
          "    return row['Number of Channels'] * 2\n",
      ],
    ],
    settings: { 'files.autoSave': 'off', 'locatorBatch.pythonInterpreter': PYTHON },
    started: (env) => (page = env.page),
  });

  const field = (id) => u.runBarField(editor, id);
  const frame = async () => (editor = await u.findWebview(page, { kind: 'editor', title: path.basename(LOCATOR) }));

  before(() => {
    assert.ok(fs.existsSync(PYTHON), `${PYTHON} exists (scripts/setup-python.sh installs pandas for it)`);
  });

  it("lists the .py file in the run bar; picking it applies its defaults (process, 2 workers)", async () => {
    await u.quickOpen(page, path.basename(LOCATOR));
    await frame();
    await editor.locator('#grid .grid-row[data-index="2"]').waitFor({ state: 'visible', timeout: 30_000 });
    await u.until(async () => (await editor.locator('#apply option').allTextContents()).includes(APPLY_LABEL), { message: `${APPLY_LABEL} in the list` });
    await editor.locator('#apply').selectOption({ label: APPLY_LABEL });
    await u.until(async () => (await field('mode')).value === 'process', { timeout: 30_000, message: 'the run bar to switch to process mode' });
    const workers = await field('workers');
    assert.strictEqual(workers.value, '2');
    assert.match(workers.title, /\(from apply\/e2e-channels\.py\)$/);
  });

  it("runs it: each row's value is app_func's on a pandas row (ints doubled, not strings repeated)", async () => {
    await editor.locator('#run').click();
    const end = await u.until(async () => {
      const p = await u.progressState(editor);
      return /^Finished:/.test(p.summary ?? '') ? p : undefined;
    }, { timeout: 60_000, message: 'the run to finish' });
    assert.match(end.summary, /^Finished: 3 done in .* · process mode$/);
    const cells = (await u.allRows(editor)).rows.map((r) => r.cells[2]);
    assert.deepStrictEqual(cells, ['64', '128', '38']);
  });

  it(`writes the values back into "${COLUMN}" (tab dirty, nothing saved)`, async () => {
    const onDisk = fs.readFileSync(LOCATOR, 'utf8');
    await editor.locator('#column').fill(COLUMN);
    await editor.locator('#column').press('Tab');
    const writeBack = editor.locator('#write-back');
    await u.until(async () => (await writeBack.textContent()).includes(COLUMN), { message: 'the Write Back button to name the column' });
    await writeBack.click();
    await page.locator('.tabs-container .tab.dirty', { hasText: path.basename(LOCATOR) }).waitFor({ state: 'visible', timeout: 30_000 });
    await u.until(async () => (await u.headers(await frame())).some((c) => c.title === COLUMN), { message: `the "${COLUMN}" column in the table` });
    const col = (await u.headers(editor)).findIndex((c) => c.title === COLUMN);
    assert.deepStrictEqual((await u.allRows(editor)).rows.map((r) => r.cells[col]), ['64', '128', '38']);
    assert.strictEqual(fs.readFileSync(LOCATOR, 'utf8'), onDisk, 'nothing saved to disk');
  });

  it('logs the interpreter with its pandas version, and what app_func printed tagged with its row', async () => {
    const text = await u.outputChannelText(page, /\[row 2\] channels 19 at 256\.0/, "app_func's output in the Output panel");
    assert.match(text, /interpreter: Python 3\.\d+\.\d+ \(\/usr\/bin\/python3.*\), pandas \d+\.\d+/);
    assert.match(text, /\[row 0\] channels 32 at 250\.0/);
    assert.match(text, /\[row 1\] channels 64 at 500\.0/);
  });
});
