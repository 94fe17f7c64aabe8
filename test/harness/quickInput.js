'use strict';
// VS Code's quick input, driven as a person would: the command palette (F1), Quick Open (Ctrl+P)
// and the quick picks and input boxes commands show. One copy for the UI tests (test/e2e/util.js
// re-exports these) and the VS Code benchmark (bench/vscode.js).
//
// The list is virtualised and fills in as its provider answers (the file search is slow at first
// on a busy 2-core machine); it re-uses its row elements, so a row found a moment earlier can show
// another item by the time it is clicked (CI once opened "e2e-big-broken..." for "e2e-big..."). So
// nothing here acts on a row until the list has shown the wanted item at the same place for two
// checks in a row, and then acts through a locator that still names that item.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CHECK_MS = 100;

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Moves the keyboard focus out of a webview (its iframe) to the workbench page. Keys pressed inside
 * a webview reach the workbench only through the webview's key forwarding, which on a loaded
 * machine once lost F1 (the palette never opened). (Blur rather than focusing a tab: a focused tab
 * shows its path as a hover, which would end up in screenshots.)
 */
async function focusWorkbench(page) {
  await page.evaluate(() => {
    if (document.activeElement?.tagName === 'IFRAME') document.activeElement.blur();
  });
}

/**
 * Polls `sample()` until it has given the same value, not null, in two checks in a row; returns it.
 */
async function sameTwice(sample, { timeout, message }) {
  const deadline = Date.now() + timeout;
  let last = null;
  for (;;) {
    const now = await sample().catch(() => null);
    if (now !== null && now === last) return now;
    last = now;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
    await sleep(CHECK_MS);
  }
}

/**
 * Waits until the open quick input lists a row whose label (`.label-name`: descriptions and details
 * do not count) is `label` (exact), or, with exact: false, is `label` or else contains it, at the
 * same list position for two checks in a row. Returns a locator of that row by position AND label,
 * so a row element re-used for another item does not match it any more.
 */
