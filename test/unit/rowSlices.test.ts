// Locator rows on their way to the webview: whatever the rows and however they are sliced, the
// webview gets back exactly the cells that were sent, and an EEGUnity locator's repeated columns
// travel once per value.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { RowSliceDecoder, RowSliceEncoder, type ColumnSlice } from '../../src/shared/rowSlices';

/** Sends `rows` through a fresh encoder and decoder in slices of `size`; returns what arrived and what was sent. */
function roundTrip(rows: string[][], columnCount: number, size: number): { got: string[][]; sent: ColumnSlice[][] } {
  const enc = new RowSliceEncoder();
  const dec = new RowSliceDecoder();
  const got: string[][] = [];
  const sent: ColumnSlice[][] = [];
  for (let start = 0; start < rows.length; start += size) {
    const slice = rows.slice(start, start + size);
    // Through JSON, as postMessage carries it.
    const cells = Array.from({ length: columnCount }, (_, c) => slice.map((r) => r[c]));
    const columns = JSON.parse(JSON.stringify(enc.encode(cells))) as ColumnSlice[];
    sent.push(columns);
    got.push(...dec.decode(columns, slice.length));
  }
  return { got, sent };
}

const CHANNELS = 'Fz, FC3, FC1, FCz, FC2, FC4, C5, C3, C1, Cz, C2, C4, C6, CP3, CP1, CPz, CP2, CP4, P1, POz, Pz, P2, EOG-left, EOG-central, EOG-right';

/** Rows shaped like an EEGUnity locator of one dataset (bench/vscode.js makes the same). */
function eegRows(n: number): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const s = String(i).padStart(6, '0');
    rows.push([
      `/data/eegunity/bcic_iv_2a/sub-${s}/A${s}E_raw.fif`,
      'bcic_iv_2a',
      'standard_data',
      `(25, ${600000 + ((i * 7919) % 100000)})`,
      CHANNELS,
      '25',
      '250.0',
      (2400 + ((i * 31) % 400)).toFixed(3),
      i % 50 === 0 ? 'Unavailable' : 'Completed',
    ]);
  }
  return rows;
}

describe('row slices to the webview', () => {
  it('any rows, any slice size: the webview gets every cell back, in place', () => {
    // Cells from a small alphabet repeat (coded columns); longer ones mostly do not (plain columns).
    const cell = fc.oneof(fc.constantFrom('', 'a', 'b', 'Completed', '<img src=x>', 'é"\n,'), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }).chain((cols) =>
          fc.tuple(fc.constant(cols), fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { maxLength: 60 }), fc.integer({ min: 1, max: 25 })),
        ),
        ([cols, rows, size]) => {
          assert.deepEqual(roundTrip(rows, cols, size).got, rows);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an EEGUnity locator: repeated columns sent once per value, unique ones as cells; under half the bytes', () => {
    const rows = eegRows(10_000);
    const { got, sent } = roundTrip(rows, 9, 2000);
    assert.deepEqual(got, rows);
    const first = sent[0];
    const coded = first.map((c) => 'codes' in c);
    // File Path and Data Shape vary; the rest repeat (Duration takes 400 values).
    assert.deepEqual(coded, [false, true, true, false, true, true, true, true, true]);
    // Channel Names: its one value in the first slice, nothing added after.
    assert.deepEqual(
      sent.map((s) => ('added' in s[4] ? s[4].added : undefined)),
      [[CHANNELS], [], [], [], []],
    );
    const plainBytes = JSON.stringify(rows).length;
    const codedBytes = sent.reduce((n, s) => n + JSON.stringify(s).length, 0);
    assert.ok(codedBytes * 2 < plainBytes, `${codedBytes} bytes coded against ${plainBytes} as plain rows`);
  });

  it('a coded column whose values stop repeating is sent as cells from then on, and nothing is lost', () => {
    const rows: string[][] = [];
    for (let i = 0; i < 80; i++) rows.push(['same', `tag${i % 2}`]); // both columns coded
    for (let i = 0; i < 70_000; i++) rows.push(['same', `unique-${i}`]); // column 1 outgrows its list
    for (let i = 0; i < 80; i++) rows.push(['same', `tag${i % 2}`]);
    const { got, sent } = roundTrip(rows, 2, 80);
    assert.deepEqual(got, rows);
    const kinds = sent.map((slice) => slice.map((c) => ('codes' in c ? 'coded' : 'cells')).join(' '));
    const switched = kinds.indexOf('coded cells');
    // Coded while the list stays within its limit (65,536 values), plain from the slice that would
    // pass it on; the column that repeats stays coded throughout.
    assert.ok(switched > 800, `switched at slice ${switched}`);
    assert.deepEqual(kinds.slice(0, switched), new Array(switched).fill('coded coded'));
    assert.deepEqual(kinds.slice(switched), new Array(kinds.length - switched).fill('coded cells'));
  });
});
