// Inside the real extension host: write-back keeps a locator's byte order mark and CRLF line ends,
// and a second run on a locator whose run is going is refused with the reason.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { HEADER, makeFixture, type Fixture } from './fixtures';

interface RunResult {
  refused?: string;
  endedBy?: string;
  records?: Array<{ index: number; status: string; value?: unknown }>;
}

function run(uri: vscode.Uri, args: Record<string, unknown>): Thenable<RunResult> {
  return vscode.commands.executeCommand<RunResult>('locatorBatch.runBatch', uri, { showResults: false, ...args });
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('the run lifecycle in VS Code', () => {
  let fx: Fixture;
  before(async () => {
    await vscode.extensions.getExtension('locator-batch.locator-batch')!.activate();
    fx = makeFixture(4);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fx?.cleanup();
  });

  it('write-back into a locator with a UTF-8 BOM and CRLF line ends keeps both', async () => {
    const rows = ['/data/a.fif,mi', '"/data/b ""x"".fif",mi', '"/data/c, d.fif",sleep'];
    const file = path.join(fx.dir, 'bom-crlf.locator.csv');
    fs.writeFileSync(file, Buffer.concat([BOM, Buffer.from(['File Path,Domain Tag', ...rows].join('\r\n') + '\r\n')]));
    const uri = vscode.Uri.file(file);
    const applyFile = fx.apply('name-length.js', `exports.apply = (row) => row['File Path'].length;\n`);
    const result = await run(uri, { applyFile, mode: 'sequential', resultType: 'value', isPatch: true });
    assert.equal(result.refused, undefined);
    assert.deepEqual(result.records!.map((r) => r.value), [11, 15, 14]);

    assert.equal(await vscode.commands.executeCommand('locatorBatch.writeBack', uri, { column: 'Length' }), true);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(await doc.save(), 'saved');

    const bytes = fs.readFileSync(file);
    assert.ok(bytes.subarray(0, 3).equals(BOM), `the file still starts with the BOM: ${bytes.subarray(0, 8).toString('hex')}`);
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(!text.includes('\ufeff'), 'one BOM, not two');
    assert.deepEqual(text.split('\r\n'), [
      'File Path,Domain Tag,Length',
      '/data/a.fif,mi,11',
      '"/data/b ""x"".fif",mi,15',
      '"/data/c, d.fif",sleep,14',
      '',
    ]);
    assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
  });

  it('refuses a second run on a locator whose run is going, saying so; Cancel ends the first', async () => {
    assert.ok(fs.readFileSync(fx.locator.fsPath, 'utf8').startsWith(HEADER));
    const finished = path.join(fx.dir, 'finished.log');
    const applyFile = fx.apply(
      'slow.js',
      `const fs = require('fs');\n` +
        `exports.apply = (row, ctx) => new Promise((resolve) => setTimeout(() => {\n` +
        `  fs.appendFileSync(${JSON.stringify(finished)}, ctx.index + '\\n');\n` +
        `  resolve(ctx.index);\n` +
        `}, 400));\n`,
    );
    const args = { applyFile, mode: 'sequential', workers: 1, resultType: 'value', isPatch: true };
    const first = run(fx.locator, args);
    // At once, as a double click on Run would: the first run is still loading its apply file.
    const second = await run(fx.locator, args);
    assert.match(second?.refused ?? '', /a run is already going on test\.locator\.csv/, JSON.stringify(second).slice(0, 300));
    // Again once the first run has finished a row.
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(finished)) {
      assert.ok(Date.now() < deadline, 'the first run finished a row');
      await new Promise((r) => setTimeout(r, 50));
    }
    const third = await run(fx.locator, args);
    assert.match(third?.refused ?? '', /a run is already going/);
    assert.equal(await vscode.commands.executeCommand('locatorBatch.cancelRun', fx.locator), true);
    const firstResult = await first;
    assert.equal(firstResult.endedBy, 'cancelled');
    assert.ok(firstResult.records!.some((r) => r.status === 'done'), 'the first run kept its finished rows');
    // With the first run over, the locator runs again.
    const fast = fx.apply('fast.js', `exports.apply = (row, ctx) => ctx.index;\n`);
    const again = await run(fx.locator, { ...args, applyFile: fast });
    assert.equal(again.refused, undefined);
    assert.equal(again.endedBy, 'finished');
  });
});
