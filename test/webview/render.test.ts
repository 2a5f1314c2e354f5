/**
 * The panel's pure parts, in Node: decimation, smoothing, number formatting, colour scale and
 * heatmap layout/pixels. The browser tests (panel.test.ts) check the same things as drawn.
 */
import { describe, expect, test } from 'vitest';
import { divergingScale, pack, parseColor, SCALE_SIZE, scaleIndex, unpack } from '../../webview/colors';
import { Ema, meanDecimate, minMaxDecimate } from '../../webview/decimate';
import { formatNumber, formatPercent, tickLabel } from '../../webview/format';
import { cellAt, cellOrigin, heatmapLayout, renderHeatmap, symmetricLimit, tileCellAt, tileLayout } from '../../webview/heatmapRender';
import { LossHistory, MAX_EPOCHS_KEPT } from '../../webview/lossHistory';
import { markLabels } from '../../webview/lossChart';

describe('decimation', () => {
  test('min/max keeps every bucket extreme, both ends, in order, within 2·buckets + 2 points', () => {
    const ys = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50) + (i === 4321 ? 5 : 0) - (i === 8765 ? 5 : 0));
    const points = minMaxDecimate(ys, 0, ys.length, 100, (i) => i + 1);
    expect(points.length).toBeLessThanOrEqual(202);
    expect(points[0]).toEqual({ x: 1, y: ys[0] });
    expect(points[points.length - 1]).toEqual({ x: 10_000, y: ys[9999] });
    expect(points).toContainEqual({ x: 4322, y: ys[4321] });
    expect(points).toContainEqual({ x: 8766, y: ys[8765] });
    for (let i = 1; i < points.length; i++) expect(points[i].x).toBeGreaterThan(points[i - 1].x);
    // Every bucket's true max is among the points.
    for (let b = 0; b < 100; b++) {
      const slice = Array.from(ys.subarray(b * 100, (b + 1) * 100));
      expect(points.some((p) => p.y === Math.max(...slice))).toBe(true);
    }
  });

  test('short series come back whole; NaN (steps never reported) is left out', () => {
    const ys = Float32Array.from([3, NaN, 1, 2]);
    expect(minMaxDecimate(ys, 0, 4, 100, (i) => i + 1)).toEqual([
      { x: 1, y: 3 },
      { x: 3, y: 1 },
      { x: 4, y: 2 },
    ]);
    expect(meanDecimate(ys, 0, 4, 100, (i) => i)).toHaveLength(3);
  });

  test('mean decimation averages buckets and ends on the newest point', () => {
    const ys = Float32Array.from({ length: 1000 }, (_, i) => i);
    const points = meanDecimate(ys, 0, 1000, 10, (i) => i);
    expect(points).toHaveLength(11);
    expect(points[0]).toEqual({ x: 49.5, y: 49.5 });
    expect(points[10]).toEqual({ x: 999, y: 999 });
  });

  test('the debiased EMA starts at the first value and follows a constant exactly', () => {
    const ema = new Ema(0.9);
    expect(ema.push(2)).toBeCloseTo(2, 12);
    expect(ema.push(2)).toBeCloseTo(2, 12);
    expect(ema.push(NaN)).toBeNaN();
    const next = ema.push(4); // 0.9-weighted towards the past
    expect(next).toBeGreaterThan(2);
    expect(next).toBeLessThan(3);
  });

  test('LossHistory places losses by step, skips what it already has and leaves gaps empty', () => {
    const h = new LossHistory();
    h.reset(100);
    h.addSteps([0.5, 0.4], 2);
    h.addSteps([0.4, 0.3], 3); // step 2 again, then 3
    h.addSteps([0.1], 6); // steps 4, 5 never reported
    expect(h.length).toBe(6);
    expect([1, 2, 3, 6].map((s) => h.stepLoss(s))).toEqual([0.5, 0.4, 0.3, 0.1].map(Math.fround));
    expect(h.stepLoss(4)).toBeNaN();
    h.addEpochs([{ epoch: 1, train: { loss: 1, count: 4 } }, { epoch: 0, train: { loss: 2, count: 4 } }]);
    h.addEpochs([{ epoch: 1, train: { loss: 0.5, count: 4 } }]);
    expect(h.epochs.map((e) => [e.epoch, e.train.loss])).toEqual([
      [0, 2],
      [1, 0.5],
    ]);
  });
});

