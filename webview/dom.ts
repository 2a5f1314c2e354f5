/**
 * DOM helpers shared by the panel's cards: elements, buttons and segmented (radio) controls.
 */

/** A new element with an optional class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A `.btn` push button with a tooltip. */
export function button(label: string, title: string, action: () => void, kind: 'primary' | 'secondary' = 'secondary'): HTMLButtonElement {
  const b = el('button', `btn ${kind}`, label);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', action);
  return b;
}

export interface Segmented {
  root: HTMLElement;
  /** Marks the option `current()` returns as checked (call after it changed). */
  sync: () => void;
}

/**
 * A radio group drawn as joined buttons; arrow keys move the choice (roving tabindex, as the
 * WAI-ARIA radio group pattern has it).
 */
export function segmented<T extends string>(label: string, options: { value: T; text: string; title?: string }[], current: () => T, choose: (v: T) => void): Segmented {
  const root = el('div', 'segmented');
  root.setAttribute('role', 'radiogroup');
  root.setAttribute('aria-label', label);
  const buttons = options.map((o) => {
    const b = el('button', 'seg', o.text);
    b.type = 'button';
    b.setAttribute('role', 'radio');
    b.dataset.value = o.value;
    if (o.title) b.title = o.title;
    b.addEventListener('click', () => choose(o.value));
    b.addEventListener('keydown', (e) => {
      const i = options.findIndex((x) => x.value === o.value);
      const next = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? i - 1 : NaN;
      if (Number.isNaN(next)) return;
      e.preventDefault();
      const j = (next + options.length) % options.length;
      choose(options[j].value);
      buttons[j].focus();
    });
    return b;
  });
  root.append(...buttons);
  const sync = (): void => {
    for (const b of buttons) {
      const on = b.dataset.value === current();
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  };
  sync();
  return { root, sync };
}
