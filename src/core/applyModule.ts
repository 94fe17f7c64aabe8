// Loading the user's apply file: bundle it with esbuild (TS, ESM, relative imports), compile the
// bundle as if it were the user's own file (so `require`, `__dirname` and the workspace's
// node_modules resolve from there), and map every stack back to the user's files and lines.
import { createHash } from 'crypto';
import { promises as fs, existsSync, readFileSync } from 'fs';
import Module, { SourceMap } from 'module';
import * as os from 'os';
import * as path from 'path';
import type { BuildOptions } from 'esbuild';
import { ASYNC_BUNDLE_HEAD, needsEsmBundle, requirePackagesPlugin, toAsyncCommonJs } from './esmBundle';
import type { ApplyDefaults, Row, SourceLocation } from './types';

export const APPLY_EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.mts', '.cts'] as const;

/** The context every call of `apply` receives besides the row. */
export interface ApplyContext {
  /** Position of the row in the locator (0-based, as pandas' index). */
  index: number;
  /** Aborted when the run is cancelled; long-running async work should listen to it. */
  signal: AbortSignal;
  /** Absolute path of the locator being processed, when it came from a file. */
  locatorPath?: string;
}

export type ApplyFunction = (row: Row, context: ApplyContext) => unknown;
export type ConditionFunction = (row: Row, context: { index: number }) => unknown;

/** A bundled apply file: the code every backend loads, once per process. */
export interface ApplyBundle {
  /** The user's file, absolute. */
  file: string;
  code: string;
  /** The same code on disk (in the OS temp folder), for worker processes to load. */
  bundlePath: string;
}

export interface ApplyModule {
  file: string;
  apply: ApplyFunction;
  condition?: ConditionFunction;
  defaults: ApplyDefaults;
  /** Rewrites stack frames that point into the bundle so they name the user's file and line. */
  mapStack(stack: string): string;
}

/** The apply file is unusable. `location` names the user's file and line where one is known. */
export class ApplyModuleError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
    this.name = 'ApplyModuleError';
  }
}

/** The first line of every bundle: `import.meta` for code compiled as CommonJS under the user's file name. */
export const BUNDLE_BANNER =
  'var __locatorBatchImportMeta = { url: require("url").pathToFileURL(__filename).href, filename: __filename, dirname: __dirname };';

function bundleDir(): string {
  return path.join(os.tmpdir(), 'locator-batch-bundles');
}

export async function bundleApplyFile(file: string): Promise<ApplyBundle> {
  file = path.resolve(file);
  if (!APPLY_EXTENSIONS.some((ext) => file.endsWith(ext))) {
    throw new ApplyModuleError(
      `Apply file ${file} is not JavaScript or TypeScript (expected one of ${APPLY_EXTENSIONS.join(', ')})`,
      file,
    );
  }
  if (!existsSync(file)) throw new ApplyModuleError(`Apply file not found: ${file}`, file);
  // Loaded lazily: esbuild starts a service process, which only runs need.
  const esbuild = await import('esbuild');
  const options = (format: 'cjs' | 'esm'): BuildOptions & { write: false } => ({
    entryPoints: [file],
    bundle: true,
    write: false,
    platform: 'node',
    format,
    target: `node${process.versions.node.split('.')[0]}`,
    // Packages stay `require`s resolved from the user's folder at run time, so native addons and
    // the workspace's own node_modules work as they do for the user.
    ...(format === 'cjs' ? { packages: 'external' } : { plugins: [requirePackagesPlugin] }),
    sourcemap: 'inline',
    sourcesContent: false,
    // The map's sources are then relative to the user's folder.
    outfile: file + '.bundle.js',
    // esbuild names files (comments, error locations) relative to its working folder: the apply file's own folder,
    // so the bundle (and the journal identity hashed from it) does not depend on where the run started.
    absWorkingDir: path.dirname(file),
    logLevel: 'silent',
    // The bundle runs as CommonJS compiled under the user's file name: give `import.meta` the entry
    // file's values (left in the code, it would not compile as CommonJS).
    define: { 'import.meta': '__locatorBatchImportMeta' },
    banner: { js: BUNDLE_BANNER },
  });
  let code: string;
  bundling++;
  try {
    code = (await esbuild.build(options('cjs'))).outputFiles[0].text;
  } catch (err) {
    if (!needsEsmBundle((err as { errors?: Array<{ text: string }> }).errors)) throw bundleError(err, file);
    // Top-level await: an ES module bundle, run in an async function (see esmBundle.ts).
    let esm: string;
    try {
      esm = (await esbuild.build(options('esm'))).outputFiles[0].text;
    } catch (esmErr) {
      throw bundleError(esmErr, file);
    }
    const wrapped = toAsyncCommonJs(esm);
    if (wrapped === undefined) throw new ApplyModuleError(`Cannot load ${file} as an ES module: its exports could not be read from the bundle`, file);
    code = wrapped;
  } finally {
    bundling--;
    stopBundlerWhenIdle(esbuild);
  }
  const bundlePath = path.join(bundleDir(), createHash('sha256').update(file).update(code).digest('hex').slice(0, 24) + '.js');
  if (!existsSync(bundlePath)) {
    await fs.mkdir(bundleDir(), { recursive: true });
    await pruneOldBundles();
    // Unique per write: two runs bundling the same file at once (two locators) must not share it.
    const tmp = `${bundlePath}.${process.pid}.${++bundleWrites}.tmp`;
    await fs.writeFile(tmp, code);
    await fs.rename(tmp, bundlePath);
  } else {
    // Mark it used, so pruning keeps it.
    await fs.utimes(bundlePath, new Date(), new Date()).catch(() => undefined);
  }
  return { file, code, bundlePath };
}

