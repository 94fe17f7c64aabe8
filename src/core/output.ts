// What a run's results become: a value column on the locator, a new locator, or a JSON report.
// Shared by the CLI, export and write-back, so every way out places values on the same rows.
import { formatCell, stringifyPlain } from './encode';
import type { Locator } from './locator';
import type { ShapedResults } from './run';
import { SeriesShaper } from './seriesShaper';
import type { PlainValue, ResultType, Row, RowRecord } from './types';

/**
 * The locator with `column` holding each row's value, matched by row index (never by position in
 * a shortened list). A `null` value empties the cell (pandas writes None as an empty cell); rows that
 * produced no value (skipped, failed, or apply returned undefined) keep what the column had (empty
 * for a new column).
 */
export function withValueColumn(locator: Locator, records: readonly RowRecord[], column: string): Locator {
  return { columns: valueColumnNames(locator, column), rows: [...valueColumnRows(locator, records, column)], format: locator.format };
}

/** The locator's columns with `column` added at the end when it is new. */
export function valueColumnNames(locator: Pick<Locator, 'columns'>, column: string): string[] {
  return locator.columns.includes(column) ? [...locator.columns] : [...locator.columns, column];
}

/** withValueColumn's rows one at a time, for writing them out without a copy of every row. */
export function* valueColumnRows(locator: Pick<Locator, 'rows'>, records: readonly RowRecord[], column: string): Generator<Row> {
  const byIndex: RowRecord[] = [];
  for (const rec of records) byIndex[rec.index] = rec;
  for (let i = 0; i < locator.rows.length; i++) {
    const rec = byIndex[i];
    const out = { ...locator.rows[i] };
    if (rec?.status === 'done' && rec.value !== undefined) out[column] = formatCell(rec.value);
    else out[column] ??= '';
    yield out;
  }
}

/** A series result as a new locator in the source's own CSV format. */
export function seriesLocator(shaped: Extract<ShapedResults, { resultType: 'series' }>, source: Locator): Locator {
  return { columns: shaped.columns, rows: shaped.rows, format: source.format };
}

/**
 * The JSON report, `{ results, rows, warning? }`, as chunks of text: the same text as
 * `stringifyPlain(report, 2)` with a line end, one entry at a time, so a report larger than the
 * longest string V8 can hold still gets written.
 * - results: what batch_process returns: the list for value, row objects for series, null for none.
 * - rows: every row's index, status, value and error.
 */
export function* jsonReportChunks(
  records: readonly RowRecord[],
  locator: Pick<Locator, 'rows' | 'columns'>,
  resultType: ResultType,
  isPatch: boolean,
): Generator<string> {
  let warning: string | undefined;
  if (resultType === 'none') yield '{\n  "results": null';
  else {
    const results: Iterable<PlainValue> = resultType === 'value' ? valueResults(records, isPatch) : seriesResults();
    yield* jsonArray('results', results);
  }
  yield ',\n';
  yield* jsonArray('rows', reportRows(records));
  if (warning) yield `,\n  "warning": ${JSON.stringify(warning)}`;
  yield '\n}\n';

  function* seriesResults(): Generator<PlainValue> {
    const shaper = new SeriesShaper(locator.rows, locator.columns, isPatch);
    for (const rec of records) {
      const row = shaper.rowOf(rec);
      if (row) yield row;
    }
    warning = shaper.warning();
  }
}

function* valueResults(records: readonly RowRecord[], isPatch: boolean): Generator<PlainValue> {
  for (const rec of records) {
    const v = rec.status === 'done' ? (rec.value ?? null) : null;
    if (isPatch || v !== null) yield v;
  }
}

function* reportRows(records: readonly RowRecord[]): Generator<PlainValue> {
  for (const { index, status, value, error } of records) {
    const r: Record<string, unknown> = { index, status };
    if (value !== undefined) r.value = value;
    if (error) r.error = error;
    yield r as PlainValue;
  }
}

/** `"name": [ ... ]` as a member of the report's top object (first member when `name` is results). */
function* jsonArray(name: string, items: Iterable<PlainValue>): Generator<string> {
  yield `${name === 'results' ? '{\n' : ''}  ${JSON.stringify(name)}: [`;
  let first = true;
  for (const item of items) {
    // An entry sits two levels deep: its own lines are indented by four more spaces (JSON strings hold no raw line ends).
    yield `${first ? '' : ','}\n    ${stringifyPlain(item, 2).replace(/\n/g, '\n    ')}`;
    first = false;
  }
  yield first ? ']' : '\n  ]';
}
