// The run journal: one JSON line per finished row, appended as rows finish, so a crash of the host
// loses at most the last fraction of a second, and a later run can resume or re-run failed rows.
import { closeSync, openSync, promises as fs, writeSync, mkdirSync, unlinkSync } from 'fs';
import * as path from 'path';
import { DEFAULT_KEEP_RESULTS_BYTES, JournalLineReader, ResultBudget, type LineSpan } from './resultSpill';
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
  /** Bytes on disk, and bytes of the lines buffered after them: where the next line starts. */
  private written = 0;
  private buffered = 0;
  private closed = false;

  constructor(
    readonly file: string,
    header: JournalHeader,
    /** Write each row at once (a Slurm task: what it wrote survives its process being killed). */
    private readonly everyRow = false,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    // A new file, not the old one emptied: a run resumed into its own journal reads the values it
    // reuses back from the old journal (records spilled past the budget hold it open), and on Linux
    // an unlinked file stays readable to those holding it.
    try {
      unlinkSync(file);
    } catch {
      // none there yet
    }
    this.fd = openSync(file, 'w');
    const head = JSON.stringify(header) + '\n';
    writeAll(this.fd, head);
    this.written = Buffer.byteLength(head);
  }

  /** Appends the record's line; returns where that line is in the file, in bytes. */
  append(rec: RowRecord): LineSpan {
    const line = JSON.stringify(rec, keepNonFinite);
    const span = { offset: this.written + this.buffered, length: Buffer.byteLength(line) };
    this.buffered += span.length + 1;
    this.lines.push(line);
    this.chars += line.length;
    if (this.everyRow || this.lines.length >= FLUSH_LINES || this.chars >= FLUSH_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    return span;
  }

  /** Makes sure the file holds its first `end` bytes (a spilled result is read back from it). */
  flushTo(end: number): void {
    if (!this.closed && end > this.written) this.flush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.lines.length) return;
    const text = this.lines.join('\n') + '\n';
    this.lines = [];
    this.chars = 0;
    writeAll(this.fd, text);
    this.written += this.buffered;
    this.buffered = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }

  /**
   * A budget for the records of this journal's run: past `budgetBytes`, a record's value is read
   * back from its line in this file when asked for (see ./resultSpill.ts).
   */
  resultBudget(budgetBytes = DEFAULT_KEEP_RESULTS_BYTES): ResultBudget {
    return new ResultBudget(new JournalLineReader(this.file, (end) => this.flushTo(end)), parseRecordLine, budgetBytes);
  }
}

/** writeSync may write less than asked (a full disk, a signal): write the rest, or throw. */
function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text, 'utf8');
  while (buf.length) {
    const n = writeSync(fd, buf);
    buf = buf.subarray(n);
  }
}

export interface Journal {
  header: JournalHeader;
  /** The last record seen for each row index. */
  records: Map<number, RowRecord>;
}

/**
 * Reads a journal; a torn last line (the host died mid-write) is ignored, anything else is an error.
 * Read line by line, never whole (a journal of large results can pass the longest string V8 holds);
 * values past `keepResultsBytes` stay in the file and are read back when asked for.
 */
export async function readJournal(file: string, keepResultsBytes = DEFAULT_KEEP_RESULTS_BYTES): Promise<Journal> {
  let header: JournalHeader | undefined;
  let budget: ResultBudget | undefined;
  const records = new Map<number, RowRecord>();
  // A line that is not JSON is forgiven when it is the last line, or the last but an unfinished one.
  let badLine: number | undefined;
  for await (const { text, span, lineNo, last } of journalLines(file)) {
    if (lineNo === 1) {
      try {
        header = JSON.parse(text);
      } catch {
        throw new Error(`${file}:1: not a Locator Batch journal (the first line is not its JSON header)`);
      }
      if (header?.journal !== 'locator-batch') throw new Error(`${file}:1: not a Locator Batch journal`);
      budget = new ResultBudget(new JournalLineReader(file), parseRecordLine, keepResultsBytes);
      continue;
    }
    if (badLine !== undefined) {
      if (last) break; // torn final write
      throw new Error(`${file}:${badLine}: not valid JSON`);
    }
    if (!text.trim()) continue;
    let rec: RowRecord;
    try {
      rec = parseRecordLine(text);
    } catch {
      badLine = lineNo;
      continue;
    }
    records.set(rec.index, budget!.keep(rec, span));
  }
  if (!header) throw new Error(`${file}:1: not a Locator Batch journal (the first line is not its JSON header)`);
  return { header, records };
}

/** A file's lines (split at \n, as text.split does: a final line without its end too), with where each is in bytes. */
async function* journalLines(file: string): AsyncGenerator<{ text: string; span: LineSpan; lineNo: number; last: boolean }> {
  const handle = await fs.open(file, 'r');
  try {
    const block = Buffer.allocUnsafe(1024 * 1024);
    let carry: Buffer[] = [];
    let carryStart = 0;
    let position = 0;
    let lineNo = 0;
    let previous: { text: string; span: LineSpan; lineNo: number } | undefined;
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, block.length, position);
      if (bytesRead === 0) break;
      const data = block.subarray(0, bytesRead);
      let from = 0;
      for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
        const piece = data.subarray(from, nl);
        const bytes = carry.length ? Buffer.concat([...carry, piece]) : piece;
        if (previous) yield { ...previous, last: false };
        previous = { text: bytes.toString('utf8'), span: { offset: carryStart, length: bytes.length }, lineNo: ++lineNo };
        carry = [];
        carryStart = position + nl + 1;
        from = nl + 1;
      }
      if (from < bytesRead) carry.push(Buffer.from(data.subarray(from)));
      position += bytesRead;
    }
    // What follows the last line end: '' for a file that ends with one (text.split gives it too).
    const tail = carry.length ? Buffer.concat(carry) : Buffer.alloc(0);
    if (previous) yield { ...previous, last: false };
    yield { text: tail.toString('utf8'), span: { offset: carryStart, length: tail.length }, lineNo: lineNo + 1, last: true };
  } finally {
    await handle.close();
  }
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
