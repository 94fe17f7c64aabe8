// Before the first row: which interpreter runs a .py apply file, and the refusals (no interpreter,
// Python older than 3.8, no pandas, a broken apply file) that name what is wrong and what to do.
// Warm workers: a second run reuses them and still imports the apply file (and its helpers) afresh.
import { strict as assert } from 'node:assert';
import { chmodSync } from 'fs';
import * as path from 'path';
import { ApplyModuleError } from '../../src/core/applyModule';
import { chooseInterpreter, findPython, PythonSetupError } from '../../src/core/python/interpreter';
import { describePython, loadPythonApplyFile, normalizeDefaults } from '../../src/core/python/pythonApply';
import { endIdlePythonWorkers, idlePythonWorkerCount } from '../../src/core/python/pythonPool';
import { useTempDir, writeFixture } from './helpers';
import { loadPy, runPy, testPython } from './pythonHelpers';

describe('Python apply files: the interpreter and the file, checked before any row', function () {
  this.timeout(120_000);
  const tmp = useTempDir('py-setup');
  after(() => endIdlePythonWorkers());

  const script = (rel: string, text: string) => {
    const file = writeFixture(tmp(), rel, text);
    chmodSync(file, 0o755);
    return file;
  };

  it('chooses the explicit path, else LOCATOR_BATCH_PYTHON, else python3 then python on PATH', () => {
    const bin = path.dirname(script('bin-both/python3', '#!/bin/sh\n'));
    script('bin-both/python', '#!/bin/sh\n');
    const onlyPython = path.dirname(script('bin-python/python', '#!/bin/sh\n'));
    assert.deepEqual(chooseInterpreter('/opt/py/bin/python3', { PATH: bin }), { command: '/opt/py/bin/python3', source: 'explicit' });
    assert.deepEqual(chooseInterpreter(undefined, { PATH: bin, LOCATOR_BATCH_PYTHON: '/env/python' }), { command: '/env/python', source: 'env' });
    assert.deepEqual(chooseInterpreter('', { PATH: bin }), { command: path.join(bin, 'python3'), source: 'PATH' });
    assert.deepEqual(chooseInterpreter(undefined, { PATH: onlyPython }), { command: path.join(onlyPython, 'python'), source: 'PATH' });
    assert.throws(() => chooseInterpreter(undefined, { PATH: tmp() }), (e: Error) => e instanceof PythonSetupError && /neither python3 nor python is on PATH/.test(e.message));
  });

  it('refuses a missing interpreter, naming it and how to choose one', async () => {
    await assert.rejects(findPython('/no/such/python3'), (e: Error) => {
      assert.ok(e instanceof PythonSetupError);
      assert.match(e.message, /\/no\/such\/python3 not found/);
      assert.match(e.message, /locatorBatch\.pythonInterpreter/);
      return true;
    });
  });

  it('refuses a Python older than 3.8, naming its version', async () => {
    const old = script('old/python3', '#!/bin/sh\necho /opt/old/bin/python3.7\necho 3.7.9\n');
    await assert.rejects(findPython(old), /is Python 3\.7\.9; apply files need Python 3\.8 or later with pandas/);
  });

  it('refuses an interpreter without pandas, naming it and what to install', async () => {
    // Debian's python3 without its site packages (-S): no pandas.
    const bare = script('bare/python3', `#!/bin/sh\nexec ${testPython()} -S "$@"\n`);
    const file = writeFixture(tmp(), 'ok.py', 'def apply(row):\n    return 1\n');
    await assert.rejects(loadPythonApplyFile(file, { python: bare }), (e: Error) => {
      assert.ok(e instanceof PythonSetupError, String(e));
      assert.match(e.message, new RegExp(`Python interpreter ${bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*cannot import pandas`));
      assert.match(e.message, /-m pip install pandas/);
      assert.match(e.message, /apt install python3-pandas/);
      return true;
    });
  });

  it('reports the interpreter, its version and pandas version; reads defaults in camelCase and snake_case', async () => {
    const file = writeFixture(tmp(), 'defaults.py', "defaults = {'mode': 'thread', 'workers': 3, 'result_type': 'series', 'is_patch': False}\ndef con_func(row):\n    return True\ndef app_func(row):\n    return row\n");
    const py = await loadPy(file);
    assert.equal(py.interpreter.command, testPython());
    assert.match(py.interpreter.version, /^3\.\d+\.\d+$/);
    assert.match(py.pandasVersion, /^\d+\.\d+/);
    assert.equal(describePython(py), `Python ${py.interpreter.version} (${testPython()}), pandas ${py.pandasVersion}`);
    assert.equal(py.hasCondition, true);
    assert.deepEqual(py.defaults, { mode: 'async', workers: 3, resultType: 'series', isPatch: false });
    assert.deepEqual(normalizeDefaults({ resultType: 'value', isPatch: true, mode: 'process' }), { resultType: 'value', isPatch: true, mode: 'process' });
  });

  for (const [what, source, expected] of [
    ['a syntax error', 'def apply(row):\n    return 1\n\nx = = 2\n', /broken\.py:4: loading the apply file failed: SyntaxError/],
    ['an import error', 'import numpy\nimport no_such_module_here\ndef apply(row):\n    return 1\n', /broken\.py:2: loading the apply file failed: ModuleNotFoundError: No module named 'no_such_module_here'/],
    ['no apply function', 'def helper(row):\n    return 1\nvalue = 3\n', /broken\.py defines no apply\(row\) or app_func\(row\) function; it defines: helper/],
    ['an error while it loads', 'x = {}\ny = x["missing"]\ndef apply(row):\n    return 1\n', /broken\.py:2: loading the apply file failed: KeyError: 'missing'/],
  ] as const) {
    it(`refuses an apply file with ${what}, naming the file and line`, async () => {
      const file = writeFixture(tmp(), `${what.replace(/\W+/g, '-')}/broken.py`, source);
      await assert.rejects(loadPy(file), (e: Error) => {
        assert.ok(e instanceof ApplyModuleError, String(e));
        assert.match(e.message, expected);
        assert.equal(e.file, file);
        if (what !== 'no apply function') assert.equal(e.location?.file, file);
        return true;
      });
    });
  }

  it('keeps workers warm between runs, and each run imports the apply file and its own helpers afresh', async () => {
    await endIdlePythonWorkers();
    const helper = writeFixture(tmp(), 'warm/helper.py', "TAG = 'one'\n");
    const file = writeFixture(tmp(), 'warm/step.py', "import os\nimport helper\ncount = 0\ndef apply(row):\n    global count\n    count += 1\n    return [helper.TAG, os.getpid(), count]\n");
    const locator = writeFixture(tmp(), 'warm/rec.csv', 'id\na\nb\n');
    const first = await runPy(await loadPy(file), locator, { mode: 'process', workers: 2, keepWorkersMs: 30_000 });
    assert.equal(idlePythonWorkerCount(), 2);
    writeFixture(tmp(), 'warm/helper.py', "TAG = 'two'\n");
    const second = await runPy(await loadPy(file), locator, { mode: 'process', workers: 2, keepWorkersMs: 30_000 });
    const pids = (o: typeof first) => new Set(o.out.records.map((r) => (r.value as unknown[])[1]));
    assert.equal(pids(first).size, 2, 'two workers ran the rows');
    assert.deepEqual([...pids(second)].sort(), [...pids(first)].sort(), 'the second run ran in the kept workers');
    assert.deepEqual(second.out.records.map((r) => (r.value as unknown[])[0]), ['two', 'two'], 'the edited helper is imported afresh');
    assert.ok(second.out.records.every((r) => (r.value as number[])[2] <= 2), 'module state starts afresh each run');
    await endIdlePythonWorkers();
    assert.equal(idlePythonWorkerCount(), 0);
  });
});
