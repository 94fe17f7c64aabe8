// The run bar's notice of a last run that did not end (the window closed mid-run): what it finished,
// and Resume / Dismiss. The extension decides what to offer; this only draws it and asks.
import type { UnfinishedRunView } from '../shared/protocol';
import { button, h, icon, setText } from './dom';

export interface UnfinishedRunHooks {
  resume(): void;
  dismiss(): void;
}

export class UnfinishedRunNotice {
  readonly el: HTMLElement;
  private readonly text: HTMLElement;
  private readonly resumeBtn: HTMLButtonElement;
  private readonly dismissBtn: HTMLButtonElement;

  constructor(hooks: UnfinishedRunHooks) {
    this.text = h('span', 'notice-text', { id: 'unfinished-run-text' });
    this.resumeBtn = button('resume-run', 'Resume', {
      icon: 'debug-continue',
      title: 'Run only the rows without a result (the same locator, apply file and result settings)',
    });
    this.dismissBtn = button('dismiss-run', 'Dismiss', { secondary: true, title: 'Do not offer this run again' });
    this.resumeBtn.addEventListener('click', () => {
      // One click, one resume: enabled again when the extension answers (the notice goes, or a refusal comes).
      this.resumeBtn.disabled = true;
      hooks.resume();
    });
    this.dismissBtn.addEventListener('click', () => hooks.dismiss());
    const actions = h('div', 'unfinished-actions', undefined, this.resumeBtn, this.dismissBtn);
    this.el = h('div', 'banner warning unfinished-run', { id: 'unfinished-run', role: 'status', hidden: true }, icon('history'), this.text, actions);
  }

  show(run: UnfinishedRunView | undefined): void {
    this.el.hidden = !run;
    if (!run) return;
    setText(this.text, run.text);
    this.resumeBtn.hidden = !run.canResume;
    this.resumeBtn.disabled = false;
  }

  /** A request was answered (e.g. refused): Resume may be clicked again. */
  settled(): void {
    this.resumeBtn.disabled = false;
  }
}
