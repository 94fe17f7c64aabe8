// Shared vocabulary of the engine. No `vscode` import anywhere under src/core.

/** One locator row: column name -> cell text. Every value is a string, as EEGUnity reads it. */
export type Row = Record<string, string>;

export const MODES = ['sequential', 'async', 'process', 'slurm'] as const;
export type Mode = (typeof MODES)[number];

export const RESULT_TYPES = ['series', 'value', 'none'] as const;
export type ResultType = (typeof RESULT_TYPES)[number];

export const ERROR_POLICIES = ['continue', 'stop'] as const;
export type ErrorPolicy = (typeof ERROR_POLICIES)[number];

/** How a run ended: every row ran, the user cancelled, or the `stop` error policy stopped it. */
export type RunEndedBy = 'finished' | 'cancelled' | 'stopped';

export const ROW_STATUSES = ['done', 'skipped', 'error', 'timeout', 'cancelled'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

// Outcome groups: one definition for every layer (engine, session, extension, CLI, webview).
// "Failed" is a row that ran and did not succeed (error, timeout); "cancelled" never ran to its end
// and is its own group. Re-run Failed Rows runs both: every row without a result.

/** The row ran and failed: an error, or over its time limit. */
export function isFailed(status: string): boolean {
  return status === 'error' || status === 'timeout';
}

/** The row has no result of this run (failed or cancelled): what Re-run Failed Rows runs again. */
export function lacksResult(status: string): boolean {
  return isFailed(status) || status === 'cancelled';
}

/** Rows that ran and failed. */
export function failedCount(c: Pick<RunCounts, 'error' | 'timeout'>): number {
  return c.error + c.timeout;
}

/** Rows without a result: failed plus cancelled. */
export function unfinishedCount(c: Pick<RunCounts, 'error' | 'timeout' | 'cancelled'>): number {
  return failedCount(c) + c.cancelled;
}

/** An error as it crosses process boundaries and lands in journals: plain data only. */
export interface RowError {
  name: string;
  message: string;
  /** Stack with frames mapped back to the user's source files. */
  stack?: string;
  code?: string | number;
  /** The first frame in the user's own code, when one is known. */
  location?: SourceLocation;
  /** Where it failed: in `condition`, in `apply`, or while encoding the result. */
  phase?: 'condition' | 'apply' | 'result' | 'worker';
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * A result value in its one encoding: what JSON can hold plus NaN, Infinity and -0.
 * Every mode produces exactly this shape (see ./encode.ts).
 */
export type PlainValue =
  | null
  | boolean
  | number
  | string
  | PlainValue[]
  | { [key: string]: PlainValue };

/** The outcome of one row, emitted as soon as the row finishes. */
export interface RowRecord {
  index: number;
  status: RowStatus;
  /** Present when status is `done` and apply returned something (undefined -> absent). */
  value?: PlainValue;
  error?: RowError;
  /** Wall time of apply for this row, in milliseconds (0 for skipped/cancelled). */
  durationMs: number;
  /** True when the record was taken from an earlier run (resume / re-run failed) instead of run again. */
  reused?: boolean;
}

export interface ApplyDefaults {
  mode?: Mode;
  resultType?: ResultType;
  isPatch?: boolean;
  workers?: number;
}

export interface RunCounts {
  total: number;
  done: number;
  skipped: number;
  error: number;
  timeout: number;
  cancelled: number;
}

export interface RunProgress extends RunCounts {
  /** Rows finished (any status) so far. */
  finished: number;
  elapsedMs: number;
  rowsPerSecond: number;
}
