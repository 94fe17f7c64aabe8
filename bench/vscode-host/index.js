'use strict';
// Extension-host entry of bench/vscode.js (used as extensionTestsPath, so it runs inside a real,
// fresh extension host): times the first activation of Locator Batch through the API and prints
// one line `LB_BENCH_ACTIVATION {json}` that bench/vscode.js reads from the host's output.
// Plain CommonJS, no build step.

const { performance } = require('perf_hooks');
const vscode = require('vscode');

const ID = 'locator-batch.locator-batch';

exports.run = async function run() {
  const ext = vscode.extensions.getExtension(ID);
  if (!ext) throw new Error(`extension ${ID} is not installed in this host`);
  const out = { id: ID, path: ext.extensionPath, wasActive: ext.isActive, hostUptimeMs: Math.round(process.uptime() * 1000) };
  if (!ext.isActive) {
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    await ext.activate();
    out.activateMs = performance.now() - t0;
    out.heapGrowthMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    // The same call again: the cost of the API round trip alone, for scale.
    const t1 = performance.now();
    await ext.activate();
    out.secondCallMs = performance.now() - t1;
  }
  out.isActive = ext.isActive;
  out.commands = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('locatorBatch.')).length;
  console.log(`LB_BENCH_ACTIVATION ${JSON.stringify(out)}`);
};
