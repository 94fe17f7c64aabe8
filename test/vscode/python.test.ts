// Python apply files in the real extension host: the interpreter setting, EEGUnity's app_func on a
// pandas row (numbers typed as pandas reads them), unsaved edits read by pandas, write-back, the
// Python template, and the refusal when the interpreter cannot run apply files.
// The python3 first on PATH here may lack pandas: the tests name Debian's /usr/bin/python3 (which has
// it, see scripts/setup-python.sh) in the workspace settings, and put that file back byte for byte.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { makeFixture, type Fixture } from './fixtures';

const PYTHON_WITH_PANDAS = '/usr/bin/python3';

interface RunResult {
  refused?: string;
  endedBy?: string;
  effectiveMode?: string;
  records?: Array<{ index: number; status: string; value?: unknown; error?: { message: string; location?: { file: string; line: number } } }>;
}

function run(uri: vscode.Uri, args: Record<string, unknown>): Thenable<RunResult> {
  return vscode.commands.executeCommand<RunResult>('locatorBatch.runBatch', uri, { showResults: false, ...args });
}

// EEGUnity's functions, unchanged: `row['Number of Channels'] * 2` is 4 only when pandas typed it an
// int (a string cell would give '22'); row.name is the row's index.
const CHANNELS_APPLY = `
defaults = {'execution_mode': 'process', 'num_workers': 2, 'result_type': 'value'}


def con_func(row):
    return row['Completeness Check'] == 'Completed'


def app_func(row):
    return row['Number of Channels'] * 2 + row.name
`;

describe('Python apply files in VS Code', () => {
  const config = () => vscode.workspace.getConfiguration('locatorBatch');
  const settingsFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');
  const filesConfig = () => vscode.workspace.getConfiguration('files');
  const interpreterValue = () =>
    JSON.stringify([config().inspect('pythonInterpreter')?.workspaceValue ?? null, filesConfig().inspect('autoSave')?.workspaceValue ?? null]);
  let savedText: string | undefined;
  let savedValue: string;
  let fx: Fixture;
  const setInterpreter = (value: string) => config().update('pythonInterpreter', value, vscode.ConfigurationTarget.Workspace);

  before(async () => {
    assert.ok(fs.existsSync(PYTHON_WITH_PANDAS), `${PYTHON_WITH_PANDAS} exists (scripts/setup-python.sh installs pandas for it)`);
    savedText = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    savedValue = interpreterValue();
    await setInterpreter(PYTHON_WITH_PANDAS);
    // code-server saves edits after a delay by default: the unsaved edit below must stay unsaved.
    await filesConfig().update('autoSave', 'off', vscode.ConfigurationTarget.Workspace);
    fx = makeFixture(12);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fx?.cleanup();
    if (savedText === undefined) fs.rmSync(settingsFile, { force: true });
    else fs.writeFileSync(settingsFile, savedText);
    const deadline = Date.now() + 10_000;
    while (interpreterValue() !== savedValue) {
      assert.ok(Date.now() < deadline, `the workspace settings are back: ${interpreterValue()} (was ${savedValue})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it("runs app_func on pandas rows in process mode, reads unsaved edits, and writes the values back", async () => {
    const applyFile = fx.apply('channels.py', CHANNELS_APPLY);
    const onDisk = fs.readFileSync(fx.locator.fsPath, 'utf8');
    const doc = await vscode.workspace.openTextDocument(fx.locator);
    await vscode.window.showTextDocument(doc);
    // An unsaved edit: row 0 now has 5 channels. pandas must read what the user sees, not the file.
    const edit = new vscode.WorkspaceEdit();
    const line1 = doc.lineAt(1);
    edit.replace(doc.uri, line1.range, line1.text.replace(/,2,250\.0,/, ',5,250.0,'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(doc.isDirty, true);

    const result = await run(fx.locator, { applyFile, mode: 'process', workers: 2, resultType: 'value', isPatch: false });
    assert.equal(result.refused, undefined, result.refused);
    assert.equal(result.effectiveMode, 'process');
    assert.equal(result.endedBy, 'finished');
    assert.equal(doc.isDirty, true, 'the edit is still unsaved');
    assert.equal(fs.readFileSync(fx.locator.fsPath, 'utf8'), onDisk, 'the file on disk still has 2 channels in row 0');
    const expected = fx.hashes.map((hash, i) => (hash ? (i === 0 ? 5 : 2) * 2 + i : undefined));
    assert.deepEqual(
      result.records!.map((r) => (r.status === 'done' ? r.value : r.status)),
      expected.map((v) => v ?? 'skipped'),
      'app_func on the picked rows (con_func skips the unavailable ones), on pandas ints',
    );

    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', fx.locator, { column: 'Doubled' }), true);
    const lines = doc.getText().trim().split(/\r?\n/);
    assert.ok(lines[0].endsWith(',Doubled'), 'the new column is last');
    assert.deepEqual(
      lines.slice(1).map((l) => l.slice(l.lastIndexOf(',') + 1)),
      expected.map((v) => (v === undefined ? '' : String(v))),
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('takes the run settings from the .py file\'s defaults (EEGUnity spellings) when the caller names only the file', async () => {
    const applyFile = fx.apply('channels-defaults.py', CHANNELS_APPLY);
    const result = await run(fx.locator, { applyFile });
    assert.equal(result.refused, undefined, result.refused);
    assert.equal(result.effectiveMode, 'process', "execution_mode 'process' from defaults");
    assert.equal(result.records![1].value, 5);
  });

  it('New Apply File... writes a Python template in EEGUnity\'s style that runs as it is', async () => {
    const target = vscode.Uri.file(path.join(fx.dir, 'new-step.py'));
    assert.equal((await vscode.commands.executeCommand<vscode.Uri>('locatorBatch.newApplyFile', target, 'py'))?.fsPath, target.fsPath);
    const text = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(text, /^def con_func\(row\):/m);
    assert.match(text, /^def app_func\(row\):/m);
    assert.match(text, /^defaults = \{/m);
    const result = await run(fx.locator, { applyFile: target.fsPath });
    assert.equal(result.refused, undefined, result.refused);
    assert.equal(result.effectiveMode, 'async', "the template's execution_mode 'thread' is async here");
    fx.hashes.forEach((hash, i) => {
      const rec = result.records![i];
      if (hash) assert.deepEqual({ status: rec.status, value: rec.value }, { status: 'done', value: fs.statSync(path.join(fx.dir, `rec${i}.csv`)).size }, `row ${i}`);
      else assert.equal(rec.status, 'skipped', `row ${i}`);
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('refuses before any row when the interpreter is missing or has no pandas, naming it', async () => {
    const applyFile = fx.apply('channels-refused.py', CHANNELS_APPLY);
    try {
      await setInterpreter('/nonexistent/bin/python3');
      const missing = await run(fx.locator, { applyFile });
      assert.match(missing.refused ?? '', /\/nonexistent\/bin\/python3/);
      assert.equal(missing.records, undefined, 'no row ran');
      // A Python without pandas (the machine's python3 on PATH may be one; here Debian's without its site
      // packages): the refusal says to install it.
      const bare = fs.mkdtempSync(path.join(fx.dir, 'bare-'));
      const script = path.join(bare, 'python3');
      fs.writeFileSync(script, `#!/bin/sh\nexec ${PYTHON_WITH_PANDAS} -S "$@"\n`, { mode: 0o755 });
      await setInterpreter(script);
      const noPandas = await run(fx.locator, { applyFile });
      assert.match(noPandas.refused ?? '', /pandas/);
    } finally {
      await setInterpreter(PYTHON_WITH_PANDAS);
    }
  });
});
