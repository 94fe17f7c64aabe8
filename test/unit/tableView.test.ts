// The table without its DOM (src/webview/table/): which rows it shows in which order (sort,
// filter), which cells a click or a key selects, and what a copy puts on the clipboard. Driven as
// the table drives it, on a Model fed real messages.
import { strict as assert } from 'node:assert';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import type { Model } from '../../src/webview/model';
import { buildColumns } from '../../src/webview/table/columns';
import { type KeyMove, type Sel, cellSel, clickSelection, dragSelection, keySelection, selectAll } from '../../src/webview/table/selection';
import type { SortSpec } from '../../src/webview/table/sortFilter';
import { TableView } from '../../src/webview/table/tableView';
import { toTsv } from '../../src/shared/tsv';
import { holdsPartialResults, selectionCells, selectionTsv } from '../../src/webview/table/tsv';
import { SETTINGS, done, modelWith, progress } from './webviewHelpers';

/** A TableView over `m` with its columns, sorted and filtered as asked, its order computed. */
function viewOf(m: Model, sort?: SortSpec, filter = ''): TableView {
  const v = new TableView(m, () => 0);
  v.reset(sort);
  v.setColumns(buildColumns(m, []));
  v.setFilter(filter);
  v.update();
  return v;
}

/** Locator rows in view order. */
function shown(v: TableView): number[] {
  return Array.from({ length: v.length }, (_, p) => v.indexAt(p));
}

const key = (k: string, mods: Partial<KeyMove> = {}): KeyMove => ({ key: k, mod: false, shift: false, ...mods });

describe('table view: sort', () => {
  // Subject, session: many ties, so stability shows.
  const COLUMNS = ['Subject', 'Session', 'Rate'];
  const ROWS = [
    ['S10', 'b', '250'],
    ['S2', 'a', '1000'],
    ['s2', 'a', ''],
    ['S1', 'b', '250'],
    ['S10', 'a', 'n/a'],
    ['S2', 'b', '250'],
    ['', 'a', '500'],
    ['S1', 'a', '1e3'],
  ];
  const m = modelWith(COLUMNS, ROWS);

  it('keeps file order among equal values, ascending and descending', () => {
    // Session: a rows (1,2,4,6,7) then b rows (0,3,5), each in file order.
    assert.deepEqual(shown(viewOf(m, { key: 'c1', dir: 'asc' })), [1, 2, 4, 6, 7, 0, 3, 5]);
    assert.deepEqual(shown(viewOf(m, { key: 'c1', dir: 'desc' })), [0, 3, 5, 1, 2, 4, 6, 7]);
  });

  it('sorts text naturally and case-blind (S2 before S10), blanks last either way', () => {
    assert.deepEqual(shown(viewOf(m, { key: 'c0', dir: 'asc' })), [3, 7, 1, 2, 5, 0, 4, 6]);
    assert.deepEqual(shown(viewOf(m, { key: 'c0', dir: 'desc' })), [0, 4, 1, 2, 5, 3, 7, 6]);
  });

  it('sorts numbers by value, before text, blanks last', () => {
    // 250 (0,3,5), 500, 1000 and 1e3 (equal: file order), then the text "n/a", then the blank.
    assert.deepEqual(shown(viewOf(m, { key: 'c2', dir: 'asc' })), [0, 3, 5, 6, 1, 7, 4, 2]);
  });

  it('is stable for any values (property): equal keys keep file order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'B', 'b', '2', '10', '', 'x1', 'x01'), { minLength: 1, maxLength: 60 }), fc.boolean(), (values, asc) => {
        const model = modelWith(['v'], values.map((v) => [v]));
        const order = shown(viewOf(model, { key: 'c0', dir: asc ? 'asc' : 'desc' }));
        assert.deepEqual([...order].sort((a, b) => a - b), values.map((_, i) => i), 'every row once');
        for (let p = 1; p < order.length; p++) {
          const [a, b] = [values[order[p - 1]], values[order[p]]];
          if (a.toLowerCase() === b.toLowerCase()) assert.ok(order[p - 1] < order[p], `equal "${a}" rows in file order: ${order}`);
        }
      }),
    );
  });

  it('sorts by status with the rows that need attention first', () => {
    const r = modelWith(['v'], [['a'], ['b'], ['c'], ['d']]);
    r.startRun({ type: 'runStarted', runId: 1, total: 4, settings: SETTINGS });
    r.addResults(1, [done(0, '1'), { index: 1, status: 'timeout' }, done(2, '3'), { index: 3, status: 'error', error: { name: 'Error', message: 'x' } }], progress({ total: 4 }));
    assert.deepEqual(shown(viewOf(r, { key: 'status', dir: 'asc' })), [3, 1, 0, 2]);
  });
});

