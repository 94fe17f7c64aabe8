// The command line with a .py apply file, as a user runs it: `locator-batch run LOC --apply step.py
// --python PATH ...` in a real child process with a real interpreter (Debian's, with pandas).
import * as assert from 'assert';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'csv-parse/sync';
import { spawnCli, useTempDir, writeFixture } from './helpers';
import { EXAMPLE_LOCATOR, testPython } from './pythonHelpers';


function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // LOCATOR_BATCH_PYTHON out of the way: each test says which interpreter it means.
  const childEnv = { ...process.env, ...env };
  delete childEnv.LOCATOR_BATCH_PYTHON;
  return spawnCli(args, { env: { ...childEnv, ...env } }).done;
}

describe('command line: a Python apply file', function () {
  this.timeout(120_000);
  const dir = useTempDir('cli-python');
  const STEP = `# EEGUnity style: con_func / app_func on a pandas row.
defaults = {"mode": "process", "workers": 2, "result_type": "value", "is_patch": True}

def con_func(row):
    return row["Completeness Check"] == "Completed"

def app_func(row):
    print("channels", row["Number of Channels"])
    if row.name == 3:
        raise ValueError("bad recording " + row["File Path"])
    return row["Number of Channels"] * 2
`;

  it('runs con_func/app_func on pandas rows in process mode: values in row order, output tagged by row on stderr, the failing row with its Python line', async () => {
    const python = testPython();
    const step = writeFixture(dir(), 'apply/double.py', STEP);
    const out = path.join(dir(), 'doubled.csv');
    const r = await run(['run', EXAMPLE_LOCATOR, '--apply', step, '--python', python, '--out', out, '--column', 'double', '--no-journal']);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Interpreter: Python 3\\.\\d+\\.\\d+ \\(${python.replace(/\//g, '\\/')}.*\\), pandas \\d`));
    assert.match(r.stderr, /^\[row 0\] channels 25\.0$/m, 'what app_func prints, tagged with its row');
    assert.match(r.stderr, /· process mode/);
    assert.match(r.stderr, /row 3: error: ValueError: bad recording .*S02T_raw\.fif \(.*double\.py:10/);
    const source = parse(readFileSync(EXAMPLE_LOCATOR, 'utf8'), { columns: true }) as Record<string, string>[];
    const written = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.strictEqual(written.length, source.length);
    written.forEach((row, i) => {
      const picked = source[i]['Completeness Check'] === 'Completed' && i !== 3;
      // pandas typed the column as a number (float: it has empty cells): 50, not "2525".
      assert.strictEqual(row.double, picked ? String(Number(source[i]['Number of Channels']) * 2) : '', `row ${i}`);
    });
  });

  it('refuses an interpreter that is missing, or one without pandas, naming it: exit 2, nothing written', async () => {
    const step = writeFixture(dir(), 'apply/double.py', STEP);
    const out = path.join(dir(), 'never.json');
    const missing = await run(['run', EXAMPLE_LOCATOR, '--apply', step, '--python', '/no/such/python3', '--out', out]);
    assert.strictEqual(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /\/no\/such\/python3/);
    const noPandas = writeFixture(dir(), 'bin/python-without-pandas', `#!/bin/sh\nexec /usr/bin/python3 -S -I "$@"\n`);
    require('fs').chmodSync(noPandas, 0o755);
    const bare = await run(['run', EXAMPLE_LOCATOR, '--apply', step, '--python', noPandas, '--out', out]);
    assert.strictEqual(bare.code, 2, bare.stderr);
    assert.match(bare.stderr, /pandas/);
    assert.ok(!existsSync(out), 'nothing written');
  });

  it('refuses an interpreter that cannot start the worker (isolated mode hides its folder): exit 2, not an unexpected error', async () => {
    const step = writeFixture(dir(), 'apply/double.py', STEP);
    const isolated = writeFixture(dir(), 'bin/python-isolated', `#!/bin/sh\nexec ${testPython()} -I "$@"\n`);
    require('fs').chmodSync(isolated, 0o755);
    const r = await run(['run', EXAMPLE_LOCATOR, '--apply', step, '--python', isolated, '--no-journal']);
    assert.strictEqual(r.code, 2, r.stderr);
    assert.match(r.stderr, /python-isolated\) exited at start/);
    assert.doesNotMatch(r.stderr, /unexpected error/);
  });
});
