// Builds every bundle: the extension host entry, the workerpool worker, the CLI and the webview.
// `node esbuild.js [--watch] [--production]`
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  // esbuild bundles users' apply files at run time and ships its own native binary: keep it a package.
  external: ['vscode', 'esbuild'],
  logLevel: 'warning',
};

// Packages the extension loads when first needed, not at activation (VS Code counts loading
// dist/extension.js as activation time): each is a file of its own beside the bundle, which
// requires it there (src/core/locator.ts, src/core/backends.ts require them lazily).
const LAZY_PACKAGES = { 'csv-parse': 'vendor-csv-parse', 'csv-stringify/sync': 'vendor-csv-stringify', workerpool: 'vendor-workerpool' };
const lazyPackages = {
  name: 'lazy-packages',
  setup(build) {
    build.onResolve({ filter: /^(csv-parse|csv-stringify\/sync|workerpool)$/ }, (args) => ({ path: `./${LAZY_PACKAGES[args.path]}.js`, external: true }));
  },
};

// Activation loads dist/extension.js only: the contributed commands and editors as placeholders
// (src/extension/extension.ts). The rest loads at their first use, from its own file.
const lazyFeatures = {
  name: 'lazy-features',
  setup(build) {
    build.onResolve({ filter: /^\.\/features$/ }, () => ({ path: './extension-features.js', external: true }));
  },
};

// esbuild copies the whole API object (~350 properties) for every module that does
// `import * as vscode from 'vscode'`: ~0.8 ms each in the extension host, 17 modules. All of them
// import one module of the bundle instead, which re-exports the API once.
const oneVscodeNamespace = {
  name: 'one-vscode-namespace',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-api' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-api' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', plugins: [lazyFeatures, oneVscodeNamespace] },
  { ...node, entryPoints: { 'extension-features': 'src/extension/features.ts' }, outdir: 'dist', plugins: [lazyPackages, oneVscodeNamespace] },
  {
    ...node,
    entryPoints: Object.entries(LAZY_PACKAGES).map(([pkg, out]) => ({ in: pkg, out })),
    outdir: 'dist',
    packages: true,
  },
  // The worker must be its own file: workerpool forks it by path. It sits beside every bundle
  // that starts a pool (src/core/backends.ts looks for ./worker.js).
  { ...node, entryPoints: { worker: 'src/core/worker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // ---- webview (owned by the webview UI) ----
  // Script: one IIFE for the browser, no runtime dependencies.
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir: 'dist',
    logLevel: 'warning',
  },
  // Styles: media/webview.css with @vscode/codicons inlined; the codicon font is copied next to it
  // (dist/codicon-<hash>.ttf), so the extension ships dist/ only and the CSP's font-src allows it.
  {
    bundle: true,
    target: ['chrome114'],
    sourcemap: !production,
    minify: production,
    entryPoints: { webview: 'media/webview.css' },
    outdir: 'dist',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
    assetNames: '[name]-[hash]',
    logLevel: 'warning',
  },
];

// The Python worker runs from its own .py files, beside the bundles (src/core/python/pythonProcess.ts
// looks for them in dist/): copied, not bundled.
const PYTHON_WORKER_FILES = ['locator_batch_worker.py', 'locator_batch_encode.py'];

function copyPythonWorker() {
  const fs = require('fs');
  const path = require('path');
  fs.mkdirSync('dist', { recursive: true });
  for (const name of PYTHON_WORKER_FILES) fs.copyFileSync(path.join('src/core/python', name), path.join('dist', name));
}

async function main() {
  const { existsSync } = require('fs');
  copyPythonWorker();
  // Entry points that do not exist yet are skipped, so the engine builds on its own.
  const present = builds.filter((b) => b.packages || Object.values(b.entryPoints).every((p) => existsSync(p)));
  if (watch) {
    for (const { packages, ...b } of present) await (await esbuild.context(b)).watch();
    console.log('[esbuild] watching');
  } else {
    await Promise.all(present.map(({ packages, ...b }) => esbuild.build(b)));
  }
}

// bench/build.js builds the benchmark's case processes with the same options and lazy packages.
module.exports = { node, lazyPackages, LAZY_PACKAGES, PYTHON_WORKER_FILES };

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
