// An apply file's `defaults`, for showing settings before a run (the run bar, the palette's
// questions). Loading an apply file runs its top-level code: callers ask only in a trusted workspace.
import { promises as fs } from 'fs';
import { loadApplyFile } from '../core/applyModule';
import type { ApplyDefaults } from '../core/types';

const cache = new Map<string, { stamp: string; defaults: Promise<ApplyDefaults | undefined> }>();

/**
 * The `defaults` the file exports ({} when none); undefined when it cannot be loaded (the run itself
 * then refuses with the file and line). Loaded once per version of the file (size and mtime).
 */
export async function readApplyDefaults(file: string): Promise<ApplyDefaults | undefined> {
  const st = await fs.stat(file).catch(() => undefined);
  if (!st) return undefined;
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = cache.get(file);
  if (hit?.stamp === stamp) return hit.defaults;
  const defaults = loadApplyFile(file).then(
    (l) => ({ ...l.module.defaults }),
    () => undefined,
  );
  cache.set(file, { stamp, defaults });
  return defaults;
}
