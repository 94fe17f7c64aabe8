// The locator editor and what results become: write-back through the document (undoable, never
// saved behind the user's back), series into a new locator, and the editor over the TextDocument.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { HASH_APPLY, makeFixture, type Fixture } from './fixtures';

type Rec = { index: number; status: string; value?: unknown };

function run(uri: vscode.Uri, args: Record<string, unknown>) {
  return vscode.commands.executeCommand<{ records: Rec[]; refused?: string }>('locatorBatch.runBatch', uri, {
    showResults: false,
    ...args,
  });
}

/** Column `name` of every data row of a locator's text (simple CSV: the fixture quotes only shapes). */
function column(text: string, name: string): string[] {
  const [header, ...rows] = text.trimEnd().split('\n');
  const at = header.split(',').indexOf(name);
  assert.ok(at >= 0, `column ${name} exists`);
  // The last column is the one written back: take it from the end of the line.
  return rows.map((r) => (at === header.split(',').length - 1 ? r.slice(r.lastIndexOf(',') + 1) : r.split(',')[at]));
}

describe('the locator editor and write-back', () => {
  let fx: Fixture;
  before(() => {
    fx = makeFixture(8);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fx.cleanup();
  });

  it('opens *.locator.csv in the locator editor by default', async () => {
    await vscode.commands.executeCommand('vscode.open', fx.locator);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom, 'a custom editor opened');
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'locatorBatch.locatorEditor');
  });

  it('Open in Locator Editor brings an open locator editor forward instead of opening a second one', async () => {
    const plain = vscode.Uri.file(`${fx.dir}/plain.csv`);
    fs.copyFileSync(fx.locator.fsPath, plain.fsPath);
    await vscode.commands.executeCommand('vscode.openWith', plain, 'locatorBatch.locatorEditor');
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('locatorBatch.openEditor', plain);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => (t.input as { uri?: vscode.Uri }).uri?.fsPath === plain.fsPath);
    assert.equal(tabs.length, 1);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // The tests below undo through the active editor: put the fixture's locator editor in front.
    await vscode.commands.executeCommand('vscode.open', fx.locator);
  });

  it('writes value results into a column as an undoable edit, leaving the file on disk alone', async () => {
    const onDisk = fs.readFileSync(fx.locator.fsPath, 'utf8');
    const applyFile = fx.apply('hash.ts', HASH_APPLY);
    const result = await run(fx.locator, { applyFile, mode: 'async', workers: 4, resultType: 'value', isPatch: true });
    const doc = await vscode.workspace.openTextDocument(fx.locator);
    assert.equal(doc.isDirty, false, 'a run alone does not change the document');

    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', fx.locator, { column: 'Source Hash' }), true);
    assert.equal(doc.isDirty, true, 'write-back is an edit of the document');
    const written = column(doc.getText(), 'Source Hash');
    // Each value sits on its own row; failed rows (missing files) are left empty, never filled by a neighbour.
    assert.deepEqual(written, fx.hashes);
    assert.deepEqual(result.records.map((r) => (r.status === 'done' ? r.value : '')), fx.hashes);
    assert.equal(fs.readFileSync(fx.locator.fsPath, 'utf8'), onDisk, 'nothing saved without the user');

    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), onDisk, 'undo restores the locator');
  });

  it('refuses to write back when the rows changed since the run', async () => {
    const applyFile = fx.apply('len.js', `exports.apply = (row) => row['File Path'].length;\n`);
    await run(fx.locator, { applyFile, mode: 'sequential', resultType: 'value', isPatch: true });
    const doc = await vscode.workspace.openTextDocument(fx.locator);
    const before = doc.getText();
    // Swap two rows in the text: values would now belong to other rows.
    const lines = before.split('\n');
    [lines[1], lines[2]] = [lines[2], lines[1]];
    const edit = new vscode.WorkspaceEdit();
    edit.replace(fx.locator, new vscode.Range(0, 0, doc.lineCount, 0), lines.join('\n'));
    await vscode.workspace.applyEdit(edit);
    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', fx.locator, { column: 'len' }), false);
    assert.ok(!doc.getText().includes(',len'), 'no column was written');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), before);
  });

  it('opens series results as a new untitled locator', async () => {
    const applyFile = fx.apply(
      'filter.js',
      `exports.condition = (row) => row['Completeness Check'] === 'Completed';\nexports.apply = (row) => row;\n`,
    );
    await run(fx.locator, { applyFile, mode: 'sequential', resultType: 'series', isPatch: false });
    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', fx.locator, { target: 'new' }), true);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc?.isUntitled, 'a new untitled document');
    const kept = fx.hashes.filter(Boolean).length;
    const lines = doc.getText().trimEnd().split('\n');
    assert.equal(lines[0], fs.readFileSync(fx.locator.fsPath, 'utf8').split('\n')[0], 'same columns');
    assert.equal(lines.length - 1, kept, 'only the complete recordings');
    assert.ok(lines.slice(1).every((l) => l.endsWith(',Completed')));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('replaces the locator with series results as an undoable edit, and refuses once the rows changed since the run', async () => {
    await vscode.commands.executeCommand('vscode.open', fx.locator);
    const doc = await vscode.workspace.openTextDocument(fx.locator);
    const before = doc.getText();
    const applyFile = fx.apply(
      'complete.js',
      `exports.condition = (row) => row['Completeness Check'] === 'Completed';\nexports.apply = (row) => ({ ...row, 'Domain Tag': 'checked' });\n`,
    );
    await run(fx.locator, { applyFile, mode: 'sequential', resultType: 'series', isPatch: false });
    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', fx.locator, { target: 'replace' }), true);
    const lines = doc.getText().trimEnd().split('\n');
    assert.equal(lines[0], before.split('\n')[0], 'same columns');
    assert.equal(lines.length - 1, fx.hashes.filter(Boolean).length, 'only the complete recordings');
    assert.deepEqual(column(doc.getText(), 'Domain Tag'), lines.slice(1).map(() => 'checked'));
    assert.equal(doc.isDirty, true);
    assert.equal(fs.readFileSync(fx.locator.fsPath, 'utf8'), before, 'nothing saved without the user');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), before, 'undo restores the locator');

    // A row edited after the run: replacing would drop that edit, so it is refused.
    await run(fx.locator, { applyFile, mode: 'sequential', resultType: 'series', isPatch: false });
    const firstLine = doc.lineAt(1).text;
    const typed = new vscode.WorkspaceEdit();
    typed.replace(fx.locator, doc.lineAt(1).range, firstLine.replace(/^[^,]*/, '/edited/after/the/run.csv'));
    await vscode.workspace.applyEdit(typed);
    const edited = doc.getText();
    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', fx.locator, { target: 'replace' }), false);
    assert.equal(doc.getText(), edited, 'the edit made after the run is still there');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), before);
  });
});
