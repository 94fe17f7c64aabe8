// ES module apply files with top-level await (`const model = await loadModel()`), as people write
// Node code today: loaded in every mode, with their defaults, condition and default exports, errors
// at the user's lines, and loaded afresh for every run.
import { strict as assert } from 'node:assert';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { ApplyModuleError, loadApplyFile } from '../../src/core/applyModule';
import type { Mode } from '../../src/core/types';
import { applyFixture, run, useTempDir, writeFixture } from './helpers';

const MODES: Mode[] = ['sequential', 'async', 'process'];
const ROWS = [
  { 'File Path': '/d/a.fif', 'Completeness Check': 'Completed' },
  { 'File Path': '/d/b.fif', 'Completeness Check': 'Unavailable' },
  { 'File Path': '/d/c.fif', 'Completeness Check': 'Completed' },
];

// A package in the workspace's node_modules whose model takes a moment to load.
function writeModelPackage(dir: string): void {
  writeFixture(dir, 'node_modules/eeg-model/package.json', JSON.stringify({ name: 'eeg-model', version: '1.0.0', main: 'index.js' }));
  writeFixture(
    dir,
    'node_modules/eeg-model/index.js',
    'exports.loadModel = () => new Promise((resolve) => setTimeout(() => resolve({ scale: 10, from: __filename }), 20));\n',
  );
}

const SOURCES: Record<'.mjs' | '.mts', string> = {
  '.mjs': [
    "import { loadModel } from 'eeg-model';", // 1
    "import { label } from './lib/label.mjs';", // 2
    'const model = await loadModel();', // 3
    'let calls = 0;', // 4
    "export const defaults = { mode: 'process', resultType: 'value' };", // 5
    "export function condition(row) { return row['Completeness Check'] === 'Completed'; }", // 6
    'export default function (row) {', // 7
    "  if (row['File Path'] === '/d/bad.fif') throw new Error('bad recording');", // 8
    "  calls += 1;", // 9
    "  return [label(row['File Path'].length * model.scale), calls, model.from, import.meta.url];", // 10
    '}', // 11
  ].join('\n'),
  '.mts': [
    "import { loadModel } from 'eeg-model';", // 1
    "import { label } from './lib/label.mjs';", // 2
    'interface Model { scale: number; from: string }', // 3
    'type Row = Record<string, string>;', // 4
    'const model: Model = await loadModel();', // 5
    'let calls: number = 0;', // 6
    "export const defaults = { mode: 'process', resultType: 'value' } as const;", // 7
    "export function condition(row: Row): boolean { return row['Completeness Check'] === 'Completed'; }", // 8
    'export default function (row: Row): unknown[] {', // 9
    "  if (row['File Path'] === '/d/bad.fif') throw new Error('bad recording');", // 10
    '  calls += 1;', // 11
    "  return [label(row['File Path'].length * model.scale), calls, model.from, import.meta.url];", // 12
    '}', // 13
  ].join('\n'),
};
const THROW_LINE = { '.mjs': 8, '.mts': 10 };

