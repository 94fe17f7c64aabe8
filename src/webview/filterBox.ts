// The toolbar's filter box: what is typed filters the view (debounced), Escape or the clear button
// empties it, Enter or ↓ moves to the table. The locator file is never changed by it.
import { debounce, h, icon } from './dom';

export interface FilterBoxHooks {
  /** The filter text to apply changed (after the debounce). */
  changed(text: string): void;
  /** Enter or ↓ in the box: go to the table. */
  leave(): void;
}

export class FilterBox {
  readonly el: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly clear: HTMLButtonElement;
  private readonly apply: ReturnType<typeof debounce<[]>>;

  constructor(hooks: FilterBoxHooks) {
    this.input = h('input', 'input filter-input', {
      id: 'filter',
      type: 'search',
      placeholder: 'Filter rows',
      spellcheck: false,
      'aria-label': 'Filter rows (view only, the file is not changed)',
      title: 'Show only rows containing this text (the locator file is not changed). Ctrl+F',
    });
    this.clear = h('button', 'icon-btn filter-clear', { type: 'button', title: 'Clear filter', 'aria-label': 'Clear filter', hidden: true }, icon('close'));
    this.el = h('div', 'filter-box', undefined, icon('filter', 'filter-icon'), this.input, this.clear);
    this.apply = debounce(() => hooks.changed(this.input.value), 150);
    this.input.addEventListener('input', () => {
      this.syncClear();
      this.apply();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.input.value) {
        e.preventDefault();
        this.empty();
      } else if (e.key === 'Enter' || e.key === 'ArrowDown') {
        e.preventDefault();
        this.apply.flush();
        hooks.leave();
      }
    });
    this.clear.addEventListener('click', () => {
      this.empty();
      this.input.focus();
    });
  }

  /** Shows `text` without applying it (the view has it already). */
  show(text: string): void {
    this.input.value = text;
    this.syncClear();
  }

  syncClear(): void {
    this.clear.hidden = !this.input.value;
  }

  private empty(): void {
    this.input.value = '';
    this.syncClear();
    this.apply();
    this.apply.flush();
  }
}
