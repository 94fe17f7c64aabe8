// A tab shown again draws the rows it showed last from its own saved state (viewSnapshot.ts), then
// the extension's init and rows replace them: the snapshot is carried through JSON as VS Code's
// getState/setState carries it, and fed to a fresh Model as the restored page does.
import * as assert from 'assert';
import { RowSliceEncoder } from '../../src/shared/rowSlices';
import { Model } from '../../src/webview/model';
import { FIRST_SCREEN_ID, SNAPSHOT_BUDGET_CHARS, SNAPSHOT_CELL_CHARS, SNAPSHOT_ROWS, firstScreen, firstScreenJson, readSnapshot } from '../../src/shared/viewSnapshot';
import { type ViewContext, readFirstScreen, takeSnapshot } from '../../src/webview/viewSnapshot';
import { SETTINGS, done, initMessage, modelWith, progress, sendRows } from './webviewHelpers';

const COLUMNS = ['File Path', 'Domain Tag'];
const N = 1000;
const rowsOf = (tag: string) => Array.from({ length: N }, (_, i) => [`/data/r${i}.edf`, `${tag}${i}`]);
const CONTEXT: ViewContext = { kind: 'editor', title: 't.locator.csv', settings: SETTINGS, trusted: true, modes: ['sequential', 'process'] };

/** The snapshot as the re-created page reads it back from its state. */
const throughState = (s: unknown) => readSnapshot(JSON.parse(JSON.stringify(s)));

/** A model as it was when its tab was hidden: every row, a finished run with results for rows 495..504. */
function shownModel(): Model {
  const m = modelWith(COLUMNS, rowsOf('d'));
  m.startRun({ type: 'runStarted', runId: 3, total: N, settings: SETTINGS });
  m.addResults(3, Array.from({ length: 10 }, (_, k) => done(495 + k, `v${495 + k}`)), progress({ total: N, finished: 10, done: 10 }));
  m.endRun({ type: 'runEnded', runId: 3, summary: { ...progress({ total: N, finished: 10, done: 10, cancelled: N - 10 }), endedBy: 'cancel' } as never });
  return m;
}

/** A fresh page's model, drawn from the snapshot. */
function restored(snap: NonNullable<ReturnType<typeof readSnapshot>>): Model {
  const m = new Model();
  m.init(snap.init);
  m.restoreSnapshotRows(snap.start, snap.rows);
  return m;
}

