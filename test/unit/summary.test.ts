// The words a run ends with, the same in the editor, the notification, the Output channel and the
// command line: every outcome a row had, none it did not, counted as people read numbers.
import { strict as assert } from 'node:assert';
import { countsText, duration, endText } from '../../src/shared/summary';

const none = { done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0 };

describe('run summary', () => {
  it('names only the outcomes some row had (done always), errors in the plural when more than one', () => {
    assert.equal(countsText({ ...none, done: 21 }), '21 done');
    assert.equal(countsText({ ...none, done: 22, error: 1 }), '22 done, 1 error');
    assert.equal(countsText({ done: 3, skipped: 2, error: 2, timeout: 1, cancelled: 17 }), '3 done, 2 errors, 1 timed out, 2 skipped, 17 cancelled');
    assert.equal(countsText({ ...none, cancelled: 5 }), '0 done, 5 cancelled');
  });

  it('groups thousands and says how the run ended and how long it took', () => {
    const big = countsText({ ...none, done: 99_000, error: 1_000 });
    assert.match(big, /^99.000 done, 1.000 errors$/); // the separator is the locale's
    assert.equal(endText('finished', { ...none, done: 21 }, 228), 'Finished: 21 done in 228 ms');
    assert.equal(endText('cancelled', { ...none, done: 4, cancelled: 19 }, 3_400), 'Cancelled: 4 done, 19 cancelled in 3.4 s');
    assert.equal(endText('stopped', { ...none, done: 4, error: 1 }, 65_000), 'Stopped at the first error: 4 done, 1 error in 1:05');
  });

  it('durations: milliseconds, seconds, then minutes and hours', () => {
    assert.deepEqual([850, 3_200, 45_000, 245_000, 3_723_000].map(duration), ['850 ms', '3.2 s', '45 s', '4:05', '1:02:03']);
  });
});
