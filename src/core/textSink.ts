// Writing large text piece by piece: a run's report or CSV can pass V8's longest string (~512 MB),
// so outputs are produced as chunks (generators of strings) and written as they come, to a file
// (through a temporary file and a rename) or to a stream such as stdout (waiting when it is full).
import { once } from 'events';
import { promises as fs } from 'fs';
import type { Writable } from 'stream';

/** Where chunks of text go. */
export interface TextSink {
  write(text: string): Promise<void>;
}

/** Small chunks are gathered to this many characters before a write; a larger chunk goes alone. */
const WRITE_CHARS = 64 * 1024;

/** Writes every chunk to `sink`, gathering small ones; never joins more than WRITE_CHARS of them into one string. */
export async function writeChunks(chunks: Iterable<string>, sink: TextSink): Promise<void> {
  let pending: string[] = [];
  let pendingChars = 0;
  for (const chunk of chunks) {
    if (pendingChars && pendingChars + chunk.length > WRITE_CHARS) {
      await sink.write(pending.join(''));
      pending = [];
      pendingChars = 0;
    }
    pending.push(chunk);
    pendingChars += chunk.length;
  }
  if (pendingChars) await sink.write(pending.join(''));
}

/**
 * Writes the chunks to `file` through a temporary file and a rename, so a failure (or a crash)
 * never leaves half a file behind, and the text is never held whole.
 */
export async function writeFileAtomicChunks(file: string, chunks: Iterable<string>): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    try {
      await writeChunks(chunks, { write: async (text) => void (await handle.write(text, null, 'utf8')) });
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** A Node stream (stdout) as a sink: waits for 'drain' when its buffer is full. */
export function streamSink(stream: Writable): TextSink {
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
  };
}