let bundleWrites = 0;

// esbuild's service process (~12 MB) is stopped once no bundle was asked for a while (the next
// bundle starts it again, ~40 ms); the CLI, which bundles once, stops it at once (stopBundler).
const BUNDLER_IDLE_MS = 30_000;
let bundling = 0;
let bundlerIdle: NodeJS.Timeout | undefined;

function stopBundlerWhenIdle(esbuild: typeof import('esbuild')): void {
  clearTimeout(bundlerIdle);
  bundlerIdle = setTimeout(() => {
    if (bundling === 0) void esbuild.stop();
  }, BUNDLER_IDLE_MS);
  bundlerIdle.unref?.();
}

/** Stops esbuild's service process now if no bundle is being made (a process that bundles no more). */
export async function stopBundler(): Promise<void> {
  clearTimeout(bundlerIdle);
  if (bundling === 0) await (await import('esbuild')).stop();
}

// Bundles are named by content, so every edit of an apply file adds one: drop those unused for a
// day (a run in progress has loaded its bundle, or its workers have; at worst a late worker fails).
const BUNDLE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
let pruned = false;

async function pruneOldBundles(): Promise<void> {
  if (pruned) return;
  pruned = true;
  const now = Date.now();
  for (const name of await fs.readdir(bundleDir()).catch(() => [] as string[])) {
    const file = path.join(bundleDir(), name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && now - stat.mtimeMs > BUNDLE_MAX_AGE_MS) await fs.rm(file, { force: true }).catch(() => undefined);
  }
}

function bundleError(err: unknown, file: string): ApplyModuleError {
  const first = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors?.[0];
  if (!first) return new ApplyModuleError(`Cannot bundle ${file}: ${(err as Error).message}`, file);
  const loc = first.location
    ? { file: path.resolve(path.dirname(file), first.location.file), line: first.location.line, column: first.location.column + 1 }
    : undefined;
  const where = loc ? `${loc.file}:${loc.line}:${loc.column}` : file;
  return new ApplyModuleError(`${where}: ${first.text}`, file, loc);
}

/** Bundles and loads in this process. Every error here comes before any row runs. */
export async function loadApplyFile(file: string): Promise<{ bundle: ApplyBundle; module: ApplyModule }> {
  const bundle = await bundleApplyFile(file);
  return { bundle, module: await loadApplyBundle(bundle.file, bundle.code) };
}

/** Loads a bundle from disk (worker processes). */
export function loadApplyBundleFile(file: string, bundlePath: string): Promise<ApplyModule> {
  return loadApplyBundle(file, readFileSync(bundlePath, 'utf8'));
}

/**
 * Compiles the bundle afresh as a module of the user's file (nothing is cached: every run sees the
 * file as it is now, with fresh module state). An ES module bundle's exports are awaited (its
 * top-level await runs then).
 */
export async function loadApplyBundle(file: string, code: string): Promise<ApplyModule> {
  const mapStack = makeStackMapper(file, code);
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  let exported: unknown;
  try {
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(code, file);
    exported = code.startsWith(ASYNC_BUNDLE_HEAD) ? await (mod.exports as Promise<unknown>) : mod.exports;
  } catch (err) {
    const stack = mapStack(String((err as Error)?.stack ?? err));
    const location = firstUserFrame(stack, file);
    const where = location ? `${location.file}:${location.line}:${location.column}` : file;
    throw new ApplyModuleError(
      `${where}: loading the apply file failed: ${(err as Error)?.message ?? String(err)}`,
      file,
      location,
    );
  }
  return toApplyModule(file, exported as Record<string, unknown> | ((...args: unknown[]) => unknown) | null, mapStack);
}

