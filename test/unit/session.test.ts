// The run lifecycle every front end shares (src/session): settings resolved in layers with their
// sources, refusals before any row runs, a journal that records what it belongs to, and the plans
// for export and write-back.
import * as assert from 'assert';
import { existsSync, readFileSync, readdirSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseLocator, type Locator } from '../../src/core/locator';
import { readJournal } from '../../src/core/journal';
import { executeRun, prepareRun, type RunRequest } from '../../src/session/lifecycle';
import { exportText, journalFileName, planSeriesWriteBack, planValueWriteBack } from '../../src/session/outputs';
import { RunRefusal } from '../../src/session/refusal';
import { describeSource, resolveSettings } from '../../src/session/settings';
import { useTempDir, writeFixture } from './helpers';

const cores = Math.max(1, os.cpus().length - 1);

describe('session: settings resolved once, in layers, each value with its source', () => {
  it('built-ins alone: sequential, CPU cores - 1 workers, value, no patch, continue, no time limit', () => {
    const { settings, sources } = resolveSettings({});
    assert.deepStrictEqual(settings, { mode: 'sequential', workers: cores, resultType: 'value', isPatch: false, onError: 'continue', timeoutMs: 0 });
    assert.ok(Object.values(sources).every((s) => s.layer === 'built-in'));
  });

  it("the apply file's defaults beat the user's settings, and the user's choice beats both", () => {
    const r = resolveSettings({
      user: { mode: 'async', resultType: 'series', onError: 'stop', asyncConcurrency: 8 },
      applyDefaults: { file: '/ws/apply/mean-std.ts', defaults: { mode: 'process', isPatch: true } },
      choice: { resultType: 'none' },
    });
    assert.strictEqual(r.settings.mode, 'process');
    assert.strictEqual(r.settings.isPatch, true);
    assert.strictEqual(r.settings.resultType, 'none');
    assert.strictEqual(r.settings.onError, 'stop');
    assert.deepStrictEqual(r.sources.mode, { layer: 'apply file', file: '/ws/apply/mean-std.ts' });
    assert.deepStrictEqual(r.sources.resultType, { layer: 'choice' });
    assert.deepStrictEqual(r.sources.onError, { layer: 'settings' });
    assert.strictEqual(describeSource(r.sources.mode, (f) => path.relative('/ws', f)), 'from apply/mean-std.ts');
  });

  it('workers follow the mode: process workers for a process default, rows in flight for async', () => {
    const user = { workers: 3, asyncConcurrency: 12 };
    const proc = resolveSettings({ user, applyDefaults: { file: 'a.ts', defaults: { mode: 'process' } } });
    assert.strictEqual(proc.settings.workers, 3);
    assert.deepStrictEqual(proc.sources.workers, { layer: 'settings' });
    const asyncMode = resolveSettings({ user, choice: { mode: 'async' } });
    assert.strictEqual(asyncMode.settings.workers, 12);
    // Workers the apply file names go with its mode; a mode chosen above them takes the settings' count.
    const theirs = resolveSettings({ user, applyDefaults: { file: 'a.ts', defaults: { mode: 'process', workers: 2 } } });
    assert.strictEqual(theirs.settings.workers, 2);
    const overridden = resolveSettings({ user, applyDefaults: { file: 'a.ts', defaults: { mode: 'process', workers: 2 } }, choice: { mode: 'async' } });
    assert.strictEqual(overridden.settings.workers, 12);
    const both = resolveSettings({ user, choice: { mode: 'async', workers: 5 } });
    assert.strictEqual(both.settings.workers, 5);
    assert.deepStrictEqual(both.sources.workers, { layer: 'choice' });
  });

  it('a bad value from any layer is an error naming what is accepted', () => {
    assert.throws(
      () => resolveSettings({ applyDefaults: { file: 'a.ts', defaults: { mode: 'thread' as never } } }),
      /mode must be one of 'sequential', 'async', 'process', 'slurm'; got "thread"/,
    );
  });
});