describe('the panel\'s loss history in bounded memory', () => {
  test('10 million steps: memory stays flat, every bucket\'s extremes survive at their own steps, the shape is kept', () => {
    const h = new LossHistory();
    h.reset(10_000_000);
    const bytes = h.bytes;
    const n = 10_000_000;
    const loss = (s: number): number => 2 * Math.exp(-s / 2_000_000) + 0.05 * Math.sin(s / 9);
    const chunk = new Float32Array(10_000);
    const spike = 6_543_210;
    const dip = 8_765_432;
    for (let last = chunk.length; last <= n; last += chunk.length) {
      for (let i = 0; i < chunk.length; i++) {
        const step = last - chunk.length + 1 + i;
        chunk[i] = step === spike ? 50 : step === dip ? -3 : loss(step);
      }
      h.addSteps(chunk, last);
    }
    expect(h.length).toBe(n);
    expect(h.bytes).toBe(bytes); // allocated once, whatever the length
    expect(h.bytes).toBeLessThanOrEqual(1.5 * 1024 * 1024);
    expect(h.kept).toBeLessThanOrEqual(LossHistory.CAPACITY);
    expect(h.stride).toBeGreaterThan(256);
    const raw = h.rawPoints(1500, (s) => s);
    expect(raw.length).toBeLessThanOrEqual(2 * 1500 + 2);
    expect(raw).toContainEqual({ x: spike, y: 50 });
    expect(raw).toContainEqual({ x: dip, y: -3 });
    expect(raw[0]).toEqual({ x: 1, y: Math.fround(loss(1)) });
    expect(raw[raw.length - 1]).toEqual({ x: n, y: Math.fround(loss(n)) });
    for (let i = 1; i < raw.length; i++) expect(raw[i].x).toBeGreaterThan(raw[i - 1].x);
    // The shape: the smoothed line follows the decaying curve (within its ±0.05 wiggle).
    const smooth = h.smoothedPoints(1500, (s) => s);
    expect(smooth.length).toBeLessThanOrEqual(1501);
    for (const p of smooth.filter((_, i) => i % 100 === 50)) expect(Math.abs(p.y - 2 * Math.exp(-p.x / 2_000_000))).toBeLessThan(0.06);
    expect(smooth[smooth.length - 1].x).toBe(n);
    // Every group\'s min/max envelope: the highest and lowest plotted values are the run\'s own.
    expect(Math.max(...raw.map((p) => p.y))).toBe(50);
    expect(Math.min(...raw.map((p) => p.y))).toBe(-3);
  });

  test('a thinned history (the host\'s stride) goes in at its steps; gaps cost no memory', () => {
    const h = new LossHistory(64);
    h.reset(1000);
    h.addThinned([5, 1, 4, 2], 4 * 1000, 1000); // each value stands for 1,000 steps, at the last
    expect(h.length).toBe(4000);
    expect([1000, 2000, 3000, 4000].map((s) => h.stepLoss(s))).toEqual([5, 1, 4, 2]);
    expect(h.stepLoss(1500)).toBeNaN();
    expect(h.kept).toBeLessThanOrEqual(64);
    expect(h.rawPoints(10, (s) => s)).toEqual([
      { x: 1000, y: 5 },
      { x: 2000, y: 1 },
      { x: 3000, y: 4 },
      { x: 4000, y: 2 },
    ]);
    // More steps at stride 1 after it: still at their own steps.
    h.addSteps([0.5, 0.25], 4002);
    expect(h.length).toBe(4002);
    expect(h.stepLoss(4002)).toBe(0.25);
  });

  test('epoch metrics are bounded too (thinned evenly over the whole run, first and latest kept)', () => {
    const h = new LossHistory();
    h.reset(100);
    for (let e = 0; e < 200_000; e++) h.addEpochs([{ epoch: e, train: { loss: 1 / (e + 1), count: 4 } }]);
    expect(h.epochs.length).toBeLessThanOrEqual(MAX_EPOCHS_KEPT);
    expect(h.epochs[h.epochs.length - 1].epoch).toBe(199_999);
    expect(h.epochs[0].epoch).toBe(0);
    // Even spacing: no gap wider than the stride (< 4 × span / capacity), so the epoch lines of
    // the run's first part are drawn from as many points as its last part's.
    const gaps = h.epochs.slice(1).map((m, i) => m.epoch - h.epochs[i].epoch);
    expect(Math.max(...gaps)).toBeLessThanOrEqual((4 * 200_000) / MAX_EPOCHS_KEPT);
    const early = h.epochs.filter((m) => m.epoch < 20_000).length;
    expect(early).toBeGreaterThan(MAX_EPOCHS_KEPT / 40);
  });

  test('live-edit marks are kept once each, in step order, and go with a reset', () => {
    const h = new LossHistory();
    h.reset(100);
    const mark = (step: number, text: string) => ({ step, name: 'rate' as const, from: 0.5, to: 0.1, text });
    h.addMarks([mark(30, 'η 0.5 → 0.1 at step 30')]);
    h.addMarks([mark(10, 'η 1 → 0.5 at step 10'), mark(30, 'η 0.5 → 0.1 at step 30')]);
    expect(h.marks.map((m) => m.step)).toEqual([10, 30]);
    h.reset(100);
    expect(h.marks).toEqual([]);
  });
});

