// Apply files with top-level await (`const model = await load()`): esbuild cannot bundle them as
// CommonJS, so they are bundled as an ES module and that bundle's body is then run inside an async
// function, compiled like every other bundle (see applyModule.ts). The module is thus still
// compiled afresh for every run (`import()` would cache it for the life of the process, with its
// state), `require` and packages resolve from the user's folder, and stacks map to the user's lines.
import * as path from 'path';
import type { Plugin } from 'esbuild';

/** The first characters of such a bundle: what tells the loader to await its exports. */
export const ASYNC_BUNDLE_HEAD = 'module.exports = (async () => {"use strict";';

/** esbuild's refusal that sends a file down this path. */
export function needsEsmBundle(errors: ReadonlyArray<{ text: string }> | undefined): boolean {
  return !!errors?.some((e) => /^Top-level await is currently not supported with the "cjs" output format/.test(e.text));
}

const REQUIRED = 'locator-batch-require';

/**
 * Packages (and Node's modules) become `require`s made when the module runs, from the user's file,
 * as in the CommonJS bundles: an ES module bundle's own `import` statements would resolve from the
 * bundle's folder (the OS temp folder), where the workspace's node_modules cannot be found.
 */
export const requirePackagesPlugin: Plugin = {
  name: 'locator-batch-require-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (path.isAbsolute(args.path)) return undefined; // C:\... on Windows
      if (args.namespace === REQUIRED) return { path: args.path, external: true };
      return { path: args.path, namespace: REQUIRED };
    });
    build.onLoad({ filter: /.*/, namespace: REQUIRED }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

// esbuild ends an ES module bundle with one statement naming what the entry exports.
const FINAL_EXPORT = /\nexport\s*\{([^}]*)\};\s*\n(?=(?:\/\/# sourceMappingURL=[^\n]*\n?)?$)/;
const EXPORT_ITEM = /^([\w$]+)(?:\s+as\s+([\w$]+|"(?:[^"\\]|\\.)*"))?$/;

/**
 * Turns esbuild's ES module output into CommonJS code whose `module.exports` is a promise of the
 * exports: the body runs in an async function (top-level await works), on the same lines as before,
 * so the inline source map still holds. Returns undefined when the output is not of the expected shape.
 */
export function toAsyncCommonJs(code: string): string | undefined {
  // A hashbang stays a comment on its own line, so every line keeps its number.
  if (code.startsWith('#!')) code = '//' + code.slice(2);
  let getters = '';
  const match = FINAL_EXPORT.exec(code);
  if (match) {
    const items = match[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const item of items) {
      const m = EXPORT_ITEM.exec(item);
      if (!m) return undefined;
      getters += `get ${m[2] ?? m[1]}() { return ${m[1]}; }, `;
    }
  }
  const end = `\nreturn { ${getters}};\n})();\n`;
  const body = match ? code.slice(0, match.index) + end + code.slice(match.index + match[0].length) : insertBeforeMap(code, end);
  return ASYNC_BUNDLE_HEAD + body;
}

function insertBeforeMap(code: string, text: string): string {
  const at = code.lastIndexOf('\n//# sourceMappingURL=');
  return at < 0 ? code + text : code.slice(0, at) + text + code.slice(at + 1);
}
