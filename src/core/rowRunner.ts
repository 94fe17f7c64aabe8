// Running `apply` on one row, the same way in every process: copy the row, await a promise,
// encode the result, turn a throw into a RowError. Used by the in-process backends and the worker.
import { firstUserFrame, type ApplyModule } from './applyModule';
import { encodeResult, toRowError } from './encode';
import type { Row, RowRecord } from './types';

const NEVER_ABORTED = new AbortController().signal;

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Runs one row. Returns synchronously when `apply` is synchronous (no promise per row, which is
 * most of the per-row cost at 100k rows), else a promise.
 */
export function runRow(
  mod: ApplyModule,
  index: number,
  row: Row,
  options: { signal?: AbortSignal; locatorPath?: string } = {},
): RowRecord | Promise<RowRecord> {
  const start = performance.now();
  let returned: unknown;
  try {
    // Rows are copies: changing one inside apply changes nothing unless it is returned.
    returned = mod.apply({ ...row }, { index, signal: options.signal ?? NEVER_ABORTED, locatorPath: options.locatorPath });
  } catch (err) {
    return failed(mod, index, err, 'apply', start);
  }
  if (isThenable(returned)) {
    return Promise.resolve(returned).then(
      (value) => finished(mod, index, value, start),
      (err) => failed(mod, index, err, 'apply', start),
    );
  }
  return finished(mod, index, returned, start);
}

function finished(mod: ApplyModule, index: number, returned: unknown, start: number): RowRecord {
  try {
    const value = encodeResult(returned);
    const rec: RowRecord = { index, status: 'done', durationMs: performance.now() - start };
    if (value !== undefined) rec.value = value;
    return rec;
  } catch (err) {
    return failed(mod, index, err, 'result', start);
  }
}

function failed(mod: ApplyModule, index: number, err: unknown, phase: 'apply' | 'result', start: number): RowRecord {
  const error = toRowError(err, phase, mod.mapStack);
  const location = firstUserFrame(error.stack, mod.file);
  if (location) error.location = location;
  return { index, status: 'error', error, durationMs: performance.now() - start };
}
