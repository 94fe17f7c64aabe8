// The run strip between the run bar and the table: a progress bar with counts, rate and time left
// while a run goes; a summary and the follow-up actions (re-run failed, export, write back) after.
import { failedCount } from '../core/types';
import { emptyProgress, type ProgressView, type ViewKind } from '../shared/protocol';
import { endText } from '../shared/summary';
import { attr, button, codiconClass, h, setText } from './dom';
import { count, duration, percent, plural, rate } from './format';
import type { Model } from './model';

export interface ProgressHooks {
  cancel(): void;
  rerunFailed(): void;
  export(): void;
  writeBack(target: { column?: string; target?: 'replace' | 'new' }): void;
  /** The column value results go to (the run bar's current choice). */
  writeColumn(): string | undefined;
}

export class ProgressStrip {
  readonly el: HTMLElement;
  private readonly track: HTMLElement;
  private readonly fill: HTMLElement;
  private readonly stateIcon: HTMLElement;
  private readonly progressText: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly warning: HTMLElement;
  private readonly cancelBtn: HTMLButtonElement | undefined;
  private readonly rerunBtn: HTMLButtonElement;
  private readonly exportBtn: HTMLButtonElement;
  private readonly writeBtn: HTMLButtonElement;
  private readonly writeNewBtn: HTMLButtonElement;
  private cancelling = false;

