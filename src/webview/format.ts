// Words, icons and number formats shared by the table, the progress strip and the summary.
import type { CellStatus } from '../shared/protocol';

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

export const STATUS_CODES: CellStatus[] = ['pending', 'running', 'done', 'skipped', 'error', 'timeout', 'cancelled'];

const grouped = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** 100000 -> "100,000" (the user's locale). */
export function count(n: number): string {
  return grouped.format(n);
}

export function plural(n: number, word: string, many = word + 's'): string {
  return `${count(n)} ${n === 1 ? word : many}`;
}

/** Milliseconds as "850 ms", "3.2 s", "4:05" or "1:02:03". */
export function duration(ms: number): string {
  if (!isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

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
