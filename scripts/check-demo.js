#!/usr/bin/env node
// Runs every demo apply file over demo/demo.locator.csv in all three modes through the compiled
// engine (out/src/core), checks that the outcomes are what the demo promises, and that every mode
// gives the same records. Needs `npx tsc -p .` and `node scripts/make-demo.js` first.
// The Python apply files run on demo/fif.locator.csv through the CLI (`npm run build` first) with
// the Python that has MNE (./demoPython.js: Debian's /usr/bin/python3 after scripts/setup-python.sh).
//
//   node scripts/check-demo.js [--verbose]
'use strict';

const assert = require('assert/strict');
const path = require('path');
const fs = require('fs');
const os = require('os');
const { spawnSync } = require('child_process');
const { findMnePython } = require('./demoPython');

const REPO = path.resolve(__dirname, '..');
const core = (m) => require(path.join(REPO, 'out', 'src', 'core', m));
const { loadApplyFile } = core('applyModule');
const { runBatch, shapeResults } = core('run');
const { readLocator } = core('locator');
const { formatCell } = core('encode');

const DEMO = path.join(REPO, 'demo');
const LOCATOR = path.join(DEMO, 'demo.locator.csv');
const FIF_LOCATOR = path.join(DEMO, 'fif.locator.csv');
const CLI = path.join(REPO, 'dist', 'cli.js');
const verbose = process.argv.includes('--verbose');

const base = (row) => path.basename(row['File Path']);

/** What each apply file must do on demo.locator.csv: statuses by file name, and a check of the values. */
const EXPECT = {
  'sample-filter.js': {
    errors: [],
    check(records, locator, shaped) {
      assert.equal(shaped.resultType, 'series');
      const kept = shaped.rows.map(base);
      assert.equal(kept.length, 12, `kept ${kept.join(' ')}`);
      assert.ok(kept.every((f) => /task-rest|oddball_run-1/.test(f)));
      assert.deepEqual(shaped.rows[0], locator.rows[0]);
    },
  },
  'file-hash.ts': {
    errors: ['sub-09_task-rest.csv'],
    check(records, locator) {
      const crypto = require('crypto');
      for (const rec of records) {
        if (rec.status !== 'done') continue;
        const buf = fs.readFileSync(locator.rows[rec.index]['File Path']);
        assert.equal(rec.value, `${buf.length}:${crypto.createHash('sha256').update(buf).digest('hex')}`);
      }
      const missing = records.find((r) => r.status === 'error');
      assert.equal(missing.error.code, 'ENOENT');
    },
  },
  'mean-std.ts': {
    errors: ['sub-09_task-rest.csv'],
    skipped: ['sub-03_task-oddball_run-2.csv'],
    check(records, locator) {
      const first = records[0].value;
      assert.deepEqual(Object.keys(first).slice(0, 3), ['all_eeg', 'Fp1', 'Fp2']);
      assert.equal(Object.keys(first).length, 20);
      for (const [k, [mean, std]] of Object.entries(first)) {
        assert.ok(Math.abs(mean) < 40 && std > 1 && std < 60, `${k}: mean ${mean} std ${std}`);
      }
      // sub-07's file lacks T8: its result has 18 channels + all_eeg.
      const sub07 = records.find((r) => base(locator.rows[r.index]) === 'sub-07_task-rest.csv');
      assert.equal(Object.keys(sub07.value).length, 19);
      assert.equal(formatCell(first).slice(0, 12), '{"all_eeg":[');
    },
  },
  'flaky.js': {
    errors: ['sub-07_task-rest.csv', 'sub-03_task-oddball_run-2.csv', 'sub-09_task-rest.csv'],
    check(records, locator) {
      const byFile = (f) => records.find((r) => base(locator.rows[r.index]) === f);
      assert.equal(byFile('sub-09_task-rest.csv').error.code, 'ENOENT');
      assert.equal(byFile('sub-03_task-oddball_run-2.csv').error.name, 'TypeError');
      assert.match(byFile('sub-07_task-rest.csv').error.message, /missing: T8/);
      // The error points at the user's own file and line.
      const loc = byFile('sub-07_task-rest.csv').error.location;
      assert.ok(loc && loc.file.endsWith(path.join('apply', 'flaky.js')) && loc.line > 1, JSON.stringify(loc));
      assert.equal(byFile('sub-01_task-rest.csv').value, 'ok: 19 channels at 250 Hz');
    },
  },
};

function summary(records) {
  const counts = {};
  for (const r of records) counts[r.status] = (counts[r.status] || 0) + 1;
  return Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}