  constructor(
    private readonly kind: ViewKind,
    private readonly hooks: ProgressHooks,
  ) {
    this.fill = h('div', 'progress-fill');
    this.track = h(
      'div',
      'progress-track',
      { role: 'progressbar', 'aria-label': 'Run progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 },
      this.fill,
    );
    this.stateIcon = h('span', 'codicon', { 'aria-hidden': 'true' });
    this.progressText = h('span', 'progress-text', { id: 'progress', 'aria-live': 'off' });
    this.stats = h('span', 'progress-stats');
    this.summary = h('span', 'summary', { id: 'summary', role: 'status', hidden: true });
    this.warning = h('div', 'run-warning', { hidden: true });

    // The results panel has no run bar: its Cancel lives here. (Ids are unique per page.)
    if (kind === 'results') {
      this.cancelBtn = button('cancel', 'Cancel', { icon: 'debug-stop', secondary: true, title: 'Cancel the run' });
      this.cancelBtn.addEventListener('click', () => {
        this.cancelling = true;
        this.cancelBtn!.disabled = true;
        setText(this.cancelBtn!.querySelector('.btn-label')!, 'Cancelling…');
        this.hooks.cancel();
      });
    }
    this.rerunBtn = button('rerun-failed', 'Re-run Failed Rows', { icon: 'refresh', secondary: true, title: 'Run the rows that failed, timed out or were cancelled again' });
    this.exportBtn = button('export', 'Export…', { icon: 'export', secondary: true, title: 'Save the results to a file' });
    this.writeBtn = button('write-back', 'Write back', { icon: 'save', secondary: true });
    this.writeNewBtn = button('write-back-new', 'Open as new locator', { icon: 'new-file', secondary: true, title: 'Open the result rows as a new locator' });
    this.rerunBtn.addEventListener('click', () => this.hooks.rerunFailed());
    this.exportBtn.addEventListener('click', () => this.hooks.export());
    this.writeBtn.addEventListener('click', () => {
      const type = this.writeBtn.dataset.type;
      if (type === 'series') this.hooks.writeBack({ target: 'replace' });
      else this.hooks.writeBack({ column: this.hooks.writeColumn() });
    });
    this.writeNewBtn.addEventListener('click', () => this.hooks.writeBack({ target: 'new' }));

    const actions = h('div', 'strip-actions', undefined, this.cancelBtn ?? null, this.rerunBtn, this.exportBtn);
    if (kind === 'editor') actions.append(this.writeBtn, this.writeNewBtn);
    const line = h('div', 'strip-line', undefined, h('div', 'strip-text', undefined, this.stateIcon, this.progressText, this.stats, this.summary), actions);
    this.el = h('section', 'run-strip', { 'aria-label': 'Run progress', hidden: true }, this.track, line, this.warning);
  }

  update(model: Model): void {
    const run = model.run;
    this.el.classList.toggle('ended', !!run && !run.running);
    if (!run) {
      this.el.hidden = this.kind === 'editor';
      if (this.kind === 'results') {
        setText(this.progressText, 'Waiting for the run…');
        if (this.cancelBtn) this.cancelBtn.hidden = true;
        this.setButtons(false, false);
      }
      return;
    }
    this.el.hidden = false;
    const p: ProgressView = run.progress ?? emptyProgress(run.total);
    const total = p.total || run.total;
    // Rows that ran: a cancelled row never did (a cancelled run must not read "100%").
    const ran = p.finished - p.cancelled;
    const pct = percent(ran, total);
    this.fill.style.transform = `scaleX(${total ? Math.min(1, ran / total) : run.running ? 0 : 1})`;
    attr(this.track, 'aria-valuenow', String(pct));
    attr(this.track, 'aria-valuetext', `${ran} of ${total} rows (${pct}%)`);
    setText(this.progressText, `${ran} / ${total} (${pct}%)`);
    this.track.classList.toggle('running', run.running);
    this.el.classList.toggle('running', run.running);
    const s = run.summary;
    const failed = failedCount(p);
    this.el.classList.toggle('has-errors', failed > 0);

    if (run.running) {
      this.stateIcon.className = codiconClass('loading~spin') + ' st-running';
      const parts: string[] = [];
      if (failed) parts.push(plural(failed, 'error'));
      if (p.skipped) parts.push(`${count(p.skipped)} skipped`);
      parts.push(rate(p.rowsPerSecond));
      const left = total - p.finished;
      if (p.rowsPerSecond > 0 && left > 0) parts.push(`${duration((left / p.rowsPerSecond) * 1000)} left`);
      else if (p.elapsedMs) parts.push(duration(p.elapsedMs));
      if (p.detail) parts.push(p.detail);
      this.renderStats(parts, failed);
      this.summary.hidden = true;
      this.stats.hidden = false;
      this.warning.hidden = true;
      if (this.cancelBtn) {
        this.cancelBtn.hidden = false;
        this.cancelBtn.disabled = this.cancelling;
      }
      this.setButtons(false, false);
      return;
    }

    // Ended.
    this.cancelling = false;
    if (this.cancelBtn) {
      this.cancelBtn.hidden = true;
      setText(this.cancelBtn.querySelector('.btn-label')!, 'Cancel');
    }
    this.stats.hidden = true;
    const endedBy = s?.endedBy ?? 'finished';
    const icon = endedBy === 'cancelled' ? 'stop-circle' : endedBy === 'stopped' || failed ? 'error' : 'pass';
    this.stateIcon.className = `${codiconClass(icon)} st-${endedBy === 'finished' && !failed ? 'done' : endedBy === 'cancelled' ? 'cancelled' : 'error'}`;
    let text = endText(endedBy, p, p.elapsedMs);
    if (p.rowsPerSecond > 0) text += ` · ${rate(p.rowsPerSecond)}`;
    if (s) text += ` · ${s.effectiveMode} mode`;
    setText(this.summary, text);
    this.summary.hidden = false;
    this.warning.hidden = !s?.warning;
    setText(this.warning, s?.warning ?? '');
    this.setButtons(true, model.unfinishedCount() > 0);

    const type = s?.resultType ?? run.settings?.resultType;
    const canWrite = this.kind === 'editor' && (type === 'value' || type === 'series');
    this.writeBtn.hidden = !canWrite;
    this.writeNewBtn.hidden = !canWrite || type !== 'series';
    this.writeBtn.dataset.type = type ?? '';
    if (type === 'series') {
      setText(this.writeBtn.querySelector('.btn-label')!, 'Replace locator');
      this.writeBtn.title = 'Replace this locator with the result rows';
      this.writeBtn.setAttribute('aria-label', 'Write back: replace this locator with the result rows');
    } else if (type === 'value') {
      const col = this.hooks.writeColumn() ?? 'result';
      setText(this.writeBtn.querySelector('.btn-label')!, `Write to “${col}”`);
      this.writeBtn.title = `Write the values into the column “${col}” of this locator`;
      this.writeBtn.setAttribute('aria-label', `Write back to column ${col}`);
    }
  }

  private renderStats(parts: string[], failed: number): void {
    const key = parts.join('\u0000');
    if (this.stats.dataset.key === key) return;
    this.stats.dataset.key = key;
    this.stats.replaceChildren(
      ...parts.map((t, i) => h('span', `stat${i === 0 && failed ? ' err' : ''}`, { text: t })),
    );
  }

  private setButtons(ended: boolean, anyFailed: boolean): void {
    this.rerunBtn.hidden = !ended;
    this.rerunBtn.disabled = !anyFailed;
    this.exportBtn.hidden = !ended;
    if (!ended) {
      this.writeBtn.hidden = true;
      this.writeNewBtn.hidden = true;
    }
  }

  /** A run started: forget a pending cancel. */
  reset(): void {
    this.cancelling = false;
    if (this.cancelBtn) {
      this.cancelBtn.disabled = false;
      setText(this.cancelBtn.querySelector('.btn-label')!, 'Cancel');
    }
  }
}
