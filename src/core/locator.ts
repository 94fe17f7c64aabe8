// Locator I/O: read and write EEGUnity locator CSVs without losing a byte of what the user had.
import { promises as fs } from 'fs';
import { setImmediate as yieldToEventLoop } from 'timers/promises';
import type * as CsvParse from 'csv-parse';
import type { Info } from 'csv-parse';
import type * as CsvStringify from 'csv-stringify/sync';
import { writeFileAtomicChunks } from './textSink';
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
  /** What was read leniently, as pandas reads it (shown to the user once; absent when nothing was). */
  warnings?: LocatorWarning[];
}

/** Something read the way pandas reads it rather than refused. `line` is 1-based: the first case. */
export interface LocatorWarning {
  line: number;
  /** How many fields it concerns. */
  count: number;
  message: string;
}

export const DEFAULT_FORMAT: CsvFormat = { bom: false, eol: '\n', finalEol: true };

// The CSV packages are loaded when a locator is first read or written, not when the extension
// activates (esbuild.js builds them as files of their own beside the extension's bundle).
let csvParser: typeof CsvParse | undefined;
let csvStringifier: typeof CsvStringify | undefined;
const parse: typeof CsvParse.parse = ((...args: unknown[]) => ((csvParser ??= require('csv-parse')).parse as (...a: unknown[]) => unknown)(...args)) as typeof CsvParse.parse;
const stringify: typeof CsvStringify.stringify = (input, options) => (csvStringifier ??= require('csv-stringify/sync')).stringify(input, options);

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
  // Empty means nothing but line breaks: a header of one column named " " is still a header.
  // No regular expression runs over the whole text: V8 keeps a regex's last input (RegExp.input)
  // alive, and that held the 25 MB text of a large locator after its parse was dropped.
  if (!hasNonLineBreak(text)) throw new LocatorParseError('the file is empty: a locator needs a header row', 1, file);
  const format: CsvFormat = { bom, eol: detectEol(text), finalEol: text.charCodeAt(text.length - 1) === LF };

  let parsed: { columns: string[]; rows: Row[] };
  let warnings: LocatorWarning[] | undefined;
  try {
    parsed = await parseRecords(text, file, false);
  } catch (err) {
    // A quote inside an unquoted field (37°36'37.8"N): pandas.read_csv, which EEGUnity uses, keeps it
    // as text. Only then is the file read again leniently, so well-formed files pay nothing.
    if (!(err instanceof StrayQuoteError)) throw err;
    const scan = scanQuotes(text);
    if (scan.quoteAfterClosing !== undefined) {
      // `"ab"cd`: pandas would silently drop the quotes (abcd); that stays a refusal.
      throw new LocatorParseError(
        'misplaced quote in the record starting on this line: a quoted field is followed by more text before the next comma or line end',
        scan.quoteAfterClosing,
        file,
      );
    }
    parsed = await parseRecords(text, file, true);
    if (scan.strayFields > 0) warnings = [strayQuoteWarning(scan.strayFields, scan.firstStrayLine)];
  }
  const { columns, rows } = parsed;
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new LocatorParseError(
        `duplicate column name "${name}" (columns ${first + 1} and ${i + 1}); every column needs its own name`,
        recordStartLine(text, 0), // the header's line (blank lines before it are skipped)
        file,
      );
    }
    seen.set(name, i);
  });
  return warnings ? { columns, rows, format, warnings } : { columns, rows, format };
}

function strayQuoteWarning(count: number, line: number): LocatorWarning {
  const fields = count === 1 ? '1 field holds' : `${count} fields hold`;
  return {
    line,
    count,
    message:
      `line ${line}: ${fields} a double quote inside unquoted text (the first on this line); ` +
      `read as pandas.read_csv reads it, the quote as part of the text; a write-back quotes ${count === 1 ? 'this field' : 'these fields'} as pandas' to_csv does`,
  };
}

/** The strict parse met a quote inside an unquoted field (a lenient parse may read the file). */
class StrayQuoteError extends LocatorParseError {}

