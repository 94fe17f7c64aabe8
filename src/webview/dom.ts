// Tiny DOM helpers. Data always goes in as text (textContent / properties), never as markup, and
// styles only through classes or the CSSOM: the webview's CSP forbids inline style attributes.

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element; `attrs` keys starting with `aria-`, `data-` or `role` become attributes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  attrs?: Attrs,
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === false) continue;
      if (k === 'style') throw new Error('inline styles are blocked by the CSP; use a class');
      if (k === 'text') el.textContent = String(v);
      else if (k.startsWith('aria-') || k.startsWith('data-') || k === 'role' || k === 'for') {
        el.setAttribute(k, String(v));
      } else {
        (el as unknown as Record<string, unknown>)[k] = v;
      }
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

/** A codicon: `icon('loading~spin')` for the spinning variant. */
export function icon(name: string, extra?: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = codiconClass(name) + (extra ? ' ' + extra : '');
  span.setAttribute('aria-hidden', 'true');
  return span;
}

export function codiconClass(name: string): string {
  const [base, mod] = name.split('~');
  return `codicon codicon-${base}${mod ? ` codicon-modifier-${mod}` : ''}`;
}

/** A button with an optional leading codicon and a text label. */
export function button(
  id: string,
  label: string,
  opts: { icon?: string; secondary?: boolean; title?: string; ariaLabel?: string; cls?: string } = {},
): HTMLButtonElement {
  const b = h('button', `btn${opts.secondary ? ' secondary' : ''}${opts.cls ? ' ' + opts.cls : ''}`, {
    id,
    type: 'button',
    title: opts.title,
    'aria-label': opts.ariaLabel ?? label,
  });
  if (opts.icon) b.append(icon(opts.icon));
  if (label) b.append(h('span', 'btn-label', { text: label }));
  return b;
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function toggle(el: Element, cls: string, on: boolean): void {
  if (el.classList.contains(cls) !== on) el.classList.toggle(cls, on);
}

/** Sets or removes an attribute, touching the DOM only when it changes. */
export function attr(el: Element, name: string, value: string | null | undefined): void {
  if (value === null || value === undefined) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) {
    el.setAttribute(name, value);
  }
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: A | undefined;
  const run = (...args: A) => {
    last = args;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const a = last!;
      last = undefined;
      fn(...a);
    }, ms);
  };
  run.flush = () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    const a = last!;
    last = undefined;
    fn(...a);
  };
  run.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    last = undefined;
  };
  return run;
}
