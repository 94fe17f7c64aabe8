// What a table cell shows on its one line (src/webview/table/cellText.ts): a line break in a value
// is marked with ↵ where it is (one mark per break, whatever the line ending), everything else as is.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { LINE_BREAK_MARK, cellDisplayText } from '../../src/webview/table/cellText';

describe('cell display text', () => {
  it('marks each line break with ↵ where it is', () => {
    assert.equal(LINE_BREAK_MARK, '↵');
    assert.equal(cellDisplayText('Eyes closed.\nSubject moved'), 'Eyes closed.↵Subject moved');
    assert.equal(cellDisplayText('a\n\nb'), 'a↵↵b', 'an empty line between: two marks');
    assert.equal(cellDisplayText('trailing\n'), 'trailing↵');
  });

  it('counts a Windows (\\r\\n) or old Mac (\\r) line ending as one break', () => {
    assert.equal(cellDisplayText('one\r\ntwo\rthree\nfour'), 'one↵two↵three↵four');
  });

  it('leaves a value without a line break as it is (tabs and spaces too)', () => {
    for (const v of ['', 'plain', '  spaced  ', 'tab\there', '<b>x</b>', '37°36\'37.8"N']) assert.equal(cellDisplayText(v), v);
  });

  it('has no line break left and the same lines, for any value (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\t', 'é') }), (v) => {
        const shown = cellDisplayText(v);
        assert.ok(!/[\r\n]/.test(shown), JSON.stringify(shown));
        assert.deepEqual(shown.split(LINE_BREAK_MARK), v.split(/\r\n|\r|\n/));
      }),
    );
  });
});