describe('session: a run prepared, refused or run', () => {
  const dir = useTempDir('session');
  const LOCATOR = 'File Path,Completeness Check\n/a.fif,Completed\n/b.fif,Unavailable\n/c.fif,Completed\n';
  const APPLY = `exports.defaults = { mode: 'process', workers: 2 };
exports.condition = (row) => row['Completeness Check'] === 'Completed';
exports.apply = (row) => row['File Path'].toUpperCase();
`;
  const request = (over: Partial<RunRequest> = {}): RunRequest => {
    const locatorPath = writeFixture(dir(), 'data/rec.locator.csv', LOCATOR);
    return {
      locatorPath,
      readLocator: async () => parseLocator(readFileSync(locatorPath, 'utf8'), locatorPath),
      applyFile: writeFixture(dir(), 'apply/upper.js', APPLY),
      trusted: true,
      ...over,
    };
  };
  const refusal = async (req: RunRequest): Promise<RunRefusal> => {
    try {
      await prepareRun(req);
    } catch (err) {
      assert.ok(err instanceof RunRefusal, `a RunRefusal, not ${(err as Error)?.stack}`);
      return err;
    }
    assert.fail('the run was not refused');
  };

  it('refuses in one shape, in order: trust, a run going, no apply file, a bad locator, a bad apply file', async () => {
    assert.strictEqual((await refusal(request({ trusted: false, busy: true }))).kind, 'untrusted');
    assert.strictEqual((await refusal(request({ busy: true }))).kind, 'busy');
    assert.strictEqual((await refusal(request({ applyFile: undefined }))).kind, 'no-apply-file');
    const bad = writeFixture(dir(), 'data/bad.csv', 'a,b\n1,2\n"3,4\n');
    const badLocator = await refusal(request({ locatorPath: bad, readLocator: async () => parseLocator(readFileSync(bad, 'utf8'), bad) }));
    assert.strictEqual(badLocator.kind, 'bad-locator');
    assert.deepStrictEqual(badLocator.location, { file: bad, line: 3, column: 1 });
    const broken = writeFixture(dir(), 'apply/broken.js', 'exports.apply = (row) => {\n  return row[;\n};\n');
    const badApply = await refusal(request({ applyFile: broken }));
    assert.strictEqual(badApply.kind, 'bad-apply-file');
    assert.strictEqual(badApply.location?.file, broken);
    assert.strictEqual(badApply.location?.line, 2);
  });

  it("takes the apply file's defaults (process mode, 2 workers) unless the user chose otherwise", async () => {
    const prepared = await prepareRun(request({ user: { mode: 'sequential', workers: 7 } }));
    assert.strictEqual(prepared.resolved.settings.mode, 'process');
    assert.strictEqual(prepared.resolved.settings.workers, 2);
    const chosen = await prepareRun(request({ choice: { mode: 'sequential' } }));
    assert.strictEqual(chosen.resolved.settings.mode, 'sequential');
    const run = await executeRun(prepared);
    assert.strictEqual(run.summary.effectiveMode, 'process');
    assert.deepStrictEqual(run.records.map((r) => r.value ?? r.status), ['/A.FIF', 'skipped', '/C.FIF']);
  });

  it("the journal records the locator's content, the apply file and the result settings; a resume checks them", async () => {
    const journalPath = path.join(dir(), 'journals', journalFileName('/x/rec.locator.csv', new Date('2026-12-02T05:15:00Z')));
    assert.match(journalPath, /rec\.locator\.20261202-051500\.000\.jsonl$/);
    const first = await executeRun(await prepareRun(request({ journalPath, choice: { mode: 'sequential' } })));
    const header = (await readJournal(journalPath)).header;
    assert.strictEqual(header.version, 2);
    assert.deepStrictEqual(header.identity, first.identity);

    // The same run in another mode resumes (nothing left to run: every row was done or skipped).
    const resumed = await prepareRun(request({ resume: { journalFile: journalPath }, choice: { mode: 'async' } }));
    assert.deepStrictEqual(resumed.indices, []);
    // Another result type, another apply file, another locator: refused with the reason.
    const settings = await refusal(request({ resume: { journalFile: journalPath }, choice: { resultType: 'series' } }));
    assert.match(settings.message, /written with other settings \(result value; this run: result series\)/);
    const otherApply = writeFixture(dir(), 'apply/lower.js', APPLY.replace('toUpperCase', 'toLowerCase'));
    assert.match((await refusal(request({ resume: { journalFile: journalPath }, applyFile: otherApply }))).message, /another apply file/);
    // ... except that re-running failed rows is for after a fix: another apply file is fine there.
    const rerun = await prepareRun(request({ resume: { journalFile: journalPath, failedOnly: true }, applyFile: otherApply }));
    assert.deepStrictEqual(rerun.indices, []);
    const otherLocator = writeFixture(dir(), 'data/other.csv', LOCATOR.replace('/b.fif', '/B2.fif'));
    const moved = await refusal(
      request({ locatorPath: otherLocator, readLocator: async () => parseLocator(readFileSync(otherLocator, 'utf8')), resume: { journalFile: journalPath, failedOnly: true } }),
    );
    assert.strictEqual(moved.kind, 'journal-mismatch');
    assert.match(moved.message, /another locator/);
  });

  it("re-running the last run's failed rows needs the same rows (the editor's Re-run Failed Rows); a fixed apply file is fine", async () => {
    const flaky = writeFixture(dir(), 'apply/flaky.js', APPLY.replace("row['File Path'].toUpperCase()", "(row['File Path'] === '/c.fif' ? null.x : row['File Path'])"));
    const last = await executeRun(await prepareRun(request({ applyFile: flaky, choice: { mode: 'sequential' } })));
    assert.deepStrictEqual(last.records.map((r) => r.status), ['done', 'skipped', 'error']);
    const fixed = writeFixture(dir(), 'apply/fixed.js', APPLY);
    const rerun = await prepareRun(request({ applyFile: fixed, resume: { last } }));
    assert.deepStrictEqual(rerun.indices, [2], 'only the failed row runs again');
    const edited = writeFixture(dir(), 'data/edited.csv', LOCATOR.replace('/a.fif', '/a2.fif'));
    const changed = await refusal(
      request({ locatorPath: edited, readLocator: async () => parseLocator(readFileSync(edited, 'utf8')), applyFile: fixed, resume: { last } }),
    );
    assert.strictEqual(changed.kind, 'changed');
  });

  it('the same rows saved with CRLF and a BOM are the same locator', async () => {
    const a = await prepareRun(request());
    const crlf = writeFixture(dir(), 'data/crlf.csv', '\ufeff' + LOCATOR.replace(/\n/g, '\r\n'));
    const b = await prepareRun(request({ locatorPath: crlf, readLocator: async () => parseLocator(readFileSync(crlf, 'utf8')) }));
    assert.strictEqual(a.identity.locator, b.identity.locator);
  });

  it('no journal, no file: a run without journalPath writes nothing beside the locator', async () => {
    const req = request();
    const before = readdirSync(path.dirname(req.locatorPath));
    await executeRun(await prepareRun(req));
    assert.deepStrictEqual(readdirSync(path.dirname(req.locatorPath)), before);
    assert.ok(!existsSync(path.join(path.dirname(req.locatorPath), '.locator-batch')));
  });
});

