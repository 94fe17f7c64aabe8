// Runs that outlive their window (issue 11, part 2): findUnfinishedRun picks, from the journals
// folder, the last run of a locator when it did not end (its journal has fewer rows than the run),
// and tells a dead run from one still going in another process.
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import { appendFileSync, readFileSync } from 'fs';
import { hostname } from 'os';
import * as path from 'path';
import { JournalWriter, readJournal, type JournalHeader } from '../../src/core/journal';
import { parseLocator } from '../../src/core/locator';
import type { RowRecord } from '../../src/core/types';
import { executeRun, prepareRun } from '../../src/session/lifecycle';
import { describeUnfinishedRun, findUnfinishedRun } from '../../src/session/unfinishedRun';
import { useTempDir, writeFixture } from './helpers';

/** A process id that has ended (a real child that ran and exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('session: findUnfinishedRun (the last run of a locator, when it did not end)', () => {
  const dir = useTempDir('unfinished');
  let n = 0;

  /** A journals folder of its own per test, and a locator path. */
  function setup() {
    const base = path.join(dir(), `case${++n}`);
    return { journals: path.join(base, 'journals'), locator: path.join(base, 'data.locator.csv') };
  }

  function journal(file: string, header: Partial<JournalHeader>, records: RowRecord[]): string {
    const w = new JournalWriter(file, {
      journal: 'locator-batch',
      version: 2,
      startedAt: '2026-12-02T07:00:00.000Z',
      apply: '/ws/apply.js',
      mode: 'sequential',
      resultType: 'value',
      isPatch: false,
      total: 10,
      pid: deadPid(),
      host: hostname(),
      ...header,
    });
    for (const r of records) w.append(r);
    w.close();
    return file;
  }
  const done = (count: number, from = 0): RowRecord[] => Array.from({ length: count }, (_, i) => ({ index: from + i, status: 'done', value: from + i, durationMs: 1 }));

  it('a journal that stops short is found, with what it finished; its text says where it stopped', async () => {
    const { journals, locator } = setup();
    const records = [...done(3), { index: 3, status: 'error', error: { name: 'Error', message: 'bad' }, durationMs: 1 } as RowRecord];
    const file = journal(path.join(journals, 'data.locator.20261202-070000.jsonl'), { locator }, records);
    const found = await findUnfinishedRun(journals, locator);
    assert.ok(found, 'the died run is found');
    assert.strictEqual(found.kind, 'local');
    assert.strictEqual(found.journalFile, file);
    assert.strictEqual(found.finished, 4);
    assert.strictEqual(found.total, 10);
    assert.deepStrictEqual(found.counts, { done: 3, skipped: 0, error: 1, timeout: 0, cancelled: 0 });
    assert.deepStrictEqual(found.records.map((r) => r.index).sort(), [0, 1, 2, 3]);
    assert.strictEqual(found.runningElsewhere, undefined, 'its writer has ended');
    assert.strictEqual(describeUnfinishedRun(found, 'data.locator.csv'), 'The last run of data.locator.csv stopped at 4 of 10 rows (the window closed or its process ended).');
  });

  it("another locator's journal, and a complete journal, are not offered; a newer complete run supersedes an older died one", async () => {
    const { journals, locator } = setup();
    const other = path.join(path.dirname(locator), 'other', 'data.locator.csv');
    // Same file name in another folder, newest of all, unfinished: not this locator's.
    journal(path.join(journals, 'data.locator.20261202-090000.jsonl'), { locator: other, startedAt: '2026-12-02T09:00:00.000Z' }, done(2));
    assert.strictEqual(await findUnfinishedRun(journals, locator), undefined, 'no journal of this locator');
    // A run of this locator that ended (every row has a record, the cancelled ones too).
    const complete = [...done(6), ...Array.from({ length: 4 }, (_, i): RowRecord => ({ index: 6 + i, status: 'cancelled', durationMs: 0 }))];
    journal(path.join(journals, 'data.locator.20261202-080000.jsonl'), { locator, startedAt: '2026-12-02T08:00:00.000Z' }, complete);
    assert.strictEqual(await findUnfinishedRun(journals, locator), undefined, 'a cancelled run ended: nothing to resume');
    // An older run that died: superseded by the complete one after it.
    journal(path.join(journals, 'data.locator.20261202-070000.jsonl'), { locator, startedAt: '2026-12-02T07:00:00.000Z' }, done(5));
    assert.strictEqual(await findUnfinishedRun(journals, locator), undefined, 'the last run ended; an older died run is not offered');
    // A newer run that died: that one.
    const newer = journal(path.join(journals, 'data.locator.20261202-100000.jsonl'), { locator, startedAt: '2026-12-02T10:00:00.000Z' }, done(7));
    const found = await findUnfinishedRun(journals, locator);
    assert.strictEqual(found?.journalFile, newer);
    assert.strictEqual(found?.finished, 7);
  });

  it('a torn last line (the process died mid-write) is left out of what finished; a folder of other files is no error', async () => {
    const { journals, locator } = setup();
    const file = journal(path.join(journals, 'data.locator.20261202-070000.jsonl'), { locator }, done(3));
    appendFileSync(file, '{"index":3,"status":"do');
    writeFixture(journals, 'notes.jsonl', 'not a journal\n');
    writeFixture(journals, 'readme.txt', 'x');
    const found = await findUnfinishedRun(journals, locator);
    assert.strictEqual(found?.finished, 3);
    assert.deepStrictEqual(found?.records.map((r) => r.index).sort(), [0, 1, 2]);
    assert.strictEqual(await findUnfinishedRun(path.join(journals, 'missing'), locator), undefined, 'no journals folder: nothing');
  });

  it('a journal whose writer is alive on this machine is a run still going elsewhere, not a dead one', async () => {
    const { journals, locator } = setup();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      // The writer started before its run (as a run's process does).
      const startedAt = new Date(Date.now() + 1000).toISOString();
      journal(path.join(journals, 'data.locator.20261202-070000.jsonl'), { locator, pid: child.pid, startedAt }, done(4));
      const found = await findUnfinishedRun(journals, locator);
      assert.deepStrictEqual(found?.runningElsewhere, { pid: child.pid, host: hostname() });
      assert.match(describeUnfinishedRun(found!, 'data.locator.csv'), /still going in another window or process \(process \d+\): 4 of 10 rows so far/);
      // Another machine's process cannot be asked: the run is offered (it may be resumed there or here).
      journal(path.join(journals, 'data.locator.20261202-070000.jsonl'), { locator, pid: child.pid, startedAt, host: `not-${hostname()}` }, done(4));
      assert.strictEqual((await findUnfinishedRun(journals, locator))?.runningElsewhere, undefined);
      // A live process that started after the run (its pid reused since the writer died) did not write it.
      const longAgo = new Date(Date.now() - 3_600_000).toISOString();
      journal(path.join(journals, 'data.locator.20261202-070000.jsonl'), { locator, pid: child.pid, startedAt: longAgo }, done(4));
      assert.strictEqual((await findUnfinishedRun(journals, locator))?.runningElsewhere, undefined, 'a reused pid is not the writer');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("a real run's journal names its process and machine (so a live run is told from a dead one)", async () => {
    const { journals } = setup();
    const base = path.dirname(journals);
    const locatorPath = writeFixture(base, 'real.locator.csv', 'File Path,Domain Tag\na.edf,x\nb.edf,y\n');
    const applyFile = writeFixture(base, 'apply.js', 'exports.apply = (row) => row["Domain Tag"];\n');
    const journalPath = path.join(journals, 'real.locator.20261202-070000.jsonl');
    await executeRun(
      await prepareRun({ locatorPath, readLocator: async () => parseLocator(readFileSync(locatorPath, 'utf8')), applyFile, trusted: true, journalPath }),
    );
    const { header } = await readJournal(journalPath);
    assert.strictEqual(header.pid, process.pid);
    assert.strictEqual(header.host, hostname());
    assert.strictEqual(await findUnfinishedRun(journals, locatorPath), undefined, 'a run that ended is not offered');
  });
});
