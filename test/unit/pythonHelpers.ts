// Shared helpers for the Python unit tests: the interpreter they use (Debian's /usr/bin/python3 with
// pandas, installed by scripts/setup-python.sh; the python3 first on PATH here may be one without
// pandas), runs of .py apply files on a locator file, and the EEGUnity reference.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { loadPythonApplyFile, type PythonApply } from '../../src/core/python/pythonApply';
import { readLocator, type Locator } from '../../src/core/locator';
import { runBatch, type RunOptions, type RunOutcome } from '../../src/core/run';
import type { RowOutput } from '../../src/core/python/pythonProcess';

export const PYTHON_FIXTURES = path.resolve(__dirname, '../../../test/unit/fixtures/python');
export const EXAMPLE_LOCATOR = path.resolve(__dirname, '../../../test/unit/fixtures/locators/example_locator.csv');

function hasPandas(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import pandas'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}

let chosen: string | undefined;

/**
 * The interpreter with pandas the tests run: LOCATOR_BATCH_PYTHON when it has pandas, else Debian's
 * /usr/bin/python3. Sets LOCATOR_BATCH_PYTHON to it, so the engine's own discovery picks it.
 */
export function testPython(): string {
  if (chosen) return chosen;
  const candidates = [process.env.LOCATOR_BATCH_PYTHON, '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  chosen = candidates.find(hasPandas);
  if (!chosen) throw new Error(`no Python with pandas among ${candidates.join(', ')}: run \`bash scripts/setup-python.sh\``);
  process.env.LOCATOR_BATCH_PYTHON = chosen;
  return chosen;
}

export async function loadPy(file: string): Promise<PythonApply> {
  return loadPythonApplyFile(file, { python: testPython() });
}

export type PyRunArgs = Partial<Omit<RunOptions, 'rows' | 'python'>>;

/** runBatch on a locator file with a Python apply file: value results, patch, continue, two workers, kept warm. */
export async function runPy(
  apply: PythonApply,
  locatorPath: string,
  args: PyRunArgs = {},
): Promise<{ out: RunOutcome; locator: Locator; output: RowOutput[] }> {
  const locator = await readLocator(locatorPath);
  const output: RowOutput[] = [];
  const out = await runBatch({
    mode: 'sequential',
    workers: 2,
    resultType: 'value',
    isPatch: true,
    onError: 'continue',
    rows: locator.rows,
    python: apply,
    locatorPath,
    onOutput: (o) => output.push(o),
    // Warm workers between tests (the suites end them): a worker's start costs ~1-4 s here.
    keepWorkersMs: 60_000,
    ...args,
  });
  return { out, locator, output };
}

export interface ReferenceAnswer {
  values?: unknown[];
  columns?: string[];
  rows?: Record<string, string>[];
}

/**
 * What EEGUnity's batch_process (the seed's parallel_execute + EEGUnity's shaping) returns, for each
 * [locator, apply file, mode, result type, is_patch], in one Python process.
 */
export function eegunityReference(cases: [string, string, string, 'value' | 'series', boolean][]): ReferenceAnswer[] {
  const args = JSON.stringify(cases.map(([l, a, m, r, p]) => [l, a, m, r, String(p)]));
  const r = spawnSync(testPython(), [path.join(PYTHON_FIXTURES, 'eegunity_reference.py'), '--many', args], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`the EEGUnity reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** NaN and ±Infinity as the reference prints them (JSON has no literal for them). */
export function jsonish(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? (Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity') : x)));
}

/**
 * A cell as a number when it reads as one (the CSV's '25' and pandas' 25.0 are one value), and ''
 * for nothing (an empty CSV cell is pandas' NaN).
 */
export function sameCell(cell: string | undefined): string {
  const c = cell ?? '';
  if (c === '' || c === 'nan') return '';
  return /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(c) ? String(Number(c)) : c;
}
