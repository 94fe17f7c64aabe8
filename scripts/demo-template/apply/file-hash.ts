/**
 * file-hash.ts — the size and SHA-256 of every recording (EEGUnity's `get_file_sizes` and
 * `Source Hash` jobs).
 *
 * I/O-bound: each row mostly waits for the disk, so run it in `async` mode, where many rows wait
 * at once on one thread (EEGUnity uses its thread pool for this). Each row returns
 * "size:sha256" — a value column you can write back to the locator (e.g. as `Source Hash`).
 * Return `{ size, sha256 }` instead if you prefer two fields (the cell then holds JSON).
 *
 * A missing file fails its own row (ENOENT) and the run goes on. Cancel stops the read at once:
 * the stream listens to `context.signal`.
 */
import { createHash } from 'crypto';
import { createReadStream } from 'fs';
import { stat } from 'fs/promises';
import * as path from 'path';

// The locator's rows and the context every call gets. (Plain types so this file needs no package.)
type Row = Record<string, string>;
interface Context {
  index: number;
  signal: AbortSignal;
  locatorPath?: string;
}

export const defaults = { mode: 'async', resultType: 'value', isPatch: true, workers: 16 };

export async function apply(row: Row, context: Context): Promise<string> {
  const file = recordingPath(row, context);
  const { size } = await stat(file);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { signal: context.signal, highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return `${size}:${hash.digest('hex')}`;
}

/** EEGUnity writes absolute paths; a relative one is taken from the locator's own folder. */
function recordingPath(row: Row, context: Context): string {
  const p = row['File Path'];
  if (!p) throw new Error(`row ${context.index} has no File Path`);
  if (path.isAbsolute(p) || !context.locatorPath) return p;
  return path.resolve(path.dirname(context.locatorPath), p);
}
