'use strict';
// UI: "Locator Batch: Run Batch..." from the command palette, as a person would run it, on a real
// VS Code (code-server) in Chromium. The demo locator is opened first (so it is the active locator),
// then the quick picks are answered: apply/file-hash.ts, mode process, 2 workers, result value.
// The results panel must end with every row, in locator order, with a final status: rows whose
// file exists are done with "size:<sha256>", the row whose file is missing is error (ENOENT).
// Then, from that results panel, a slow run: its progress notification counts and cancels, the
// status bar item counts and brings the results back, and the Output channel logs the run.

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
    // The focus moving to the editor (a click in it, or VS Code handing it back late between steps)
    // does not close a step of the flow.
    await editor.locator('#grid .grid-row[data-index="0"] .cell.k-data').first().click();
    await editor.waitForFunction(() => document.hasFocus(), null, { timeout: 10_000 });
    assert.ok(await page.locator('.quick-input-widget').isVisible(), 'the Result Type step is still open');
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
    const toast = h.notification(page, 'demo.locator.csv: Finished');
    await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await toast.first().innerText(), new RegExp(`Finished: ${done} done, ${errors} errors? in .* · process mode`));
    await u.extensionsActivated(page);
    await u.shot(page, 'screenshot-results.png');
  });

  it('while a run goes: a cancellable progress notification, a live status bar count that opens the results, and a log in the Output', async () => {
    const { page } = env;
    const n = rows.length;
    const slow = path.join(DEMO, 'apply', 'e2e-slow.js');
    const remove = u.tempFile(
      slow,
      `// Written and removed by test/e2e/palette.test.js: slow rows; row 1 fails.\nexports.apply = async (row, ctx) => {\n  if (ctx.index === 1) throw new Error('row one is bad');\n  await new Promise((r) => setTimeout(r, 400));\n  return ctx.index;\n};\n`,
    );
    try {
      await u.clearNotifications(page);
      await u.runCommand(page, 'Locator Batch: Run Batch...');
      await u.waitQuickTitle(page, 'Locator Batch: Apply File');
      await u.pickQuickItem(page, 'apply/e2e-slow.js');
      await u.waitQuickTitle(page, 'Locator Batch: Mode');
      await u.pickQuickItem(page, 'sequential');
      await u.waitQuickTitle(page, 'Locator Batch: Result Type');
      await u.pickQuickItem(page, 'value');

      // The notification: "k/N rows, r rows/s, 1 failed", moving; the status bar item: "demo.locator.csv k/N".
      const toast = h.notification(page, 'Locator Batch: demo.locator.csv');
      const counts = new RegExp(`(\\d+)/${n} rows, \\d+ rows/s, 1 failed`);
      const seen = await u.until(async () => counts.exec(await toast.first().innerText().catch(() => ''))?.[1], {
        message: 'the progress notification with the live count',
      });
      const status = page.locator('.part.statusbar .statusbar-item', { hasText: /demo\.locator\.csv \d+\/\d+/ }).first();
      const live = await u.until(async () => /demo\.locator\.csv (\d+)\/(\d+)/.exec(await status.innerText().catch(() => '')), {
        message: 'the status bar count',
      });
      assert.strictEqual(Number(live[2]), n);
      await u.until(async () => Number(counts.exec(await toast.first().innerText().catch(() => ''))?.[1]) > Number(seen), {
        message: 'the notification count to move',
      });

      // Cancel in the notification: the run ends, the rows that finished keep their results.
      await toast.first().hover();
      await toast.first().getByRole('button', { name: 'Cancel' }).click();
      const results = await u.findWebview(page, { kind: 'results', title: 'demo.locator.csv' });
      const end = await u.until(async () => ((await u.progressState(results)).summary.startsWith('Cancelled') ? u.progressState(results) : undefined), {
        message: 'the results panel to say Cancelled',
      });
      const { rows: shown } = await u.allRows(results);
      const done = shown.filter((r) => r.status === 'done');
      const cancelled = shown.filter((r) => r.status === 'cancelled');
      assert.ok(done.length >= 1 && cancelled.length >= 1, `some rows done (${done.length}), the rest cancelled (${cancelled.length}): ${end.summary}`);
      for (const r of done) assert.strictEqual(r.cells[2], String(r.index), `row ${r.index} kept its value`);
      assert.strictEqual(shown.find((r) => r.index === 1).status, 'error');
      assert.strictEqual(done.length + cancelled.length + 1, n, 'every row is done, cancelled or the one error');
      // The progress counts the rows that ran, not the cancelled ones.
      const ran = done.length + 1;
      assert.strictEqual(end.text, `${ran} / ${n} (${Math.floor((ran / n) * 100)}%)`);

      // The status bar item keeps the final count and brings the results back from another editor.
      const final = page.locator('.part.statusbar .statusbar-item', { hasText: new RegExp(`demo\\.locator\\.csv ${done.length}/${n}`) }).first();
      await final.waitFor({ state: 'visible', timeout: 15_000 });
      // Another editor in front (from the Explorer: the first Quick Open of a fresh server can take 30 s).
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'README.md' }).first().click();
      await page.locator('.tabs-container .tab.active', { hasText: 'README.md' }).waitFor({ state: 'visible', timeout: 30_000 });
      await final.click();
      await page.locator('.tabs-container .tab.active', { hasText: 'Results: demo.locator.csv' }).waitFor({ state: 'visible', timeout: 30_000 });

      // The Output channel: the run's start with its settings, the failing row with its file and line, the summary.
      const text = await u.outputChannelText(page, /demo\.locator\.csv: Cancelled: \d+ done/, 'the run log in the Output panel');
      assert.match(text, new RegExp(`Run started on .*demo\\.locator\\.csv: ${n} of ${n} rows, apply .*e2e-slow\\.js, mode sequential, workers 1, result value`));
      assert.match(text, /row 1: error: Error: row one is bad \(.*e2e-slow\.js:3:\d+\)/);
      assert.match(text, new RegExp(`demo\\.locator\\.csv: Cancelled: ${done.length} done, 1 error, (\\d+ skipped, )?${cancelled.length} cancelled in .* · sequential mode`));
    } finally {
      remove();
    }
  });
});
