// A run's rows on their way to the views: each finished or started row updates the table's model
// at once, and the views get them batched (every ~50 ms), so a 100k-row run does not flood the
// webview channel. Progress without new rows is sent as it comes (rows/s and time left stay current).
import { formatCell } from '../core/encode';
import type { RowRecord, RunProgress } from '../core/types';
import { emptyProgress, RESULT_TEXT_LIMIT, type ProgressView, type ResultView, type ToWebview } from '../shared/protocol';
import type { RunLog } from './runReporter';

const RESULT_FLUSH_MS = 50;

export class ResultStream {
  private readonly pending: ResultView[] = [];
  private timer: NodeJS.Timeout | undefined;
  progress: ProgressView;

  constructor(
    private readonly runId: number,
    total: number,
    /** The table's model: the latest result of each row. */
    private readonly results: ResultView[],
    private readonly post: (msg: ToWebview) => void,
    private readonly log: RunLog,
    /**
     * The records whose value is too large for a view (see RESULT_TEXT_LIMIT), by row, opened on
     * demand: the engine's own records, so a value spilled to the journal stays there until asked for.
     */
    private readonly largeValues: Map<number, RowRecord>,
  ) {
    this.progress = emptyProgress(total);
  }

  /** A finished row: `rec` with its value, `kept` as the run keeps it (its value maybe in the journal). */
  row(rec: RowRecord, kept: RowRecord = rec): void {
    const view = toResultView(rec);
    this.results[rec.index] = view;
    if (view.fullLength !== undefined) this.largeValues.set(rec.index, kept);
    else this.largeValues.delete(rec.index);
    if (rec.reused) return;
    this.pending.push(view);
    this.log.row(rec);
    this.schedule();
  }

  started(indices: readonly number[]): void {
    for (const index of indices) {
      if (this.results[index]?.status !== 'pending') continue;
      const running: ResultView = { index, status: 'running' };
      this.results[index] = running;
      this.pending.push(running);
    }
    this.schedule();
  }

  /** What the backend says beside the counts (Slurm: the tasks' states), shown with the progress. */
  detail(text: string): void {
    if (this.progress.detail === text) return;
    this.progress = { ...this.progress, detail: text };
    if (!this.pending.length) this.post({ type: 'progress', runId: this.runId, progress: this.progress });
  }

  progressed(p: RunProgress): void {
    this.progress = { ...toProgressView(p), detail: this.progress.detail };
    this.log.progress(p);
    if (!this.pending.length) this.post({ type: 'progress', runId: this.runId, progress: this.progress });
  }

  /** Sends what is pending now (at the end of the run). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    this.post({ type: 'results', runId: this.runId, results: this.pending.splice(0), progress: this.progress });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), RESULT_FLUSH_MS);
  }
}

export function toProgressView(p: RunProgress): ProgressView {
  const { total, finished, done, skipped, error, timeout, cancelled, rowsPerSecond, elapsedMs } = p;
  return { total, finished, done, skipped, error, timeout, cancelled, rowsPerSecond, elapsedMs };
}

export function toResultView(rec: RowRecord): ResultView {
  // Durations to 0.01 ms: full precision only made 100k-row messages longer.
  const view: ResultView = { index: rec.index, status: rec.status, durationMs: Math.round(rec.durationMs * 100) / 100 };
  if (rec.status === 'done' && rec.value !== undefined) {
    const text = formatCell(rec.value);
    if (text.length > RESULT_TEXT_LIMIT) {
      // Never half a surrogate pair (an emoji) at the cut.
      const end = /[\uD800-\uDBFF]/.test(text[RESULT_TEXT_LIMIT - 1]) ? RESULT_TEXT_LIMIT - 1 : RESULT_TEXT_LIMIT;
      view.text = text.slice(0, end);
      view.fullLength = text.length;
    } else view.text = text;
  }
  if (rec.error) {
    const { name, message, stack, location } = rec.error;
    view.error = { name, message, stack, location };
  }
  return view;
}
