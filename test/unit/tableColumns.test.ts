// The table's columns and their fitted widths (src/webview/table/columns.ts), measured with the
// same per-character width the webview falls back on when it has no canvas (8 px a character).
import { strict as assert } from 'node:assert';
import { CELL_PAD, MAX_AUTO_WIDTH, buildColumns, fitColumns, stickyCount } from '../../src/webview/table/columns';
import { SETTINGS, done, modelWith, progress } from './webviewHelpers';

const measure = (s: string) => s.length * 8;

describe('table columns', () => {
  it('are the row number and the locator columns; Status and Result join (frozen with the row number) once there are results', () => {
    const m = modelWith(['File Path', 'Rate'], [['/a.edf', '250']]);
    let cols = buildColumns(m, []);
    assert.deepEqual(cols.map((c) => c.title), ['#', 'File Path', 'Rate']);
    assert.equal(stickyCount(cols), 1);
    m.startRun({ type: 'runStarted', runId: 1, total: 1, settings: SETTINGS });
    cols = buildColumns(m, cols);
    assert.deepEqual(cols.map((c) => c.key), ['rownum', 'status', 'result', 'c0', 'c1']);
    assert.equal(stickyCount(cols), 2);
  });

  it('right-align a column whose sampled values are all numbers, and fit each to its longest value', () => {
    const long = '/data/' + 'x'.repeat(100) + '.edf';
    const m = modelWith(['File Path', 'Rate', 'Note'], [['/a.edf', '250', 'one\r\ntwo'], [long, '1e3', ''], ['/b.edf', ' 500 ', 'ok']]);
    const cols = buildColumns(m, []);
    const fitted = fitColumns(m, cols, measure);
    assert.deepEqual(cols.slice(1).map((c) => c.numeric), [false, true, false]);
    assert.equal(fitted.numericChanged, true);
    assert.equal(fitted.widths.get('c0'), MAX_AUTO_WIDTH, 'a long path is capped');
    // "one\r\ntwo" is measured as shown, "one↵two" (7 characters); the header "Note" needs 4 + its sort button.
    assert.equal(fitted.widths.get('c2'), Math.max(7 * 8 + CELL_PAD, 4 * 8 + CELL_PAD + 20));
    assert.equal(fitted.sampled, 2000, 'every row is in: no need to sample again');
    assert.equal(fitColumns(m, cols, measure).numericChanged, false);
  });

  it('fit the Result column to the results so far, between 160 and 360 px', () => {
    const m = modelWith(['v'], [['a'], ['b']]);
    m.startRun({ type: 'runStarted', runId: 1, total: 2, settings: SETTINGS });
    m.addResults(1, [done(0, 'x'.repeat(60))], progress({ total: 2 }));
    const cols = buildColumns(m, []);
    assert.equal(fitColumns(m, cols, measure).widths.get('result'), 360);
    m.addResults(1, [done(0, 'short')], progress({ total: 2 }));
    assert.equal(fitColumns(m, cols, measure).widths.get('result'), 160);
  });
});
