#!/usr/bin/env node
// `npm run demo`: a real VS Code with Locator Batch loaded, on the generated demo workspace.
// Your own `code` when it is on PATH (as an extension development host); otherwise code-server on
// 127.0.0.1 with the URL printed (open it in a browser; Ctrl+C stops it).
'use strict';
const { spawnSync, spawn } = require('child_process');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const DEMO = path.join(REPO, 'demo');

function hasCode() {
  if (process.env.LOCATOR_BATCH_DEMO === 'code-server') return false;
  return spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main() {
  if (hasCode()) {
    console.log(`Opening VS Code on ${DEMO} with the extension from ${REPO}`);
    spawn('code', ['--new-window', `--extensionDevelopmentPath=${REPO}`, DEMO], { stdio: 'inherit', detached: true }).unref();
    return;
  }
  const { startCodeServer, CODE_SERVER_VERSION } = require('../test/harness/codeServer');
  const server = await startCodeServer({ folder: DEMO, extensionDevelopmentPath: REPO });
  const url = `${server.url}/?folder=${encodeURIComponent(DEMO)}`;
  await waitUntilExtensionReady(server, url);
  console.log(`\nLocator Batch demo is running in code-server ${CODE_SERVER_VERSION}:\n\n  ${url}\n`);
  console.log('Open demo.locator.csv (it opens in the Locator Batch editor), pick an apply file, Run.');
  console.log('Or press F1 and run "Locator Batch: Run Batch...". Ctrl+C stops the server.');
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => undefined, 1 << 30);
}

/**
 * code-server starts an extension host per browser window, so "ready" can only be seen in a window:
 * a headless one opens the demo, and the URL is printed once its extension host has activated
 * Locator Batch (its log says so; it activates on onStartupFinished). This also warms the server
 * (extension scan, code caches) for the user's window, whose first click on demo.locator.csv waits
 * for the extension's editors anyway (the demo's settings associate *.locator.csv with them).
 */
async function waitUntilExtensionReady(server, url) {
  const { launchBrowser } = require('../test/harness/codeServer');
  const { waitForActivations } = require('../test/harness/extensionHostLog');
  const started = Date.now();
  process.stdout.write('Waiting until a window has loaded and activated Locator Batch...');
  let browser;
  try {
    browser = await launchBrowser();
    await browser.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    const [event] = await waitForActivations(server, { timeout: 180_000 });
    console.log(` ready in ${((Date.now() - started) / 1000).toFixed(1)} s (activated by ${event}).`);
  } catch (err) {
    console.log(`\ndemo: could not see Locator Batch activate (${err.message.split('\n')[0]}); the server log is ${server.logFile}`);
  } finally {
    // With its unload handlers run, the window says goodbye and the server ends its extension host
    // (else that host waits hours for the window to reconnect).
    if (browser) await browser.page.close({ runBeforeUnload: true }).catch(() => undefined);
    if (browser) await browser.close();
  }
}

main().catch((err) => {
  console.error(`demo: ${err.stack || err}`);
  process.exit(1);
});
