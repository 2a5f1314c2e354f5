/**
 * The network view's layout across, as pure functions (no DOM; unit-tested in
 * test/webview/networkLayout.test.ts): how big each column's neuron pictures may be, where each
 * column goes, and which form of each column's label fits under it.
 *
 * A column's room across is its extent: `left` px left of its x (a circle's radius, half a
 * band), `right` px right of it (the radius, or the far edge of the pictures drawn right of the
 * neurons). Between the extents of two neighbouring columns lie only links, the gap.
 */

/** A column's room across, px either side of its x. */
export interface Extent {
  left: number;
  right: number;
}

/**
 * The side (px) a layer's pictures may have for the room up and down: each neuron's share of
 * `room` (its circle's spacing) less a 2 px gap to the next picture, at most `max`; 0 (no
 * pictures) below `min`, where they would overlap or be too small to read.
 */
export function pictureSideFor(room: number, units: number, min: number, max: number): number {
  const spacing = room / Math.max(1, units);
  const side = Math.floor(Math.min(max, spacing * 0.86, spacing - 2));
  return side >= min ? side : 0;
}

/**
 * The pictures' sides across: each pictured column's wanted side (`wanted[c]`, 0 for none, from
 * pictureSideFor) cut to one common cap, so that the links keep at least half of the `free` width
 * (the width less the margins, the circles' and bands' extents and the pictures' own 4 px insets)
 * and every one of the `gaps` gaps at least `minGap` px:
 *   Σ_c min(wanted_c, cap) ≤ min(free / 2, free − gaps · minGap).
 * Below `min` px the pictures are dropped (0 for every column): a narrow panel shows links and
 * neurons rather than unreadable stamps.
 */
export function fitPictureSides(wanted: number[], free: number, gaps: number, minGap: number, min: number): number[] {
  const budget = Math.min(free / 2, free - gaps * minGap);
  const total = wanted.reduce((s, v) => s + v, 0);
  if (total <= budget) return wanted.slice();
  // water-filling: the largest cap with Σ min(wanted, cap) ≤ budget
  const sorted = wanted.filter((v) => v > 0).sort((a, b) => a - b);
  let below = 0;
  let cap = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rest = sorted.length - i;
    const c = (budget - below) / rest;
    if (c <= sorted[i]) {
      cap = c;
      break;
    }
    below += sorted[i];
  }
  const sides = wanted.map((v) => (v > 0 ? Math.floor(Math.min(v, cap)) : 0));
  return sides.some((s) => s > 0 && s < min) ? wanted.map(() => 0) : sides;
}

/**
 * Columns' x so the gaps between their extents are equal, the first extent `edge` px from the
 * left and the last `edge` px from the right of `width`. One column sits in the middle. The gap
 * may come out small (or negative) when the extents do not fit: callers size extents first.
 */
export function placeColumns(extents: Extent[], width: number, edge: number): { xs: number[]; gap: number } {
  const n = extents.length;
  if (n === 0) return { xs: [], gap: 0 };
  if (n === 1) return { xs: [width / 2 + (extents[0].left - extents[0].right) / 2], gap: 0 };
  const used = extents.reduce((s, e) => s + e.left + e.right, 0);
  const gap = (width - 2 * edge - used) / (n - 1);
  const xs: number[] = [edge + extents[0].left];
  for (let c = 1; c < n; c++) xs.push(xs[c - 1] + extents[c - 1].right + gap + extents[c].left);
  return { xs, gap };
}

/** A column's label: where it would like its middle, and its forms, longest first. */
export interface LabelWish {
  centre: number;
  /** e.g. ['16 tanh', '16']; an empty form is never drawn (the label is left to the tooltip). */
  forms: string[];
}

/** A label as placed: its form (index into forms; forms.length when none fits) and box across. */
export interface PlacedLabel {
  text: string;
  form: number;
  left: number;
  width: number;
}

/**
 * Fits the labels of one row across a canvas `width` px wide: each label is centred under its
 * column, then pushed inside [edge, width − edge] (never cut at the edge); while two drawn labels
 * come closer than `gap` px, the wider of the two falls back to its next, shorter form, down to
 * nothing. Returns one entry a label, in order.
 */
export function fitLabels(wishes: LabelWish[], measure: (text: string) => number, width: number, gap: number, edge: number): PlacedLabel[] {
  const forms = wishes.map((w) => w.forms.filter((f) => f !== ''));
  const form = wishes.map(() => 0);
  const widths = new Map<string, number>();
  const measured = (text: string): number => {
    let w = widths.get(text);
    if (w === undefined) widths.set(text, (w = measure(text)));
    return w;
  };
  const place = (i: number): PlacedLabel => {
    const text = forms[i][form[i]] ?? '';
    if (text === '') return { text, form: forms[i].length, left: wishes[i].centre, width: 0 };
    const w = measured(text);
    const left = Math.max(edge, Math.min(width - edge - w, wishes[i].centre - w / 2));
    return { text, form: form[i], left, width: w };
  };
  // a label wider than the canvas shortens first
  for (let i = 0; i < wishes.length; i++) while (form[i] < forms[i].length && measured(forms[i][form[i]]) > width - 2 * edge) form[i]++;
  // each round moves one drawn label to its next form (or to none): at most Σ forms rounds
  for (;;) {
    const placed = wishes.map((_, i) => place(i));
    const clash = firstClash(placed, gap);
    if (!clash) return placed;
    const [a, b] = clash;
    form[placed[a].width >= placed[b].width ? a : b]++;
  }
}

/** The first pair of drawn labels closer than `gap` px, if any. */
function firstClash(placed: PlacedLabel[], gap: number): [number, number] | undefined {
  for (let a = 0; a < placed.length; a++) {
    if (placed[a].text === '') continue;
    for (let b = a + 1; b < placed.length; b++) {
      if (placed[b].text === '') continue;
      const p = placed[a];
      const q = placed[b];
      if (p.left < q.left + q.width + gap && q.left < p.left + p.width + gap) return [a, b];
    }
  }
  return undefined;
}