function toApplyModule(
  file: string,
  exported: Record<string, unknown> | ((...args: unknown[]) => unknown) | null,
  mapStack: (stack: string) => string,
): ApplyModule {
  const top: Record<string, unknown> = typeof exported === 'object' && exported !== null ? exported : {};
  // `export default function` bundles to { default: fn }: use fn itself. (Looking up `.default.apply`
  // first found Function.prototype.apply on it, and every row silently returned undefined.)
  // `export default { apply, condition }` is an object holding the exports.
  const def = top.default;
  const holder = top.apply === undefined && typeof def === 'object' && def !== null ? (def as Record<string, unknown>) : top;
  const apply = typeof exported === 'function' ? exported : top.apply ?? (typeof def === 'function' ? def : holder.apply);
  if (apply === undefined) {
    const names = Object.keys(top);
    throw new ApplyModuleError(
      `${file} does not export an apply function (export function apply(row, context) { ... } or a default export)` +
        (names.length ? `; it exports: ${names.join(', ')}` : '; it exports nothing'),
      file,
    );
  }
  if (typeof apply !== 'function') {
    throw new ApplyModuleError(`${file}: the exported apply is ${describe(apply)}, not a function`, file);
  }
  const exportsObject = typeof exported === 'function' ? {} : holder;
  const condition = exportsObject.condition;
  if (condition !== undefined && typeof condition !== 'function') {
    throw new ApplyModuleError(`${file}: the exported condition is ${describe(condition)}, not a function`, file);
  }
  const defaults = exportsObject.defaults;
  if (defaults !== undefined && (typeof defaults !== 'object' || defaults === null)) {
    throw new ApplyModuleError(`${file}: the exported defaults is ${describe(defaults)}, not an object`, file);
  }
  return {
    file,
    apply: apply as ApplyFunction,
    condition: condition as ConditionFunction | undefined,
    defaults: (defaults ?? {}) as ApplyDefaults,
    mapStack,
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Frames of the bundle carry the user's file name (we compiled under it) and the bundle's positions.
 * The inline source map is decoded on the first stack to map, not when the module loads: decoding it
 * (base64, JSON, Node's SourceMap) cost a fresh worker 5-10 ms of one-time start-up in every run that
 * never fails a row.
 */
function makeStackMapper(file: string, code: string): (stack: string) => string {
  let mapper: ((stack: string) => string) | undefined;
  return (stack) => {
    if (!mapper) {
      mapper = parseStackMapper(file, code);
      code = ''; // the bundle's text is not needed any more
    }
    return mapper(stack);
  };
}

function parseStackMapper(file: string, code: string): (stack: string) => string {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!m) return (s) => s;
  let map: SourceMap;
  try {
    map = new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
  } catch {
    return (s) => s;
  }
  const dir = path.dirname(file);
  const frame = new RegExp(`${escapeRegExp(file)}:(\\d+):(\\d+)`, 'g');
  return (stack) =>
    stack.replace(frame, (whole, line: string, col: string) => {
      const entry = map.findEntry(Number(line) - 1, Number(col) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (!entry || entry.originalSource === undefined || entry.originalLine === undefined) return whole;
      const source = entry.originalSource.startsWith('file://')
        ? new URL(entry.originalSource).pathname
        : path.resolve(dir, entry.originalSource);
      return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
    });
}

// Built once per apply file, not once per failing row (100k failing rows built 100k of them).
let userFrame: { applyFile: string; re: RegExp } | undefined;

function userFramePattern(applyFile: string): RegExp {
  if (userFrame?.applyFile !== applyFile) {
    const dir = path.dirname(applyFile);
    const root = dir.endsWith(path.sep) ? dir : dir + path.sep;
    // A frame line ends in "file:line:col" or "(file:line:col)". Match from the user's folder on: a
    // path pattern without "(", ")" or ":" found nothing in a folder such as "data (copy)".
    userFrame = { applyFile, re: new RegExp(`^\\s*at .*?(${escapeRegExp(root)}[^\\n]*?):(\\d+):(\\d+)\\)?$`, 'gm') };
  }
  return userFrame.re;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The first stack frame in the user's workspace code (not in node_modules or Node itself): where an
 * error link should open.
 */
export function firstUserFrame(stack: string | undefined, applyFile: string): SourceLocation | undefined {
  if (!stack) return undefined;
  const re = userFramePattern(applyFile);
  re.lastIndex = 0;
  for (let m = re.exec(stack); m; m = re.exec(stack)) {
    const file = m[1];
    if (!file.includes(`${path.sep}node_modules${path.sep}`)) {
      return { file, line: Number(m[2]), column: Number(m[3]) };
    }
  }
  return undefined;
}
