'use strict';
// What an open locator editor holds in the extension host, reproduced in plain Node (item 2 of
// issue 12): the document's text, the parse (rows), and the row-slice encoder's caches, for the
// VS Code benchmark's 100k-row big.locator.csv. Run after `npm run compile-tests`:
//   node --expose-gc bench/editorMemory.js [rows]
// Prints the heap (after a full GC) added by each part, and what is left once the parse is dropped.
const path = require('path');
const OUT = path.join(__dirname, '..', 'out', 'src');
const { parseLocator } = require(path.join(OUT, 'core', 'locator'));
const { RowSliceEncoder } = require(path.join(OUT, 'shared', 'rowSlices'));

const ROWS = Number(process.argv[2] ?? 100_000);
// The same text bench/vscode/workspace.js writes as big.locator.csv.
const { eegunityLocatorText: bigLocatorText } = require('./fixtures/eegunityLocator');

function heapMb() {
  for (let i = 0; i < 3; i++) global.gc();
  const m = process.memoryUsage();
  return { heap: (m.heapUsed + m.external + m.arrayBuffers) / 1e6, rss: m.rss / 1e6 };
}

/** What the open editor holds, part by part; `held` keeps the parts alive until `drop` is called. */
async function open(held, figures, base) {
  // The text as VS Code's extension host holds the document (its lines), built apart from getText().
  held.lines = bigLocatorText(ROWS).split('\n');
  const withLines = heapMb();
  figures.parts.documentLinesMb = withLines.heap - base.heap;
  // parse(): doc.getText() joined, then parsed; the joined string is the parse's only input.
  const t0 = Date.now();
  held.locator = await parseLocator(held.lines.join('\n'));
  figures.parseMs = Date.now() - t0;
  const withParse = heapMb();
  figures.parts.parsedRowsMb = withParse.heap - withLines.heap;
  // The binding's encoder, after every slice went to the webview (2000 rows a slice).
  held.encoder = new RowSliceEncoder();
  figures.postedMb = postAll(held.locator, held.encoder) / 1e6;
  const withEncoder = heapMb();
  figures.parts.encoderCachesMb = withEncoder.heap - withParse.heap;
  figures.openTotalMb = withEncoder.heap - base.heap;
  figures.openRssAddedMb = withEncoder.rss - base.rss;
}

function postAll(locator, encoder) {
  let sent = 0;
  for (let start = 0; start < locator.rows.length; start += 2000) {
    const rows = locator.rows.slice(start, start + 2000);
    const cols = locator.columns.map((c) => rows.map((r) => r[c] ?? ''));
    sent += JSON.stringify(encoder.encode(cols)).length;
  }
  return sent;
}

async function main() {
  if (!global.gc) throw new Error('run with node --expose-gc');
  const figures = { rows: ROWS, parts: {} };
  const base = heapMb();
  const held = {};
  await open(held, figures, base);
  // The editor closed: the binding (its encoder) and the parse are dropped; VS Code may keep the document.
  held.encoder = undefined;
  held.locator = undefined;
  // (What the finished parse's promise chain still references goes with the next turn of the event loop.)
  await new Promise((resolve) => setTimeout(resolve, 50));
  figures.afterEditorClosedMb = heapMb().heap - base.heap;
  held.lines = undefined;
  figures.afterDocumentClosedMb = heapMb().heap - base.heap;
  const round = (x) => Math.round(x * 10) / 10;
  for (const k of Object.keys(figures.parts)) figures.parts[k] = round(figures.parts[k]);
  for (const k of ['postedMb', 'openTotalMb', 'openRssAddedMb', 'afterEditorClosedMb', 'afterDocumentClosedMb']) figures[k] = round(figures[k]);
  console.log(JSON.stringify(figures, null, 1));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