describe('live-edit mark labels', () => {
  test('the longest label is the text without "at step", the shorter the new value alone', () => {
    expect(markLabels({ step: 1234, name: 'rate', from: 0.5, to: 0.1, text: 'η 0.5 → 0.1 at step 1,234' })).toEqual(['η 0.5 → 0.1', 'η 0.1']);
    expect(markLabels({ step: 9, name: 'batch', from: 'full', to: 16, text: 'batch full → 16 at step 9' })).toEqual(['batch full → 16', 'batch 16']);
  });
});

describe('formatting', () => {
  test.each([
    [0, '0'],
    [0.5, '0.5'],
    [-0.125, '\u22120.125'],
    [0.015625, '0.01563'],
    [1234.5678, '1235'],
    [0.00011394, '1.139e-4'],
    [-2.5e-7, '\u22122.5e-7'],
    [123456, '1.235e5'],
    [NaN, 'NaN'],
    [Infinity, '\u221e'],
  ])('formatNumber(%s) = %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  test('percentages', () => {
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.6875)).toBe('68.8%');
    expect(formatPercent(0)).toBe('0%');
  });
});

describe('colours', () => {
  test('parseColor reads what VS Code puts in its variables', () => {
    expect(parseColor('#3794ff')).toEqual({ r: 0x37, g: 0x94, b: 0xff, a: 1 });
    expect(parseColor('#fff')).toEqual({ r: 255, g: 255, b: 255, a: 1 });
    expect(parseColor('#ffffff1a')?.a).toBeCloseTo(0x1a / 255, 6);
    expect(parseColor('rgba(0, 0, 0, 0.36)')).toEqual({ r: 0, g: 0, b: 0, a: 0.36 });
    expect(parseColor('')).toBeUndefined();
    expect(parseColor('var(--x)')).toBeUndefined();
  });

  test('the diverging scale is centred on 0 with the theme colours at ±limit', () => {
    const neg = { r: 241, g: 76, b: 76, a: 1 };
    const mid = { r: 50, g: 50, b: 50, a: 1 };
    const pos = { r: 55, g: 148, b: 255, a: 1 };
    const scale = divergingScale(neg, mid, pos);
    expect(scale.lut).toHaveLength(SCALE_SIZE);
    expect(scale.lut[scaleIndex(0, 2)]).toBe(pack(mid));
    expect(scale.lut[scaleIndex(2, 2)]).toBe(pack(pos));
    expect(scale.lut[scaleIndex(5, 2)]).toBe(pack(pos)); // clamped
    expect(scale.lut[scaleIndex(-2, 2)]).toBe(pack(neg));
    expect(scaleIndex(1, 0)).toBe((SCALE_SIZE - 1) / 2); // all zeros → everything neutral
    expect(scaleIndex(NaN, 1)).toBe((SCALE_SIZE - 1) / 2);
    // Symmetric: ±v are equally far from the centre; half way is between the ends in blue.
    expect(scaleIndex(0.5, 2) - 256).toBe(256 - scaleIndex(-0.5, 2));
    const half = unpack(scale.lut[scaleIndex(1, 2)]);
    expect(half.b).toBeGreaterThan(mid.b);
    expect(half.b).toBeLessThan(pos.b);
  });
});

