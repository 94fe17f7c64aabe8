// What `npm run package` puts in the .vsix (the files `vsce ls` lists, by .vscodeignore): the
// bundles, the manifest, the docs and esbuild for this platform; no sources, tests, maps or demo.
// The listed files alone, copied into a folder as the .vsix unpacks them, run a TS apply file in
// process mode through the packaged command line (esbuild, worker and all).
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { PythonProcess } from '../../src/core/python/pythonProcess';
import { useTempDir, writeFixture } from './helpers';
import { testPython } from './pythonHelpers';

const REPO = path.resolve(__dirname, '../../..');

describe('the packaged extension (.vsix contents)', function () {
  this.timeout(60_000);
  const dir = useTempDir('package');
  let files: string[];

  before(() => {
    const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
    const out = execFileSync(process.execPath, [vsce, 'ls'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    files = out.split('\n').map((l) => l.trim()).filter(Boolean);
    // The listed files alone, as the .vsix unpacks them.
    const root = path.join(dir(), 'extension');
    for (const f of files) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      copyFileSync(path.join(REPO, f), path.join(root, f));
    }
  });

  it('ships the bundles, the manifest, the docs and esbuild for this platform', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const needed = [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      path.posix.normalize(manifest.main),
      // What the activation entry loads at the first command or editor (src/extension/features.ts).
      'dist/extension-features.js',
      'dist/worker.js',
      // What the extension loads when first needed (esbuild.js: lazy packages).
      'dist/vendor-csv-parse.js',
      'dist/vendor-csv-stringify.js',
      'dist/vendor-workerpool.js',
      'dist/cli.js',
      'dist/locator_batch_worker.py',
      'dist/locator_batch_encode.py',
      'dist/webview.js',
      'dist/webview.css',
      'node_modules/esbuild/package.json',
      'node_modules/esbuild/lib/main.js',
      `node_modules/@esbuild/${process.platform}-${process.arch}/bin/esbuild`,
      'docs/screenshot-results.png',
    ];
    for (const f of needed) assert.ok(files.includes(f), `${f} is in the package (${files.join(', ')})`);
    assert.ok(files.some((f) => /^dist\/codicon.*\.ttf$/.test(f)), 'the codicon font of the webview');
  });

  it('ships no sources, tests, source maps, benchmarks, demo or esbuild\'s command-line copy of its binary', () => {
    const unwanted = files.filter((f) => /^(src|test|bench|out|demo|scripts|media|\.ci)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') || f === 'node_modules/esbuild/bin/esbuild');
    assert.deepStrictEqual(unwanted, []);
  });

  it('runs from its own files: the packaged CLI bundles a TS apply file with the packaged esbuild and runs it in worker processes', () => {
    const root = path.join(dir(), 'extension');
    const locator = writeFixture(dir(), 'work/rec.locator.csv', 'File Path,Sampling Rate\n/a.fif,250\n/bb.fif,500\n/ccc.fif,1000\n');
    const apply = writeFixture(
      dir(),
      'work/rate.ts',
      `type Row = Record<string, string>;\nexport function apply(row: Row): string {\n  return \`\${row['File Path'].length}@\${Number(row['Sampling Rate']) / 2}:\${process.pid}\`;\n}\n`,
    );
    const out = path.join(dir(), 'work', 'out.json');
    const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', locator, '--apply', apply, '--mode', 'process', '--workers', '2', '--no-journal', '--out', out], {
      cwd: path.join(dir(), 'work'),
      encoding: 'utf8',
      timeout: 60_000,
      // Only the package's own node_modules may be found (not the repository's).
      env: { ...process.env, NODE_PATH: '' },
    });
    assert.strictEqual(r.status, 0, r.stderr);
    const values = (JSON.parse(readFileSync(out, 'utf8')).results as string[]).map((v) => v.split(':'));
    assert.deepStrictEqual(values.map(([v]) => v), ['6@125', '7@250', '8@500']);
    assert.ok(values.every(([, pid]) => Number(pid) !== r.pid), 'the rows ran in worker processes, not in the CLI process');
  });

  it('runs a Python apply file with the packaged worker files alone (dist/locator_batch_worker.py and its encoder)', async () => {
    const root = path.join(dir(), 'extension');
    const worker = path.join(root, 'dist', 'locator_batch_worker.py');
    const locator = writeFixture(dir(), 'py/rec.csv', 'File Path,Number of Channels\n/a.fif,25\n/b.fif,8\n');
    const apply = writeFixture(dir(), 'py/step.py', "def app_func(row):\n    print('row', row.name)\n    return row['Number of Channels'] * 2\n");
    const python = testPython();
    const proc = new PythonProcess({ command: python, executable: python, version: '', source: 'explicit' }, process.env, worker);
    try {
      assert.ok((await proc.hello).pandas, 'the packaged worker imports pandas');
      const loaded = await proc.request({ op: 'load', run: 'pkg', file: apply, locator: { path: locator } }, ['loaded', 'loadError']);
      assert.equal(loaded.op, 'loaded', JSON.stringify(loaded));
      const rows: unknown[][] = [];
      await new Promise<void>((resolve) => {
        proc.onMessage = (msg) => {
          if (msg.op === 'rows') rows.push(...(msg.r as unknown[][]));
          if (msg.done) resolve();
        };
        proc.send({ op: 'chunk', c: 1, rows: [0, 1] });
      });
      assert.deepEqual(rows.map((r) => [r[0], r[3]]), [[0, 50], [1, 16]]);
    } finally {
      proc.kill();
    }
  });
});
