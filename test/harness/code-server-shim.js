#!/usr/bin/env node
'use strict';
// Stands in for the VS Code executable given to @vscode/test-electron's runTests({ vscodeExecutablePath }).
// runTests spawns it as `shim [launchArgs...] --no-sandbox --disable-gpu-sandbox --disable-updates
// --skip-welcome --skip-release-notes --no-cached-data --disable-workspace-trust
// --extensionTestsPath=T --extensionDevelopmentPath=D [--extensions-dir=.. --user-data-dir=..]`,
// pipes our stdout/stderr and treats our exit code as the test result.
// We start code-server, open the workbench in chromium with the smoke-test-driver `payload`
// (extensionDevelopmentPath / extensionTestsPath / extensionEnvironment as vscode-remote://remote/...
// URIs), print what the extension host logs, and exit with its exit code (0: run() resolved).
//
// Env read here (runVscodeTests.js sets them through runTests' extensionTestsEnv):
//   LOCATOR_BATCH_EXTENSION_ENV   JSON object: environment for the extension host
//   LOCATOR_BATCH_WORKSPACE_TRUST 1: start code-server WITHOUT --disable-workspace-trust
//                                 (runTests always passes that flag, so it cannot be left out)
//   LOCATOR_BATCH_TEST_TIMEOUT_MS default 300000
//   LOCATOR_BATCH_SHIM_EXEC       pass-through mode: exec this VS Code with the same args minus
//                                 --disable-workspace-trust when LOCATOR_BATCH_WORKSPACE_TRUST=1
//   LOCATOR_BATCH_DEBUG           1: also print the browser console and the server log tail
//   LOCATOR_BATCH_SCREENSHOT_DIR  where a screenshot goes on timeout (default: os.tmpdir())

const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');

const argv = process.argv.slice(2);
const trust = process.env.LOCATOR_BATCH_WORKSPACE_TRUST === '1' || !argv.includes('--disable-workspace-trust');

if (process.env.LOCATOR_BATCH_SHIM_EXEC) {
  const { spawn } = require('child_process');
  const args = trust ? argv.filter((a) => a !== '--disable-workspace-trust') : argv;
  const child = spawn(process.env.LOCATOR_BATCH_SHIM_EXEC, args, { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, sig) => process.exit(code ?? (sig ? 1 : 0)));
  return;
}

const { startCodeServer, launchBrowser, remoteUri, screenshot } = require('./codeServer');

function parseArgs(args) {
  const o = { dev: [], tests: undefined, folder: undefined };
  for (const a of args) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m && m[1] === 'extensionDevelopmentPath') o.dev.push(m[2]);
    else if (m && m[1] === 'extensionTestsPath') o.tests = m[2];
    // Everything else starting with '-' (sandbox, gpu, updates, profile dirs...) means nothing here.
    else if (!a.startsWith('-') && !o.folder && fs.existsSync(a)) o.folder = path.resolve(a);
  }
  return o;
}

const debug = !!process.env.LOCATOR_BATCH_DEBUG;
// Workbench chatter that is expected offline and says nothing about the tests (shown with DEBUG=1).
const NOISE = [
  /ENOTFOUND (open-vsx\.org|[\w.-]*(visualstudio|vsassets|microsoft|github)[\w.-]*)/,
  /Timed out waiting for authentication provider/,
  /^Canceled: Canceled/, // workspace-trust mode cancels the account lookups
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin extensions cache|\[Service Worker\]|\[AgentHost:|\[AccountPolicyGate\])/,
];

let signaled = false;
const log = (s) => process.stderr.write(`[code-server-shim] ${s}\n`);

function findLogs(dir, name) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name === name) out.push(path.join(d, e.name));
    }
  };
  try { walk(dir); } catch { /* no logs */ }
  return out;
}

const tailOf = (f, n) => fs.readFileSync(f, 'utf8').split('\n').slice(-n).join('\n');

