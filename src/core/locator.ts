// Locator I/O: read and write EEGUnity locator CSVs without losing a byte of what the user had.
import { promises as fs } from 'fs';
import { setImmediate as yieldToEventLoop } from 'timers/promises';
import { parse, type Info } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { Row } from './types';

/** How the file was written, so an unchanged locator is written back byte for byte. */
export interface CsvFormat {
  bom: boolean;
  eol: '\n' | '\r\n';
  /** Whether the last record is followed by a line end (pandas always writes one). */
  finalEol: boolean;
}

export interface Locator {
  columns: string[];
  rows: Row[];
  format: CsvFormat;
}

export const DEFAULT_FORMAT: CsvFormat = { bom: false, eol: '\n', finalEol: true };

/** A locator that cannot be read. `line` is 1-based, as an editor shows it. */
export class LocatorParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly file?: string,
  ) {
    super(`${file ?? 'locator'}:${line}: ${reason}`);
    this.name = 'LocatorParseError';
  }
}

// Feed the parser this many characters at a time and let the event loop breathe in between, so a
// 25 MB locator does not freeze the extension host while it parses. (At 512 KB a chunk took 60-90 ms
// on a 2-core machine and the event loop stalled for 200-500 ms; at 64 KB no step took over 40 ms
// and the whole parse ran ~3x faster.)
const PARSE_CHUNK = 64 * 1024;

export async function readLocator(file: string): Promise<Locator> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read locator ${file}: ${(err as Error).message}`);
  }
  return parseLocator(text, file);
}

export async function parseLocator(text: string, file?: string): Promise<Locator> {
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  if (text.trim() === '') throw new LocatorParseError('the file is empty: a locator needs a header row', 1, file);
  const format: CsvFormat = { bom, eol: detectEol(text), finalEol: /\r?\n$/.test(text) };

  // Rows are built as records arrive (between the yields below), not in one pass at the end: a
  // final synchronous pass over 100k records blocked the event loop for ~200 ms by itself.
  let columns: string[] | undefined;
  const rows: Row[] = [];
  // Line on which the last complete record ended: an unclosed quote opens on the line after it.
  let lastRecordEnd = 0;
  const parser = parse({ skip_empty_lines: true, relax_column_count: false, info: true });
  const finished = new Promise<void>((resolve, reject) => {
    parser.on('data', (item: { record: string[]; info: Info }) => {
      const record = item.record;
      if (columns === undefined) columns = record;
      else {
        const row: Row = {};
        for (let c = 0; c < columns.length; c++) row[columns[c]] = record[c];
        rows.push(row);
      }
      lastRecordEnd = item.info.lines;
    });
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  // Errors arrive through `finished`; a write after an error is a no-op we must not crash on.
  finished.catch(() => undefined);
  try {
    for (let pos = 0; pos < text.length; pos += PARSE_CHUNK) {
      parser.write(text.slice(pos, pos + PARSE_CHUNK));
      await yieldToEventLoop();
    }
    parser.end();
    await finished;
  } catch (err) {
    throw toParseError(err, recordStartLine(text, lastRecordEnd), file);
  }

  columns ??= [];
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new LocatorParseError(
        `duplicate column name "${name}" (columns ${first + 1} and ${i + 1}); every column needs its own name`,
        1,
        file,
      );
    }
    seen.set(name, i);
  });
  return { columns, rows, format };
}

function detectEol(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * The line on which the record after the one ending on `lastRecordEnd` begins. Not simply the next
 * line: blank lines in between are skipped by the parser (skip_empty_lines), and an error message
 * must name the line the broken record is really on.
 */
function recordStartLine(text: string, lastRecordEnd: number): number {
  let pos = 0;
  for (let l = 1; l <= lastRecordEnd; l++) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return lastRecordEnd + 1;
    pos = nl + 1;
  }
  for (let l = lastRecordEnd + 1; pos < text.length; l++) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    if (end > pos && !(end === pos + 1 && text[pos] === '\r')) return l;
    if (nl < 0) break;
    pos = nl + 1;
  }
  return lastRecordEnd + 1;
}

/** `recordStart`: the line on which the record being parsed when it failed begins. */
function toParseError(err: unknown, recordStart: number, file?: string): Error {
  const e = err as { code?: string; message?: string; lines?: number; record?: string[] };
  const line = typeof e.lines === 'number' ? e.lines : recordStart;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new LocatorParseError(
        `a quoted field is never closed (the quote opens in the record starting here and runs to the end of the file)`,
        recordStart,
        file,
      );
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const m = /expect (\d+), got (\d+)/.exec(e.message ?? '');
      const detail = m ? `the header has ${m[1]} columns but this row has ${m[2]} fields` : 'wrong number of fields';
      // csv-parse names the line the record ends on; a record with a quoted line break starts earlier.
      return new LocatorParseError(detail, Math.min(line, recordStart), file);
    }
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE': {
      // A quote left open mid-file is "closed" by the next quote the parser meets, lines later, and
      // csv-parse reports that later line; the line to fix is where the record (and the quote) began.
      const start = Math.min(line, recordStart);
      const where = start < line ? ` in the record starting on line ${start}` : '';
      return new LocatorParseError(`misplaced quote${where}: ${e.message}`, start, file);
    }
    default:
      return new LocatorParseError(e.message ?? String(err), line, file);
  }
}

/**
 * Writes a locator the way pandas `to_csv(index=False)` does: quote only fields holding a comma, a
 * quote or a line break, and keep the file's own BOM and line ends.
 */
export function stringifyLocator(locator: Pick<Locator, 'columns' | 'rows'> & { format?: CsvFormat }): string {
  const format = locator.format ?? DEFAULT_FORMAT;
  const { columns } = locator;
  const records: string[][] = [columns];
  for (const row of locator.rows) records.push(columns.map((c) => row[c] ?? ''));
  const text = stringify(records, {
    record_delimiter: format.eol,
    eof: format.finalEol,
    // csv-stringify only checks for its own record delimiter; a bare \n inside a \r\n file still needs quotes.
    quoted_match: /[\r\n]/,
    // Python's csv writer quotes an empty field when it is the only one on its line (else the row would vanish).
    quoted_empty: columns.length === 1,
  });
  return (format.bom ? '\ufeff' : '') + text;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a locator behind. */
export async function writeLocator(file: string, locator: Parameters<typeof stringifyLocator>[0]): Promise<void> {
  await writeFileAtomic(file, stringifyLocator(locator));
}

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, text, 'utf8');
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
