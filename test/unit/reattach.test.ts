// Coming back to a Slurm run (src/session/reattach.ts), on the real one-node cluster: which run a
// reopened locator re-attaches to, two processes following the same run at once (a window being
// replaced, `collect` in a terminal) leave one whole journal, not interleaved lines, and a locator
// edited since the run was submitted is named.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import * as path from 'path';
import { readJournal } from '../../src/core/journal';
import { readLocator } from '../../src/core/locator';
import { readRunFolder } from '../../src/core/slurm';
import { changedSinceSubmitted, followSlurmRun, slurmRunToAttach } from '../../src/session/reattach';
import { useTempDir, writeFixture } from './helpers';
import { useSlurmCluster } from './slurmHelpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const ROWS = 8;
const LOCATOR = ['File Path,Duration', ...Array.from({ length: ROWS }, (_, i) => `/data/r${i}.edf,${i + 1}`)].join('\n') + '\n';
const APPLY = `exports.apply = async (row) => {
  await new Promise((r) => setTimeout(r, 300));
  return Number(row.Duration) * 2;
};
`;

describe('re-attaching to a Slurm run (session/reattach)', function () {
  this.timeout(180_000);
  useSlurmCluster();
  const dir = useTempDir('reattach');

  it('a reopened locator finds the run nobody followed; two followers at once leave one whole journal; once ended, only a short journal leads back to it', async () => {
    const locator = writeFixture(dir(), 'data/rec.csv', LOCATOR);
    const apply = writeFixture(dir(), 'apply/double.js', APPLY);
    const journal = path.join(dir(), 'journals', 'rec.jsonl');
    const runsDir = path.join(dir(), 'runs');
    const submitted = spawnSync(
      process.execPath,
      [CLI, 'run', locator, '--apply', apply, '--mode', 'slurm', '--shards', '2', '--result', 'value', '--journal', journal, '--runs-dir', runsDir, '--detach'],
      { encoding: 'utf8' },
    );
    assert.strictEqual(submitted.status, 0, submitted.stderr);
    const folder = submitted.stdout.trim().split('\n').pop()!;

    const found = await slurmRunToAttach(runsDir, locator);
    assert.strictEqual(found?.folder, folder, 'the run nobody follows is the one to re-attach to');
    assert.strictEqual(await slurmRunToAttach(runsDir, path.join(dir(), 'data', 'other.csv')), undefined, "another locator's runs are not");
    assert.strictEqual(changedSinceSubmitted(found!, await readLocator(locator)), undefined, 'the same rows');
    const edited = await readLocator(locator);
    edited.rows[3] = { ...edited.rows[3], Duration: '99' };
    assert.match(changedSinceSubmitted(found!, edited) ?? '', /the locator changed since Slurm job \d+ was submitted/);

    // A window being replaced and `collect` in a terminal, both following the run to its end.
    const [a, b] = await Promise.all([followSlurmRun(folder), followSlurmRun(folder)]);
    for (const run of [a, b]) {
      assert.deepStrictEqual(
        run.records.map((r) => [r.status, r.value]),
        Array.from({ length: ROWS }, (_, i) => ['done', (i + 1) * 2]),
      );
    }
    const written = await readJournal(journal);
    assert.strictEqual(written.header.total, ROWS);
    assert.deepStrictEqual(
      [...written.records.values()].sort((x, y) => x.index - y.index).map((r) => r.value),
      Array.from({ length: ROWS }, (_, i) => (i + 1) * 2),
      'one whole journal',
    );
    assert.deepStrictEqual(readdirSync(path.dirname(journal)), ['rec.jsonl'], 'no scratch file left beside it');

    const manifest = await readRunFolder(folder);
    assert.ok(manifest.endedAt, 'the run folder records its end');
    assert.strictEqual(await slurmRunToAttach(runsDir, locator), undefined, 'an ended run is not re-attached by itself');
    assert.strictEqual((await slurmRunToAttach(runsDir, locator, journal))?.folder, folder, 'but a journal of it that stops short leads back to it');
  });
});
