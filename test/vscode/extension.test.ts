// The extension in the real extension host: activation, commands, runs in every mode, cancel,
// broken apply files, and what the results become.
import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { HASH_APPLY, engineWorkerPids, eventually, makeFixture, type Fixture } from './fixtures';

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

  it('starts process-mode workers when a locator editor opens with process mode chosen, before Run; the first run runs in them', async () => {
    const config = vscode.workspace.getConfiguration('locatorBatch');
    // Setting keepWorkersSeconds ends the workers kept from earlier tests: none are left.
    await config.update('keepWorkersSeconds', 120, vscode.ConfigurationTarget.Global);
    await config.update('defaultMode', 'process', vscode.ConfigurationTarget.Global);
    await config.update('workers', 2, vscode.ConfigurationTarget.Global);
    const own = makeFixture(2);
    try {
      assert.deepEqual(await eventually(engineWorkerPids, (p) => p.length === 0), [], 'no worker before the editor opens');
      await vscode.commands.executeCommand('vscode.openWith', own.locator, 'locatorBatch.locatorEditor');
      const warm = await eventually(engineWorkerPids, (p) => p.length === 2);
      assert.equal(warm.length, 2, 'two workers started when the editor opened, before any run');
      await new Promise((r) => setTimeout(r, 500)); // as the user would look at the rows before Run
      const applyFile = own.apply('pid.js', `exports.apply = () => process.pid;\n`);
      const started = Date.now();
      const result = await run(own.locator, { applyFile, resultType: 'value', isPatch: true });
      const ms = Date.now() - started;
      const used = new Set(result.records!.map((r) => r.value as number));
      assert.ok([...used].every((pid) => warm.includes(pid)), `rows ran in the workers started at open ${warm}, not ${[...used]}`);
      console.log(`      first 2-row run after opening, workers started at open: ${ms} ms (the command, results included)`);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const key of ['keepWorkersSeconds', 'defaultMode', 'workers']) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
      own.cleanup();
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

  describe('settings a run takes when the caller names only the apply file', () => {
    const config = () => vscode.workspace.getConfiguration('locatorBatch');
    const keys = ['defaultMode', 'asyncConcurrency', 'workers', 'errorPolicy', 'timeoutMs', 'outputDirectory'];
    // The demo workspace sets some of these itself (.vscode/settings.json): the tests set them
    // there too, and the file is put back byte for byte afterwards.
    const settingsFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');
    const workspaceValues = () => JSON.stringify(keys.map((k) => config().inspect(k)?.workspaceValue ?? null));
    let savedText: string | undefined;
    let savedValues: string;
    let own: Fixture; // a locator of its own: no settings remembered from earlier runs
    const set = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Workspace);
    beforeEach(() => {
      savedText = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
      savedValues = workspaceValues();
      own = makeFixture(10);
    });
    afterEach(async () => {
      own.cleanup();
      if (savedText === undefined) fs.rmSync(settingsFile, { force: true });
      else fs.writeFileSync(settingsFile, savedText);
      const deadline = Date.now() + 10_000;
      while (workspaceValues() !== savedValues) {
        assert.ok(Date.now() < deadline, `the workspace settings are back: ${workspaceValues()} (was ${savedValues})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    });

    it('defaultMode, asyncConcurrency, errorPolicy and outputDirectory', async () => {
      const out = `${own.dir}/lb-output`;
      await set('defaultMode', 'async');
      await set('asyncConcurrency', 3);
      await set('errorPolicy', 'stop');
      await set('outputDirectory', out);
      // Records how many rows are in flight at once; row 6 fails.
      const applyFile = own.apply(
        'inflight.js',
        `let now = 0;\nlet most = 0;\nexports.apply = async (row, ctx) => {\n  most = Math.max(most, ++now);\n  await new Promise((r) => setTimeout(r, 40));\n  now--;\n  if (ctx.index === 6) throw new Error('row 6');\n  return most;\n};\n`,
      );
      const result = await run(own.locator, { applyFile });
      assert.equal(result.effectiveMode, 'async', 'defaultMode');
      assert.equal(Math.max(...result.records!.filter((r) => r.status === 'done').map((r) => r.value as number)), 3, 'asyncConcurrency: 3 rows in flight at most');
      assert.equal(result.endedBy, 'stopped', 'errorPolicy stop');
      assert.equal(result.records![6].status, 'error');
      assert.ok(result.records!.slice(7).some((r) => r.status !== 'done'), 'rows after the failure did not all run');
      const journals = fs.readdirSync(`${out}/journals`).filter((f) => f.endsWith('.jsonl'));
      assert.equal(journals.length, 1, 'the journal is written under outputDirectory');
      const lines = fs.readFileSync(`${out}/journals/${journals[0]}`, 'utf8').trim().split('\n');
      assert.ok(lines.length > 1, 'the journal has the finished rows');
    });

    it('workers and timeoutMs: the rows spread over that many processes; a row over the limit is killed, the others finish', async () => {
      await set('defaultMode', 'process');
      // 3, not the demo workspace's own 2: three processes show the setting was read.
      await set('workers', 3);
      await set('timeoutMs', 400);
      const slow = own.apply('pid.js', `exports.apply = async () => {\n  await new Promise((r) => setTimeout(r, 100));\n  return process.pid;\n};\n`);
      const spread = await run(own.locator, { applyFile: slow });
      assert.equal(spread.effectiveMode, 'process');
      assert.equal(new Set(spread.records!.map((r) => r.value)).size, 3, 'three worker processes ran the rows');

      const applyFile = own.apply('hang.js', `exports.apply = (row, ctx) => {\n  if (ctx.index === 2) for (;;) {}\n  return process.pid;\n};\n`);
      const t0 = Date.now();
      const result = await run(own.locator, { applyFile });
      assert.equal(result.records![2].status, 'timeout');
      const done = result.records!.filter((r) => r.status === 'done');
      assert.equal(done.length, 9, 'every other row finished');
      assert.ok(Date.now() - t0 < 20_000, 'the hanging row did not hold the run');
    });
  });
});
