// What the locator editor shows instead of the table when its CSV does not parse: the message
// naming the line, and "Open as text" at that line.
import { button, h, icon } from './dom';

export class ParseErrorView {
  readonly el = h('div', 'parse-error', { id: 'parse-error', role: 'alert', hidden: true });

  constructor(private readonly openText: (line: number) => void) {}

  show(err: { message: string; line: number }): void {
    const names = /\bline\s+\d+/i.test(err.message);
    const open = button('open-text', 'Open as text', { icon: 'go-to-file', title: `Open the file as text beside this editor, at line ${err.line}` });
    open.addEventListener('click', () => this.openText(err.line));
    this.el.replaceChildren(
      h('div', 'pe-icon', undefined, icon('error')),
      h('div', 'pe-body', undefined,
        h('h2', undefined, { text: 'This locator could not be read as CSV' }),
        h('p', 'pe-message', { id: 'parse-error-message', text: names ? err.message : `Line ${err.line}: ${err.message}` }),
        h('div', 'pe-actions', undefined, open),
      ),
    );
    this.el.hidden = false;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