describe('heatmap pixels', () => {
  test('784 × 128 + bias: one pixel a weight, biases 3 px to the right, exact colours', () => {
    const units = 128;
    const inputs = 784;
    const layout = heatmapLayout(units, inputs, true, 1200);
    expect(layout).toMatchObject({ cell: 1, gap: 0, biasGap: 3, width: 788, height: 128 });
    const values = new Float32Array(units * inputs);
    values[3 * inputs + 5] = 0.5; // w_3,5 = +max
    values[100 * inputs + 700] = -0.25;
    const biases = new Float32Array(units);
    biases[7] = -0.5;
    const lut = Uint32Array.from({ length: SCALE_SIZE }, (_, i) => i + 1); // colour = index + 1
    const pixels = new Uint32Array(layout.width * layout.height);
    const limit = symmetricLimit(values, biases);
    expect(limit).toBe(0.5);
    renderHeatmap(pixels, layout, values, biases, limit, lut, 0xdead);
    const at = (j: number, k: number): number => {
      const o = cellOrigin(layout, j, k);
      return pixels[o.y * layout.width + o.x];
    };
    expect(at(3, 5)).toBe(SCALE_SIZE); // last entry
    expect(at(100, 700)).toBe(scaleIndex(-0.25, 0.5) + 1);
    expect(at(0, 0)).toBe((SCALE_SIZE - 1) / 2 + 1); // 0 → centre
    expect(at(7, inputs)).toBe(1); // bias −max → first entry
    expect(pixels[0 * layout.width + 785]).toBe(0xdead); // the gap before the bias column
  });

  test('small layers: square cells with 1 px gaps; cellAt inverts cellOrigin for every cell', () => {
    const layout = heatmapLayout(3, 4, true, 400);
    expect(layout.cell).toBe(28);
    expect(layout.gap).toBe(1);
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k <= 4; k++) {
        const o = cellOrigin(layout, j, k);
        expect(cellAt(layout, o.x, o.y)).toEqual({ j, k });
        expect(cellAt(layout, o.x + layout.cell - 1, o.y + layout.cell - 1)).toEqual({ j, k });
      }
    }
    // Between the weights and the bias column there is nothing to hover.
    const lastWeight = cellOrigin(layout, 0, 3);
    expect(cellAt(layout, lastWeight.x + layout.cell + 1, 0)).toBeUndefined();
    expect(cellAt(layout, -1, 0)).toBeUndefined();
  });

  test('image tiles: the pixel under the mouse is (neuron j, input k)', () => {
    const layout = tileLayout(30, 28, 28, 1000);
    const tw = 28 * layout.scale + layout.gap;
    // Tile j = perRow + 2 (second line, third tile), input pixel row 4, column 9.
    const x = 2 * tw + 9 * layout.scale;
    const y = (28 * layout.scale + layout.gap) + 4 * layout.scale;
    expect(tileCellAt(layout, x, y)).toEqual({ j: layout.perRow + 2, k: 4 * 28 + 9 });
  });
});

describe('chart tick labels', () => {
  const ticks = (from: number, step: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i * step);
  const labels = (values: number[]): string[] => values.map((v) => tickLabel(v, values));

  test('a short run: ticks 0.0005 apart are all told apart (not 0.119 three times)', () => {
    const values = ticks(0.118, 0.0005, 5);
    expect(labels(values)).toEqual(['0.1180', '0.1185', '0.1190', '0.1195', '0.1200']);
  });

  test('every spacing chart.js uses (1, 2, 2.5, 5 × 10ⁿ) gives distinct labels with the fewest decimals', () => {
    for (const exponent of [-6, -4, -2, 0, 2, 4, 6]) {
      for (const mantissa of [1, 2, 2.5, 5]) {
        const step = mantissa * 10 ** exponent;
        for (const from of [0, -3 * step, 7 * step, 0.1234]) {
          const values = ticks(from, step, 7);
          const out = labels(values);
          expect(new Set(out).size, `${out.join(' ')} (step ${step})`).toBe(values.length);
        }
      }
    }
    expect(labels(ticks(0, 0.25, 5))).toEqual(['0.00', '0.25', '0.50', '0.75', '1.00']);
    expect(labels(ticks(-0.2, 0.1, 5))).toEqual(['\u22120.2', '\u22120.1', '0.0', '0.1', '0.2']);
  });

  test('whole steps: integers with thousands separators, no decimals', () => {
    expect(labels(ticks(0, 200, 8))).toEqual(['0', '200', '400', '600', '800', '1,000', '1,200', '1,400']);
    expect(labels(ticks(0, 1, 4))).toEqual(['0', '1', '2', '3']);
  });
});
