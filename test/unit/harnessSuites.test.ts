// How the real-VS-Code harness (test/harness/runAll.js, test/vscode/index.ts) judges a run: a run
// that proved nothing (a suite file gone, a file or a whole run with no test, no summary) fails.
import { strict as assert } from 'node:assert';
import * as path from 'path';

interface Counts {
  passed: number;
  failed: number;
  pending: number;
}
interface Missing {
  file: string;
  message: string;
}
interface Suites {
  EXPECTED_SUITES: Record<string, { dir: string; sources: string; files: string[] }>;
  missingSuiteFiles(run: string, exists: (p: string) => boolean): Missing[];
  unlistedSuiteFiles(run: string, present: string[]): string[];
  parseMochaSummary(output: string): { passing: number; failing: number; pending: number } | undefined;
  formatTestCounts(counts: Record<string, Counts>): string;
  parseTestCounts(output: string): Record<string, Counts> | undefined;
  suiteProblems(o: { run: string; counts: Record<string, Counts>; grep?: string; missing?: Missing[] }): string[];
  judgeSuiteRun(o: {
    run: string;
    counts?: Record<string, Counts>;
    summary?: { passing: number; failing: number; pending: number };
    code: number;
    grep?: string;
    missing?: Missing[];
  }): { passed: number; failed: number; problems: string[] };
}

// Plain JS of the harness (it runs before and without the TypeScript build).
const suites = require(path.resolve(__dirname, '../../../test/harness/suites.js')) as Suites;
const REPO = path.resolve(__dirname, '../../..');

const ok = (passed: number): Counts => ({ passed, failed: 0, pending: 0 });
const allOf = (run: string, n = 2) => Object.fromEntries(suites.EXPECTED_SUITES[run].files.map((f) => [f, ok(n)]));
const sum = (counts: Record<string, Counts>) => Object.values(counts).reduce((n, c) => n + c.passed, 0);