describe('session: export and write-back plans', () => {
  const locator = (text: string): Promise<Locator> => parseLocator(text);
  const done = (index: number, value: string) => ({ index, status: 'done' as const, value, durationMs: 1 });

  it('value write-back puts each value on its own row, and refuses when the rows changed since the run', async () => {
    const seen = await locator('name,size\na,1\nb,2\nc,3\n');
    const run = { locator: seen, records: [done(0, 'A'), { index: 1, status: 'error' as const, durationMs: 1 }, done(2, 'C')], settings: { resultType: 'value' as const, isPatch: true } };
    assert.strictEqual(planValueWriteBack(run, seen, 'upper'), 'name,size,upper\na,1,A\nb,2,\nc,3,C\n');
    // Writing again into the same column is not a change of the rows.
    const written = await locator('name,size,upper\na,1,A\nb,2,\nc,3,C\n');
    assert.strictEqual(planValueWriteBack(run, written, 'upper'), 'name,size,upper\na,1,A\nb,2,\nc,3,C\n');
    const edited = await locator('name,size\na,1\nb,20\nc,3\n');
    assert.throws(() => planValueWriteBack(run, edited, 'upper'), (e: RunRefusal) => e.kind === 'changed' && /changed since the run/.test(e.message));
  });

  it('series in place refuses an edited locator; as a new locator it never needs the current one', async () => {
    const seen = await locator('name\na\nb\n');
    const run = { locator: seen, records: [{ index: 0, status: 'done' as const, value: { name: 'A' }, durationMs: 1 }, { index: 1, status: 'skipped' as const, durationMs: 0 }], settings: { resultType: 'series' as const, isPatch: false } };
    assert.strictEqual(planSeriesWriteBack(run), 'name\nA\n');
    assert.strictEqual(planSeriesWriteBack(run, seen), 'name\nA\n');
    const edited = await locator('name\na\nx\n');
    assert.throws(() => planSeriesWriteBack(run, edited), /changed since the run/);
  });

  it('a CSV export of result type none is refused (nothing to put in it); JSON has every row', async () => {
    const seen = await locator('name\na\n');
    const run = { locator: seen, records: [done(0, 'x')], settings: { resultType: 'none' as const, isPatch: false } };
    assert.throws(() => exportText(run, 'csv', 'result'), (e: RunRefusal) => e.kind === 'nothing-to-write');
    assert.deepStrictEqual(JSON.parse(exportText(run, 'json', 'result')), { results: null, rows: [{ index: 0, status: 'done', value: 'x' }] });
  });
});
