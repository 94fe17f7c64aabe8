#!/usr/bin/env node
// `npm run demo:slurm`: the demo locator through the command line in slurm mode on the one-node
// cluster (scripts/with-slurm.sh starts it and exports SLURM_CONF): a detached submission, `status`
// while it goes, then `collect` into demo/results-slurm.json.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const DEMO = path.join(REPO, 'demo');
const CLI = path.join(REPO, 'dist', 'cli.js');

function cli(args, opts = {}) {
  console.log(`\n$ locator-batch ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  process.stdout.write(r.stdout);
  return r;
}

const locator = path.join(DEMO, 'demo.locator.csv');
const apply = path.join(DEMO, 'apply', 'sample-filter.js');
const submitted = cli(['run', locator, '--apply', apply, '--mode', 'slurm', '--shards', '4', '--detach']);
if (submitted.status !== 0) process.exit(submitted.status ?? 1);
const folder = submitted.stdout.trim().split('\n').pop();
cli(['status', folder]);
const collected = cli(['collect', folder, '--out', path.join(DEMO, 'results-slurm.json')]);
cli(['status', folder]);
console.log(`\nRun folder (job script, shards, task journals and logs): ${folder}`);
process.exit(collected.status ?? 1);
