// A dismissible banner for the extension's `notice` messages (info fades on its own; errors stay).
import type { NoticeMessage } from '../shared/protocol';
import { h, icon } from './dom';

export class Notice {
  readonly el: HTMLElement;
  private readonly text: HTMLElement;
  private readonly icon: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.text = h('span', 'notice-text');
    this.icon = icon('info');
    const close = h('button', 'icon-btn', { type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss' }, icon('close'));
    close.addEventListener('click', () => this.hide());
    this.el = h('div', 'banner notice', { id: 'notice', hidden: true }, this.icon, this.text, close);
  }

  show(level: NoticeMessage['level'], text: string): void {
    this.text.textContent = text;
    this.icon.className = `codicon codicon-${level === 'error' ? 'error' : 'info'}`;
    this.el.classList.toggle('error', level === 'error');
    this.el.classList.toggle('info', level !== 'error');
    this.el.setAttribute('role', level === 'error' ? 'alert' : 'status');
    this.el.hidden = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = level === 'info' ? setTimeout(() => this.hide(), 10_000) : undefined;
  }

  hide(): void {
    this.el.hidden = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
