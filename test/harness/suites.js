'use strict';
// The suites the real-VS-Code harness must run, in one place, and how a run of them is judged.
// Pure functions (no VS Code, no file system): used by runAll.js, by the extension host's entry
// (test/vscode/index.ts, through out/), and unit-tested in test/unit/harnessSuites.test.ts.
//
// A run FAILS when an expected suite file is missing (deleted or renamed: its tests would silently
// stop running), when a suite file ran no test, when a run printed no mocha summary, or when the
// host exited non-zero with no failing test. A test file that is not listed here still runs; it is
// named in a warning so that it gets listed.

/**
 * Expected suite files by run. `sources`: where the file is written (a compiled suite also needs
 * its source, so a stale compile of a deleted source counts as missing); `dir`: what runs.
 */
const EXPECTED_SUITES = {
  vscode: {
    dir: 'out/test/vscode',
    sources: 'test/vscode',
    files: ['editor.test.js', 'extension.test.js', 'largeFile.test.js', 'python.test.js', 'runLifecycle.test.js'],
  },
  // A second extension host started WITHOUT --disable-workspace-trust (LOCATOR_BATCH_SUITE=untrusted).
  'vscode-untrusted': {
    dir: 'out/test/vscode',
    sources: 'test/vscode',
    files: ['untrusted.test.js'],
  },
  e2e: {
    dir: 'test/e2e',
    sources: 'test/e2e',
    files: ['editor.test.js', 'firstopen.test.js', 'large.test.js', 'largeValues.test.js', 'palette.test.js', 'python.test.js', 'resume.test.js', 'settings.test.js', 'slurm.test.js', 'sync.test.js', 'trust.test.js'],
  },
};

/** The source name of a suite file: a compiled `x.test.js` comes from `x.test.ts`. */
function sourceName(run, file) {
  const s = EXPECTED_SUITES[run];
  return s.dir === s.sources ? file : file.replace(/\.js$/, '.ts');
}

/**
 * The expected files of `run` that are missing: [{ file, message }]. `exists(relativePath)` says
 * whether a path (relative to the repo) exists.
 */
function missingSuiteFiles(run, exists) {
  const s = EXPECTED_SUITES[run];
  const out = [];
  for (const file of s.files) {
    const compiled = `${s.dir}/${file}`;
    const source = `${s.sources}/${sourceName(run, file)}`;
    if (!exists(source)) {
      const stale = compiled !== source && exists(compiled) ? ` (${compiled} is a stale compile of it)` : '';
      out.push({ file, message: `expected suite file ${source} is missing${stale}` });
    } else if (!exists(compiled)) {
      out.push({ file, message: `expected suite file ${compiled} is missing (run \`npm run compile-tests\`)` });
    }
  }
  return out;
}

/** The `*.test.js` files of a run's folder that no run expects (they run, but should be listed). */
function unlistedSuiteFiles(run, present) {
  const dir = EXPECTED_SUITES[run].dir;
  const listed = new Set(Object.values(EXPECTED_SUITES).filter((s) => s.dir === dir).flatMap((s) => s.files));
  return present.filter((f) => f.endsWith('.test.js') && !listed.has(f));
}

/** mocha's spec-reporter summary ("N passing", "N failing", "N pending"), the last one printed. */
function parseMochaSummary(output) {
  const last = (re) => {
    const m = [...output.matchAll(re)].pop();
    return m ? Number(m[1]) : undefined;
  };
  const passing = last(/^\s*(\d+) passing/gm);
  if (passing === undefined) return undefined;
  return { passing, failing: last(/^\s*(\d+) failing/gm) ?? 0, pending: last(/^\s*(\d+) pending/gm) ?? 0 };
}

// The extension host prints its per-file counts on one line with this marker (see test/vscode/index.ts).
const COUNTS_MARKER = 'LB_TEST_COUNTS ';

/** Per-file counts line: `LB_TEST_COUNTS {"editor.test.js":{"passed":3,"failed":0,"pending":0}}`. */
function formatTestCounts(counts) {
  return COUNTS_MARKER + JSON.stringify(counts);
}

/** The per-file counts the host printed (the last such line), or undefined. */
function parseTestCounts(output) {
  const line = output.split('\n').filter((l) => l.startsWith(COUNTS_MARKER)).pop();
  if (!line) return undefined;
  try {
    return JSON.parse(line.slice(COUNTS_MARKER.length).trim());
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with a run, judged from the tests it ran per file. `counts`: { file: { passed,
 * failed, pending } } for the files that were loaded; `missing`: from missingSuiteFiles; `grep`: a
 * --grep was given (then a file may match no test, but the run must run some).
 */
function suiteProblems({ run, counts, grep, missing = [] }) {
  const problems = missing.map((m) => m.message);
  const ran = (c) => (c ? c.passed + c.failed : 0);
  const total = Object.values(counts).reduce((n, c) => n + ran(c), 0);
  if (total === 0) problems.push(grep ? `no test matched --grep ${grep}` : 'the run ran 0 tests');
  else if (!grep) {
    const gone = new Set(missing.map((m) => m.file));
    for (const file of EXPECTED_SUITES[run].files) if (!gone.has(file) && ran(counts[file]) === 0) problems.push(`${file} ran 0 tests`);
  }
  return problems;
}

/**
 * Judges a run from its output (an extension host's): `summary` from parseMochaSummary, `counts`
 * from parseTestCounts (either may be undefined when the output has none), `code` its exit code.
 * Returns the totals and every problem found; each problem counts as one failure, so the closing
 * total cannot read "0 failed" for a run that proved nothing.
 */
function judgeSuiteRun({ run, counts, summary, code, grep, missing = [] }) {
  const problems = [];
  if (!summary) problems.push('no mocha summary in the output (the suite did not run to its end)');
  if (counts) problems.push(...suiteProblems({ run, counts, grep, missing }));
  else {
    problems.push(...missing.map((m) => m.message));
    if (summary) problems.push('no per-file test counts (LB_TEST_COUNTS) in the output');
  }
  const passed = summary?.passing ?? 0;
  const failing = summary?.failing ?? 0;
  // A non-zero exit with no failing test and nothing else wrong: the host failed after the tests.
  if (code !== 0 && failing === 0 && problems.length === 0) problems.push(`exit code ${code} with no failing test`);
  return { passed, failed: failing + problems.length, problems };
}

module.exports = {
  EXPECTED_SUITES,
  missingSuiteFiles,
  unlistedSuiteFiles,
  parseMochaSummary,
  formatTestCounts,
  parseTestCounts,
  suiteProblems,
  judgeSuiteRun,
};