/** Records without timings, to compare modes. */
function comparable(records) {
  return records.map(({ index, status, value, error }) => ({
    index,
    status,
    value,
    error: error && { name: error.name, message: error.message, code: error.code, line: error.location && error.location.line },
  }));
}

const jsRecords = {};

/** What each Python apply file must do on fif.locator.csv (the same recordings as FIF files). */
const PY_EXPECT = {
  'sample_filter.py': {
    errors: [],
    check(rows, results) {
      assert.equal(results.length, 12, 'a new locator of 12 rows, as sample-filter.js keeps');
      assert.ok(results.every((r) => /task-rest_raw|oddball_run-1_raw/.test(r['File Path'])), results.map((r) => r['File Path']).join(' '));
      assert.equal(Number(results[0]['Number of Channels']), 19);
    },
  },
  'mean_std_mne.py': {
    errors: ['sub-09_task-rest_raw.fif'],
    skipped: ['sub-03_task-oddball_run-2_raw.fif'],
    check(rows) {
      assert.equal(rows.find((r) => r.status === 'error').error.name, 'FileNotFoundError');
      // MNE's FIF files hold the CSV recordings' samples (as float32 volts): the same statistics
      // as mean-std.ts computes from the CSV files, row by row, channel by channel.
      const js = jsRecords['mean-std.ts'];
      assert.ok(js, 'mean-std.ts ran first');
      let compared = 0;
      for (const r of rows.filter((x) => x.status === 'done')) {
        const want = js[r.index].value;
        assert.deepEqual(Object.keys(r.value), Object.keys(want), `row ${r.index}: channels`);
        for (const [ch, [mean, std]] of Object.entries(want)) {
          const [m, s] = r.value[ch];
          assert.ok(Math.abs(m - mean) < 2e-3 && Math.abs(s - std) < 2e-3, `row ${r.index} ${ch}: MNE ${m}, ${s}; CSV ${mean}, ${std}`);
          compared++;
        }
      }
      assert.ok(compared > 250, `${compared} channel statistics compared`);
    },
  },
  'check_recording.py': {
    errors: ['sub-07_task-rest_raw.fif', 'sub-03_task-oddball_run-2_raw.fif', 'sub-09_task-rest_raw.fif'],
    check(rows, results, locator, stderr) {
      const byFile = (f) => rows.find((r) => base(locator.rows[r.index]) === f);
      assert.equal(byFile('sub-09_task-rest_raw.fif').error.name, 'FileNotFoundError');
      assert.match(byFile('sub-03_task-oddball_run-2_raw.fif').error.message, /Sampling Rate is NaN/);
      const stale = byFile('sub-07_task-rest_raw.fif').error;
      assert.match(stale.message, /missing: T8/);
      // The error points at the user's own file and line, and keeps the Python traceback.
      assert.ok(stale.location && stale.location.file.endsWith(path.join('apply', 'check_recording.py')) && stale.location.line > 1, JSON.stringify(stale.location));
      assert.match(stale.stack, /Traceback/);
      assert.equal(byFile('sub-01_task-rest_raw.fif').value, 'ok: 19 channels at 250 Hz');
      // What it prints reaches stderr tagged with its row, never the results.
      const short = byFile('sub-04_task-mi_run-2_raw.fif');
      assert.match(stderr, new RegExp(`\\[row ${short.index}\\] sub-04_task-mi_run-2_raw.fif: marked Unavailable`));
      assert.equal(short.value, 'ok: 8 channels at 256 Hz');
    },
  },
};

