// Results past a memory budget live only in the run's journal (issue 12, item 5): a run of 100k rows
// of 21 KB each holds 2 GB of results, more than a process should keep. The first results are kept
// in memory up to the budget; past it a row's record keeps its status, error and duration, and where
// its journal line is; its `value` is read back from the journal each time it is asked for (an own,
// enumerable getter: spreading, JSON and structured clone see the value as before). Outputs walk
// the records in row order, so at most one spilled value is in memory at a time.
import { closeSync, openSync, readSync } from 'fs';
import type { RowRecord } from './types';

/** Results kept in memory by default before the rest are read back from the journal when needed. */
export const DEFAULT_KEEP_RESULTS_BYTES = 16 * 1024 * 1024;
/** A value whose journal line is shorter stays in memory anyway: a reference would cost as much. */
const SMALL_LINE_BYTES = 256;

/** Where one record's line is in a journal, in bytes (without its line end). */
export interface LineSpan {
  offset: number;
  length: number;
}

// Each reader holds its journal open for reading, so a journal renamed or deleted after the run
// (a Slurm follower's scratch journal is renamed) still gives its values back; the descriptor is
// closed when no record refers to the reader any more.
const closeWhenUnreachable = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/** Reads records back from one journal file (opened when the first record spills, held open then). */
export class JournalLineReader {
  private fd: number | undefined;

  constructor(
    readonly file: string,
    /** Called before a read: a journal still being written flushes what it buffered. */
    private readonly beforeRead?: (end: number) => void,
  ) {}

  /** Opens the journal for reading (once): from then on a rename or delete cannot take it away. */
  hold(): void {
    if (this.fd !== undefined) return;
    this.fd = openSync(this.file, 'r');
    closeWhenUnreachable.register(this, this.fd);
  }

  /** The record on the line at `span` (its index is checked: a value never comes from another row). */
  read(span: LineSpan, index: number, parse: (line: string) => RowRecord): RowRecord {
    this.hold();
    this.beforeRead?.(span.offset + span.length);
    const buf = Buffer.allocUnsafe(span.length);
    let got = 0;
    while (got < span.length) {
      const n = readSync(this.fd!, buf, got, span.length - got, span.offset + got);
      if (n === 0) break;
      got += n;
    }
    let rec: RowRecord | undefined;
    try {
      if (got === span.length) rec = parse(buf.toString('utf8'));
    } catch {
      rec = undefined;
    }
    if (rec?.index !== index) {
      throw new Error(`the result of row ${index} was kept in the journal ${this.file}, which no longer holds it at byte ${span.offset}`);
    }
    return rec;
  }
}

/**
 * Decides which records stay whole in memory: values up to `budgetBytes` of journal lines in all
 * (measured as the lines' lengths), the rest spilled. A budget of 0 spills every value.
 */
export class ResultBudget {
  private kept = 0;
  private readonly smallLine: number;

  constructor(
    private readonly reader: JournalLineReader,
    private readonly parse: (line: string) => RowRecord,
    private readonly budgetBytes = DEFAULT_KEEP_RESULTS_BYTES,
  ) {
    this.smallLine = Math.min(SMALL_LINE_BYTES, budgetBytes);
  }

  /** The record to keep for `rec`, whose journal line is at `span`: `rec` itself, or its spilled form. */
  keep(rec: RowRecord, span: LineSpan): RowRecord {
    if (rec.value === undefined) return rec;
    if (span.length < this.smallLine || this.kept + span.length <= this.budgetBytes) {
      this.kept += span.length;
      return rec;
    }
    this.reader.hold();
    return spilledRecord(rec, span, this.reader, this.parse);
  }
}

/** `rec` without its value in memory: `value` reads it back from the journal line at `span`. */
export function spilledRecord(rec: RowRecord, span: LineSpan, reader: JournalLineReader, parse: (line: string) => RowRecord): RowRecord {
  const index = rec.index;
  const out: Record<string, unknown> = {};
  // The keys in their order (what a record looks like does not change when it spills).
  for (const key of Object.keys(rec)) {
    if (key !== 'value') out[key] = rec[key as keyof RowRecord];
    else Object.defineProperty(out, 'value', { get: () => reader.read(span, index, parse).value, enumerable: true, configurable: true });
  }
  return out as unknown as RowRecord;
}