describe('view snapshot (a re-shown tab draws its rows before the extension answers)', () => {
  it('keeps the rows around the view with their results and statuses, and draws them in a fresh page', () => {
    const shown = shownModel();
    const snap = throughState(takeSnapshot(shown, 500, 30, CONTEXT));
    assert.ok(snap, 'read back from the saved state');
    const m = restored(snap);
    assert.equal(m.rowCount, N, 'the table is as tall as the locator');
    for (const i of [490, 500, 520, 549]) assert.deepEqual([m.cell(i, 0), m.cell(i, 1)], [`/data/r${i}.edf`, `d${i}`], `row ${i}`);
    assert.equal(m.cell(489, 0), '', 'rows far above the view are not kept');
    assert.equal(m.cell(550, 0), '', 'nor far below it');
    assert.equal(m.resultText(500), 'v500');
    assert.equal(m.statusOf(500), 'done');
    assert.equal(m.statusOf(510), 'cancelled', 'a row the cancelled run did not reach still says so');
    assert.equal(m.run?.runId, 3);
    assert.equal(m.loaded, 0, 'none of them counts as loaded: the view still says it is loading');
    assert.equal(m.rowsComplete, false);
  });

  it('is replaced by what the extension sends: the rows stay drawn until their own slice comes', () => {
    const snap = throughState(takeSnapshot(shownModel(), 500, 30, CONTEXT))!;
    const m = restored(snap);
    // The file changed while the tab was hidden: the extension's init, then its rows.
    m.init(initMessage(COLUMNS, N, { runId: 3, running: false, progress: progress({ total: N, finished: 10, done: 10 }), results: [] }), true);
    assert.equal(m.cell(500, 1), 'd500', 'still drawn between init and the rows');
    assert.equal(m.isFromSnapshot(500), true);
    // Taken again now, the snapshot does not keep a row its slice has not confirmed yet.
    assert.equal(takeSnapshot(m, 500, 30, CONTEXT).rows[10], null);
    const now = rowsOf('new');
    const enc = new RowSliceEncoder();
    sendRows(m, enc, now, 0, 500, false);
    assert.equal(m.cell(500, 1), 'd500');
    sendRows(m, enc, now, 500, N, true);
    assert.equal(m.cell(500, 1), 'new500', 'the file as it is now');
    assert.equal(m.loaded, N);
    assert.equal(m.rowsComplete, true);
  });

  it("drops its rows when the columns changed; results and statuses are always the extension's", () => {
    const snap = throughState(takeSnapshot(shownModel(), 500, 30, CONTEXT))!;
    const other = restored(snap);
    other.init(initMessage(['path', 'tag'], N), true);
    assert.equal(other.cell(500, 0), '', 'other columns: the old rows would be wrong');
    assert.equal(other.resultText(500), '', 'no run: no results');
    const rerun = restored(snap);
    rerun.init(initMessage(COLUMNS, N, { runId: 4, running: true, progress: progress({ total: N }), results: [] }), true);
    assert.equal(rerun.cell(500, 0), '/data/r500.edf', 'same columns: the row stays');
    assert.equal(rerun.statusOf(500), 'pending', 'the new run has not reached it');
    assert.equal(rerun.resultText(500), '');
    // A run still going when the tab was hidden ended meanwhile: no row stays "pending" from the snapshot.
    const going = modelWith(COLUMNS, rowsOf('d'));
    going.startRun({ type: 'runStarted', runId: 5, total: N, settings: SETTINGS });
    going.addResults(5, [done(500, 'v500')], progress({ total: N, finished: 1, done: 1 }));
    const mid = restored(throughState(takeSnapshot(going, 500, 30, CONTEXT))!);
    assert.equal(mid.statusOf(501), 'pending', 'drawn as it was: still running');
    mid.init(initMessage(COLUMNS, N, { runId: 5, running: false, progress: progress({ total: N, finished: 1, done: 1 }), results: [], summary: { ...progress({ total: N, finished: 1, done: 1, cancelled: N - 1 }), endedBy: 'cancel' } as never }), true);
    assert.notEqual(mid.statusOf(501), 'pending', 'the ended run as the extension says');
    assert.equal(mid.resultText(500), '', "the snapshot's result is not carried: the extension sends the row's own");
  });

  it("never draws over a row the extension sent, and forgets snapshot rows past the locator's real end", () => {
    const snap = throughState(takeSnapshot(shownModel(), 500, 30, CONTEXT))!;
    const m = new Model();
    m.init(snap.init);
    const enc = new RowSliceEncoder();
    const now = rowsOf('new');
    sendRows(m, enc, now, 500, 501, false);
    m.restoreSnapshotRows(snap.start, snap.rows);
    assert.equal(m.cell(500, 1), 'new500', "the extension's row stays");
    assert.equal(m.cell(501, 1), 'd501', 'the others are drawn from the snapshot');
    // The file is shorter now: its last slice says 505 rows.
    sendRows(m, enc, now.slice(0, 505), 0, 505, true);
    assert.equal(m.rowCount, 505);
    assert.equal(m.loaded, 505, 'every row counted once');
    assert.equal(m.isFromSnapshot(520), false, 'rows past the end are gone');
    assert.equal(m.rowsComplete, true);
  });

  it('keeps at most SNAPSHOT_ROWS rows, SNAPSHOT_CELL_CHARS of a cell and about SNAPSHOT_BUDGET_CHARS in all', () => {
    const short = modelWith(COLUMNS, Array.from({ length: 400 }, (_, i) => ['x', String(i)]));
    assert.equal(throughState(takeSnapshot(short, 0, 1000, CONTEXT))!.rows.length, SNAPSHOT_ROWS);
    const long = 'x'.repeat(SNAPSHOT_CELL_CHARS + 500);
    const m = modelWith(COLUMNS, Array.from({ length: 400 }, (_, i) => [long, String(i)]));
    const snap = throughState(takeSnapshot(m, 0, 1000, CONTEXT))!;
    assert.equal(snap.rows[0]![0].length, SNAPSHOT_CELL_CHARS);
    const chars = snap.rows.reduce((n, r) => n + (r ?? []).reduce((k, c) => k + c.length, 0), 0);
    assert.ok(chars <= SNAPSHOT_BUDGET_CHARS + 2 * SNAPSHOT_CELL_CHARS, `${chars} characters kept`);
    assert.ok(snap.rows.length < SNAPSHOT_ROWS, `${snap.rows.length} rows`);
  });

  it('ignores saved state that is not a snapshot (none yet, or an older version)', () => {
    assert.equal(readSnapshot(undefined), undefined);
    assert.equal(readSnapshot({ scrollTop: 10 }), undefined);
    const snap = JSON.parse(JSON.stringify(takeSnapshot(shownModel(), 0, 10, CONTEXT)));
    assert.ok(readSnapshot(snap));
    assert.equal(readSnapshot({ ...snap, rows: [[1, 2]] }), undefined, 'cells that are not text');
    assert.equal(readSnapshot({ ...snap, init: { ...snap.init, columns: undefined } }), undefined);
    assert.equal(readSnapshot({ ...snap, start: -1 }), undefined);
    assert.equal(readSnapshot({ ...snap, v: undefined }), undefined, 'a snapshot of no known version');
    assert.equal(readSnapshot({ ...snap, init: { ...snap.init, run: { runId: 3, running: false } } }), undefined, 'a run without progress or results');
    assert.equal(readSnapshot({ ...snap, init: { ...snap.init, run: { ...snap.init.run, results: [{ status: 'done' }] } } }), undefined, 'a result without its row');
  });
});