describe('harness: expected suites and how a run is judged', () => {
  it('lists the suite files this repository has (each expected file exists, compiled or not)', () => {
    const fs = require('fs') as typeof import('fs');
    for (const [run, s] of Object.entries(suites.EXPECTED_SUITES)) {
      assert.ok(s.files.length > 0, run);
      // Sources always exist in a checkout; compiled files exist after `npm run compile-tests`.
      const missing = suites.missingSuiteFiles(run, (p) => p.startsWith('out/') || fs.existsSync(path.join(REPO, p)));
      assert.deepEqual(missing, [], run);
    }
    // The window-outliving run (issue 11): its UI suite must keep running.
    assert.ok(suites.EXPECTED_SUITES.e2e.files.includes('resume.test.js'), 'test/e2e/resume.test.js is an expected UI suite');
    assert.ok(suites.EXPECTED_SUITES.e2e.files.includes('slurm.test.js'), 'test/e2e/slurm.test.js is an expected UI suite');
  });

  it('a deleted or renamed suite file is missing, also when a stale compile of it is left in out/', () => {
    const present = new Set(['test/vscode/editor.test.ts', 'out/test/vscode/editor.test.js', 'out/test/vscode/extension.test.js', 'test/vscode/largeFile.test.ts']);
    const missing = suites.missingSuiteFiles('vscode', (p) => present.has(p));
    assert.deepEqual(
      missing.map((m) => m.file),
      ['extension.test.js', 'largeFile.test.js', 'python.test.js', 'runLifecycle.test.js'],
    );
    assert.match(missing[0].message, /test\/vscode\/extension\.test\.ts is missing \(out\/test\/vscode\/extension\.test\.js is a stale compile/);
    assert.match(missing[1].message, /out\/test\/vscode\/largeFile\.test\.js is missing \(run `npm run compile-tests`\)/);
    assert.deepEqual(
      suites.missingSuiteFiles('vscode-untrusted', () => false).map((m) => m.message),
      ['expected suite file test/vscode/untrusted.test.ts is missing'],
    );
    assert.deepEqual(suites.missingSuiteFiles('e2e', (p) => p !== 'test/e2e/palette.test.js').map((m) => m.file), ['palette.test.js']);
  });

  it('names test files that run but are not listed', () => {
    assert.deepEqual(suites.unlistedSuiteFiles('vscode', ['index.js', 'editor.test.js', 'untrusted.test.js', 'trust.test.js', 'fixtures.js']), ['trust.test.js']);
  });

  it("reads mocha's summary (the last one printed) and the per-file counts line", () => {
    const out = [
      '  editor', '    ✔ opens', '', '  1 passing (2s)', '',
      'again:', '  7 passing (3s)', '  1 pending', '  2 failing', '',
      suites.formatTestCounts({ 'editor.test.js': { passed: 7, failed: 2, pending: 1 } }),
      'Exit code: 1',
    ].join('\n');
    assert.deepEqual(suites.parseMochaSummary(out), { passing: 7, failing: 2, pending: 1 });
    assert.deepEqual(suites.parseTestCounts(out), { 'editor.test.js': { passed: 7, failed: 2, pending: 1 } });
    assert.equal(suites.parseMochaSummary('Exit code: 1\n'), undefined);
    assert.equal(suites.parseTestCounts('  3 passing\n'), undefined);
  });

  it('a run of every expected file, each with tests, passes', () => {
    const counts = allOf('vscode');
    const r = suites.judgeSuiteRun({ run: 'vscode', counts, summary: { passing: sum(counts), failing: 0, pending: 0 }, code: 0 });
    assert.deepEqual(r, { passed: sum(counts), failed: 0, problems: [] });
  });

  it('a run of 0 tests fails (the summary reads "0 passing", exit code 0)', () => {
    const counts = Object.fromEntries(suites.EXPECTED_SUITES['vscode-untrusted'].files.map((f) => [f, ok(0)]));
    const r = suites.judgeSuiteRun({ run: 'vscode-untrusted', counts, summary: { passing: 0, failing: 0, pending: 0 }, code: 0 });
    assert.equal(r.failed, 1);
    assert.deepEqual(r.problems, ['the run ran 0 tests']);
  });

  it('one file that ran 0 tests fails the run, even when the others passed', () => {
    const counts = { ...allOf('e2e'), 'sync.test.js': { passed: 0, failed: 0, pending: 3 } };
    assert.deepEqual(suites.suiteProblems({ run: 'e2e', counts }), ['sync.test.js ran 0 tests']);
  });

  it('a missing expected file fails the run and is not counted again as a file with 0 tests', () => {
    const counts = allOf('vscode');
    delete counts['largeFile.test.js'];
    const missing = suites.missingSuiteFiles('vscode', (p) => !p.includes('largeFile'));
    const r = suites.judgeSuiteRun({ run: 'vscode', counts, summary: { passing: sum(counts), failing: 0, pending: 0 }, code: 0, missing });
    assert.equal(r.failed, 1);
    assert.deepEqual(r.problems, ['expected suite file test/vscode/largeFile.test.ts is missing']);
  });

  it('with --grep a file may run no test, but the run must run some', () => {
    const counts = { ...allOf('e2e', 0), 'palette.test.js': ok(3) };
    assert.deepEqual(suites.suiteProblems({ run: 'e2e', counts, grep: 'palette' }), []);
    assert.deepEqual(suites.suiteProblems({ run: 'e2e', counts: allOf('e2e', 0), grep: 'palete' }), ['no test matched --grep palete']);
  });

  it('no summary, no per-file counts, or a failing exit code with no failing test: each fails the run', () => {
    const counts = allOf('vscode');
    const summary = { passing: sum(counts), failing: 0, pending: 0 };
    assert.deepEqual(suites.judgeSuiteRun({ run: 'vscode', counts: undefined, summary: undefined, code: 1 }).problems, [
      'no mocha summary in the output (the suite did not run to its end)',
    ]);
    assert.deepEqual(suites.judgeSuiteRun({ run: 'vscode', counts: undefined, summary, code: 0 }).problems, [
      'no per-file test counts (LB_TEST_COUNTS) in the output',
    ]);
    const r = suites.judgeSuiteRun({ run: 'vscode', counts, summary, code: 1 });
    assert.deepEqual(r, { passed: sum(counts), failed: 1, problems: ['exit code 1 with no failing test'] });
    // Failing tests explain a non-zero exit on their own.
    assert.deepEqual(suites.judgeSuiteRun({ run: 'vscode', counts, summary: { ...summary, failing: 2 }, code: 1 }).problems, []);
  });
});
