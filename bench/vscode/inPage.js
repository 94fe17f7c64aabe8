'use strict';
// Functions that run IN THE PAGE (passed to Playwright's evaluate: self-contained, no closures).
// Times are taken by the page itself: performance.now() / Date.now() in requestAnimationFrame
// callbacks and observers, not by polling from the benchmark's process.

/** In the page: resolves with Date.now() of each stage of the editor titled `title` (checked every frame). */
function watchEditorStages({ title, timeout }) {
  const start = Date.now();
  const res = {};
  const findDoc = () => {
    for (const ifr of document.querySelectorAll('iframe.webview')) {
      const r = ifr.getBoundingClientRect();
      if (r.width < 50 || r.height < 50) continue;
      let doc;
      try {
        doc = ifr.contentDocument?.querySelector('iframe#active-frame')?.contentDocument;
      } catch {
        continue;
      }
      if (doc && doc.getElementById('app') && (doc.title === title || doc.title === 'Locator Batch')) return doc;
    }
    return undefined;
  };
  return new Promise((resolve) => {
    const tick = () => {
      const now = Date.now();
      const doc = findDoc();
      if (doc) {
        res.html ??= now;
        // The extension's init (a tab shown again draws its saved rows first, marked data-restoring).
        if (doc.title === title && !doc.body.hasAttribute('data-restoring')) res.init ??= now;
        if (doc.title === title && !res.init) res.restored ??= now;
        if ((res.init || res.restored) && !res.firstRows) {
          const row = doc.querySelector('#grid .grid-row[data-index]:not(.loading):not([hidden])');
          if (row && row.textContent.trim()) res.firstRows = now;
        }
        if (res.firstRows) {
          const info = doc.getElementById('load-info');
          const rows = doc.getElementById('rows-info');
          if (info && info.textContent === '' && rows && /\d/.test(rows.textContent)) {
            res.allRows = now;
            res.rowsInfo = rows.textContent;
            resolve(res);
            return;
          }
        }
      }
      if (now - start > timeout) {
        res.timedOut = true;
        resolve(res);
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/**
 * In the webview frame: arms a recorder for the next run, started by a click on #run. Every time
 * is performance.now() of the frame, checked in every animation frame (results are drawn in
 * animation frames too), plus every change of #progress. With probeEveryMs: from the first result
 * shown to the end of the run, scrolls the grid to a random place every `probeEveryMs` and measures
 * the time to the next frame (see defineScrollProbe).
 */
function armRunRecorder({ probeEveryMs }) {
  const R = (window.__lbRun = { t0: undefined, started: undefined, first: undefined, firstAny: undefined, end: undefined, progress: [], probes: [] });
  const run = document.getElementById('run');
  const summary = document.getElementById('summary');
  const progress = document.getElementById('progress');
  run.addEventListener('click', () => { R.t0 ??= performance.now(); }, { capture: true, once: true });
  // When each message of the run first reaches the page (before it is drawn).
  R.arrived = {};
  if (!window.__lbArrivals) {
    window.__lbArrivals = true;
    window.addEventListener('message', (e) => {
      const rec = window.__lbRun;
      const type = e.data && e.data.type;
      if (rec && rec.t0 !== undefined && typeof type === 'string' && rec.arrived[type] === undefined) rec.arrived[type] = performance.now();
    }, true);
  }
  new MutationObserver(() => {
    if (R.t0 !== undefined && R.end === undefined) R.progress.push([performance.now(), progress.textContent]);
  }).observe(progress, { childList: true, characterData: true, subtree: true });
  let probeTimer;
  const tick = () => {
    const now = performance.now();
    if (R.t0 !== undefined) {
      // Started: the previous run's summary is gone (runStarted drew the strip as running), or the
      // run's end came already (a run started and ended between two frames never hides it).
      if (R.started === undefined && (summary.hidden || R.arrived.runEnded !== undefined)) R.started = now;
      if (R.started !== undefined) {
        if (R.first === undefined && document.querySelector('#grid .grid-row[data-status="done"], #grid .grid-row[data-status="error"]')) {
          R.first = now;
          // Scroll probes start once the first result is on screen: scrolling away from the top
          // before that would delay the first result row shown.
          if (probeEveryMs) probeTimer = setInterval(() => window.__lbScrollProbe().then((p) => R.end === undefined && R.probes.push(p)), probeEveryMs);
        }
        if (R.firstAny === undefined && document.querySelector('#grid .grid-row[data-status="done"], #grid .grid-row[data-status="error"], #grid .grid-row[data-status="skipped"]')) R.firstAny = now;
        if (!summary.hidden && R.arrived.runEnded !== undefined) {
          R.end = now;
          R.summary = summary.textContent;
          R.progressText = progress.textContent;
          clearInterval(probeTimer);
          return;
        }
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/**
 * In the webview frame: defines window.__lbScrollProbe(): scrolls the grid to a random row, then
 * resolves with the time until the next animation frame (rows are drawn in the scroll event, which
 * comes first in that frame) and until the task after it (≈ the frame painted), and whether the
 * rows of the new position were there.
 */
function defineScrollProbe() {
  window.__lbScrollProbe = () =>
    new Promise((resolve) => {
      const g = document.getElementById('grid');
      const rowH = parseFloat(getComputedStyle(g).getPropertyValue('--row-h')) || 22;
      const rows = Number(g.getAttribute('aria-rowcount')) - 1;
      const maxTop = Math.max(0, rows * rowH - g.clientHeight);
      const top = Math.floor(Math.random() * maxTop);
      const t0 = performance.now();
      g.scrollTop = top;
      requestAnimationFrame(() => {
        const raf = performance.now() - t0;
        const pos = Math.floor(g.scrollTop / rowH);
        const el = g.querySelector(`.grid-row[aria-rowindex="${pos + 2}"]`);
        const ok = !!el && !el.hidden && !el.classList.contains('loading') && el.hasAttribute('data-index');
        const mc = new MessageChannel();
        mc.port1.onmessage = () => resolve({ at: t0, rafMs: raf, paintMs: performance.now() - t0, ok });
        mc.port2.postMessage(0);
      });
    });
}

/** In the top page: long tasks and gaps between animation frames until __lbMainStop() (same main thread as the webviews). */
function armMainThreadMonitor() {
  const M = (window.__lbMain = { longTasks: [], gaps: [], stop: false });
  try {
    const po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) M.longTasks.push([e.startTime, e.duration]);
    });
    po.observe({ type: 'longtask' });
    M.po = po;
  } catch {
    M.noLongTask = true;
  }
  let last = performance.now();
  const tick = (t) => {
    if (M.stop) return;
    M.gaps.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__lbMainStop = () => {
    M.stop = true;
    M.po?.disconnect();
    const gaps = M.gaps.slice(1);
    const total = M.longTasks.reduce((a, [, d]) => a + d, 0);
    const blocked = M.longTasks.reduce((a, [, d]) => a + Math.max(0, d - 50), 0);
    return {
      longTasks: M.longTasks.length,
      longestTaskMs: M.longTasks.reduce((a, [, d]) => Math.max(a, d), 0),
      longTaskMs: total,
      blockingMs: blocked,
      frames: gaps.length,
      maxFrameGapMs: gaps.reduce((a, b) => Math.max(a, b), 0),
      framesOver50ms: gaps.filter((g) => g > 50).length,
      noLongTask: !!M.noLongTask,
    };
  };
}

module.exports = { watchEditorStages, armRunRecorder, defineScrollProbe, armMainThreadMonitor };