describe("first screen (a first open draws the locator's first rows from the page the extension made)", () => {
  /** The block's text as the page reads it: out of the HTML the extension wrote (the parser ends a script at `</script`). */
  const throughPage = (json: string) => {
    const html = `<script type="application/json" id="first-screen">${json}</script>`;
    const inner = html.slice(html.indexOf('>') + 1, html.search(/<\/script/i));
    return readFirstScreen({ getElementById: (id: string) => (id === FIRST_SCREEN_ID ? ({ textContent: inner } as HTMLElement) : null) });
  };

  it('draws the first rows with their results in a fresh page, before any message', () => {
    const rows = rowsOf('d');
    const run = { runId: 2, running: false, progress: progress({ total: N, finished: 3, done: 3 }), results: [done(1, 'one'), done(2, 'two'), done(900, 'far')] };
    const snap = throughPage(firstScreenJson(firstScreen(initMessage(COLUMNS, N, run), rows)));
    assert.ok(snap, 'read back from the page');
    const m = restored(snap);
    assert.equal(m.rowCount, N);
    assert.deepEqual(m.rows[0], rows[0]);
    assert.deepEqual(m.rows[SNAPSHOT_ROWS - 1], rows[SNAPSHOT_ROWS - 1]);
    assert.equal(m.rows[SNAPSHOT_ROWS], undefined, `at most ${SNAPSHOT_ROWS} rows`);
    assert.equal(m.results[2]?.text, 'two');
    assert.deepEqual(snap.init.run?.results.map((r) => r.index), [1, 2], 'only the results of the rows it holds');
  });

  it('is not read when the page has no block, or a broken one', () => {
    assert.equal(readFirstScreen({ getElementById: () => null }), undefined);
    assert.equal(readFirstScreen({ getElementById: () => ({ textContent: '{"v":1,' }) as HTMLElement }), undefined);
  });

  it('keeps a cell that would end the block as text, and cuts long cells', () => {
    const evil = ['</script><script>alert(1)</script>', '<!-- & \u2028 -->'];
    const long = 'y'.repeat(SNAPSHOT_CELL_CHARS + 10);
    const json = firstScreenJson(firstScreen(initMessage(COLUMNS, 2), [evil, [long, 'b']]));
    assert.ok(!/[<>&]/.test(json), 'no <, > or & in the block');
    const snap = throughPage(json);
    assert.deepEqual(snap?.rows[0], evil);
    assert.equal(snap?.rows[1]?.[0].length, SNAPSHOT_CELL_CHARS);
  });

  it('keeps about SNAPSHOT_BUDGET_CHARS of cells, and the unfinished run of those rows only', () => {
    const wide = Array.from({ length: 100 }, (_, i) => ['z'.repeat(SNAPSHOT_CELL_CHARS), String(i)]);
    const unfinishedRun = { kind: 'local' as const, text: 'The last run stopped', canResume: true, results: [done(0, 'a'), done(99, 'b')] };
    const snap = throughPage(firstScreenJson(firstScreen({ ...initMessage(COLUMNS, 100), unfinishedRun }, wide)))!;
    assert.ok(snap.rows.length < 100 && snap.rows.length * SNAPSHOT_CELL_CHARS <= SNAPSHOT_BUDGET_CHARS, `${snap.rows.length} rows`);
    assert.deepEqual(snap.init.unfinishedRun?.results.map((r) => r.index), [0]);
    const tooWide = Array.from({ length: SNAPSHOT_BUDGET_CHARS / SNAPSHOT_CELL_CHARS + 1 }, () => 'w'.repeat(SNAPSHOT_CELL_CHARS));
    assert.deepEqual(firstScreen(initMessage(['a'], 1), [tooWide]).rows, [], 'not even a first row past the budget');
  });
});
