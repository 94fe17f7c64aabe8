// How a run's end reads, in the same words wherever it shows: the editor's and the results
// panel's summary, the notification, the status bar, the Output channel and the command line.
// No DOM, no `vscode`, no Node: the webview bundles it too.
import type { SlurmStateSummary } from '../core/slurm/follow';
import type { RunSummaryView } from './protocol';

/** How many rows ended how (the engine's counts, or the webview's progress). */
export interface EndCounts {
  done: number;
  skipped: number;
  error: number;
  timeout: number;
  cancelled: number;
}

type EndedBy = RunSummaryView['endedBy'];

// Made at first use: the first Intl.NumberFormat loads the locale data (~40 ms), which activation need not pay.
let grouped: Intl.NumberFormat | undefined;

/** 100000 -> "100,000" (the user's locale). */
export function count(n: number): string {
  return (grouped ??= new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 })).format(n);
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

/** "Finished", "Cancelled", "Stopped at the first error". */
function endedWord(endedBy: EndedBy): string {
  return endedBy === 'cancelled' ? 'Cancelled' : endedBy === 'stopped' ? 'Stopped at the first error' : 'Finished';
}

/** "22 done, 1 error, 3 skipped": what the rows ended as, the outcomes no row had left out. */
export function countsText(c: EndCounts): string {
  const bits = [`${count(c.done)} done`];
  if (c.error) bits.push(plural(c.error, 'error'));
  if (c.timeout) bits.push(`${count(c.timeout)} timed out`);
  if (c.skipped) bits.push(`${count(c.skipped)} skipped`);
  if (c.cancelled) bits.push(`${count(c.cancelled)} cancelled`);
  return bits.join(', ');
}

/** "Finished: 22 done, 1 error in 228 ms": the first words of every summary of a run. */
export function endText(endedBy: EndedBy, c: EndCounts, elapsedMs: number): string {
  return `${endedWord(endedBy)}: ${countsText(c)} in ${duration(elapsedMs)}`;
}

/** A Slurm job array's tasks: "Slurm job 42: 1 pending, 2 running, 1 ended (1 failed)". */
export function slurmStateText(s: SlurmStateSummary): string {
  return `Slurm job ${s.jobId}: ${s.pending} pending, ${s.running} running, ${s.ended} ended${s.failed ? ` (${s.failed} failed)` : ''}`;
}