/** `relaxQuotes`: a quote inside an unquoted field is text, as in pandas (csv-parse's relax_quotes). */
async function parseRecords(text: string, file: string | undefined, relaxQuotes: boolean): Promise<{ columns: string[]; rows: Row[] }> {
  // Rows are built as records arrive (between the yields below), not in one pass at the end: a
  // final synchronous pass over 100k records blocked the event loop for ~200 ms by itself.
  let columns: string[] | undefined;
  let cellsOf: CellInterner[] = [];
  const rows: Row[] = [];
  // Where (in UTF-8 bytes of `text`) the last complete record ended: a broken record starts after it.
  let lastRecordEnd = 0;
  // The parser's own running `info` (not `info: true`, which copies it into every record: ~25%
  // of the parse) is read as each record is emitted: it then ends where that record ends.
  const parser = parse({ skip_empty_lines: true, relax_column_count: false, relax_quotes: relaxQuotes });
  const info = (parser as unknown as { info: Info }).info;
  const finished = new Promise<void>((resolve, reject) => {
    parser.on('data', (record: string[]) => {
      if (columns === undefined) {
        columns = record;
        cellsOf = columns.map(() => new CellInterner());
      } else {
        const row: Row = {};
        for (let c = 0; c < columns.length; c++) row[columns[c]] = cellsOf[c].intern(record[c]);
        rows.push(row);
      }
      lastRecordEnd = info.bytes;
    });
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  // Errors arrive through `finished`; a write after an error is a no-op we must not crash on.
  finished.catch(() => undefined);
  try {
    for (let pos = 0; pos < text.length; ) {
      let end = Math.min(pos + PARSE_CHUNK, text.length);
      // Never end a chunk inside a surrogate pair: each chunk is encoded on its own, and half of an
      // emoji would become U+FFFD in the cell.
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      parser.write(text.slice(pos, end));
      pos = end;
      await yieldToEventLoop();
    }
    parser.end();
    await finished;
  } catch (err) {
    throw toParseError(err, recordStartLine(text, lastRecordEnd), file);
  }
  return { columns: columns ?? [], rows };
}

/** A column's distinct values kept for sharing; past this many, new values are kept as they come. */
const MAX_SHARED_VALUES = 4096;

/**
 * One copy of each repeated value of a column. A locator repeats most of its columns on every row
 * (Domain Tag, File Type, Sampling Rate, and above all Channel Names, ~150 characters of a ~256-byte
 * row): shared, the rows of the 100k-row benchmark locator take 24 MB instead of 56 MB.
 */
class CellInterner {
  private readonly values = new Map<string, string>();

  intern(cell: string): string {
    const shared = this.values.get(cell);
    if (shared !== undefined) return shared;
    if (this.values.size < MAX_SHARED_VALUES) this.values.set(cell, cell);
    return cell;
  }
}

function hasNonLineBreak(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== LF && c !== CR) return true;
  }
  return false;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Reads the quoting of the whole file as pandas' tokenizer does: a quote opening a field starts a
 * quoted field (doubled quotes inside, closed by a single one); anywhere else in a field it is text.
 * Counts the unquoted fields holding a quote (and the line of the first), and finds the first quoted
 * field followed by more text (`"ab"cd`): the line its record starts on. Lines as an editor counts
 * them. Only run on files the strict parse refused.
 */
export function scanQuotes(text: string): { strayFields: number; firstStrayLine: number; quoteAfterClosing?: number } {
  let line = 1;
  let recordLine = 1;
  let strayFields = 0;
  let firstStrayLine = 0;
  let fieldStart = true;
  let fieldCounted = false;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (fieldStart && c === QUOTE) {
      // A quoted field: to its closing quote (an unclosed one is the parser's to report).
      for (i++; i < n; i++) {
        const q = text.charCodeAt(i);
        if (q === QUOTE) {
          if (text.charCodeAt(i + 1) === QUOTE) i++;
          else break;
        } else if (q === LF || (q === CR && text.charCodeAt(i + 1) !== LF)) line++;
      }
      i++;
      const next = text.charCodeAt(i);
      if (i < n && next !== COMMA && next !== LF && next !== CR) return { strayFields, firstStrayLine, quoteAfterClosing: recordLine };
      fieldStart = false;
      continue;
    }
    if (c === COMMA) {
      fieldStart = true;
      fieldCounted = false;
    } else if (c === LF || c === CR) {
      if (c === LF || text.charCodeAt(i + 1) !== LF) {
        line++;
        recordLine = line;
      }
      fieldStart = true;
      fieldCounted = false;
    } else {
      if (c === QUOTE && !fieldCounted) {
        fieldCounted = true;
        if (strayFields++ === 0) firstStrayLine = line;
      }
      fieldStart = false;
    }
    i++;
  }
  return { strayFields, firstStrayLine };
}