async function settledRow(page, label, { exact = true, timeout = 15_000 } = {}) {
  const find = () =>
    page.evaluate(
      ({ label, exact }) => {
        const rows = [...document.querySelectorAll('.quick-input-widget .monaco-list-row')];
        const name = (r) => (r.querySelector('.label-name')?.textContent ?? '').trim();
        const hit = rows.find((r) => name(r) === label) ?? (exact ? undefined : rows.find((r) => name(r).includes(label)));
        return hit ? `${hit.getAttribute('data-index')}\u0000${name(hit)}` : null;
      },
      { label, exact },
    );
  const found = await sameTwice(find, { timeout, message: `a quick input row labelled ${exact ? '' : 'like '}"${label}"` });
  const [index, shown] = found.split('\u0000');
  return page
    .locator(`.quick-input-widget .monaco-list-row[data-index="${index}"]`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(shown)}\\s*$`) }) });
}

/**
 * Picks the quick-pick row whose label is exactly `label` (exact: true, the default), or, with
 * exact: false, the row labelled `label` or else the first whose label contains it. With type (the
 * default) the label is typed first to filter the list, as a person would (the list is virtualised:
 * rows beyond its height are not in the DOM).
 */
async function pickQuickItem(page, label, { exact = true, type = true, timeout = 15_000 } = {}) {
  if (type) await page.locator('.quick-input-widget input').fill(label);
  const row = await settledRow(page, label, { exact, timeout });
  await row.click({ timeout });
}

/** Waits until the quick input shows `title` (e.g. "Locator Batch: Mode"): no stale rows of the previous step. */
async function waitQuickTitle(page, title, timeout = 30_000) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout });
}

/** Answers a quick input box (e.g. "Locator Batch: Workers") with `value`. */
async function answerInputBox(page, title, value) {
  await waitQuickTitle(page, title);
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(String(value));
  await input.press('Enter');
}

/**
 * Opens the command palette with `title` typed and returns its row: the one labelled exactly
 * `title`, else the first containing it; the palette stays open. The palette can open before the
 * extension host registered the extension's commands and does not refresh: close and retry.
 */
async function findCommand(page, title, { timeout = 60_000 } = {}) {
  const deadline = Date.now() + timeout;
  const widget = page.locator('.quick-input-widget');
  for (;;) {
    await page.keyboard.press('F1');
    await widget.waitFor({ state: 'visible', timeout: 10_000 });
    await widget.locator('input').fill(`>${title}`);
    // Listed within 1.5 s, or the palette opened before the command was registered.
    const listed = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: title }) });
    if (await listed.first().waitFor({ state: 'visible', timeout: 1500 }).then(() => true, () => false)) {
      // Exact label first: "Foo: Run" must not pick "Foo: Run All".
      return settledRow(page, title, { exact: false, timeout: 15_000 });
    }
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`command "${title}" not found in the command palette within ${timeout} ms`);
    await sleep(500);
  }
}

/**
 * Runs a command from the palette by its title (e.g. "Locator Batch: Run Batch..."), with the focus
 * in the workbench; one retry when the palette did not open.
 */
async function runCommand(page, title, opts) {
  await focusWorkbench(page);
  try {
    await (await findCommand(page, title, opts)).click();
  } catch (e) {
    if (!/quick-input-widget/.test(e.message)) throw e;
    await page.keyboard.press('Escape');
    await focusWorkbench(page);
    await (await findCommand(page, title, opts)).click();
  }
}

/**
 * Waits until the palette lists `title`, i.e. the extension host has registered the extension
 * (built-in pickers such as "Reopen Editor With..." only list its custom editors from then on).
 */
async function waitForCommand(page, title, opts) {
  await findCommand(page, title, opts);
  await page.keyboard.press('Escape');
}

/**
 * Quick open (Ctrl+P) of a workspace file by name: types it, presses Enter once the focused row
 * has been that file for two checks in a row, and resolves once the active tab is that file's
 * (by its file name exactly: a tab's text would also match "Results: <name>" or a longer name).
 * One retry when the tab did not come. *.locator.csv opens in the locator editor.
 * `beforeEnter()` runs just before each Enter (a benchmark starts its clock there); `tabTimeout`
 * is how long the tab may take to become the active one.
 */
async function quickOpen(page, name, { beforeEnter, tabTimeout = 30_000, timeout = 30_000 } = {}) {
  const widget = page.locator('.quick-input-widget');
  const activeTab = page.locator(`.editor-group-container.active .tabs-container .tab.active[data-resource-name="${name}"]`);
  for (let attempt = 1; ; attempt++) {
    // Ctrl+P in an open quick input would move its focus instead of opening Quick Open.
    if (await widget.isVisible()) await page.keyboard.press('Escape');
    await focusWorkbench(page);
    await page.keyboard.press('Control+P');
    await widget.waitFor({ state: 'visible', timeout: 10_000 });
    await widget.locator('input').fill(name);
    await sameTwice(
      () =>
        page
          .evaluate(() => document.querySelector('.quick-input-widget .monaco-list-row.focused .label-name')?.textContent.trim())
          .then((focused) => (focused === name ? focused : null)),
      { timeout, message: `the quick open list to focus ${name}` },
    );
    if (beforeEnter) await beforeEnter();
    await page.keyboard.press('Enter');
    const opened = await activeTab.waitFor({ state: 'visible', timeout: tabTimeout }).then(
      () => true,
      () => false,
    );
    if (opened) return;
    if (attempt === 2) throw new Error(`quick open of ${name}: its tab did not become the active one`);
  }
}

module.exports = {
  focusWorkbench,
  findCommand,
  runCommand,
  waitForCommand,
  quickOpen,
  pickQuickItem,
  waitQuickTitle,
  answerInputBox,
};