describe('table view: filter', () => {
  it('finds every matching row of 100,000 (any column, case-blind), in file order, and only those', () => {
    const n = 100_000;
    const rows = Array.from({ length: n }, (_, i) => [`/data/sub-${i}/eeg.edf`, i % 7 === 3 ? 'Sleep_Demo' : 'motor', String(i % 1000)]);
    const m = modelWith(['File Path', 'Domain Tag', 'Rate'], rows, 5000);
    const v = viewOf(m, undefined, '  sleep_demo ');
    const expected = rows.map((_, i) => i).filter((i) => i % 7 === 3);
    assert.equal(v.length, expected.length);
    assert.deepEqual(shown(v), expected);
    // A value in one column only; numbers are searched as text.
    assert.deepEqual(shown(viewOf(m, undefined, 'sub-99999/')), [99_999]);
    assert.deepEqual(shown(viewOf(m, undefined, '999')).length, rows.filter((r) => r.some((c) => c.includes('999'))).length);
    assert.equal(viewOf(m, undefined, 'nowhere').length, 0);
  });

  it('searches the Result column too, and says when nothing matches', () => {
    const m = modelWith(['v'], [['a'], ['b'], ['c']]);
    m.startRun({ type: 'runStarted', runId: 1, total: 3, settings: SETTINGS });
    m.addResults(1, [done(0, 'alpha'), done(2, 'GAMMA')], progress({ total: 3 }));
    assert.deepEqual(shown(viewOf(m, undefined, 'gamma')), [2]);
    const none = viewOf(m, undefined, 'zeta');
    assert.equal(none.emptyText(), 'No rows match “zeta”.');
    assert.equal(viewOf(m, undefined, 'alpha').emptyText(), '');
  });

  it('keeps the selection on the same cells when the filter changes the rows around them', () => {
    const m = modelWith(['v', 'w'], [['a', '1'], ['b', '2'], ['a', '3'], ['b', '4']]);
    const v = viewOf(m);
    v.select({ ar: 2, ac: 1, fr: 3, fc: 2 }); // rows 2-3
    v.setFilter('b');
    v.update();
    // Row 3 is now at position 1; row 2 left the view, so the anchor falls back on the focus.
    assert.deepEqual(v.sel, cellSel(1, 2));
    assert.deepEqual(v.selectionToSave(), { focus: { row: 3, col: 'c1' }, anchor: { row: 3, col: 'c1' } });
  });
});

describe('table view: selection', () => {
  const size = { rows: 10, lastCol: 4, pageRows: 3 };
  const start = cellSel(0, 1);
  const at = (s: Sel) => [s.ar, s.ac, s.fr, s.fc];

  it('Shift+arrows extend from the anchor; a plain arrow collapses to one cell', () => {
    let s: Sel | undefined = cellSel(2, 1);
    s = keySelection(s, start, key('ArrowDown', { shift: true }), size)!;
    s = keySelection(s, start, key('ArrowDown', { shift: true }), size)!;
    s = keySelection(s, start, key('ArrowRight', { shift: true }), size)!;
    assert.deepEqual(at(s), [2, 1, 4, 2], 'rows 2-4, columns 1-2');
    s = keySelection(s, start, key('ArrowUp', { shift: true }), size)!;
    assert.deepEqual(at(s), [2, 1, 3, 2]);
    s = keySelection(s, start, key('ArrowDown'), size)!;
    assert.deepEqual(at(s), [4, 2, 4, 2]);
  });

  it('Ctrl+Shift+End/arrows extend to the edge; moves stop at the edges and never select the row number', () => {
    const s = keySelection(cellSel(3, 2), start, key('End', { mod: true, shift: true }), size)!;
    assert.deepEqual(at(s), [3, 2, 9, 2]);
    assert.deepEqual(at(keySelection(cellSel(3, 2), start, key('ArrowRight', { mod: true, shift: true }), size)!), [3, 2, 3, 4]);
    assert.deepEqual(at(keySelection(cellSel(9, 4), start, key('ArrowDown'), size)!), [9, 4, 9, 4]);
    assert.deepEqual(at(keySelection(cellSel(0, 1), start, key('ArrowLeft'), size)!), [0, 1, 0, 1]);
    assert.deepEqual(at(keySelection(cellSel(8, 1), start, key('PageDown'), size)!), [9, 1, 9, 1]);
    assert.deepEqual(at(keySelection(cellSel(5, 3), start, key('Home'), size)!), [5, 1, 5, 1]);
  });

  it('starts at the first visible cell when nothing is selected, even with Shift', () => {
    assert.deepEqual(at(keySelection(null, cellSel(6, 1), key('ArrowDown', { shift: true }), size)!), [7, 1, 7, 1]);
  });

  it('Escape collapses a range to its focused cell; keys that do not move leave it', () => {
    assert.deepEqual(at(keySelection({ ar: 1, ac: 1, fr: 4, fc: 3 }, start, key('Escape'), size)!), [4, 3, 4, 3]);
    assert.equal(keySelection(cellSel(1, 1), start, key('Escape'), size), undefined);
    assert.equal(keySelection(cellSel(1, 1), start, key('x'), size), undefined);
    assert.equal(keySelection(cellSel(1, 1), start, key('ArrowDown'), { ...size, rows: 0 }), undefined);
  });

  it('Shift+click extends to the clicked cell; a click on the row number takes whole rows', () => {
    let s = clickSelection(null, 2, 3, true, 4);
    assert.deepEqual(at(s), [2, 3, 2, 3], 'Shift+click with nothing selected selects that cell');
    s = clickSelection(s, 6, 1, true, 4);
    assert.deepEqual(at(s), [2, 3, 6, 1]);
    s = clickSelection(s, 5, 0, false, 4);
    assert.deepEqual(at(s), [5, 1, 5, 4], 'row number: the whole row');
    s = clickSelection(s, 8, 0, true, 4);
    assert.deepEqual(at(s), [5, 1, 8, 4], 'Shift+click on a row number: rows 5 to 8');
    assert.deepEqual(at(dragSelection(s, 9, 2)!), [5, 1, 9, 2]);
    assert.deepEqual(at(dragSelection(s, 9, 0)!), [5, 1, 9, 4], 'dragging over row numbers keeps the column');
    assert.equal(dragSelection(s, 8, 4), undefined);
    assert.deepEqual(at(selectAll(10, 4)!), [0, 1, 9, 4]);
    assert.equal(selectAll(0, 4), null);
  });
});

