'use strict';
// UI: "Locator Batch: Run Batch..." from the command palette, as a person would run it, on a real
// VS Code (code-server) in Chromium. The demo locator is opened first (so it is the active locator),
// then the quick picks are answered: apply/file-hash.ts, mode process, 2 workers, result value.
// The results panel must end with every row, in locator order, with a final status: rows whose
// file exists are done with "size:<sha256>", the row whose file is missing is error (ENOENT).

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { parse } = require('csv-parse/sync');
const u = require('./util');

const { h, DEMO } = u;
const LOCATOR = path.join(DEMO, 'demo.locator.csv');

describe('palette: Run Batch... fills the results panel', function () {
  this.timeout(180_000);
  let env;
  let rows; // the locator's rows as the test reads them itself
  const HEADER = ['#', 'Status', 'Result'];

  before(async function () {
    this.timeout(150_000);
    rows = parse(fs.readFileSync(LOCATOR, 'utf8'), { columns: true, skip_empty_lines: true });
    assert.ok(rows.length > 0, 'the demo locator has rows');
    env = await u.startWorkbench();
  });

  afterEach(async function () {
    await u.failureShot(this, env?.page);
  });

  after(async function () {
    this.timeout(60_000);
    await u.stopWorkbench(env);
  });

  it('runs apply/file-hash.ts in process mode and shows every row, in order, with its final status', async () => {
    const { page } = env;
    const n = rows.length;
    // The extension registers its commands a moment after the workbench restored.
    await h.waitForCommand(page, 'Locator Batch: Run Batch...');

    // *.locator.csv opens in the locator editor: it becomes the active locator for the command.
    await u.quickOpen(page, 'demo.locator.csv');
    const editor = await u.findWebview(page, { kind: 'editor', title: 'demo.locator.csv' });
    await editor.locator('#grid .grid-row[data-index="0"]').waitFor({ state: 'visible', timeout: 30_000 });

    await u.runCommand(page, 'Locator Batch: Run Batch...');
    await u.waitQuickTitle(page, 'Locator Batch: Apply File');
    await u.pickQuickItem(page, 'apply/file-hash.ts');
    await u.waitQuickTitle(page, 'Locator Batch: Mode');
    await u.pickQuickItem(page, 'process');
    await u.answerInputBox(page, 'Locator Batch: Workers', 2);
    await u.waitQuickTitle(page, 'Locator Batch: Result Type');
    await u.pickQuickItem(page, 'value');

    // The results panel: a tab "Results: demo.locator.csv" with a webview of kind 'results'.
    await page.locator('.tabs-container .tab', { hasText: 'Results: demo.locator.csv' }).waitFor({ state: 'visible', timeout: 30_000 });
    const results = await u.findWebview(page, { kind: 'results', title: 'demo.locator.csv' });
    // The run ends: "N / N (100%)", the bar at 100, the summary says process mode.
    const end = await u.until(
      async () => {
        const p = await u.progressState(results);
        return p.summary && p.text === `${n} / ${n} (100%)` ? p : undefined;
      },
      { timeout: 90_000, message: `the results panel to reach ${n} / ${n} (100%) and show its summary` },
    );
    assert.strictEqual(end.value, 100, 'progress bar aria-valuenow');
    assert.match(end.summary, /process mode/, `summary: ${end.summary}`);

    // Every row 0..N-1, in locator order (view position = row index, no sort), each final.
    const hdr = await u.headers(results);
    assert.deepStrictEqual(hdr.slice(0, 3).map((c) => c.title), HEADER);
    const filePathCol = hdr.findIndex((c) => c.title === 'File Path');
    assert.ok(filePathCol > 0, 'File Path column');
    const { total, rows: shown } = await u.allRows(results);
    assert.strictEqual(total, n, 'grid aria-rowcount - 1');
    assert.deepStrictEqual(shown.map((r) => r.pos), [...Array(n).keys()], 'every view position was drawn');
    assert.deepStrictEqual(shown.map((r) => r.index), [...Array(n).keys()], 'rows are in locator order');

    let done = 0;
    let errors = 0;
    for (const r of shown) {
      const file = rows[r.index]['File Path'];
      assert.strictEqual(r.cells[filePathCol], file, `row ${r.index} shows its own File Path`);
      assert.strictEqual(r.statusLabel, r.status, `row ${r.index}: status cell aria-label`);
      const result = r.cells[2];
      if (fs.existsSync(file)) {
        assert.strictEqual(r.status, 'done', `row ${r.index} (${path.basename(file)}): status`);
        const size = fs.statSync(file).size;
        assert.match(result, /^\d+:[0-9a-f]{64}$/, `row ${r.index}: "size:sha256" result`);
        assert.strictEqual(result.split(':')[0], String(size), `row ${r.index}: size part`);
        done++;
      } else {
        assert.strictEqual(r.status, 'error', `row ${r.index} (${path.basename(file)}, missing): status`);
        assert.match(result, /ENOENT/, `row ${r.index}: error message`);
        errors++;
      }
    }
    assert.ok(done > 0 && errors > 0, `the demo has both kinds of rows (done ${done}, error ${errors})`);
    assert.match(end.summary, new RegExp(`${done} done, ${errors} errors?`), `summary: ${end.summary}`);
    // The run's notification says the same, with its follow-up actions.
    const toast = h.notification(page, 'demo.locator.csv: finished');
    await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await toast.first().innerText(), new RegExp(`finished: ${done} done, .*${errors} error`));
    await u.extensionsActivated(page);
    await u.shot(page, 'screenshot-results.png');
  });
});
