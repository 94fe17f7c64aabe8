// An apply file's `defaults`, for showing settings before a run (the run bar, the palette's
// questions). Loading an apply file runs its top-level code: callers ask only in a trusted workspace.
// A .py file is imported in its interpreter (the one its run would use).
import { promises as fs } from 'fs';
import { loadApplyFile } from '../core/applyModule';
import { isPythonApplyFile, loadPythonApplyFile } from '../core/python/pythonApply';
import type { ApplyDefaults } from '../core/types';

export interface ApplyDefaultsOptions {
  /** A .py file's interpreter (a setting); else LOCATOR_BATCH_PYTHON, python3, python on PATH. */
  python?: string;
}

const cache = new Map<string, { stamp: string; defaults: Promise<ApplyDefaults | undefined> }>();

/**
 * The `defaults` the file exports ({} when none); undefined when it cannot be loaded (the run itself
 * then refuses with the file and line). Loaded once per version of the file (size and mtime) and interpreter.
 */
export async function readApplyDefaults(file: string, options: ApplyDefaultsOptions = {}): Promise<ApplyDefaults | undefined> {
  const st = await fs.stat(file).catch(() => undefined);
  if (!st) return undefined;
  const python = isPythonApplyFile(file);
  const stamp = `${st.size}:${st.mtimeMs}${python ? `:${options.python ?? ''}` : ''}`;
  const hit = cache.get(file);
  if (hit?.stamp === stamp) return hit.defaults;
  const loaded = python
    ? loadPythonApplyFile(file, { python: options.python }).then((l) => l.defaults)
    : loadApplyFile(file).then((l) => l.module.defaults);
  const defaults = loaded.then(
    (d) => ({ ...d }),
    () => undefined,
  );
  cache.set(file, { stamp, defaults });
  return defaults;
}
