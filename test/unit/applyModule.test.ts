// Loading the user's apply file: the module shapes people write, the errors they make, and stacks
// that point at their own .ts lines.
import { strict as assert } from 'node:assert';
import * as path from 'path';
import { ApplyModuleError, loadApplyBundle, loadApplyFile } from '../../src/core/applyModule';
import type { Mode } from '../../src/core/types';
import { applyFixture, run, useTempDir, writeFixture } from './helpers';

const ROWS = [
  { 'File Path': '/d/a.fif', 'Number of Channels': '25' },
  { 'File Path': '/d/b.fif', 'Number of Channels': '8' },
];

/** Expects loading to fail before any row runs, and returns the error for more checks. */
async function loadFails(file: string): Promise<ApplyModuleError> {
  let caught: unknown;
  try {
    await loadApplyFile(file);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ApplyModuleError, `expected an ApplyModuleError, got ${String(caught)}`);
  return caught;
}

describe('apply module', () => {
  const tmp = useTempDir('apply');

  describe('module shapes', () => {
    it('a TypeScript file with types, interfaces and a named apply export', async () => {
      const loaded = await applyFixture(
        tmp(),
        'ts/apply.ts',
        [
          'interface LocatorRow { [column: string]: string }',
          'type Out = { path: string; channels: number };',
          'export function apply(row: LocatorRow): Out {',
          "  const channels: number = Number(row['Number of Channels']);",
          "  return { path: row['File Path'], channels };",
          '}',
        ].join('\n'),
      );
      const out = await run(loaded, ROWS);
      assert.deepEqual(
        out.records.map((r) => r.value),
        [
          { path: '/d/a.fif', channels: 25 },
          { path: '/d/b.fif', channels: 8 },
        ],
      );
    });

    it('an ES module (.mjs) with a default export function', async () => {
      const loaded = await applyFixture(tmp(), 'esm/apply.mjs', "export default function (row) { return row['File Path'].toUpperCase(); }\n");
      const out = await run(loaded, ROWS);
      assert.deepEqual(
        out.records.map((r) => r.value),
        ['/D/A.FIF', '/D/B.FIF'],
      );
    });

    it('a CommonJS file (.cjs) with module.exports = fn', async () => {
      const loaded = await applyFixture(tmp(), 'cjs/apply.cjs', "module.exports = function (row) { return row['Number of Channels'] + '!'; };\n");
      const out = await run(loaded, ROWS);
      assert.deepEqual(
        out.records.map((r) => r.value),
        ['25!', '8!'],
      );
    });

    it('a TypeScript default export, and a default export object holding apply and condition', async () => {
      const a = await applyFixture(tmp(), 'def/a.ts', 'export default (row: Record<string, string>) => row["File Path"].length;\n');
      assert.deepEqual(
        (await run(a, ROWS)).records.map((r) => r.value),
        [8, 8],
      );
      const b = await applyFixture(
        tmp(),
        'def/b.ts',
        [
          'export default {',
          '  apply: (row: Record<string, string>) => "B:" + row["File Path"],',
          '  condition: (row: Record<string, string>) => row["Number of Channels"] === "25",',
          '};',
        ].join('\n'),
      );
      assert.deepEqual(
        (await run(b, ROWS)).records.map((r) => [r.status, r.value]),
        [
          ['done', 'B:/d/a.fif'],
          ['skipped', undefined],
        ],
      );
    });

    it('relative imports of .ts helpers and JSON, bundled with the apply file', async () => {
      writeFixture(tmp(), 'rel/lib/units.ts', 'export const scale = (n: number): number => n * 1000;\n');
      writeFixture(tmp(), 'rel/lib/config.json', '{ "suffix": "-mV" }\n');
      const loaded = await applyFixture(
        tmp(),
        'rel/apply.ts',
        [
          "import { scale } from './lib/units';",
          "import config from './lib/config.json';",
          "export function apply(row: Record<string, string>) { return scale(Number(row['Number of Channels'])) + config.suffix; }",
        ].join('\n'),
      );
      assert.deepEqual(
        (await run(loaded, ROWS)).records.map((r) => r.value),
        ['25000-mV', '8000-mV'],
      );
    });

    for (const mode of ['sequential', 'process'] as Mode[]) {
      it(`a package from a node_modules folder next to the apply file (${mode})`, async () => {
        const dir = path.join(tmp(), `pkg-${mode}`);
        writeFixture(dir, 'node_modules/eeg-helper/package.json', JSON.stringify({ name: 'eeg-helper', version: '1.0.0', main: 'main.js' }));
        writeFixture(dir, 'node_modules/eeg-helper/main.js', "exports.tag = (s) => 'tagged:' + s;\nexports.where = __filename;\n");
        const loaded = await applyFixture(
          dir,
          'apply.ts',
          "import { tag, where } from 'eeg-helper';\nexport function apply(row: Record<string, string>) { return [tag(row['File Path']), where]; }\n",
        );
        const out = await run(loaded, ROWS, { mode, workers: 1 });
        const where = path.join(dir, 'node_modules', 'eeg-helper', 'main.js');
        assert.deepEqual(
          out.records.map((r) => [r.status, r.value]),
          [
            ['done', ['tagged:/d/a.fif', where]],
            ['done', ['tagged:/d/b.fif', where]],
          ],
        );
      });
    }

    it('closures and module state: a counter that persists across rows in one process', async () => {
      const loaded = await applyFixture(
        tmp(),
        'state/apply.ts',
        [
          'let calls = 0;',
          'const makeTagger = (prefix: string) => (n: number) => `${prefix}${n}`;',
          "const tag = makeTagger('call-');",
          'export function apply() { calls += 1; return tag(calls); }',
        ].join('\n'),
      );
      const rows = Array.from({ length: 5 }, () => ({ x: '' }));
      const seq = await run(loaded, rows, { mode: 'sequential' });
      assert.deepEqual(
        seq.records.map((r) => r.value),
        ['call-1', 'call-2', 'call-3', 'call-4', 'call-5'],
      );
      // The same loaded module again: its state carried over from the first run.
      const conc = await run(loaded, rows, { mode: 'async', workers: 3 });
      assert.deepEqual(conc.records.map((r) => r.value).sort(), ['call-10', 'call-6', 'call-7', 'call-8', 'call-9']);
      // Process mode with one worker: the worker loads the module once and counts 1..5 itself.
      const out = await run(loaded, rows, { mode: 'process', workers: 1 });
      assert.deepEqual(
        out.records.map((r) => r.value),
        ['call-1', 'call-2', 'call-3', 'call-4', 'call-5'],
      );
    });

    it('editing the file and loading again uses the new code (in process and in workers)', async () => {
      const file = writeFixture(tmp(), 'edit/apply.ts', 'export const apply = () => "v1";\n');
      const first = await loadApplyFile(file);
      writeFixture(tmp(), 'edit/apply.ts', 'export const apply = () => "v2";\n');
      const second = await loadApplyFile(file);
      assert.notEqual(first.bundle.bundlePath, second.bundle.bundlePath);
      for (const mode of ['sequential', 'process'] as Mode[]) {
        const before = await run({ file, ...first }, ROWS.slice(0, 1), { mode, workers: 1 });
        const after = await run({ file, ...second }, ROWS.slice(0, 1), { mode, workers: 1 });
        assert.equal(before.records[0].value, 'v1', mode);
        assert.equal(after.records[0].value, 'v2', mode);
      }
    });
  });

  describe('what apply and condition receive', () => {
    for (const mode of ['sequential', 'async', 'process'] as Mode[]) {
      it(`${mode}: a copy of the row, its index, the locator path and a signal`, async () => {
        const loaded = await applyFixture(
          tmp(),
          `context-${mode}.ts`,
          [
            'export function apply(row: Record<string, string>, ctx: { index: number; locatorPath?: string; signal: AbortSignal }) {',
            "  row['File Path'] = 'changed';",
            '  return { index: ctx.index, locator: ctx.locatorPath ?? null, aborted: ctx.signal.aborted, isSignal: ctx.signal instanceof AbortSignal };',
            '}',
          ].join('\n'),
        );
        const rows = ROWS.map((r) => ({ ...r }));
        const out = await run(loaded, rows, { mode, workers: 2, locatorPath: '/ws/locator.csv' });
        assert.deepEqual(
          out.records.map((r) => r.value),
          [0, 1].map((index) => ({ index, locator: '/ws/locator.csv', aborted: false, isSignal: true })),
        );
        assert.deepEqual(rows, ROWS, 'apply changed the caller\'s rows');
      });
    }

    for (const mode of ['sequential', 'process'] as Mode[]) {
      it(`${mode}: a condition that throws fails its row (phase condition, its line), apply does not run for it`, async () => {
        const loaded = await applyFixture(
          tmp(),
          `cond-throws-${mode}.ts`,
          [
            'export function condition(row: Record<string, string>): boolean {', // 1
            "  if (row['Number of Channels'] === '8') {", // 2
            "    throw new Error('cannot decide for ' + row['File Path']);", // 3
            '  }', // 4
            '  return true;', // 5
            '}', // 6
            "export const apply = (row: Record<string, string>) => 'applied ' + row['File Path'];", // 7
          ].join('\n'),
        );
        const out = await run(loaded, ROWS, { mode, workers: 1 });
        assert.deepEqual(
          out.records.map((r) => r.status),
          ['done', 'error'],
        );
        assert.equal(out.records[0].value, 'applied /d/a.fif');
        const err = out.records[1].error!;
        assert.equal(err.phase, 'condition');
        assert.equal(err.message, 'cannot decide for /d/b.fif');
        assert.equal(out.records[1].value, undefined);
        assert.deepEqual({ file: err.location?.file, line: err.location?.line }, { file: loaded.file, line: 3 });
      });
    }
  });

  describe('errors before any row runs', () => {
    it('a missing file', async () => {
      const file = path.join(tmp(), 'nowhere', 'apply.ts');
      const err = await loadFails(file);
      assert.match(err.message, /not found/);
      assert.ok(err.message.includes(file));
    });

    it('a syntax error names the file and line', async () => {
      const file = writeFixture(tmp(), 'errs/syntax.ts', ['export function apply(row) {', '  return 1;', '}', 'const broken = ;', ''].join('\n'));
      const err = await loadFails(file);
      assert.ok(err.message.includes(`${file}:4:`), err.message);
      assert.equal(err.location?.file, file);
      assert.equal(err.location?.line, 4);
    });

    it('a syntax error in an imported helper names the helper and its line', async () => {
      writeFixture(tmp(), 'errs/lib/bad.ts', ['export const ok = 1;', 'export const bad = (;'].join('\n'));
      const file = writeFixture(tmp(), 'errs/uses-bad.ts', "import { ok } from './lib/bad';\nexport const apply = () => ok;\n");
      const err = await loadFails(file);
      const helper = path.join(tmp(), 'errs', 'lib', 'bad.ts');
      assert.ok(err.message.includes(`${helper}:2:`), err.message);
      assert.equal(err.location?.line, 2);
    });

    it('no apply export: the message lists what the file does export', async () => {
      const file = writeFixture(tmp(), 'errs/noapply.mjs', 'export const threshold = 3;\nexport function process_row() {}\n');
      const err = await loadFails(file);
      assert.match(err.message, /does not export an apply function/);
      assert.match(err.message, /exports: .*threshold/);
      assert.match(err.message, /process_row/);
    });

    it('apply that is not a function', async () => {
      const file = writeFixture(tmp(), 'errs/notfn.ts', 'export const apply = { run: true };\n');
      const err = await loadFails(file);
      assert.match(err.message, /apply is an object, not a function/);
      const file2 = writeFixture(tmp(), 'errs/notfn2.mjs', 'export const apply = 42;\n');
      assert.match((await loadFails(file2)).message, /apply is a number, not a function/);
    });

    it('a module that throws at top level names file:line of the throw (types erased above it)', async () => {
      const file = writeFixture(
        tmp(),
        'errs/toplevel.ts',
        [
          'interface Settings {', // 1
          '  threshold: number;', // 2
          '  mode: string;', // 3
          '}', // 4
          'type Row = Record<string, string>;', // 5
          'const settings: Settings = { threshold: 1, mode: "x" };', // 6
          'if (settings.threshold > 0) throw new Error("cannot start: no data folder");', // 7
          'export function apply(row: Row) { return row; }', // 8
        ].join('\n'),
      );
      const err = await loadFails(file);
      assert.ok(err.message.includes(`${file}:7:`), err.message);
      assert.match(err.message, /cannot start: no data folder/);
      assert.equal(err.location?.line, 7);
    });

    it('a file that is not JavaScript or TypeScript', async () => {
      const file = writeFixture(tmp(), 'errs/apply.py', 'def apply(row): return row\n');
      assert.match((await loadFails(file)).message, /not JavaScript or TypeScript/);
    });
  });

  describe('errors thrown by apply point at the user\'s .ts line', () => {
    const source = [
      'interface Row {', // 1
      '  [k: string]: string;', // 2
      '}', // 3
      "import { check } from './lib/check';", // 4
      '', // 5
      'export function apply(row: Row): number {', // 6
      "  const n: number = Number(row['Number of Channels']);", // 7
      '  if (n > 10) {', // 8
      "    throw new RangeError(`too many channels: ${n}`);", // 9
      '  }', // 10
      '  return check(n);', // 11
      '}', // 12
    ].join('\n');
    const helper = [
      'type N = number;', // 1
      'export function check(n: N): N {', // 2
      "  if (n < 10) throw new Error('too few channels');", // 3
      '  return n;', // 4
      '}', // 5
    ].join('\n');

    for (const mode of ['sequential', 'async', 'process'] as Mode[]) {
      it(`${mode}: the stack frame and error.location name the .ts file and original line`, async () => {
        // A folder name with spaces, parentheses and brackets, as "data (copy)" folders have.
        const dir = path.join(tmp(), `stack (copy) [${mode}]`);
        writeFixture(dir, 'lib/check.ts', helper);
        const loaded = await applyFixture(dir, 'apply.ts', source);
        const out = await run(loaded, ROWS, { mode, workers: 1 });
        const [tooMany, tooFew] = out.records;
        assert.equal(tooMany.status, 'error');
        assert.equal(tooMany.error?.name, 'RangeError');
        assert.equal(tooMany.error?.message, 'too many channels: 25');
        assert.equal(tooMany.error?.phase, 'apply');
        assert.ok(tooMany.error?.stack?.includes(`${loaded.file}:9:`), tooMany.error?.stack);
        assert.deepEqual(
          { file: tooMany.error?.location?.file, line: tooMany.error?.location?.line },
          { file: loaded.file, line: 9 },
        );
        // Thrown in an imported helper: the helper's own file and line.
        const helperFile = path.join(dir, 'lib', 'check.ts');
        assert.equal(tooFew.status, 'error');
        assert.ok(tooFew.error?.stack?.includes(`${helperFile}:3:`), tooFew.error?.stack);
        assert.ok(tooFew.error?.stack?.includes(`${loaded.file}:11:`), 'the caller frame is mapped too');
        assert.deepEqual(
          { file: tooFew.error?.location?.file, line: tooFew.error?.location?.line },
          { file: helperFile, line: 3 },
        );
      });
    }

    it('two apply files in different folders, run in turn in one process: each error names its own file', async () => {
      const files = ['first', 'second'].map((name, k) =>
        applyFixture(path.join(tmp(), name), 'apply.js', `${'\n'.repeat(k)}exports.apply = () => { throw new Error('${name}'); };\n`),
      );
      for (const loaded of [...(await Promise.all(files)), ...(await Promise.all(files))]) {
        const out = await run(loaded, ROWS.slice(0, 1));
        const err = out.records[0].error;
        assert.deepEqual({ file: err?.location?.file, line: err?.location?.line }, { file: loaded.file, line: loaded.file.includes('second') ? 2 : 1 });
      }
    });
  });

  it("loading a bundle leaves its source map alone until a stack needs it (a worker's first run pays nothing for it)", async () => {
    const loaded = await applyFixture(tmp(), 'lazy-map.ts', "export function apply(row: { n: string }): number {\n  throw new Error('no ' + row.n);\n}\n");
    // Decoding the inline map is the base64 decode of the map's text: count them while loading.
    const from = Buffer.from;
    let base64Decodes = 0;
    (Buffer as { from: unknown }).from = (...args: unknown[]) => {
      if (args[1] === 'base64') base64Decodes++;
      return (from as (...a: unknown[]) => Buffer)(...args);
    };
    let mod;
    try {
      mod = await loadApplyBundle(loaded.file, loaded.bundle.code);
      assert.equal(base64Decodes, 0, 'no source map decoded while loading');
    } finally {
      Buffer.from = from;
    }
    // The first stack to map decodes it, and still names the user's .ts line.
    const out = await run({ ...loaded, module: mod }, [{ n: '1' }, { n: '2' }]);
    for (const rec of out.records) assert.deepEqual({ file: rec.error?.location?.file, line: rec.error?.location?.line }, { file: loaded.file, line: 2 });
  });

  it('two runs that load the same new apply file at once both load it (two locators, one apply file)', async () => {
    // Each writes the bundle to the shared cache; they once wrote the same temporary file, and the
    // second rename failed with ENOENT.
    const file = writeFixture(tmp(), `concurrent-${Date.now()}.js`, `exports.apply = () => ${Date.now()};\n`);
    const loaded = await Promise.all([1, 2, 3, 4].map(() => loadApplyFile(file)));
    for (const l of loaded) assert.equal(typeof l.module.apply, 'function');
    assert.equal(new Set(loaded.map((l) => l.bundle.bundlePath)).size, 1, 'one cached bundle');
  });
});