/** The Python apply files through the CLI, every mode, with the Python that has MNE. */
function checkPython(fifLocator) {
  const found = findMnePython();
  if (!found.python) {
    console.log(`FAIL Python apply files: no Python with pandas and MNE (tried ${found.tried.join(', ')}); run bash scripts/setup-python.sh`);
    return 1;
  }
  if (!fs.existsSync(FIF_LOCATOR)) {
    console.log(`FAIL Python apply files: ${FIF_LOCATOR} is missing: run node scripts/make-demo.js`);
    return 1;
  }
  if (!fs.existsSync(CLI)) {
    console.log(`FAIL Python apply files: ${CLI} is missing: run npm run build`);
    return 1;
  }
  let failures = 0;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-demo-'));
  try {
    for (const [name, expect] of Object.entries(PY_EXPECT)) {
      let reference;
      for (const mode of ['sequential', 'async', 'process']) {
        const label = `${name} (${mode}, CLI, ${found.python})`;
        try {
          const out = path.join(tmp, `${name}-${mode}.json`);
          const workers = mode === 'sequential' ? 1 : mode === 'async' ? 4 : 2;
          const t0 = Date.now();
          const r = spawnSync(
            process.execPath,
            [CLI, 'run', FIF_LOCATOR, '--apply', path.join(DEMO, 'apply', name), '--mode', mode, '--workers', String(workers), '--python', found.python, '--out', out, '--no-journal'],
            { encoding: 'utf8', timeout: 180_000 },
          );
          assert.equal(r.status, expect.errors.length ? 1 : 0, `exit code (stderr: ${r.stderr})`);
          const { results, rows } = JSON.parse(fs.readFileSync(out, 'utf8'));
          assert.equal(rows.length, fifLocator.rows.length);
          const failed = rows.filter((x) => x.status === 'error').map((x) => base(fifLocator.rows[x.index]));
          assert.deepEqual(failed.sort(), [...expect.errors].sort(), 'rows that failed');
          const skipped = rows.filter((x) => x.status === 'skipped').map((x) => base(fifLocator.rows[x.index]));
          if (expect.skipped) assert.deepEqual(skipped, expect.skipped, 'rows skipped');
          expect.check(rows, results, fifLocator, r.stderr);
          if (reference) assert.deepEqual(comparable(rows), reference, 'same records as sequential');
          else reference = comparable(rows);
          console.log(`ok   ${label}: ${summary(rows)} in ${Date.now() - t0} ms (the whole CLI)`);
        } catch (err) {
          failures++;
          console.log(`FAIL ${label}: ${err.stack || err}`);
        }
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return failures;
}

async function main() {
  if (!fs.existsSync(LOCATOR)) throw new Error(`${LOCATOR} is missing: run node scripts/make-demo.js first`);
  const locator = await readLocator(LOCATOR);
  let failures = 0;
  for (const [name, expect] of Object.entries(EXPECT)) {
    const { bundle, module: mod } = await loadApplyFile(path.join(DEMO, 'apply', name));
    const d = mod.defaults;
    let reference;
    for (const mode of ['sequential', 'async', 'process']) {
      const label = `${name} (${mode}${mode === d.mode ? ', its default' : ''})`;
      try {
        const out = await runBatch({
          rows: locator.rows,
          module: mod,
          bundle,
          mode,
          workers: mode === 'sequential' ? 1 : mode === 'async' ? 8 : 2,
          resultType: d.resultType ?? 'value',
          isPatch: d.isPatch ?? true,
          onError: 'continue',
          locatorPath: LOCATOR,
        });
        const { records } = out;
        const failed = records.filter((r) => r.status === 'error').map((r) => base(locator.rows[r.index]));
        assert.deepEqual(failed.sort(), [...expect.errors].sort(), 'rows that failed');
        const skipped = records.filter((r) => r.status === 'skipped').map((r) => base(locator.rows[r.index]));
        if (expect.skipped) assert.deepEqual(skipped, expect.skipped, 'rows skipped');
        const shaped = shapeResults(records, locator.rows, locator.columns, d.resultType ?? 'value', d.isPatch ?? true);
        expect.check(records, locator, shaped);
        jsRecords[name] = records;
        if (reference) assert.deepEqual(comparable(records), reference, 'same records as sequential');
        else reference = comparable(records);
        console.log(`ok   ${label}: ${summary(records)} in ${out.elapsedMs.toFixed(0)} ms`);
        if (verbose) {
          for (const r of records) {
            const what = r.status === 'error' ? `${r.error.name}: ${r.error.message}` : formatCell(r.value).slice(0, 100);
            console.log(`       ${String(r.index).padStart(2)} ${base(locator.rows[r.index]).padEnd(30)} ${r.status.padEnd(7)} ${what}`);
          }
        }
      } catch (err) {
        failures++;
        console.log(`FAIL ${label}: ${err.stack || err}`);
      }
    }
  }
  // Relative paths resolve against the locator's folder.
  {
    const { bundle, module: mod } = await loadApplyFile(path.join(DEMO, 'apply', 'file-hash.ts'));
    const rows = locator.rows.map((r) => ({ ...r, 'File Path': path.relative(DEMO, r['File Path']) }));
    assert.ok(!path.isAbsolute(rows[0]['File Path']));
    const out = await runBatch({
      rows, module: mod, bundle, mode: 'process', workers: 2, resultType: 'value', isPatch: true, onError: 'continue',
      locatorPath: LOCATOR,
    });
    if (out.counts.done === rows.length - 1) console.log('ok   file-hash.ts with relative paths (process): resolved against the locator folder');
    else {
      failures++;
      console.log(`FAIL file-hash.ts with relative paths: ${summary(out.records)}`);
    }
  }
  failures += checkPython(fs.existsSync(FIF_LOCATOR) ? await readLocator(FIF_LOCATOR) : undefined);
  console.log(failures ? `${failures} check(s) failed` : 'all demo checks passed');
  process.exitCode = failures ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
