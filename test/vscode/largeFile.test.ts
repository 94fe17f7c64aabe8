// A locator over 50 MB: VS Code does not hand files that large to extensions (no TextDocument), so
// the run reads it from disk; its results can be shown and exported, and write-back (an edit of a
// document the extension cannot have) is refused with a message that says why.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

describe('a locator over 50 MB', function () {
  this.timeout(180_000);
  let dir: string;
  let locator: vscode.Uri;
  let rows = 0;

  before(() => {
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    dir = fs.mkdtempSync(path.join(root, '.lb-large-'));
    const file = path.join(dir, 'huge.locator.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'File Path,Domain Tag,Channel Names,Completeness Check\n');
    let size = 0;
    const channels = '"Fp1,Fp2,F7,F3,Fz,F4,F8,T7,C3,Cz,C4,T8,P7,P3,Pz,P4,P8,O1,O2,Oz,AF3,AF4"';
    while (size < 52 * 1024 * 1024) {
      const chunk: string[] = [];
      for (let k = 0; k < 10_000; k++, rows++) chunk.push(`/data/eeg/huge/sub-${rows}_task-rest_run-01_eeg.csv,huge,${channels},Completed`);
      const text = chunk.join('\n') + '\n';
      fs.writeSync(fd, text);
      size += text.length;
    }
    fs.closeSync(fd);
    locator = vscode.Uri.file(file);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs from the palette command (read from disk), exports, and refuses write-back with the reason', async () => {
    const applyFile = path.join(dir, 'len.js');
    fs.writeFileSync(applyFile, `exports.apply = (row) => row['File Path'].length;\n`);
    const result = await vscode.commands.executeCommand<{ records?: { index: number; status: string; value?: unknown }[]; refused?: string }>(
      'locatorBatch.runBatch',
      locator,
      { applyFile, mode: 'sequential', resultType: 'value', isPatch: true, showResults: false },
    );
    assert.equal(result.refused, undefined, result.refused);
    assert.equal(result.records!.length, rows);
    const last = result.records![rows - 1];
    assert.deepEqual([last.status, last.value], ['done', `/data/eeg/huge/sub-${rows - 1}_task-rest_run-01_eeg.csv`.length]);

    const target = vscode.Uri.file(path.join(dir, 'results.json'));
    await vscode.commands.executeCommand('locatorBatch.exportResults', locator, target);
    const exported = JSON.parse(fs.readFileSync(target.fsPath, 'utf8'));
    assert.equal(exported.results.length, rows);

    const before = fs.statSync(locator.fsPath).mtimeMs;
    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', locator, { column: 'len' }), false);
    assert.equal(fs.statSync(locator.fsPath).mtimeMs, before, 'the file is untouched');
  });
});
