'use strict';
// Sections 3–4, printed: the figures ./ui.js measured, as tables, with their targets.

const { BIG_ROWS, TARGETS, report, fmt, spread } = require('./common');
const { roleTable } = require('./processes');

const { stats, table } = report;

/** Prints sections 3 and 4 from `ui` (what measureUi filled in) and adds their targets. */
function printUi(bench, ui, ws) {
  const { say, checks, others } = bench;
  const d = ui.demo;
  const firstRes = stats(d.runs.map((r) => r.firstResultMs));
  const allDone = stats(d.runs.map((r) => r.allDoneMs));
  say();
  say(`## 3. demo.locator.csv (${ws.demoRows} rows), apply/mean-std.ts, process mode, 2 workers: from the click on Run (ms, ${d.runs.length} runs)`);
  say();
  say(
    table(
      ['what', 'ms'],
      [
        ['Run → first row shown done/error', spread(firstRes)],
        ['Run → every row finished (summary shown)', spread(allDone)],
        ['the first run of the window alone: first row / all', `${fmt(d.runs[0]?.firstResultMs)} / ${fmt(d.runs[0]?.allDoneMs)}`],
      ],
    ),
  );
  say();
  say(`Summary of the last run: "${d.runs[d.runs.length - 1]?.summary ?? ''}". The workbench took ${fmt(ui.workbenchMs / 1000, 1)} s to open.`);

  const b = ui.big;
  const col = (list, k) => stats((list ?? []).map((o) => o?.[k]));
  const open1 = (k) => spread(col([b.open], k));
  say();
  say(`## 4. big.locator.csv: ${BIG_ROWS / 1000}k rows, ${fmt(ws.bigBytes / 1e6, 1)} MB, in the locator editor`);
  say();
  say('### Showing the rows: from Enter in Quick Open (ms)');
  say();
  say(
    table(
      [
        'stage',
        'big: first open (VS Code loads the document)',
        `big: tab shown again, document loaded (${b.reshows.length})`,
        `big: shown again after the run (${b.reshowsAfterRun.length})`,
        `demo (${ws.demoRows} rows): opened (${d.opens.length})`,
      ],
      [
        ['webview page loaded', open1('htmlMs'), spread(col(b.reshows, 'htmlMs')), spread(col(b.reshowsAfterRun, 'htmlMs')), spread(col(d.opens, 'htmlMs'))],
        ['init received (columns, row count)', open1('initMs'), spread(col(b.reshows, 'initMs')), spread(col(b.reshowsAfterRun, 'initMs')), spread(col(d.opens, 'initMs'))],
        ['**first rows shown**', open1('firstRowsMs'), spread(col(b.reshows, 'firstRowsMs')), spread(col(b.reshowsAfterRun, 'firstRowsMs')), spread(col(d.opens, 'firstRowsMs'))],
        ['every row loaded', open1('allRowsMs'), spread(col(b.reshows, 'allRowsMs')), spread(col(b.reshowsAfterRun, 'allRowsMs')), spread(col(d.opens, 'allRowsMs'))],
      ],
    ),
  );
  say();
  say(
    `The first open of demo.locator.csv in the window, which also activated the extension, showed its rows after ${fmt(d.firstOpen?.firstRowsMs)} ms. ` +
      `While big.locator.csv was in a hidden tab, ${b.webviewsWhileHidden ?? 'n/a'} webview of it was left.`,
  );
  if (b.textEditorOpenMs !== undefined) {
    say(
      `The same file as plain text (big-as-text.csv in VS Code's own text editor, no extension involved): first line drawn ` +
        `${fmt(b.textEditorOpenMs)} ms after Enter${b.textEditorOpenCpu ? ` (CPU seconds: ${roleTable([b.textEditorOpenCpu])})` : ''}. ` +
        'A custom text editor is resolved only once VS Code has loaded the document, so a first open cannot be faster than this.',
    );
  }
  if (b.open?.cpu) say(`CPU seconds per process during the first open: ${roleTable([b.open.cpu])}.`);
  const reshowCpu = b.reshows.map((o) => o.cpu).filter(Boolean);
  if (reshowCpu.length) say(`CPU seconds per process while the tab was shown again (median): ${roleTable(reshowCpu)}.`);
  // The targets for these (relative to VS Code's own text editor, measured alternately in one
  // window) are section 5's (bench/vscode/openBig.js); the absolute figures stay in the table above.

  say();
  say(`### A ${BIG_ROWS / 1000}k-row run: apply/trivial.js, process mode, 2 workers (${b.runs.length} run${b.runs.length === 1 ? '' : 's'})`);
  say();
  const rs = (f) => stats(b.runs.map(f));
  const probeStats = (ps) => ({ paint: stats(ps.map((p) => p.paintMs)), max: Math.max(...ps.map((p) => p.paintMs)), ok: ps.filter((p) => p.ok).length, n: ps.length });
  const during = probeStats(b.runs.flatMap((r) => r.probes));
  const idle = probeStats(b.idleProbes ?? []);
  say(
    table(
      ['what', 'value'],
      [
        ['Run → runStarted reaches the webview (the host read and parsed the locator, bundled the apply file)', spread(rs((r) => r.runStartedArrivedMs), 0, ' ms')],
        ['Run → first results reach the webview', spread(rs((r) => r.firstResultsArrivedMs), 0, ' ms')],
        ['Run → first result row shown', spread(rs((r) => r.firstResultMs), 0, ' ms')],
        ['Run → every result shown', spread(rs((r) => r.allShownMs), 0, ' ms')],
        ['**results shown per second** (first to last progress update)', spread(rs((r) => r.shownPerSecond), 0, ' rows/s')],
        ["the engine's own rate (the summary)", spread(rs((r) => r.engineRowsPerSecond), 0, ' rows/s')],
        ["runEnded reaches the webview after the engine's last row (queue behind the engine)", spread(rs((r) => r.runEndedArrivedMs - r.firstResultsArrivedMs - r.engineMs), 0, ' ms (approx.)')],
        ['progress updates drawn', spread(rs((r) => r.progressUpdates))],
        ['scroll → next frame while results stream: median [max]', `${fmt(during.paint.median)} [${fmt(during.max)}] ms, ${during.ok}/${during.n} showed their rows`],
        ['scroll → next frame, nothing running: median [max]', `${fmt(idle.paint.median)} [${fmt(idle.max)}] ms, ${idle.ok}/${idle.n} showed their rows`],
        ['long tasks on the page main thread during the run: count, longest, total', b.runs.map((r) => `${r.main.longTasks}, ${fmt(r.main.longestTaskMs)} ms, ${fmt(r.main.longTaskMs)} ms`).join('; ')],
        ['animation frames: longest gap, gaps > 50 ms', b.runs.map((r) => `${fmt(r.main.maxFrameGapMs)} ms, ${r.main.framesOver50ms} of ${r.main.frames}`).join('; ')],
      ],
    ),
  );
  say();
  say(`CPU seconds per process during the run (median of the runs): ${roleTable(b.runs.map((r) => r.cpu))}. Summary: "${b.runs[b.runs.length - 1]?.summary ?? ''}".`);
  const responsive = during.n > 0 && during.ok === during.n && during.paint.median < 100;
  checks.push({
    target: 'UI responsive while 100k results stream: scroll → next frame median < 100 ms, rows drawn',
    measured: `${fmt(during.paint.median)} ms median, ${fmt(during.max)} ms max, ${during.ok}/${during.n} drawn`,
    pass: responsive,
  });

  say();
  say('### Memory (after a forced GC)');
  say();
  say(
    table(
      ['when', 'page JS heap (workbench + webviews)', 'DOM nodes (page / webview)', 'RSS: renderer, extension host, code-server'],
      b.memory.map((m) => [
        m.label,
        `${fmt(m.heapUsedMb, 1)} MB`,
        `${fmt(m.domNodes)} / ${m.webviewNodes === undefined ? '–' : fmt(m.webviewNodes)}`,
        `${fmt(m.rssMb['chromium renderer'])}, ${fmt(m.rssMb['extension host'])}, ${fmt(m.rssMb['code-server'])} MB`,
      ]),
    ),
  );
  const memAt = (prefix) => b.memory.find((m) => m.label.startsWith(prefix));
  const d1 = (a, z) => (memAt(a) && memAt(z) ? memAt(a).heapUsedMb - memAt(z).heapUsedMb : NaN);
  say();
  say(
    `The webview shares the workbench's renderer and JS heap here (code-server serves webviews from the same origin), so the ` +
      `webview's own share is a difference: shown vs hidden tab (document loaded in both) ${fmt(d1('big.locator.csv shown', 'big.locator.csv in a hidden tab'), 1)} MB before the run, ` +
      `${fmt(d1('shown again after the run', 'hidden again'), 1)} MB after it; the document in the workbench (hidden tab vs no editor) ` +
      `${fmt(d1('big.locator.csv in a hidden tab', 'every editor closed, before'), 1)} MB. ` +
      others('ui'),
  );
  if (ui.vscodeActivation) {
    const floor = ui.vscodeActivationFloor?.ms;
    say();
    say(
      `VS Code's own figure in this window ("Developer: Show Running Extensions"): ${ui.vscodeActivation.text}. ` +
        (floor === undefined ? '' : `An extension that does nothing, activated by the same events in the same window: ${ui.vscodeActivationFloor.text}.`),
    );
    // Judged in section 2b (fresh windows, alternating); this window's figures are for comparison.
  }
}

module.exports = { printUi };
