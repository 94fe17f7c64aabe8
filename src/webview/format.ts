// Words, icons and number formats shared by the table, the progress strip and the summary.
import { ROW_STATUSES } from '../core/types';
import type { CellStatus } from '../shared/protocol';
import { count } from '../shared/summary';

export interface StatusMeta {
  /** Codicon name, `~spin` for the animated variant. */
  icon: string;
  /** Sort order: the rows that need attention first. */
  order: number;
}

export const STATUS: Record<CellStatus, StatusMeta> = {
  error: { icon: 'error', order: 0 },
  timeout: { icon: 'watch', order: 1 },
  cancelled: { icon: 'stop-circle', order: 2 },
  running: { icon: 'loading~spin', order: 3 },
  pending: { icon: 'circle-outline', order: 4 },
  skipped: { icon: 'circle-slash', order: 5 },
  done: { icon: 'check', order: 6 },
};

/** Every status a cell can show: the two before a row finishes, then the engine's. */
export const STATUS_CODES: CellStatus[] = ['pending', 'running', ...ROW_STATUSES];

// Counts and durations read the same in the summary the extension shows (src/shared/summary.ts).
export { count, duration, plural } from '../shared/summary';

export function rate(rowsPerSecond: number): string {
  if (!isFinite(rowsPerSecond) || rowsPerSecond <= 0) return '– rows/s';
  if (rowsPerSecond < 10) return `${rowsPerSecond.toFixed(1)} rows/s`;
  return `${count(Math.round(rowsPerSecond))} rows/s`;
}

/** Whole percent, rounded down so 100% means every row finished. */
export function percent(finished: number, total: number): number {
  if (total <= 0) return finished > 0 ? 100 : 0;
  return Math.max(0, Math.min(100, Math.floor((finished / total) * 100)));
}

export function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}
