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

main().catch((err) => {
  console.error(`demo: ${err.stack || err}`);
  process.exit(1);
});