describe('ES module apply files with top-level await', function () {
  this.timeout(30_000);
  const tmp = useTempDir('tla');

  for (const ext of ['.mjs', '.mts'] as const) {
    for (const mode of MODES) {
      it(`${ext}, ${mode} mode: the awaited model is there for every row; defaults, condition and the default export work; a package resolves from the workspace`, async () => {
        const dir = path.join(tmp(), `model-${ext.slice(1)}-${mode}`);
        writeModelPackage(dir);
        writeFixture(dir, 'lib/label.mjs', 'export const label = (n) => `len*scale=${n}`;\n');
        const loaded = await applyFixture(dir, `apply${ext}`, SOURCES[ext]);
        assert.deepEqual(loaded.module.defaults, { mode: 'process', resultType: 'value' });
        const out = await run(loaded, ROWS, { mode, workers: 1 });
        const from = path.join(dir, 'node_modules', 'eeg-model', 'index.js');
        const url = pathToFileURL(loaded.file).href;
        assert.deepEqual(
          out.records.map((r) => [r.status, r.value]),
          [
            ['done', ['len*scale=80', 1, from, url]],
            ['skipped', undefined],
            ['done', ['len*scale=80', 2, from, url]],
          ],
        );
      });

      it(`${ext}, ${mode} mode: an error thrown by apply names the user's file and line`, async () => {
        const dir = path.join(tmp(), `throws-${ext.slice(1)}-${mode}`);
        writeModelPackage(dir);
        writeFixture(dir, 'lib/label.mjs', 'export const label = (n) => String(n);\n');
        const loaded = await applyFixture(dir, `apply${ext}`, SOURCES[ext]);
        const out = await run(loaded, [{ 'File Path': '/d/bad.fif', 'Completeness Check': 'Completed' }], { mode, workers: 1 });
        const [rec] = out.records;
        assert.equal(rec.status, 'error');
        assert.equal(rec.error?.message, 'bad recording');
        assert.ok(rec.error?.stack?.includes(`${loaded.file}:${THROW_LINE[ext]}:`), rec.error?.stack);
        assert.deepEqual(
          { file: rec.error?.location?.file, line: rec.error?.location?.line },
          { file: loaded.file, line: THROW_LINE[ext] },
        );
      });
    }
  }

  it('every run loads the file afresh: module state starts over, and an edit is seen (in process and in workers)', async () => {
    const dir = path.join(tmp(), 'fresh');
    const source = (v: string) => `let calls = 0;\nconst version = await Promise.resolve('${v}');\nexport const apply = () => version + ':' + ++calls;\n`;
    const file = writeFixture(dir, 'apply.mjs', source('v1'));
    for (const mode of MODES) {
      // Loaded twice from the same text (the same bundle): the second run does not see the first's calls.
      for (let k = 0; k < 2; k++) {
        const out = await run({ file, ...(await loadApplyFile(file)) }, ROWS.slice(0, 2), { mode, workers: 1 });
        assert.deepEqual(
          out.records.map((r) => r.value),
          ['v1:1', 'v1:2'],
          `${mode}, run ${k + 1}`,
        );
      }
    }
    writeFixture(dir, 'apply.mjs', source('v2'));
    for (const mode of MODES) {
      const out = await run({ file, ...(await loadApplyFile(file)) }, ROWS.slice(0, 1), { mode, workers: 1 });
      assert.equal(out.records[0].value, 'v2:1', mode);
    }
  });

  it('a default export object holding apply and condition, and module.exports-style named exports under other names', async () => {
    const loaded = await applyFixture(
      tmp(),
      'shapes/apply.mts',
      [
        'const factor: number = await Promise.resolve(3);',
        'const apply = (row: Record<string, string>) => row["File Path"].length * factor;',
        'export { apply as "not apply", factor };',
        'export default { apply, condition: (row: Record<string, string>) => row["File Path"] !== "/d/b.fif" };',
      ].join('\n'),
    );
    const out = await run(loaded, ROWS);
    assert.deepEqual(
      out.records.map((r) => [r.status, r.value]),
      [
        ['done', 24],
        ['skipped', undefined],
        ['done', 24],
      ],
    );
  });

  for (const tla of [true, false]) {
    it(`import.meta as an object gives the apply file's url, filename and dirname (${tla ? 'with' : 'without'} top-level await)`, async () => {
      const loaded = await applyFixture(
        tmp(),
        `meta-${tla}/apply.mjs`,
        `${tla ? 'await Promise.resolve();\n' : ''}const meta = import.meta;\nexport const apply = () => [meta.url, meta.filename, meta.dirname, import.meta.url];\n`,
      );
      const out = await run(loaded, ROWS.slice(0, 1));
      const url = pathToFileURL(loaded.file).href;
      assert.deepEqual(out.records[0].value, [url, loaded.file, path.dirname(loaded.file), url]);
    });
  }

  for (const ext of ['.mjs', '.mts'] as const) {
    it(`${ext}: a top-level await that rejects is a refusal before any row runs, naming the file and the line`, async () => {
      const file = writeFixture(
        tmp(),
        `rejects/apply${ext}`,
        [
          ext === '.mts' ? 'type Path = string;' : '// the model lives next to the data', // 1
          ext === '.mts' ? "const where: Path = '/models/eeg.onnx';" : "const where = '/models/eeg.onnx';", // 2
          'async function loadModel(p) {', // 3
          '  await new Promise((r) => setTimeout(r, 5));', // 4
          '  throw new Error(`model file missing: ${p}`);', // 5
          '}', // 6
          'const model = await loadModel(where);', // 7
          'export const apply = () => model;', // 8
        ]
          .join('\n')
          .replace('loadModel(p)', ext === '.mts' ? 'loadModel(p: Path)' : 'loadModel(p)'),
      );
      let caught: unknown;
      try {
        await loadApplyFile(file);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof ApplyModuleError, `expected an ApplyModuleError, got ${String(caught)}`);
      assert.ok(caught.message.startsWith(`${file}:5:`), caught.message);
      assert.match(caught.message, /loading the apply file failed: model file missing: \/models\/eeg\.onnx/);
      assert.deepEqual({ file: caught.location?.file, line: caught.location?.line }, { file, line: 5 });
    });
  }

  it('a syntax error in a file with top-level await still names the file and line', async () => {
    const file = writeFixture(tmp(), 'syntax/apply.mjs', 'const x = await Promise.resolve(1);\nexport const apply = () => { return x +; };\n');
    await assert.rejects(loadApplyFile(file), (err: unknown) => {
      assert.ok(err instanceof ApplyModuleError, String(err));
      assert.ok(err.message.startsWith(`${file}:2:`), err.message);
      assert.equal(err.location?.line, 2);
      return true;
    });
  });
});
