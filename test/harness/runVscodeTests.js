'use strict';
// One runner for the extension-host suite (mocha inside a real extension host, real `vscode` API).
// - electron: @vscode/test-electron downloads desktop VS Code and runs it (machines with internet
//   and a display).
// - code-server: same runTests() call, but vscodeExecutablePath is code-server-shim.js, which takes
//   the arguments runTests passes to VS Code and runs the suite in code-server + chromium.
// Choice: env LOCATOR_BATCH_VSCODE=electron|code-server; otherwise code-server when CI=true, on Linux
// without DISPLAY, or when the download host does not resolve.

const dns = require('dns');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Writable } = require('stream');
const { ensureInstalled, cacheDir } = require('./codeServer');

const SHIM = path.join(__dirname, 'code-server-shim.js');
const DOWNLOAD_HOST = 'update.code.visualstudio.com';

async function chooseMode() {
  const forced = process.env.LOCATOR_BATCH_VSCODE;
  if (forced) {
    if (forced !== 'electron' && forced !== 'code-server') throw new Error(`LOCATOR_BATCH_VSCODE must be electron or code-server, not "${forced}"`);
    return forced;
  }
  if (process.env.CI === 'true' || process.env.CI === '1') return 'code-server';
  if (process.platform === 'linux' && !process.env.DISPLAY) return 'code-server';
  const resolves = await Promise.race([
    dns.promises.lookup(DOWNLOAD_HOST).then(() => true, () => false),
    new Promise((r) => setTimeout(() => r(false), 2000)),
  ]);
  return resolves ? 'electron' : 'code-server';
}

/**
 * @param {object} o
 * @param {string} o.extensionDevelopmentPath
 * @param {string} o.extensionTestsPath  module exporting run(): Promise<void>
 * @param {string} o.workspaceFolder
 * @param {Record<string,string>} [o.extensionEnvironment] env vars for the extension host
 * @param {boolean} [o.workspaceTrust=false] true: run WITHOUT --disable-workspace-trust
 * @param {number} [o.timeoutMs] default: env LOCATOR_BATCH_TEST_TIMEOUT_MS, else 300000 (a loaded machine may need more)
 * @param {NodeJS.WritableStream} [o.stdout]
 * @returns {Promise<{code:number, output:string, mode:string}>} code 0 = all tests passed
 */
async function runExtensionHostTests({
  extensionDevelopmentPath, extensionTestsPath, workspaceFolder, extensionEnvironment = {},
  workspaceTrust = false, timeoutMs = Number(process.env.LOCATOR_BATCH_TEST_TIMEOUT_MS) || 300_000, stdout = process.stdout,
}) {
  const { runTests, TestRunFailedError } = require('@vscode/test-electron');
  for (const [what, p] of [['extensionDevelopmentPath', extensionDevelopmentPath], ['extensionTestsPath', extensionTestsPath], ['workspaceFolder', workspaceFolder]]) {
    if (!p || !fs.existsSync(p)) throw new Error(`${what} does not exist: ${p}`);
  }
  const mode = await chooseMode();
  let output = '';
  // Keep a copy of the output so callers can count passes/failures.
  const tee = new Writable({ write(chunk, _enc, cb) { output += chunk; stdout.write(chunk, cb); } });
  // In electron mode the extension host inherits these; the shim forwards the JSON as
  // the payload's extensionEnvironment (it cannot tell them apart from its own environment).
  const env = {
    ...extensionEnvironment,
    LOCATOR_BATCH_EXTENSION_ENV: JSON.stringify(extensionEnvironment),
    LOCATOR_BATCH_WORKSPACE_TRUST: workspaceTrust ? '1' : '0',
    LOCATOR_BATCH_TEST_TIMEOUT_MS: String(timeoutMs),
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-vscode-test-'));
  const opts = {
    extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
    extensionTestsPath: path.resolve(extensionTestsPath),
    extensionTestsEnv: env,
    stdout: tee,
    stderr: process.stderr,
  };
  process.stderr.write(`[harness] extension-host tests via ${mode}\n`);
  try {
    if (mode === 'code-server') {
      ensureInstalled();
      Object.assign(opts, {
        vscodeExecutablePath: SHIM,
        // Profile dirs are the shim's own temp dirs: no .vscode-test/ in the repo.
        reuseMachineInstall: true,
        launchArgs: [path.resolve(workspaceFolder)],
      });
    } else {
      Object.assign(opts, {
        cachePath: path.join(cacheDir(), 'vscode-electron'),
        launchArgs: [path.resolve(workspaceFolder), `--user-data-dir=${tmp}/ud`, `--extensions-dir=${tmp}/exts`],
      });
      if (workspaceTrust) {
        // runTests always adds --disable-workspace-trust; the shim in pass-through mode drops it and
        // execs the downloaded VS Code.
        const { downloadAndUnzipVSCode } = require('@vscode/test-electron');
        opts.extensionTestsEnv.LOCATOR_BATCH_SHIM_EXEC = await downloadAndUnzipVSCode({ cachePath: opts.cachePath });
        opts.vscodeExecutablePath = SHIM;
      }
    }
    let code;
    try {
      code = await runTests(opts);
    } catch (e) {
      if (!(e instanceof TestRunFailedError)) throw e;
      code = e.code ?? 1;
    }
    return { code, output, mode };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { runExtensionHostTests, chooseMode, SHIM };

// CLI: node test/harness/runVscodeTests.js <extensionDevelopmentPath> <extensionTestsPath> <workspaceFolder>
if (require.main === module) {
  const [dev, tests, folder] = process.argv.slice(2);
  if (!folder) {
    console.error('usage: node test/harness/runVscodeTests.js <extensionDevelopmentPath> <extensionTestsPath> <workspaceFolder>');
    process.exit(2);
  }
  runExtensionHostTests({ extensionDevelopmentPath: dev, extensionTestsPath: tests, workspaceFolder: folder })
    .then(({ code }) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
}