async function main() {
  const { dev, tests, folder } = parseArgs(argv);
  if (!tests) throw new Error('missing --extensionTestsPath=');
  if (!dev.length) throw new Error('missing --extensionDevelopmentPath=');
  const timeoutMs = Number(process.env.LOCATOR_BATCH_TEST_TIMEOUT_MS || 300_000);
  const extEnv = process.env.LOCATOR_BATCH_EXTENSION_ENV || '{}';
  JSON.parse(extEnv); // fail here, not silently in the workbench

  // Handlers first: a signal while code-server starts must still stop it (it runs in its own
  // process group, so the terminal's Ctrl-C does not reach it).
  let server;
  let starting;
  let browser;
  let launching; // the in-flight launch: a signal during it must still close that browser
  let cleaning;
  const cleanup = () => (cleaning ??= (async () => {
    if (launching) await launching.then((b) => b.close(), () => {});
    if (starting) await starting.then((s) => s.stop(), () => {});
  })());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      log(`${sig}: stopping`);
      signaled = true;
      cleanup().finally(() => process.exit(130));
    });
  }
  // After a signal, main() must not start anything new (cleanup may already have looked).
  const checkSignaled = () => { if (signaled) throw new Error('stopped by a signal'); };

  const t0 = Date.now();
  starting = startCodeServer({ folder, workspaceTrust: trust, env: JSON.parse(extEnv), smokeTestDriver: true });
  server = await starting;
  try {
    checkSignaled();
    log(`code-server ${server.url} up in ${Date.now() - t0} ms${trust ? ' (workspace trust ON)' : ''}`);
    // The timeout covers browser start and workbench load too, not only the tests.
    let timer;
    const timedOut = new Promise((r) => { timer = setTimeout(() => r(null), timeoutMs); });
    const work = (async () => {
      checkSignaled();
      launching = launchBrowser();
      browser = await launching;
      checkSignaled();
      const { page } = browser;
      let resolveExit;
      const exited = new Promise((r) => { resolveExit = r; });
      // Both must exist before the workbench loads: it looks them up when the extension host logs/exits.
      await page.exposeFunction('codeAutomationLog', (level, message) => {
        // message is [format, ...args] as given to console.log in the extension host (mocha uses %s/%d).
        const text = Array.isArray(message) ? util.format(...message) : String(message);
        if (!debug && NOISE.some((re) => re.test(text))) return;
        const out = level === 'error' || level === 'warn' ? process.stderr : process.stdout;
        out.write(text.endsWith('\n') ? text : text + '\n');
      });
      await page.exposeFunction('codeAutomationExit', (code) => resolveExit({ code }));
      if (debug) {
        page.on('console', (m) => log(`browser ${m.type()}: ${m.text()}`));
        page.on('pageerror', (e) => log(`browser pageerror: ${e.message}`));
      }
      const payload = [
        ...dev.map((d) => ['extensionDevelopmentPath', remoteUri(d)]),
        ['extensionTestsPath', remoteUri(tests)],
        ['extensionEnvironment', extEnv],
      ];
      await page.goto(server.workbenchUrl(folder, payload), { waitUntil: 'domcontentloaded', timeout: timeoutMs });
      return exited;
    })();
    const result = await Promise.race([work, timedOut]);
    clearTimeout(timer);
    if (!result) {
      const shot = path.join(process.env.LOCATOR_BATCH_SCREENSHOT_DIR || os.tmpdir(), `lb-timeout-${Date.now()}.png`);
      if (browser) await screenshot(browser.page, shot).catch(() => {});
      log(`TIMEOUT: the extension host did not finish the tests within ${timeoutMs} ms ` +
        `(LOCATOR_BATCH_TEST_TIMEOUT_MS). Screenshot: ${shot}\n--- code-server log tail ---\n${server.logTail(40)}`);
      return 124;
    }
    const code = typeof result.code === 'number' ? result.code : 1;
    if (code !== 0 || debug) {
      // A crash or a failing activate() shows in the server-side extension host's log.
      for (const f of findLogs(path.join(server.dir, 'ud', 'logs'), 'remoteexthost.log')) {
        log(`--- ${path.basename(path.dirname(f))}/remoteexthost.log (last 30 lines) ---\n${tailOf(f, 30)}`);
      }
    }
    log(`extension host exited with ${code} after ${Date.now() - t0} ms`);
    return code;
  } finally {
    if (debug) log(`--- code-server log tail ---\n${server.logTail(40)}`);
    await cleanup();
  }
}

main().then(
  (code) => process.exit(signaled ? 130 : code),
  (e) => {
    if (signaled) process.exit(130);
    log(`ERROR: ${e && e.stack || e}`);
    process.exit(1);
  },
);