function detectEol(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * The line (1-based, counted as an editor counts: \r\n, \r or \n) on which the record after the one
 * ending at byte `lastRecordEnd` begins. Counted here rather than taken from csv-parse, whose line
 * count is where it stopped (lines after a quote left open) and counts a \r\n inside a quoted field
 * as two lines, so in CRLF files every later line number came out too high.
 */
function recordStartLine(text: string, lastRecordEnd: number): number {
  const start = lastRecordEnd > 0 ? Buffer.from(text, 'utf8').subarray(0, lastRecordEnd).toString('utf8').length : 0;
  let line = 1;
  for (let i = 0; i < start; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  // Blank lines between records are skipped by the parser (skip_empty_lines): skip them too.
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
    else if (c !== 13) break;
  }
  return line;
}

/** `recordStart`: the line on which the record being parsed when it failed begins. */
function toParseError(err: unknown, recordStart: number, file?: string): Error {
  const e = err as { code?: string; message?: string; lines?: number; record?: string[] };
  // Every error names the line its record starts on (csv-parse's own `lines` is the line it stopped
  // on, and is miscounted in CRLF files; see recordStartLine).
  const line = recordStart;
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
      return new LocatorParseError(detail, line, file);
    }
    case 'INVALID_OPENING_QUOTE':
      // Not refused in the end: parseLocator reads the file again as pandas does.
      return new StrayQuoteError(`misplaced quote in the record starting on this line: ${e.message}`, line, file);
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE': {
      // A quote left open mid-file is "closed" by the next quote the parser meets, lines later, and
      // csv-parse reports that later line; the line to fix is where the record (and the quote) began.
      return new LocatorParseError(`misplaced quote in the record starting on this line: ${e.message}`, line, file);
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
  return [...locatorCsvChunks(locator.columns, locator.rows, locator.format)].join('');
}

// A chunk of CSV holds at most this many rows, or stops after the row that passes this many characters.
const CSV_CHUNK_ROWS = 1000;
const CSV_CHUNK_CHARS = 256 * 1024;

/**
 * The same text as stringifyLocator, in chunks of rows (header first), so a large locator or
 * result is written out row by row and never held as one string.
 */
export function* locatorCsvChunks(columns: readonly string[], rows: Iterable<Row>, format: CsvFormat = DEFAULT_FORMAT): Generator<string> {
  const options = (eof: boolean) => ({
    record_delimiter: format.eol,
    eof,
    // csv-stringify only checks for its own record delimiter; a bare \n inside a \r\n file still needs quotes.
    quoted_match: /[\r\n]/,
    // Python's csv writer quotes an empty field when it is the only one on its line (else the row would vanish).
    quoted_empty: columns.length === 1,
  });
  // A chunk is written once the next record exists, so the last one alone ends as the file does.
  let batch: string[][] = [[...columns]];
  let chars = 0;
  let first = true;
  for (const row of rows) {
    if (batch.length >= CSV_CHUNK_ROWS || chars >= CSV_CHUNK_CHARS) {
      yield (first && format.bom ? '\ufeff' : '') + stringify(batch, options(true));
      first = false;
      batch = [];
      chars = 0;
    }
    const record = columns.map((c) => row[c] ?? '');
    for (const cell of record) chars += cell.length;
    batch.push(record);
  }
  yield (first && format.bom ? '\ufeff' : '') + stringify(batch, options(format.finalEol));
}

/** Writes through a temporary file and a rename, so a crash never leaves half a locator behind. */
export async function writeLocator(file: string, locator: Parameters<typeof stringifyLocator>[0]): Promise<void> {
  await writeFileAtomic(file, stringifyLocator(locator));
}

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await writeFileAtomicChunks(file, [text]);
}
