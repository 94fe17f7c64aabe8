// What a run's results become: a value column on the locator, a new locator, or a JSON report.
// Shared by the CLI, export and write-back, so every way out places values on the same rows.
import { formatCell, stringifyPlain } from './encode';
import type { Locator } from './locator';
import { shapeResults, type ShapedResults } from './run';
import type { PlainValue, ResultType, RowRecord } from './types';

/**
 * The locator with `column` holding each row's value, matched by row index (never by position in
 * a shortened list). A `null` value empties the cell (pandas writes None as an empty cell); rows that
 * produced no value (skipped, failed, or apply returned undefined) keep what the column had (empty
 * for a new column).
 */
export function withValueColumn(locator: Locator, records: readonly RowRecord[], column: string): Locator {
  const columns = locator.columns.includes(column) ? [...locator.columns] : [...locator.columns, column];
  const byIndex = new Map<number, RowRecord>();
  for (const rec of records) byIndex.set(rec.index, rec);
  const rows = locator.rows.map((row, i) => {
    const rec = byIndex.get(i);
    const out = { ...row };
    if (rec?.status === 'done' && rec.value !== undefined) out[column] = formatCell(rec.value);
    else out[column] ??= '';
    return out;
  });
  return { columns, rows, format: locator.format };
}

/** A series result as a new locator in the source's own CSV format. */
export function seriesLocator(shaped: Extract<ShapedResults, { resultType: 'series' }>, source: Locator): Locator {
  return { columns: shaped.columns, rows: shaped.rows, format: source.format };
}

export interface JsonReport {
  /** What batch_process returns: the list for value, row objects for series, null for none. */
  results: PlainValue[] | Record<string, string>[] | null;
  rows: Array<Pick<RowRecord, 'index' | 'status' | 'value' | 'error'>>;
  warning?: string;
}

export function jsonReport(
  records: readonly RowRecord[],
  locator: Locator,
  resultType: ResultType,
  isPatch: boolean,
): JsonReport {
  const shaped = shapeResults(records, locator.rows, locator.columns, resultType, isPatch);
  const results =
    shaped.resultType === 'series' ? shaped.rows : shaped.resultType === 'value' ? shaped.values.map((v) => v ?? null) : null;
  const report: JsonReport = {
    results,
    rows: records.map(({ index, status, value, error }) => {
      const r: JsonReport['rows'][number] = { index, status };
      if (value !== undefined) r.value = value;
      if (error) r.error = error;
      return r;
    }),
  };
  if (shaped.resultType !== 'none' && shaped.warning) report.warning = shaped.warning;
  return report;
}

export function stringifyReport(report: JsonReport): string {
  return stringifyPlain(report as unknown as PlainValue, 2) + '\n';
}
