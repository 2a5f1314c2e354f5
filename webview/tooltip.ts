/**
 * The cell tooltip: one element, filled from a CellStory with text nodes and KaTeX's DOM output
 * (no innerHTML).
 */
import type { CellStory } from './cellStory';
import { formatNumber } from './format';
import { symbolTex, tex } from './math';

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
      label.append(tex(term.symbol.map(symbolTex).join(' \\cdot ')));
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
    if (story.plain) {
      // a label: its title says it all
    } else if (story.sample === undefined) {
      const hint = document.createElement('div');
      hint.className = 'tt-hint';
      hint.append('Take a step to see the chain-rule factors ', tex('a_k^{l-1}\\,\\delta_j^l'), '.');
      el.append(hint);
    } else if (story.k !== undefined) {
      const hint = document.createElement('div');
      hint.className = 'tt-hint';
      hint.append(tex('\\partial C/\\partial w'), ' is the mean of ', tex('a\\,\\delta'), ' over the batch (plus the L2 term); j, k count from 0.');
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
