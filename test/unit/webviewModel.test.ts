// The webview's Model (src/webview/model.ts): what the table and the progress strip read. Fed the
// messages the extension sends, it must hold the locator's rows however the slices arrive, and each
// row's status as runs start, report and end (a re-run of some rows keeps the others).
import { strict as assert } from 'node:assert';
import { RowSliceEncoder } from '../../src/shared/rowSlices';
import { Model } from '../../src/webview/model';
import { SETTINGS, done, initMessage, modelWith, progress, sendRows } from './webviewHelpers';

const COLUMNS = ['File Path', 'Domain Tag', 'Sampling Rate'];
const ROWS = Array.from({ length: 10 }, (_, i) => [`/data/s${i}.edf`, i % 2 ? 'sleep' : 'motor', String(250 + i)]);

describe('webview Model', () => {
  it('holds the locator rows whatever order the slices come in, and knows when the last one is in', () => {
    const m = new Model();
    m.init(initMessage(COLUMNS, ROWS.length));
    const enc = new RowSliceEncoder();
    // The restored view's slice first (rows 6-9), then the others.
    sendRows(m, enc, ROWS, 6, 10, false);
    assert.equal(m.loaded, 4);
    assert.equal(m.rows[0], undefined, 'rows not sent yet are missing, not blank');
    assert.equal(m.cell(7, 0), '/data/s7.edf');
    assert.equal(m.cell(0, 0), '', 'a missing row reads as blank cells');
    assert.equal(m.rowsComplete, false);
    sendRows(m, enc, ROWS, 0, 6, true);
    assert.equal(m.loaded, 10);
    assert.equal(m.rowsComplete, true);
    assert.deepEqual(m.rows, ROWS);
  });

  it('takes the row count of the last slice when init only had an estimate', () => {
    const m = new Model();
    m.init(initMessage(COLUMNS, 12));
    sendRows(m, new RowSliceEncoder(), ROWS, 0, 10, true);
    assert.equal(m.rowCount, 10);
    assert.equal(m.rows.length, 10);
    assert.equal(m.status.length, 10);
  });

  it('marks every row pending when a run starts, then each row as its result comes in', () => {
    const m = modelWith(COLUMNS, ROWS);
    assert.equal(m.hasResults, false, 'no Status column before any run');
    m.startRun({ type: 'runStarted', runId: 1, total: 10, settings: SETTINGS });
    assert.equal(m.hasResults, true);
    assert.deepEqual(ROWS.map((_, i) => m.statusOf(i)), Array(10).fill('pending'));
    assert.equal(m.addResults(1, [done(0, '250'), { index: 3, status: 'error', error: { name: 'TypeError', message: 'bad row' } }], progress({ total: 10, finished: 2, done: 1, error: 1 })), true);
    assert.equal(m.statusOf(0), 'done');
    assert.equal(m.resultText(0), '250');
    assert.equal(m.statusOf(3), 'error');
    assert.equal(m.resultText(3), 'TypeError: bad row', 'an error reads "Name: message"');
    assert.equal(m.statusOf(1), 'pending');
  });

  it('ignores results of an older run', () => {
    const m = modelWith(COLUMNS, ROWS);
    m.startRun({ type: 'runStarted', runId: 2, total: 10, settings: SETTINGS });
    assert.equal(m.addResults(1, [done(0, 'stale')], progress({ total: 10 })), false);
    assert.equal(m.statusOf(0), 'pending');
    assert.equal(m.resultText(0), '');
  });

  it('leaves rows a cancelled run did not reach "cancelled", and rows a finished run skipped unrun', () => {
    const cancelled = modelWith(COLUMNS, ROWS);
    cancelled.startRun({ type: 'runStarted', runId: 1, total: 10, settings: SETTINGS });
    cancelled.addResults(1, [done(0, 'a'), done(1, 'b')], progress({ total: 10, finished: 2, done: 2 }));
    cancelled.endRun({ type: 'runEnded', runId: 1, summary: { ...progress({ total: 10, finished: 2, done: 2, cancelled: 8 }), endedBy: 'cancelled', effectiveMode: 'sequential', resultType: 'value' } });
    assert.deepEqual(ROWS.map((_, i) => cancelled.statusOf(i)), ['done', 'done', ...Array(8).fill('cancelled')]);
    assert.equal(cancelled.run?.running, false);

    const finished = modelWith(COLUMNS, ROWS);
    finished.startRun({ type: 'runStarted', runId: 1, total: 2, settings: SETTINGS, indices: [4, 5] });
    finished.addResults(1, [done(4, 'x')], progress({ total: 2, finished: 1, done: 1 }));
    finished.endRun({ type: 'runEnded', runId: 1, summary: { ...progress({ total: 2, finished: 1, done: 1 }), endedBy: 'finished', effectiveMode: 'sequential', resultType: 'value' } });
    assert.equal(finished.statusOf(4), 'done');
    assert.equal(finished.statusOf(5), undefined, 'a row still pending when the run finished shows no status');
  });

  it('re-runs only the rows asked for: the others keep their results', () => {
    const m = modelWith(COLUMNS, ROWS);
    m.startRun({ type: 'runStarted', runId: 1, total: 10, settings: SETTINGS });
    m.addResults(1, ROWS.map((_, i) => (i === 2 ? { index: 2, status: 'error' as const, error: { name: 'Error', message: 'boom' } } : done(i, `v${i}`))), progress({ total: 10, finished: 10, done: 9, error: 1 }));
    assert.equal(m.resultText(2), 'boom', 'a plain Error reads as its message');
    m.startRun({ type: 'runStarted', runId: 2, total: 1, settings: SETTINGS, indices: [2] });
    assert.equal(m.statusOf(2), 'pending');
    assert.equal(m.resultText(2), '');
    assert.equal(m.statusOf(3), 'done');
    assert.equal(m.resultText(3), 'v3');
  });

  it('draws a restored run at once: its results, and its rows without one still pending while it runs', () => {
    const m = new Model();
    m.init(initMessage(COLUMNS, 10, { runId: 7, running: true, progress: progress({ total: 10, finished: 1, done: 1 }), results: [done(0, 'first')] }));
    assert.equal(m.hasResults, true);
    assert.equal(m.statusOf(0), 'done');
    assert.equal(m.statusOf(9), 'pending');
    assert.equal(m.addResults(6, [done(1, 'old')], progress({ total: 10 })), false, 'an older run is ignored after a restore too');
  });

  it("shows the rows an unfinished last run finished (the window closed mid-run); a resume of it keeps them, a dismiss clears them", () => {
    const m = new Model();
    const unfinishedRun = { kind: 'local' as const, text: 'The last run of t.locator.csv stopped at 3 of 10 rows', canResume: true, results: [done(0, 'a'), done(1, 'b'), { index: 2, status: 'error' as const, error: { name: 'Error', message: 'x' } }] };
    m.init({ ...initMessage(COLUMNS, ROWS.length), unfinishedRun });
    assert.equal(m.run, undefined, 'no run of this window');
    assert.equal(m.hasResults, true, 'the Status and Result columns show');
    assert.deepEqual([0, 1, 2, 3].map((i) => m.statusOf(i)), ['done', 'done', 'error', undefined]);
    assert.equal(m.resultText(1), 'b');
    // Resume: only the rows without a result run; the finished ones keep their values, even when the offer is withdrawn.
    m.startRun({ type: 'runStarted', runId: 1, total: 10, settings: SETTINGS, indices: [2, 3, 4, 5, 6, 7, 8, 9] });
    m.clearUnfinished();
    assert.deepEqual([0, 1, 2, 3].map((i) => m.statusOf(i)), ['done', 'done', 'pending', 'pending']);
    assert.equal(m.resultText(0), 'a');
    // Dismissed (no run here): its rows go.
    const d = new Model();
    d.init({ ...initMessage(COLUMNS, ROWS.length), unfinishedRun });
    d.clearUnfinished();
    assert.equal(d.hasResults, false);
    assert.equal(d.statusOf(0), undefined);
    assert.equal(d.resultText(0), '');
  });
});
