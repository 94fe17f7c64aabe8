// The layers' dependencies point one way: core and session never import `vscode` (they run in the
// CLI and in worker processes), and nothing below the extension imports from it.
import * as assert from 'assert';
import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';

const SRC = path.resolve(__dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(path.join(SRC, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
}

describe('architecture: dependencies point one way', () => {
  const rules: Array<[string, RegExp, string]> = [
    ['core', /^vscode$|\/(session|extension|webview|shared)\//, 'core imports nothing above it'],
    ['session', /^vscode$|\/(extension|webview)\//, 'session imports neither vscode nor the extension or webview'],
    ['shared', /^vscode$|\/(session|extension|webview)\//, 'shared is plain data for both sides'],
    ['webview', /^vscode$|\/(session|extension)\/|\/core\/(?!types$)/, 'the webview takes only shared and core types'],
  ];
  for (const [layer, forbidden, what] of rules) {
    it(`${layer}: ${what}`, () => {
      const files = sources(layer);
      assert.ok(files.length > 0, `src/${layer} has sources`);
      const bad = files.flatMap((f) => imports(f).filter((i) => forbidden.test(i)).map((i) => `${f} imports ${i}`));
      assert.deepStrictEqual(bad, []);
    });
  }

  it('no source file is over 400 lines', () => {
    const long = ['core', 'session', 'shared', 'extension', 'webview']
      .flatMap(sources)
      .concat(['cli.ts'])
      .map((f) => [f, readFileSync(path.join(SRC, f), 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 400);
    assert.deepStrictEqual(long, []);
  });
});
