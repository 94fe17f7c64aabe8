// What a finished run becomes, planned once for every front end: an export (CSV or JSON, the CLI's
// --out too), a value column written back into the locator, or series results as a new locator or
// in place of the old one. Exports are written as streams of chunks; write-back plans are text
// (an undoable edit is the front end's).
import * as path from 'path';
import type { Locator } from '../core/locator';
import { locatorCsvChunks, stringifyLocator } from '../core/locator';
import { jsonReportChunks, seriesLocator, valueColumnNames, valueColumnRows, withValueColumn } from '../core/output';
import { shapeResults, type RunSettings } from '../core/run';
import { SeriesShaper, seriesOutline } from '../core/seriesShaper';
import { writeFileAtomicChunks } from '../core/textSink';
import type { Row, RowRecord } from '../core/types';
import { RunRefusal } from './refusal';

/** The parts of a finished run its outputs need. */
export interface RunResults {
  locator: Locator;
  records: readonly RowRecord[];
  settings: Pick<RunSettings, 'resultType' | 'isPatch'>;
}

export type ExportFormat = 'csv' | 'json';

/** The format a file name asks for: `.json` or `.csv` (anything else: csv). */
export function exportFormatOf(file: string): ExportFormat {
  return file.toLowerCase().endsWith('.json') ? 'json' : 'csv';
}

/**
 * An export as chunks of text, made row by row as they are written (a run's results can be larger
 * than one string can hold). JSON: `{ results, rows }` (what batch_process returns, and every row's
 * status). CSV: the new locator (series) or the locator with `column` holding each row's value.
 */
export function exportChunks(run: RunResults, format: ExportFormat, column: string): Iterable<string> {
  const { locator, records, settings } = run;
  if (format === 'json') return jsonReportChunks(records, locator, settings.resultType, settings.isPatch);
  if (settings.resultType === 'none') {
    throw new RunRefusal('nothing-to-write', 'result type "none" returns nothing to put in a CSV; export JSON for the per-row status.');
  }
  if (settings.resultType === 'value') {
    return locatorCsvChunks(valueColumnNames(locator, column), valueColumnRows(locator, records, column), locator.format);
  }
  // Series: one pass for the columns (the rows are not kept), one to write them.
  const { columns } = seriesOutline(records, locator.rows, locator.columns, settings.isPatch);
  return locatorCsvChunks(columns, seriesRows(run), locator.format);
}

function* seriesRows(run: RunResults): Generator<Row> {
  const shaper = new SeriesShaper(run.locator.rows, run.locator.columns, run.settings.isPatch);
  for (const rec of run.records) {
    const row = shaper.rowOf(rec);
    if (row) yield row;
  }
}

/** An export written to `file` as it is made (through a temporary file and a rename). */
export async function writeExport(run: RunResults, file: string, column: string, format = exportFormatOf(file)): Promise<void> {
  await writeFileAtomicChunks(file, exportChunks(run, format, column));
}

/** The text of an export, whole: for small results and targets that take only whole files. */
export function exportText(run: RunResults, format: ExportFormat, column: string): string {
  return [...exportChunks(run, format, column)].join('');
}

/**
 * Value results written into `column` of the locator as it is now. Refused when it no longer holds
 * the rows the run saw (the column being written aside): a value never lands on another row.
 */
export function planValueWriteBack(run: RunResults, current: Locator, column: string): string {
  if (run.settings.resultType !== 'value') throw nothingToWrite(run);
  if (!sameRows(run.locator, current, column)) throw changedSinceRun();
  return stringifyLocator(withValueColumn(current, run.records, column));
}

/**
 * Series results as the text of a locator. In place (`current` given), refused when the locator
 * changed since the run: replacing it would drop those edits.
 */
export function planSeriesWriteBack(run: RunResults, current?: Locator): string {
  if (run.settings.resultType !== 'series') throw nothingToWrite(run);
  if (current && !sameRows(run.locator, current)) throw changedSinceRun();
  const shaped = shapeResults(run.records, run.locator.rows, run.locator.columns, 'series', run.settings.isPatch);
  if (shaped.resultType !== 'series') throw nothingToWrite(run);
  return stringifyLocator(seriesLocator(shaped, run.locator));
}

function nothingToWrite(run: RunResults): RunRefusal {
  return new RunRefusal('nothing-to-write', `result type "${run.settings.resultType}" has nothing to write back that way.`);
}

function changedSinceRun(): RunRefusal {
  return new RunRefusal('changed', 'the locator changed since the run, so its results could land on the wrong rows. Run again, then write back.');
}

/** Same rows in the same order, ignoring the column being written. */
function sameRows(a: Locator, b: Locator, ignore?: string): boolean {
  if (a.rows.length !== b.rows.length) return false;
  const cols = a.columns.filter((c) => c !== ignore);
  if (cols.some((c) => !b.columns.includes(c))) return false;
  for (let i = 0; i < a.rows.length; i++) {
    for (const c of cols) if (a.rows[i][c] !== b.rows[i][c]) return false;
  }
  return true;
}

/**
 * A journal's file name: the locator's name and the run's start to the millisecond, e.g.
 * `demo.locator.20261202-051500.123.jsonl` (locators of one name in other folders share the
 * workspace's journal folder: two runs started in one second must not share a file).
 */
export function journalFileName(locatorPath: string, startedAt = new Date()): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 19);
  return `${path.basename(locatorPath, '.csv')}.${stamp}.jsonl`;
}
