// The run journal: one JSON line per finished row, appended as rows finish, so a crash of the host
// loses at most the last fraction of a second, and a later run can resume or re-run failed rows.
import { closeSync, openSync, promises as fs, writeSync, mkdirSync } from 'fs';
import * as path from 'path';
import type { Mode, ResultType, RowRecord } from './types';

/** What a journal belongs to (sha-256 hashes; see src/session/identity.ts). */
export interface JournalIdentity {
  locator: string;
  apply: string;
  settings: string;
}

export interface JournalHeader {
  journal: 'locator-batch';
  /** 2 records `identity`; 1 did not. */
  version: 1 | 2;
  startedAt: string;
  locator?: string;
  apply: string;
  mode: Mode;
  resultType: ResultType;
  isPatch: boolean;
  total: number;
  identity?: JournalIdentity;
  /** The process that writes it, and its machine: a journal whose writer is alive is a run still going. */
  pid?: number;
  host?: string;
}

// Buffer lines briefly: one write per batch instead of per row keeps 100k-row runs cheap.
const FLUSH_MS = 100;
const FLUSH_LINES = 2000;
// ...or sooner when lines are large (20 KB results): the batch is joined into one string to write.
const FLUSH_CHARS = 1024 * 1024;

export class JournalWriter {
  private fd: number;
  private lines: string[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    header: JournalHeader,
    /** Write each row at once (a Slurm task: what it wrote survives its process being killed). */
    private readonly everyRow = false,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'w');
    writeSync(this.fd, JSON.stringify(header) + '\n');
  }

  append(rec: RowRecord): void {
    const line = JSON.stringify(rec, keepNonFinite);
    this.lines.push(line);
    this.chars += line.length;
    if (this.everyRow || this.lines.length >= FLUSH_LINES || this.chars >= FLUSH_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.lines.length) return;
    writeSync(this.fd, this.lines.join('\n') + '\n');
    this.lines = [];
    this.chars = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export interface Journal {
  header: JournalHeader;
  /** The last record seen for each row index. */
  records: Map<number, RowRecord>;
}

/** Reads a journal; a torn last line (the host died mid-write) is ignored, anything else is an error. */
export async function readJournal(file: string): Promise<Journal> {
  const text = await fs.readFile(file, 'utf8');
  const lines = text.split('\n');
  let header: JournalHeader;
  try {
    header = JSON.parse(lines[0]);
  } catch {
    throw new Error(`${file}:1: not a Locator Batch journal (the first line is not its JSON header)`);
  }
  if (header?.journal !== 'locator-batch') throw new Error(`${file}:1: not a Locator Batch journal`);
  const records = new Map<number, RowRecord>();
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    let rec: RowRecord;
    try {
      rec = parseRecordLine(lines[i]);
    } catch {
      if (i >= lines.length - 2) break; // torn final write
      throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
    records.set(rec.index, rec);
  }
  return { header, records };
}

/** One record line of a journal (throws on a line that is not JSON). */
export function parseRecordLine(line: string): RowRecord {
  return JSON.parse(line, reviveNonFinite);
}

// JSON has no NaN or Infinity (and writes -0 as 0); tag them so a resumed run gets back exactly the
// values it had.
const NON_FINITE_TAG = '$number';

function keepNonFinite(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  if (Object.is(v, -0)) return { [NON_FINITE_TAG]: '-0' };
  return Number.isFinite(v) ? v : { [NON_FINITE_TAG]: String(v) };
}

function reviveNonFinite(_key: string, v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === NON_FINITE_TAG) return Number((v as Record<string, string>)[NON_FINITE_TAG]);
  }
  return v;
}
