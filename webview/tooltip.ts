/** The cell tooltip: one element, filled from a CellStory with text nodes only (no innerHTML). */
import type { CellStory, MathSymbol } from './cellStory';
import { formatNumber } from './format';

export class CellTooltip {
  constructor(readonly element: HTMLElement) {
    element.setAttribute('role', 'tooltip');
    element.hidden = true;
  }

  show(story: CellStory, anchor: { x: number; y: number }): void {
    const el = this.element;
    el.replaceChildren();
    const title = document.createElement('div');
    title.className = 'tt-title';
    title.textContent = story.title;
    el.append(title);
    const table = document.createElement('div');
    table.className = 'tt-terms';
    let chainHeaderAdded = false;
    for (const term of story.terms) {
      if ((term.key === 'a' || term.key === 'd') && !chainHeaderAdded) {
        chainHeaderAdded = true;
        const h = document.createElement('div');
        h.className = 'tt-section';
        h.textContent = `Chain rule, training sample #${story.sample}`;
        table.append(h);
      }
      const row = document.createElement('div');
      row.className = 'tt-row';
      row.dataset.term = term.key;
      const label = document.createElement('span');
      label.className = 'tt-label';
      term.symbol.forEach((s, i) => {
        if (i > 0) label.append(' \u00b7 ');
        label.append(renderSymbol(s));
      });
      const value = document.createElement('span');
      value.className = 'tt-value';
      value.textContent = formatNumber(term.value);
      const note = document.createElement('span');
      note.className = 'tt-note';
      note.textContent = term.note ?? '';
      row.append(label, value, note);
      table.append(row);
    }
    el.append(table);
    if (story.sample === undefined) {
      const hint = document.createElement('div');
      hint.className = 'tt-hint';
      hint.textContent = 'Take a step to see the chain-rule factors a\u00b7\u03b4.';
      el.append(hint);
    } else if (story.k !== undefined) {
      const hint = document.createElement('div');
      hint.className = 'tt-hint';
      hint.textContent = '\u2202C/\u2202w is the mean of a\u00b7\u03b4 over the batch (plus the L2 term).';
      el.append(hint);
    }
    el.hidden = false;
    this.place(anchor);
  }

  hide(): void {
    this.element.hidden = true;
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  /** Near the anchor (client coordinates), kept inside the window. */
  private place(anchor: { x: number; y: number }): void {
    const el = this.element;
    const margin = 12;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    let x = anchor.x + margin;
    let y = anchor.y + margin;
    if (x + w > window.innerWidth - 4) x = Math.max(4, anchor.x - margin - w);
    if (y + h > window.innerHeight - 4) y = Math.max(4, anchor.y - margin - h);
    el.style.left = `${x + window.scrollX}px`;
    el.style.top = `${y + window.scrollY}px`;
  }
}

function renderSymbol(s: MathSymbol): DocumentFragment {
  const f = document.createDocumentFragment();
  if (s.prefix) f.append(s.prefix);
  const i = document.createElement('i');
  i.textContent = s.base;
  f.append(i);
  if (s.sub !== undefined || s.sup !== undefined) {
    const scripts = document.createElement('span');
    scripts.className = 'scripts';
    const sup = document.createElement('sup');
    sup.textContent = s.sup ?? '';
    const sub = document.createElement('sub');
    sub.textContent = s.sub ?? '';
    scripts.append(sup, sub);
    f.append(scripts);
  }
  return f;
}
