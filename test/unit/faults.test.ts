// One test per fault a user meets: a worker that dies, a row that hangs, Cancel, the stop policy,
// the journal (resume after a crash or cancel), and results that cannot cross a process boundary.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, rmSync, existsSync } from 'fs';
import * as path from 'path';
import { readJournal } from '../../src/core/journal';
import type { Mode, Row, RowRecord } from '../../src/core/types';
import { applyFixture, essence, linesOf, liveWorkerPids, rowsOf, run, sleep, useTempDir } from './helpers';

const ALL_MODES: Mode[] = ['sequential', 'async', 'process'];
const ids = (n: number, special: Record<number, string> = {}): Row[] => rowsOf(n, (i) => ({ id: special[i] ?? `r${i}` }));

describe('faults', function () {
  this.timeout(30000);
  const tmp = useTempDir('faults');

  afterEach(() => {
    // No test may leave a worker process behind.
    assert.deepEqual(liveWorkerPids(), [], 'worker processes left running after the test');
  });

  describe('a worker that dies', () => {
    const APPLY = `
exports.apply = (row) => {
  if (row.id === 'crash') process.exit(7);
  if (row.id === 'timer') return new Promise(() => { setTimeout(() => { throw new Error('boom in a timer'); }, 5); });
  return row.id;
};`;

    for (const flush of [false, true]) {
      it(`process mode: process.exit(7) fails that row alone with exit code 7, the run goes on${flush ? ' (rows streamed one by one)' : ''}`, async () => {
        const loaded = await applyFixture(tmp(), `crash-${flush}.cjs`, APPLY);
        // A time limit makes the worker report each row as it finishes: the other path of the backend.
        const out = await run(loaded, ids(12, { 4: 'crash' }), { mode: 'process', workers: 2, timeoutMs: flush ? 20000 : 0 });
        assert.equal(out.endedBy, 'finished');
        const crashed = out.records[4];
        assert.equal(crashed.status, 'error');
        assert.equal(crashed.error?.code, 7);
        assert.match(crashed.error!.message, /exit code 7/);
        assert.equal(crashed.error?.phase, 'worker');
        for (const rec of out.records.filter((r) => r.index !== 4)) assert.deepEqual(essence(rec), { index: rec.index, status: 'done', value: `r${rec.index}` });
        assert.deepEqual(out.counts, { total: 12, done: 11, skipped: 0, error: 1, timeout: 0, cancelled: 0 });
      });
    }

    for (const mode of ['sequential', 'async'] as Mode[]) {
      it(`${mode} mode: process.exit(7) in apply fails that row alone and the host lives on`, async () => {
        const loaded = await applyFixture(tmp(), `crash-${mode}.cjs`, APPLY);
        const out = await run(loaded, ids(8, { 4: 'crash' }), { mode, workers: 3 });
        assert.equal(out.endedBy, 'finished');
        assert.equal(out.records[4].status, 'error');
        assert.match(out.records[4].error!.message, /process\.exit\(7\)/);
        assert.deepEqual(
          out.records.filter((r) => r.index !== 4).map((r) => r.status),
          Array(7).fill('done'),
        );
        assert.equal(typeof process.exit, 'function');
        assert.ok(!/was failed instead/.test(String(process.exit)), 'process.exit was not restored after the run');
      });
    }

    it('two in-process runs that overlap keep process.exit guarded until the last one ends, then restore it', async () => {
      const original = process.exit;
      const loaded = await applyFixture(
        tmp(),
        'overlap.cjs',
        `exports.apply = async (row) => {
  await new Promise((r) => setTimeout(r, Number(row.ms)));
  return String(process.exit).includes('would end the host') ? 'guarded' : 'UNGUARDED';
};`,
      );
      try {
        // A ends first; B still has a row running after that.
        const a = run(loaded, [{ ms: '10' }], { mode: 'async' });
        const b = run(loaded, [{ ms: '10' }, { ms: '150' }], { mode: 'sequential' });
        const [ra, rb] = await Promise.all([a, b]);
        assert.deepEqual(
          [...ra.records, ...rb.records].map((r) => r.value),
          ['guarded', 'guarded', 'guarded'],
        );
        assert.equal(process.exit, original, 'process.exit was left patched');
      } finally {
        process.exit = original;
      }
    });

    it('process mode: an uncaught exception in a timer kills the worker; only that row fails', async () => {
      const loaded = await applyFixture(tmp(), 'timer.cjs', APPLY);
      const out = await run(loaded, ids(10, { 6: 'timer' }), { mode: 'process', workers: 2 });
      assert.equal(out.endedBy, 'finished');
      assert.equal(out.records[6].status, 'error');
      assert.match(out.records[6].error!.message, /worker process running this row exited/);
      assert.deepEqual(
        out.records.filter((r) => r.index !== 6).map((r) => [r.status, r.value]),
        out.records.filter((r) => r.index !== 6).map((r) => ['done', `r${r.index}`]),
      );
    });
  });

  describe('per-row time limit', () => {
    it('process mode: an endless synchronous loop is a timeout, its worker is replaced, the other rows finish', async () => {
      const loaded = await applyFixture(
        tmp(),
        'loop.cjs',
        `exports.apply = (row) => { if (row.id === 'loop') { for (;;) {} } return process.pid; };`,
      );
      const started = Date.now();
      const out = await run(loaded, ids(7, { 3: 'loop' }), { mode: 'process', workers: 1, timeoutMs: 500 });
      assert.equal(out.endedBy, 'finished');
      assert.equal(out.records[3].status, 'timeout');
      assert.match(out.records[3].error!.message, /500 ms/);
      const pids = out.records.map((r) => r.value);
      assert.deepEqual(
        out.records.filter((r) => r.index !== 3).map((r) => r.status),
        Array(6).fill('done'),
      );
      // One worker: rows before the loop ran in one process, rows after it in its replacement.
      assert.equal(new Set([pids[0], pids[1], pids[2]]).size, 1);
      assert.equal(new Set([pids[4], pids[5], pids[6]]).size, 1);
      assert.notEqual(pids[4], pids[0], 'the looping worker was not replaced');
      assert.throws(() => process.kill(pids[0] as number, 0), /ESRCH/, 'the looping worker is still alive');
      assert.ok(Date.now() - started < 15000);
    });

    for (const mode of ['async', 'sequential'] as Mode[]) {
      it(`${mode} mode: an awaited promise that never settles is a timeout; the other rows finish`, async () => {
        const loaded = await applyFixture(
          tmp(),
          `hang-${mode}.cjs`,
          `exports.apply = async (row) => { if (row.id === 'hang') await new Promise(() => {}); return row.id; };`,
        );
        const started = performance.now();
        const out = await run(loaded, ids(6, { 2: 'hang' }), { mode, workers: 2, timeoutMs: 200 });
        assert.equal(out.endedBy, 'finished');
        assert.equal(out.records[2].status, 'timeout');
        assert.match(out.records[2].error!.message, /200 ms/);
        assert.deepEqual(
          out.records.filter((r) => r.index !== 2).map((r) => [r.status, r.value]),
          [0, 1, 3, 4, 5].map((i) => ['done', `r${i}`]),
        );
        assert.ok(performance.now() - started < 5000);
      });
    }

    it('sequential mode: a synchronous row that overran is a timeout (its result discarded)', async () => {
      const loaded = await applyFixture(
        tmp(),
        'slow-sync.cjs',
        `exports.apply = (row) => { if (row.id === 'slow') { const end = Date.now() + 150; while (Date.now() < end) {} } return row.id; };`,
      );
      const out = await run(loaded, ids(3, { 1: 'slow' }), { timeoutMs: 50 });
      assert.deepEqual(
        out.records.map((r) => r.status),
        ['done', 'timeout', 'done'],
      );
      assert.equal(out.records[1].value, undefined);
    });
  });

  describe('Cancel (AbortSignal) mid-run', () => {
    for (const mode of ALL_MODES) {
      it(`${mode}: finished rows kept, the rest cancelled, no new rows start, no worker left`, async () => {
        const startLog = path.join(tmp(), `cancel-${mode}.log`);
        const loaded = await applyFixture(
          tmp(),
          `cancel-${mode}.cjs`,
          `const fs = require('fs');
exports.apply = async (row) => {
  fs.appendFileSync(${JSON.stringify(startLog)}, row.id + '\\n');
  await new Promise((r) => setTimeout(r, 25));
  return 'v-' + row.id;
};`,
        );
        const ac = new AbortController();
        const doneBeforeCancel = new Set<number>();
        let startedAtCancel = -1;
        let workersDuringRun: number[] = [];
        let cancelClicked = false;
        const onRow = (rec: RowRecord) => {
          if (cancelClicked) return;
          if (rec.status === 'done') doneBeforeCancel.add(rec.index);
          if (doneBeforeCancel.size >= 5) {
            cancelClicked = true;
            workersDuringRun = liveWorkerPids();
            // As a click on Cancel: from the event loop, not from inside the run's own callback.
            setImmediate(() => {
              startedAtCancel = linesOf(startLog).length;
              ac.abort();
            });
          }
        };
        const rows = ids(60);
        const out = await run(loaded, rows, { mode, workers: 2, signal: ac.signal, onRow });

        assert.equal(out.endedBy, 'cancelled');
        assert.ok(doneBeforeCancel.size >= 5);
        for (const i of doneBeforeCancel) assert.deepEqual(essence(out.records[i]), { index: i, status: 'done', value: `v-r${i}` });
        for (const rec of out.records) {
          assert.ok(rec.status === 'done' || rec.status === 'cancelled', `row ${rec.index} is ${rec.status}`);
          if (rec.status === 'done') assert.equal(rec.value, `v-r${rec.index}`);
        }
        assert.ok(out.counts.cancelled > 0);
        assert.equal(out.counts.done + out.counts.cancelled, 60);
        const startedAtEnd = linesOf(startLog).length;
        if (mode === 'process') {
          // A worker may have begun its next row before the kill reached it: at most one per worker.
          assert.ok(startedAtEnd <= startedAtCancel + 2, `${startedAtEnd - startedAtCancel} rows started after Cancel`);
          assert.equal(workersDuringRun.length, 2, 'the check for live workers should see them during the run');
        } else {
          assert.equal(startedAtEnd, startedAtCancel, 'rows started after Cancel');
        }
        assert.deepEqual(liveWorkerPids(), []);
      });
    }

    it('async mode: Cancel lands while apply returns promises that settle at once (no I/O to wait for)', async () => {
      // Rows settling from microtasks once kept starting new rows without ever giving timers a turn.
      const loaded = await applyFixture(
        tmp(),
        'busy-async.cjs',
        `exports.apply = async () => { const end = performance.now() + 1; while (performance.now() < end); return 1; };`,
      );
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 100);
      const out = await run(loaded, ids(2000), { mode: 'async', workers: 8, signal: controller.signal });
      clearTimeout(timer);
      assert.equal(out.endedBy, 'cancelled');
      assert.ok(out.counts.cancelled > 1000, `most rows never started (${out.counts.cancelled} cancelled)`);
      assert.ok(out.counts.done > 0, 'rows before the cancel finished');
    });

    it('a signal that is already aborted runs nothing', async () => {
      const loaded = await applyFixture(tmp(), 'pre-aborted.cjs', `exports.apply = () => { throw new Error('ran'); };`);
      for (const mode of ALL_MODES) {
        const out = await run(loaded, ids(5), { mode, signal: AbortSignal.abort() });
        assert.equal(out.endedBy, 'cancelled');
        assert.deepEqual(
          out.records.map((r) => r.status),
          Array(5).fill('cancelled'),
        );
      }
    });
  });

  describe("onError 'stop'", () => {
    for (const mode of ALL_MODES) {
      it(`${mode}: no new row starts after the first error; finished results kept; endedBy 'stopped'`, async () => {
        const startLog = path.join(tmp(), `stop-${mode}.log`);
        const loaded = await applyFixture(
          tmp(),
          `stop-${mode}.cjs`,
          `const fs = require('fs');
exports.apply = async (row) => {
  fs.appendFileSync(${JSON.stringify(startLog)}, row.id + '\\n');
  await new Promise((r) => setTimeout(r, 100));
  if (row.id === 'r3') throw new Error('first failure');
  return 'v-' + row.id;
};`,
        );
        let startedAtError = -1;
        const reportedDone = new Set<number>();
        const onRow = (rec: RowRecord) => {
          if (rec.status === 'done') reportedDone.add(rec.index);
          if (rec.status === 'error' && startedAtError < 0) startedAtError = linesOf(startLog).length;
        };
        const workers = 2;
        const out = await run(loaded, ids(40), { mode, workers, onError: 'stop', onRow });

        assert.equal(out.endedBy, 'stopped');
        assert.deepEqual(essence(out.records[3]), { index: 3, status: 'error', error: 'first failure' });
        for (const i of reportedDone) assert.deepEqual(essence(out.records[i]), { index: i, status: 'done', value: `v-r${i}` });
        const statuses = new Set(out.records.map((r) => r.status));
        assert.ok([...statuses].every((s) => s === 'done' || s === 'error' || s === 'cancelled'), [...statuses].join());
        assert.ok(out.counts.cancelled >= 30, `only ${out.counts.cancelled} rows cancelled`);
        const startedAtEnd = linesOf(startLog).length;
        if (mode === 'sequential') {
          assert.deepEqual(linesOf(startLog), ['r0', 'r1', 'r2', 'r3']);
          assert.deepEqual(
            out.records.map((r) => r.status),
            [...Array(3).fill('done'), 'error', ...Array(36).fill('cancelled')],
          );
        } else if (mode === 'async') {
          assert.equal(startedAtEnd, startedAtError, 'rows started after the first error');
        } else {
          // A worker goes on to the next row of its chunk until the host, told of the error, kills
          // it (one message and a kill, well under a 100 ms row): at most one row per worker.
          assert.ok(startedAtEnd <= startedAtError + workers, `${startedAtEnd - startedAtError} rows started after the error`);
        }
      });
    }
  });

  describe('journal', () => {
    it('records are appended while the run goes, and read back as the run returned them', async () => {
      const journal = path.join(tmp(), 'live', 'run.jsonl');
      const loaded = await applyFixture(
        tmp(),
        'journal-live.cjs',
        `exports.apply = async (row) => { await new Promise((r) => setTimeout(r, 40)); return row.id === 'r3' ? [NaN, Infinity, -Infinity, -0, 0] : row.id; };`,
      );
      let finished = false;
      const running = run(loaded, ids(20), { journalPath: journal }).then((out) => {
        finished = true;
        return out;
      });
      let seenDuringRun = 0;
      while (!finished) {
        const n = linesOf(journal).length - 1; // minus the header line
        if (n > 0 && !finished) seenDuringRun = Math.max(seenDuringRun, n);
        await sleep(20);
      }
      const out = await running;
      assert.ok(seenDuringRun > 0, 'no record reached the journal before the run ended');
      assert.ok(seenDuringRun < 20, 'the journal only filled at the end');

      const read = await readJournal(journal);
      assert.equal(read.header.journal, 'locator-batch');
      assert.equal(read.header.total, 20);
      assert.equal(read.header.mode, 'sequential');
      assert.equal(read.header.apply, loaded.file);
      assert.equal(read.records.size, 20);
      for (const rec of out.records) assert.deepEqual(essence(read.records.get(rec.index)!), essence(rec));
      assert.deepStrictEqual(read.records.get(3)!.value, [NaN, Infinity, -Infinity, -0, 0]); // -0 stays -0
    });

    it('readJournal ignores a torn last line, but not a broken line in the middle', async () => {
      const journal = path.join(tmp(), 'torn.jsonl');
      const loaded = await applyFixture(tmp(), 'journal-torn.cjs', `exports.apply = (row) => row.id;`);
      await run(loaded, ids(4), { journalPath: journal });
      const full = readFileSync(journal, 'utf8');
      const lines = full.split('\n'); // header, 4 records, ''
      assert.equal(lines.length, 6);
      // The host died halfway through writing the last record.
      writeFileSync(journal, lines.slice(0, 4).join('\n') + '\n' + lines[4].slice(0, Math.floor(lines[4].length / 2)));
      const torn = await readJournal(journal);
      assert.deepEqual([...torn.records.keys()].sort(), [0, 1, 2]);
      // A broken line followed by good ones is damage, not a torn write: say which line.
      writeFileSync(journal, [lines[0], lines[1], '{"index": 1, "sta', lines[3], lines[4], ''].join('\n'));
      await assert.rejects(readJournal(journal), /:3: not valid JSON/);
      writeFileSync(journal, 'File Path,Domain Tag\n');
      await assert.rejects(readJournal(journal), /:1: not a Locator Batch journal/);
    });

    for (const mode of ['sequential', 'process'] as Mode[]) {
      it(`${mode}: resuming with the journal's records runs only the rows that were not done or skipped`, async () => {
        const dir = path.join(tmp(), `resume-${mode}`);
        const calls = path.join(dir, 'calls.log');
        const failFlag = path.join(dir, 'fail-now');
        const loaded = await applyFixture(
          dir,
          'apply.cjs',
          `const fs = require('fs');
exports.condition = (row) => row.pick === 'y';
exports.apply = async (row) => {
  fs.appendFileSync(${JSON.stringify(calls)}, row.id + '\\n');
  if (row.flaky === '1' && fs.existsSync(${JSON.stringify(failFlag)})) throw new Error('flaky ' + row.id);
  if (row.slow === '1') await new Promise((r) => setTimeout(r, 60));
  return 'v-' + row.id;
};`,
        );
        // 30 rows: every 5th skipped, rows 3, 8, 13 fail while the flag exists; rows from 20 on are
        // slow, and the run is cancelled once 12 rows are done.
        const rows = rowsOf(30, (i) => ({
          id: `r${i}`,
          pick: i % 5 === 4 ? 'n' : 'y',
          flaky: [3, 8, 13].includes(i) ? '1' : '0',
          slow: i >= 20 ? '1' : '0',
        }));
        writeFileSync(failFlag, '');
        const journal = path.join(dir, 'run.jsonl');
        const ac = new AbortController();
        let done = 0;
        let failed = 0;
        const first = await run(loaded, rows, {
          mode,
          workers: 2,
          journalPath: journal,
          signal: ac.signal,
          onRow: (rec) => {
            if (rec.status === 'done') done++;
            if (rec.status === 'error') failed++;
            // Rows finish out of order in process mode (two workers): wait for the three failures too.
            if (done >= 12 && failed === 3 && !ac.signal.aborted) setImmediate(() => ac.abort());
          },
        });
        assert.equal(first.endedBy, 'cancelled');
        assert.deepEqual(
          [3, 8, 13].map((i) => first.records[i].status),
          ['error', 'error', 'error'],
        );
        const previous = (await readJournal(journal)).records;
        assert.deepEqual(
          [...previous.values()].sort((a, b) => a.index - b.index).map(essence),
          first.records.map(essence),
        );
        const toRerun = first.records.filter((r) => r.status !== 'done' && r.status !== 'skipped').map((r) => r.index);
        assert.ok(toRerun.length > 3, 'the cancel left some rows to resume');

        rmSync(failFlag);
        const callsBefore = linesOf(calls).length;
        const second = await run(loaded, rows, { mode, workers: 2, previous: previous.values() });
        assert.equal(second.endedBy, 'finished');
        const rerun = linesOf(calls).slice(callsBefore);
        assert.deepEqual(rerun.sort(), toRerun.map((i) => `r${i}`).filter((id) => rows[Number(id.slice(1))].pick === 'y').sort());
        for (const rec of second.records) {
          const before = first.records[rec.index];
          if (before.status === 'done' || before.status === 'skipped') {
            assert.equal(rec.reused, true, `row ${rec.index} was not taken from the journal`);
            assert.deepEqual(essence(rec), essence(before));
          } else {
            assert.ok(!rec.reused);
          }
          assert.deepEqual(essence(rec), rows[rec.index].pick === 'y' ? { index: rec.index, status: 'done', value: `v-r${rec.index}` } : { index: rec.index, status: 'skipped' });
        }
        assert.ok(!existsSync(failFlag));
      });
    }
  });

  describe('results in one encoding for every mode', () => {
    const APPLY = `
exports.apply = (row) => {
  const circular = { name: 'loop' }; circular.self = circular;
  switch (row.kind) {
    case 'function': return () => 1;
    case 'nested function': return { ok: 1, fn() {} };
    case 'symbol': return Symbol('s');
    case 'circular': return circular;
    case 'bigint': return 10n;
    case 'nested bigint': return [1, 2n];
    case 'map with number keys': return new Map([[1, 'a']]);
    case 'map': return new Map([['a', 1], ['b', [1, 2]]]);
    case 'set': return new Set(['x', 'y', 'x']);
    case 'date': return new Date(Date.UTC(2024, 1, 29, 12, 30, 0, 5));
    case 'invalid date': return new Date(NaN);
    case 'typed arrays': return { u8: new Uint8Array([1, 2, 255]), f64: new Float64Array([1.5, NaN, -Infinity]), buf: Buffer.from('hi') };
    case 'non-finite': return [NaN, Infinity, -Infinity, -0, 0];
    case 'undefined inside': return { a: undefined, b: [undefined, 1], c: null };
    case 'class instance': { class P { constructor() { this.x = 1; } get y() { return 2; } } return new P(); }
    case 'thrown string': throw 'plain text, kept';
    case 'thrown number': throw 42;
    case 'thrown object': throw { message: 'object with message', code: 'E_OBJ' };
    case 'typed error': { const e = new TypeError('typed'); e.code = 'E_TYPED'; throw e; }
  }
};`;
    const UNSERIALISABLE: Array<[string, RegExp]> = [
      ['function', /result is a function/],
      ['nested function', /result\.fn is a function/],
      ['symbol', /result is a symbol/],
      ['circular', /result\.self refers back to itself/],
      ['bigint', /result is a BigInt/],
      ['nested bigint', /result\[1\] is a BigInt/],
      ['map with number keys', /non-string key/],
    ];
    const ENCODABLE: Array<[string, unknown]> = [
      ['map', { a: 1, b: [1, 2] }],
      ['set', ['x', 'y']],
      ['date', '2024-02-29T12:30:00.005Z'],
      ['invalid date', null],
      ['typed arrays', { u8: [1, 2, 255], f64: [1.5, NaN, -Infinity], buf: [104, 105] }],
      ['non-finite', [NaN, Infinity, -Infinity, -0, 0]],
      ['undefined inside', { b: [null, 1], c: null }],
      ['class instance', { x: 1 }],
    ];
    const THROWN: Array<[string, { name: string; message: string; code?: string }]> = [
      ['thrown string', { name: 'Error', message: 'plain text, kept' }],
      ['thrown number', { name: 'Error', message: '42' }],
      ['thrown object', { name: 'Error', message: 'object with message', code: 'E_OBJ' }],
      ['typed error', { name: 'TypeError', message: 'typed', code: 'E_TYPED' }],
    ];
    const kinds = [...UNSERIALISABLE.map(([k]) => k), ...ENCODABLE.map(([k]) => k), ...THROWN.map(([k]) => k)];

    it('unserialisable results fail their row (phase result), values encode, thrown values keep their text — the same in all modes', async () => {
      const loaded = await applyFixture(tmp(), 'encode.cjs', APPLY);
      const rows = kinds.map((kind) => ({ kind }));
      const seen: Record<string, unknown[]> = {};
      for (const mode of ALL_MODES) {
        const out = await run(loaded, rows, { mode, workers: 2 });
        const view = out.records.map((r) => ({
          kind: rows[r.index].kind,
          status: r.status,
          value: r.value,
          error: r.error && { name: r.error.name, message: r.error.message, phase: r.error.phase, code: r.error.code },
        }));
        seen[mode] = view;
        for (const [kind, says] of UNSERIALISABLE) {
          const rec = view.find((v) => v.kind === kind)!;
          assert.equal(rec.status, 'error', `${mode} ${kind}`);
          assert.equal(rec.error?.phase, 'result', `${mode} ${kind}`);
          assert.equal(rec.error?.name, 'ResultEncodingError');
          assert.match(rec.error!.message, says);
        }
        for (const [kind, value] of ENCODABLE) {
          const rec = view.find((v) => v.kind === kind)!;
          assert.equal(rec.status, 'done', `${mode} ${kind}: ${rec.error?.message}`);
          assert.deepStrictEqual(rec.value, value, `${mode} ${kind}`); // NaN equals NaN, -0 differs from 0
        }
        for (const [kind, error] of THROWN) {
          const rec = view.find((v) => v.kind === kind)!;
          assert.equal(rec.status, 'error');
          const { name, message, code } = rec.error!;
          assert.deepEqual({ name, message, ...(code === undefined ? {} : { code }) }, error, `${mode} ${kind}`);
          assert.equal(rec.error?.phase, 'apply');
        }
      }
      assert.deepStrictEqual(seen.async, seen.sequential);
      assert.deepStrictEqual(seen.process, seen.sequential);
    });
  });
});

describe('rows are announced as they begin', function () {
  this.timeout(30000);
  const tmp = useTempDir('started');
  for (const mode of ALL_MODES) {
    it(`${mode}: every applied row is announced before it finishes; skipped rows never`, async () => {
      const loaded = await applyFixture(
        tmp(),
        `started-${mode}.cjs`,
        `exports.condition = (row) => row.id !== 'r3';\nexports.apply = (row) => row.id;\n`,
      );
      const started = new Set<number>();
      const order: string[] = [];
      const out = await run(loaded, ids(40), {
        mode,
        onRowsStarted: (indices) => indices.forEach((i) => started.add(i)),
        onRow: (rec) => {
          if (rec.status === 'done' && !started.has(rec.index)) order.push(`row ${rec.index} finished unannounced`);
        },
      });
      assert.deepEqual(order, []);
      assert.equal(out.counts.done, 39);
      assert.equal(started.has(3), false, 'the skipped row never began');
      assert.equal(started.size, 39);
    });
  }
});