describe('table view: copy as TSV', () => {
  it('quotes cells with a tab, a line break or a quote, doubling the quotes, as spreadsheets read them', () => {
    const cells = [
      ['plain', 'tab\there', 'two\nlines'],
      ['say "hi"', 'cr\r\nlf', ''],
    ];
    assert.equal(toTsv(cells), 'plain\t"tab\there"\t"two\nlines"\n"say ""hi"""\t"cr\r\nlf"\t');
  });

  it('gives back the same cells when the TSV is read as TSV (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '\t', '\n', '"', ',', 'é', '↵'), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 5 }), (rows) => {
        // A row of only empty cells has no text to read back: keep one non-empty cell per row.
        const data = rows.map((r) => (r.join('') === '' ? ['x', ...r.slice(1)] : r));
        const back = parse(toTsv(data), { delimiter: '\t', relax_column_count: true, record_delimiter: '\n' });
        assert.deepEqual(back, data);
      }),
    );
  });

  it('copies the selected block in view order, with the full values', () => {
    const m = modelWith(['Name', 'Note'], [['b', 'one\ttab'], ['a', 'line\nbreak'], ['c', 'say "x"']]);
    const v = viewOf(m, { key: 'c0', dir: 'asc' }); // a, b, c
    assert.equal(selectionTsv(m, v), undefined, 'nothing selected: nothing to copy');
    v.select({ ar: 0, ac: 1, fr: 2, fc: 2 });
    assert.equal(selectionTsv(m, v), 'a\t"line\nbreak"\nb\t"one\ttab"\nc\t"say ""x"""');
    v.select(cellSel(1, 2));
    assert.equal(selectionTsv(m, v), '"one\ttab"');
  });

  it('a result the view holds only the start of is left for the extension to fill in whole', () => {
    const m = modelWith(['Name'], [['a'], ['b'], ['c']]);
    m.addResults(1, [done(0, 'short'), { index: 1, status: 'done', text: 'x'.repeat(1000), fullLength: 21_300 }], progress({ total: 3 }));
    const v = viewOf(m);
    const result = v.cols.findIndex((c) => c.key === 'result');
    const name = v.cols.findIndex((c) => c.key === 'c0');
    assert.ok(result > 0 && name > 0, `a Result and a Name column: ${v.cols.map((c) => c.key)}`);
    const [from, to] = [Math.min(result, name), Math.max(result, name)];
    v.select({ ar: 0, ac: from, fr: 2, fc: to });
    const cells = selectionCells(m, v)!;
    assert.deepEqual(cells.map((r) => r[name - from]), ['a', 'b', 'c']);
    assert.deepEqual(cells.map((r) => r[result - from]), ['short', { resultOf: 1 }, '']);
    assert.ok(holdsPartialResults(cells));
    assert.equal(selectionTsv(m, v)!.split('\n')[1].split('\t')[result - from], 'x'.repeat(1000), "the page's own text has the start");
    v.select({ ar: 0, ac: from, fr: 0, fc: to });
    assert.ok(!holdsPartialResults(selectionCells(m, v)!), 'a block of whole values is copied by the page itself');
  });
});
