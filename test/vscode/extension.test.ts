// The extension in the real extension host: activation, commands, runs in every mode, cancel,
// broken apply files, and what the results become.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { HASH_APPLY, makeFixture, type Fixture } from './fixtures';

const EXTENSION_ID = 'locator-batch.locator-batch';

interface RunResult {
  refused?: string;
  endedBy?: string;
  effectiveMode?: string;
  counts?: Record<string, number>;
  records?: Array<{ index: number; status: string; value?: unknown; error?: { message: string; location?: { file: string; line: number } } }>;
}

function run(uri: vscode.Uri, args: Record<string, unknown>): Thenable<RunResult> {
  return vscode.commands.executeCommand<RunResult>('locatorBatch.runBatch', uri, { showResults: false, ...args });
}

describe('Locator Batch in VS Code', () => {
  let fx: Fixture;
  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
    await ext.activate();
    fx = makeFixture();
  });
  after(() => fx?.cleanup());

  it('registers every command it contributes', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string }[]).map(
      (c) => c.command,
    );
    assert.ok(contributed.length >= 7);
    for (const id of contributed) assert.ok(all.has(id), `${id} is registered`);
  });

  for (const mode of ['sequential', 'async', 'process'] as const) {
    it(`runs a batch in ${mode} mode with results in row order`, async () => {
      const applyFile = fx.apply('hash.ts', HASH_APPLY);
      const result = await run(fx.locator, { applyFile, mode, workers: 2, resultType: 'value', isPatch: true, onError: 'continue' });
      assert.equal(result.refused, undefined);
      assert.equal(result.effectiveMode, mode);
      assert.equal(result.endedBy, 'finished');
      assert.deepEqual(
        result.records!.map((r) => r.index),
        fx.hashes.map((_, i) => i),
      );
      fx.hashes.forEach((hash, i) => {
        const rec = result.records![i];
        if (hash) assert.deepEqual({ status: rec.status, value: rec.value }, { status: 'done', value: hash }, `row ${i}`);
        else {
          // A missing file fails its row alone, with the user's file and line.
          assert.equal(rec.status, 'error', `row ${i}`);
          assert.match(rec.error!.message, /ENOENT/);
          assert.equal(rec.error!.location?.file, applyFile);
          assert.equal(rec.error!.location?.line, 6);
        }
      });
    });
  }

  it('keeps process-mode workers between runs, and ends them when keepWorkersSeconds is set to 0', async () => {
    const applyFile = fx.apply('pid.js', `exports.apply = () => process.pid;\n`);
    const args = { applyFile, mode: 'process', workers: 2, resultType: 'value', isPatch: true, onError: 'continue' };
    const pidsOf = (r: RunResult) => new Set(r.records!.map((rec) => rec.value as number));
    const first = pidsOf(await run(fx.locator, args));
    const second = pidsOf(await run(fx.locator, args));
    for (const pid of second) assert.ok(first.has(pid), `the second run's worker ${pid} is one of the first run's ${[...first]}`);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok([...second].every(alive), 'the workers wait for the next run');
    const config = vscode.workspace.getConfiguration('locatorBatch');
    await config.update('keepWorkersSeconds', 0, vscode.ConfigurationTarget.Global);
    try {
      const deadline = Date.now() + 5000;
      while ([...second].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(![...second].some(alive), 'the kept workers ended when the setting turned to 0');
      const third = pidsOf(await run(fx.locator, args));
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(![...third].some(alive), 'with 0, no worker outlives its run');
    } finally {
      await config.update('keepWorkersSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('cancels a run and keeps the rows that finished', async () => {
    const applyFile = fx.apply(
      'slow.js',
      `exports.apply = (row, ctx) => new Promise((resolve) => setTimeout(() => resolve(ctx.index), 150));\n`,
    );
    const pending = run(fx.locator, { applyFile, mode: 'sequential', workers: 1, resultType: 'value' });
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await vscode.commands.executeCommand('locatorBatch.cancelRun', fx.locator), true);
    const result = await pending;
    assert.equal(result.endedBy, 'cancelled');
    const done = result.records!.filter((r) => r.status === 'done');
    const cancelled = result.records!.filter((r) => r.status === 'cancelled');
    assert.ok(done.length >= 2, `some rows finished before cancel (${done.length})`);
    assert.ok(cancelled.length >= 2, `the rest were cancelled (${cancelled.length})`);
    for (const r of done) assert.equal(r.value, r.index);
  });

  it('refuses a broken apply file with its file and line, before any row runs', async () => {
    const applyFile = fx.apply('broken.ts', `export function apply(row) {\n  return row[;\n}\n`);
    const result = await run(fx.locator, { applyFile, mode: 'sequential', resultType: 'value' });
    assert.ok(result.refused, 'the run was refused');
    assert.match(result.refused!, /broken\.ts:2:/);
    assert.equal(result.records, undefined);
  });

  it('refuses an apply file without an apply export, naming what it exports', async () => {
    const applyFile = fx.apply('noapply.js', `exports.transform = (row) => row;\n`);
    const result = await run(fx.locator, { applyFile, mode: 'sequential', resultType: 'value' });
    assert.match(result.refused ?? '', /does not export an apply function.*transform/);
  });

  it('re-runs only the failed rows and exports the results', async () => {
    const flaky = fx.apply('flaky.js', `exports.apply = (row, ctx) => { if (ctx.index % 3 === 0) throw new Error('flaky ' + ctx.index); return ctx.index * 10; };\n`);
    const first = await run(fx.locator, { applyFile: flaky, mode: 'sequential', resultType: 'value', isPatch: true });
    const failedFirst = first.records!.filter((r) => r.status === 'error').map((r) => r.index);
    assert.deepEqual(failedFirst, [0, 3, 6, 9]);
    // Fix the file, then re-run: only the failed rows run again, the others are kept.
    fs.writeFileSync(flaky, `exports.apply = (row, ctx) => ctx.index * 10 + 1;\n`);
    const second = await vscode.commands.executeCommand<RunResult>('locatorBatch.rerunFailed', fx.locator);
    assert.equal(second.endedBy, 'finished');
    second.records!.forEach((r) => {
      assert.equal(r.status, 'done');
      assert.equal(r.value, failedFirst.includes(r.index) ? r.index * 10 + 1 : r.index * 10, `row ${r.index}`);
    });
    const target = vscode.Uri.file(`${fx.dir}/export.json`);
    await vscode.commands.executeCommand('locatorBatch.exportResults', fx.locator, target);
    const exported = JSON.parse(fs.readFileSync(target.fsPath, 'utf8'));
    assert.deepEqual(exported.results, second.records!.map((r) => r.value));
    assert.equal(exported.rows.length, second.records!.length);
  });

  it('creates a commented apply file from the template that runs as it is', async () => {
    const target = vscode.Uri.file(`${fx.dir}/template.ts`);
    await vscode.commands.executeCommand('locatorBatch.newApplyFile', target, 'ts');
    const text = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(text, /export function condition/);
    assert.match(text, /export async function apply/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, target.fsPath, 'the new file is open');
    const result = await run(fx.locator, { applyFile: target.fsPath, mode: 'async', workers: 4, resultType: 'value', isPatch: true });
    fx.hashes.forEach((hash, i) => {
      const rec = result.records![i];
      // The template returns each completed recording's size and skips the unavailable ones.
      if (hash) assert.equal(rec.value, fs.statSync(`${fx.dir}/rec${i}.csv`).size);
      else assert.equal(rec.status, 'skipped');
    });
  });
});
