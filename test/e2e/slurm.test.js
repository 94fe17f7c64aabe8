'use strict';
// UI (issue 11): a Slurm run from the locator editor, on the one-node cluster of scripts/slurm.sh
// (npm test runs under scripts/with-slurm.sh, which exports SLURM_CONF; code-server inherits it).
// The run bar offers `slurm` where sbatch is found; a run shows Slurm's task states beside its
// progress; the window dies mid-run (SIGKILL of this code-server's extension host) while the job
// goes on; after a reload the editor re-attaches to the job and every row ends done, each run
// exactly once (the tasks never stopped). Cancel in the editor is `scancel` of the job.
//
// Its own workspace (a temp folder): journals and run folders go to locatorBatch.outputDirectory.

const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const u = require('./util');

const { h } = u;
const NAME = 'cluster.locator.csv';
const ROWS = 12;
const ROW_DELAY_MS = 700;
const APPLY_LABEL = 'apply/on-node.js';

function sbatchFound() {
  try {
    execFileSync('sh', ['-c', 'command -v sbatch'], { stdio: 'ignore' });
    return Boolean(process.env.SLURM_CONF);
  } catch {
    return false;
  }
}

/** The tasks Slurm still has for the job (pending or running), by `squeue`. */
function queuedTasks(jobId) {
  try {
    return execFileSync('squeue', ['-h', '-j', jobId, '-o', '%i %T'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return []; // Slurm forgot the job: it ended
  }
}

describe('slurm mode in the editor: progress from Slurm, re-attached after the window died, Cancel is scancel', function () {
  this.timeout(300_000);
  let folder;
  let outDir;
  let sideFile;
  let server;
  let browser;
  let page;
  let editor;
  let jobId;
  let broken = false;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest.state === 'failed') broken = true;
    await u.failureShot(this, page);
  });

  before(async function () {
    this.timeout(150_000);
    if (!sbatchFound()) {
      if (process.env.CI === 'true') throw new Error('no Slurm here (sbatch on PATH and SLURM_CONF): npm test starts one with scripts/with-slurm.sh');
      this.skip();
    }
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-e2e-slurm-'));
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-e2e-slurm-out-'));
    sideFile = path.join(outDir, 'ran.txt');
    const rows = Array.from({ length: ROWS }, (_, i) => `/data/sub-${String(i + 1).padStart(2, '0')}.edf,${(i + 1) * 10}`);
    fs.writeFileSync(path.join(folder, NAME), ['File Path,Duration', ...rows].join('\n') + '\n');
    fs.mkdirSync(path.join(folder, 'apply'));
    fs.writeFileSync(
      path.join(folder, 'apply', 'on-node.js'),
      `// Written by test/e2e/slurm.test.js: notes each row it runs (on the compute node), then takes a while.\n` +
        `const fs = require('fs');\n` +
        `exports.defaults = { mode: 'slurm', resultType: 'value' };\n` +
        `exports.apply = async (row, context) => {\n` +
        `  fs.appendFileSync(${JSON.stringify(sideFile)}, context.index + '\\n');\n` +
        `  await new Promise((resolve) => setTimeout(resolve, ${ROW_DELAY_MS}));\n` +
        `  return 'node:' + (Number(row['Duration']) * 2);\n` +
        `};\n`,
    );
    server = await h.startCodeServer({
      folder,
      extensionDevelopmentPath: h.REPO_ROOT,
      settings: { 'locatorBatch.outputDirectory': outDir, 'locatorBatch.slurm.shards': 3, 'files.autoSave': 'off' },
    });
    browser = await h.launchBrowser();
    page = browser.page;
    await h.openWorkbench(page, server, folder);
  });

  after(async function () {
    this.timeout(60_000);
    if (jobId) for (const _ of queuedTasks(jobId)) execFileSync('scancel', [jobId]);
    if (browser) await browser.close();
    if (server) await server.stop();
    for (const d of [folder, outDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  const ranLines = () => (fs.existsSync(sideFile) ? fs.readFileSync(sideFile, 'utf8').split('\n').filter(Boolean).map(Number) : []);
  const statsText = async () => (await editor.locator('.progress-stats').textContent()) ?? '';

  async function openEditor() {
    editor = await u.findWebview(page, { kind: 'editor', title: NAME, timeout: 90_000 });
    await editor.locator('#grid .grid-row[data-index="0"]').waitFor({ state: 'visible', timeout: 60_000 });
  }

  async function runFromRunBar() {
    await u.until(async () => !(await editor.locator('#run').isDisabled()), { timeout: 30_000, message: 'Run enabled' });
    await editor.locator('#run').click();
    const text = await u.until(async () => {
      const t = await statsText();
      return /Slurm job \d+:/.test(t) ? t : undefined;
    }, { timeout: 60_000, message: "Slurm's task states beside the progress" });
    return /Slurm job (\d+):/.exec(text)[1];
  }

  it('the run bar offers slurm where sbatch is found, and takes it from the apply file', async () => {
    await u.quickOpen(page, NAME);
    await openEditor();
    const modes = await editor.locator('#mode option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepStrictEqual(modes, ['sequential', 'async', 'process', 'slurm']);
    await u.until(async () => (await editor.locator('#apply option').allTextContents()).includes(APPLY_LABEL), { message: `${APPLY_LABEL} in the run bar` });
    await editor.locator('#apply').selectOption({ label: APPLY_LABEL });
    await u.until(async () => (await u.runBarField(editor, 'mode')).value === 'slurm', { message: "the apply file's defaults: slurm" });
  });

  it('a run shows the job and its tasks; the job goes on when the window dies', async () => {
    jobId = await runFromRunBar();
    assert.ok(queuedTasks(jobId).length > 0, `squeue knows job ${jobId}`);
    await u.until(() => ranLines().length >= 3, { timeout: 60_000, message: 'tasks to start rows on the node' });
    const hosts = u.descendantsMatching(server.pid, '--type=extensionHost');
    assert.strictEqual(hosts.length, 1, `one extension host under code-server ${server.pid}`);
    process.kill(hosts[0], 'SIGKILL');
    await u.until(() => !u.alive(hosts[0]), { timeout: 10_000, message: 'the extension host to end' });
    // No window follows the job now; Slurm runs it on.
    const before = ranLines().length;
    await u.until(() => ranLines().length > before, { timeout: 30_000, message: 'rows to go on running without the window' });
  });

  it('after a reload the editor re-attaches to the job: every row done, each run once', async () => {
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    await openEditor();
    await u.until(async () => new RegExp(`Re-attached to Slurm job ${jobId}`).test((await editor.locator('#notice').textContent()) ?? ''), {
      timeout: 60_000,
      message: 'the re-attach notice',
    });
    const end = await u.until(async () => {
      const p = await u.progressState(editor);
      return /^Finished:/.test(p.summary ?? '') ? p : undefined;
    }, { timeout: 120_000, message: 'the re-attached run to finish' });
    assert.match(end.summary, new RegExp(`^Finished: ${ROWS} done.*slurm mode`));
    const { rows } = await u.allRows(editor);
    assert.strictEqual(rows.length, ROWS);
    for (const r of rows) {
      assert.strictEqual(r.status, 'done', `row ${r.index}`);
      assert.ok(r.cells.includes(`node:${(r.index + 1) * 20}`), `row ${r.index} value (${r.cells})`);
    }
    const times = new Map();
    for (const i of ranLines()) times.set(i, (times.get(i) ?? 0) + 1);
    for (let i = 0; i < ROWS; i++) assert.strictEqual(times.get(i), 1, `row ${i} ran once on the node`);
  });

  it('Cancel mid-run cancels the job (scancel): finished rows kept, the rest cancelled', async () => {
    fs.writeFileSync(sideFile, '');
    const second = await runFromRunBar();
    assert.notStrictEqual(second, jobId, 'a new job');
    jobId = second;
    await u.until(() => ranLines().length >= 1, { timeout: 60_000, message: 'a row to start' });
    await editor.locator('#cancel').click();
    const end = await u.until(async () => {
      const p = await u.progressState(editor);
      return /^Cancelled/.test(p.summary ?? '') ? p : undefined;
    }, { timeout: 60_000, message: 'the run to end cancelled' });
    assert.match(end.summary, /cancelled/);
    await u.until(() => queuedTasks(jobId).length === 0, { timeout: 30_000, message: `Slurm to drop job ${jobId}` });
    assert.ok(ranLines().length < ROWS, `not every row ran (${ranLines().length})`);
  });
});
