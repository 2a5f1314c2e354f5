/**
 * The network view's layout across (webview/networkLayout.ts), pure: pictures' sides for the room
 * up and down and across, columns placed with equal gaps, labels fitted under their columns
 * (shorter forms, then none; never over one another, never past the canvas's edge).
 */
import { describe, expect, test } from 'vitest';
import { fitLabels, fitPictureSides, pictureSideFor, placeColumns, type PlacedLabel } from '../../webview/networkLayout';

/** A monospace measure: 6 px a character. */
const mono = (text: string): number => 6 * text.length;

function overlaps(a: PlacedLabel, b: PlacedLabel, gap: number): boolean {
  return a.text !== '' && b.text !== '' && a.left < b.left + b.width + gap && b.left < a.left + a.width + gap;
}

describe('pictureSideFor', () => {
  test('a neuron’s share of the height, less a gap, between min and max; none when too crowded', () => {
    // 16 neurons in 544 px: 34 px each, 86 % of it → 29
    expect(pictureSideFor(544, 16, 12, 44)).toBe(29);
    // one neuron: capped at max
    expect(pictureSideFor(544, 1, 12, 44)).toBe(44);
    // 64 neurons in 570 px: 8.9 px each → 6 px pictures would overlap or be unreadable: none
    expect(pictureSideFor(570, 64, 12, 44)).toBe(0);
    // 40 neurons in 570 px: 14.25 px each → 12, still two px apart
    expect(pictureSideFor(570, 40, 12, 44)).toBe(12);
  });
});

describe('fitPictureSides', () => {
  test('room to spare: every column keeps the side it wants', () => {
    expect(fitPictureSides([0, 29, 29, 44], 600, 3, 20, 12)).toEqual([0, 29, 29, 44]);
  });

  test('a narrow panel: one common cap, so the links keep half the free width', () => {
    // free 122 px for 3 pictured columns and 3 gaps: pictures ≤ 61 px in all → 20 each
    const sides = fitPictureSides([0, 29, 29, 44], 122, 3, 20, 12);
    expect(sides).toEqual([0, 20, 20, 20]);
    expect(122 - sides.reduce((s, v) => s + v, 0)).toBeGreaterThanOrEqual(3 * 20);
  });

  test('a column that wants less than the cap keeps its side; the rest share what is left', () => {
    // budget min(100, 140 − 40) = 100: 14 for the small one, (100 − 14) / 2 = 43 → 43 for the others
    expect(fitPictureSides([14, 60, 60], 200, 2, 20, 12)).toEqual([14, 43, 43]);
  });

  test('too narrow for pictures of at least min px: none at all', () => {
    expect(fitPictureSides([0, 29, 29, 44], 60, 3, 20, 12)).toEqual([0, 0, 0, 0]);
  });
});

describe('placeColumns', () => {
  test('equal gaps between extents, edge px from either side', () => {
    const extents = [{ left: 12, right: 12 }, { left: 7, right: 40 }, { left: 7, right: 7 }];
    const { xs, gap } = placeColumns(extents, 300, 8);
    expect(xs[0] - extents[0].left).toBe(8);
    expect(xs[2] + extents[2].right).toBeCloseTo(300 - 8, 9);
    expect(xs[1] - extents[1].left - (xs[0] + extents[0].right)).toBeCloseTo(gap, 9);
    expect(xs[2] - extents[2].left - (xs[1] + extents[1].right)).toBeCloseTo(gap, 9);
    expect(gap).toBeCloseTo((300 - 16 - (24 + 47 + 14)) / 2, 9);
  });

  test('one column sits in the middle of the canvas (its extent centred)', () => {
    const { xs } = placeColumns([{ left: 7, right: 40 }], 200, 8);
    expect(xs[0] - 7 + (7 + 40) / 2).toBe(100);
  });
});

describe('fitLabels', () => {
  test('room for all: every label in full, centred under its column', () => {
    const placed = fitLabels([{ centre: 100, forms: ['input 2', '2'] }, { centre: 300, forms: ['16 tanh', '16'] }], mono, 400, 6, 2);
    expect(placed.map((p) => p.text)).toEqual(['input 2', '16 tanh']);
    expect(placed[0].left + placed[0].width / 2).toBe(100);
    expect(placed[1].left + placed[1].width / 2).toBe(300);
  });

  test('the outer labels are pushed inside the canvas, never cut at its edge', () => {
    const placed = fitLabels([{ centre: 5, forms: ['input 784'] }, { centre: 395, forms: ['10 softmax'] }], mono, 400, 6, 2);
    expect(placed[0].left).toBe(2);
    expect(placed[1].left + placed[1].width).toBe(398);
  });

  test('crowded columns fall back to shorter forms, the wider label first, then to nothing', () => {
    // columns 40 px apart on 120 px: "10 softmax" (60 px, pushed in to 58…118) meets "64 relu" (39…81) and,
    // wider, becomes "10"; "128 relu" (2…50) meets "64 relu" too and becomes "128" (11…29); "64 relu" then fits
    const wishes = [
      { centre: 20, forms: ['128 relu', '128'] },
      { centre: 60, forms: ['64 relu', '64'] },
      { centre: 100, forms: ['10 softmax', '10'] },
    ];
    const placed = fitLabels(wishes, mono, 120, 6, 2);
    expect(placed.map((p) => p.text)).toEqual(['128', '64 relu', '10']);
    for (let a = 0; a < placed.length; a++) for (let b = a + 1; b < placed.length; b++) expect(overlaps(placed[a], placed[b], 6)).toBe(false);
    // 12 px apart even the sizes collide: every other one is left out
    const tight = fitLabels([20, 32, 44, 56].map((centre) => ({ centre, forms: ['16 tanh', '16'] })), mono, 80, 6, 2);
    expect(tight.filter((p) => p.text !== '').length).toBeGreaterThan(0);
    expect(tight.some((p) => p.text === '')).toBe(true);
    for (let a = 0; a < tight.length; a++) for (let b = a + 1; b < tight.length; b++) expect(overlaps(tight[a], tight[b], 6)).toBe(false);
  });

  test('a label wider than the canvas takes a form that fits, or none', () => {
    expect(fitLabels([{ centre: 20, forms: ['input 784 (band)', 'input 784', '784'] }], mono, 40, 6, 2)[0].text).toBe('784');
    expect(fitLabels([{ centre: 5, forms: ['input 784'] }], mono, 10, 6, 2)[0]).toEqual({ text: '', form: 1, left: 5, width: 0 });
  });

  test('many random rows: no two drawn labels closer than the gap, every one inside the canvas', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 300; trial++) {
      const width = 120 + Math.floor(random() * 700);
      const n = 2 + Math.floor(random() * 7);
      const xs = Array.from({ length: n }, () => random() * width).sort((a, b) => a - b);
      const wishes = xs.map((centre) => ({ centre, forms: ['x'.repeat(3 + Math.floor(random() * 12)), 'x'.repeat(1 + Math.floor(random() * 3))] }));
      const placed = fitLabels(wishes, mono, width, 6, 2);
      for (const p of placed) if (p.text) expect(p.left >= 2 && p.left + p.width <= width - 2, `${p.text} at ${p.left} in ${width}`).toBe(true);
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) expect(overlaps(placed[a], placed[b], 6), `trial ${trial}`).toBe(false);
    }
  });
});
