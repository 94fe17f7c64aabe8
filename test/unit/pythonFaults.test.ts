// Faults a user meets with a .py apply file: a row that raises (its Python line), a worker that
// dies (os._exit, SIGSEGV), a row that never ends (time limit), a result that cannot be stored,
// output printed between rows, Cancel, and the stop policy.
import { strict as assert } from 'node:assert';
import * as path from 'path';
import type { Mode } from '../../src/core/types';
import { endIdlePythonWorkers } from '../../src/core/python/pythonPool';
import { useTempDir, writeFixture } from './helpers';
import { loadPy, runPy } from './pythonHelpers';

const ids = (n: number) => 'id,ms\n' + Array.from({ length: n }, (_, i) => `r${i},0`).join('\n') + '\n';

describe('Python apply files: faults', function () {
  this.timeout(120_000);
  const tmp = useTempDir('py-faults');
  after(() => endIdlePythonWorkers());

  it('a row that raises fails alone: its Python exception, traceback and the line in the user\'s own module', async () => {
    writeFixture(tmp(), 'raise/helpers.py', 'def check(row):\n    if row.name == 3:\n        raise ValueError("bad row %d" % row.name)\n    return row["id"]\n');
    const file = writeFixture(tmp(), 'raise/step.py', 'from helpers import check\n\ndef apply(row):\n    return check(row)\n');
    const locator = writeFixture(tmp(), 'raise/rec.csv', ids(6));
    for (const mode of ['sequential', 'async', 'process'] as Mode[]) {
      const { out } = await runPy(await loadPy(file), locator, { mode, keepWorkersMs: 30_000 });
      const bad = out.records[3];
      assert.equal(bad.status, 'error', mode);
      assert.equal(bad.error?.name, 'ValueError');
      assert.equal(bad.error?.message, 'bad row 3');
      assert.equal(bad.error?.phase, 'apply');
      assert.deepEqual(bad.error?.location, { file: path.join(tmp(), 'raise', 'helpers.py'), line: 3, column: 9 });
      assert.match(bad.error!.stack!, /File ".*step\.py", line 4, in apply[\s\S]*File ".*helpers\.py", line 3, in check/);
      assert.doesNotMatch(bad.error!.stack!, /locator_batch_worker/, 'the worker\'s own frames are left out');
      assert.deepEqual(out.records.filter((r) => r.index !== 3).map((r) => r.value), ['r0', 'r1', 'r2', 'r4', 'r5']);
    }
  });

  for (const [what, code, expected] of [
    ['os._exit(3)', 'import os; os._exit(3)', /worker exited with code 3/],
    ['a segfault', 'import os, signal; os.kill(os.getpid(), signal.SIGSEGV)', /worker exited with signal SIGSEGV/],
  ] as const) {
    for (const mode of ['process', 'sequential'] as Mode[]) {
      it(`${mode} mode: ${what} fails that row alone and the worker is replaced`, async () => {
        const file = writeFixture(tmp(), `exit-${mode}-${code.length}.py`, `def apply(row):\n    if row.name == 5:\n        ${code}\n    return row['id']\n`);
        const locator = writeFixture(tmp(), 'exit.csv', ids(12));
        const { out } = await runPy(await loadPy(file), locator, { mode, workers: 2 });
        assert.equal(out.endedBy, 'finished');
        assert.equal(out.records[5].status, 'error');
        assert.match(out.records[5].error!.message, expected);
        assert.equal(out.records[5].error?.phase, 'worker');
        if (code.includes('_exit')) assert.equal(out.records[5].error?.code, 3);
        assert.deepEqual(out.counts, { total: 12, done: 11, skipped: 0, error: 1, timeout: 0, cancelled: 0 });
        assert.deepEqual(out.records.filter((r) => r.index !== 5).map((r) => r.value), [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11].map((i) => `r${i}`));
      });
    }
  }

  for (const mode of ['process', 'async', 'sequential'] as Mode[]) {
    it(`${mode} mode: a row in an endless loop times out, its worker is killed and replaced, the others finish`, async () => {
      const file = writeFixture(tmp(), `loop-${mode}.py`, 'def apply(row):\n    while row.name == 2:\n        pass\n    return row["id"]\n');
      const locator = writeFixture(tmp(), 'loop.csv', ids(8));
      const started = Date.now();
      const { out } = await runPy(await loadPy(file), locator, { mode, workers: 2, timeoutMs: 1500 });
      assert.equal(out.records[2].status, 'timeout');
      assert.match(out.records[2].error!.message, /longer than 1500 ms/);
      assert.deepEqual(out.records.filter((r) => r.index !== 2).map((r) => r.value), [0, 1, 3, 4, 5, 6, 7].map((i) => `r${i}`));
      assert.ok(Date.now() - started < 30_000);
    });
  }

  it('a result that cannot be stored fails its row with what and where; numpy, NaN, ±inf, Timestamps, None and Series are stored', async () => {
    const file = writeFixture(
      tmp(),
      'encode.py',
      [
        'import numpy as np, pandas as pd',
        'def apply(row):',
        '    k = row.name',
        '    if k == 0: return object()',
        "    if k == 1: return {'a': [1, complex(1, 2)]}",
        "    if k == 2: return {'n': np.int64(7), 'f': np.float32(0.5), 'b': np.bool_(True), 'arr': np.array([[1.5, np.nan], [np.inf, -np.inf]])}",
        "    if k == 3: return [float('nan'), pd.Timestamp('2024-01-02 03:04:05'), None, pd.NaT, (1, 2)]",
        "    if k == 4: return pd.Series({'x': 1, 'y': 'two'})",
        '    if k == 5: return None',
        '    return float("inf")',
      ].join('\n') + '\n',
    );
    const locator = writeFixture(tmp(), 'encode.csv', ids(7));
    const { out } = await runPy(await loadPy(file), locator, { mode: 'process', workers: 2 });
    assert.equal(out.records[0].status, 'error');
    assert.equal(out.records[0].error?.phase, 'result');
    assert.match(out.records[0].error!.message, /result is a object, which cannot be stored/);
    assert.match(out.records[1].error!.message, /result\['a'\]\[1\] is a complex number/);
    assert.deepEqual(out.records[2].value, { n: 7, f: 0.5, b: true, arr: [[1.5, NaN], [Infinity, -Infinity]] });
    assert.deepEqual(out.records[3].value, [NaN, '2024-01-02T03:04:05', null, null, [1, 2]]);
    assert.deepEqual(out.records[4].value, { x: 1, y: 'two' });
    assert.equal(out.records[5].status, 'done');
    assert.ok(!('value' in out.records[5]), 'None is no result');
    assert.equal(out.records[6].value, Infinity);
  });

  it('prints on stdout and stderr between and inside rows (Python, logging and fd 1) leave results intact and reach the output tagged with their row', async () => {
    const file = writeFixture(
      tmp(),
      'noisy.py',
      [
        'import logging, os, sys',
        "print('loading the module')",
        'def apply(row):',
        "    print('{\"op\": \"rows\", \"c\": 1, \"r\": []}')  # looks like the protocol",
        "    print('row', row.name, 'half', end='')",
        "    print(' done')",
        "    sys.stderr.write('warning for %d\\n' % row.name)",
        "    logging.getLogger('mne').warning('logged %d', row.name)",
        "    os.write(1, b'straight to fd 1\\n')",
        '    return row.name * 10',
      ].join('\n') + '\n',
    );
    const locator = writeFixture(tmp(), 'noisy.csv', ids(30));
    for (const mode of ['sequential', 'async', 'process'] as Mode[]) {
      const { out, output } = await runPy(await loadPy(file), locator, { mode, workers: 3 });
      assert.deepEqual(out.records.map((r) => r.value), Array.from({ length: 30 }, (_, i) => i * 10), mode);
      for (const i of [0, 17, 29]) {
        assert.ok(output.some((o) => o.index === i && o.stream === 'stdout' && o.text === `row ${i} half done\n`), `row ${i}'s line whole, tagged (${mode})`);
        assert.ok(output.some((o) => o.index === i && o.stream === 'stderr' && o.text === `warning for ${i}\n`));
        assert.ok(output.some((o) => o.index === i && o.stream === 'stderr' && o.text.includes(`logged ${i}`)));
      }
      assert.ok(output.some((o) => o.index === undefined && o.text === 'loading the module\n'), 'import-time output, no row');
      const raw = output.filter((o) => o.text.includes('straight to fd 1')).map((o) => o.text).join('');
      assert.equal(raw.split('straight to fd 1').length - 1, 30, 'every write to fd 1 arrives');
    }
  });

  it('Cancel ends the rows in flight within a second and keeps the finished ones', async () => {
    const file = writeFixture(tmp(), 'slow.py', 'import time\ndef apply(row):\n    time.sleep(0.05 if row.name < 6 else 30)\n    return row.name\n');
    const locator = writeFixture(tmp(), 'slow.csv', ids(40));
    for (const mode of ['process', 'async'] as Mode[]) {
      const cancel = new AbortController();
      let cancelledAt = 0;
      const done: number[] = [];
      const { out } = await runPy(await loadPy(file), locator, {
        mode,
        workers: 2,
        signal: cancel.signal,
        onRow: (r) => {
          if (r.status === 'done') done.push(r.index);
          if (done.length === 4 && !cancelledAt) setTimeout(() => ((cancelledAt = Date.now()), cancel.abort()), 300);
        },
      });
      const took = Date.now() - cancelledAt;
      assert.ok(took < 1000, `ended ${took} ms after Cancel (${mode})`);
      assert.equal(out.endedBy, 'cancelled');
      for (const i of done) assert.deepEqual([out.records[i].status, out.records[i].value], ['done', i]);
      assert.ok(out.counts.done >= 4 && out.counts.cancelled >= 30, JSON.stringify(out.counts));
    }
  });

  it('the stop policy: after the first failing row no new row starts; finished rows are kept', async () => {
    const file = writeFixture(tmp(), 'stop.py', 'def apply(row):\n    if row.name == 3:\n        raise RuntimeError("stop here")\n    return row.name\n');
    const locator = writeFixture(tmp(), 'stop.csv', ids(200));
    const { out } = await runPy(await loadPy(file), locator, { mode: 'sequential', onError: 'stop' });
    assert.equal(out.endedBy, 'stopped');
    assert.deepEqual(out.records.slice(0, 4).map((r) => r.status), ['done', 'done', 'done', 'error']);
    assert.ok(out.counts.cancelled > 100, JSON.stringify(out.counts));
  });
});
