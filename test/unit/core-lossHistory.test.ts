/**
 * LossHistory.thinned: what a checkpoint keeps of a long run's step losses — at most the values
 * asked for, each one of the losses of the steps it covers (lows and highs alternately).
 */
import { describe, expect, it } from 'vitest';
import { LossHistory, thinEpochs } from '../../src/core/lossHistory';

describe('LossHistory.thinned', () => {
  it('keeps everything when it fits', () => {
    const h = new LossHistory();
    h.push([3, 1, 4, 1, 5]);
    const { values, stride } = h.thinned(8);
    expect(Array.from(values)).toEqual([3, 1, 4, 1, 5]);
    expect(stride).toBe(1);
  });

  it('merges pairs until at most maxValues remain, the stride doubling each time; each value is a loss of the steps it covers', () => {
    const h = new LossHistory();
    const losses = Array.from({ length: 1000 }, (_, i) => 1 + Math.sin(i / 10) + (i % 7) / 100);
    h.push(losses);
    const { values, stride } = h.thinned(100);
    expect(stride).toBe(16); // 1000 → 500 → 250 → 125 → 62 values
    expect(values.length).toBe(62);
    values.forEach((v, i) => {
      const covered = losses.slice(i * stride, (i + 1) * stride).map(Math.fround);
      expect(covered).toContain(v);
    });
    // The envelope: the thinned line spans nearly the whole range of the losses.
    expect(Math.max(...values)).toBeGreaterThan(1.95);
    expect(Math.min(...values)).toBeLessThan(0.05);
  });

  it('restores to the same steps count, the dropped tail counted as the stride in progress', () => {
    const h = new LossHistory();
    h.push(Array.from({ length: 1001 }, (_, i) => i));
    const { values, stride } = h.thinned(300);
    const back = LossHistory.restore(values, stride, h.steps);
    expect(back.steps).toBe(1001);
    expect(back.stride).toBe(stride);
    expect(back.length).toBe(values.length);
  });
});

describe('thinEpochs', () => {
  const epochs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ epoch: from + i }));

  it('keeps the list as it is while it fits', () => {
    const list = epochs(1, 100);
    expect(thinEpochs(list, 100)).toBe(list);
  });

  it('an epoch at a time for 200,000 epochs: bounded, first and latest kept, evenly spaced over the whole run', () => {
    const capacity = 4096;
    let list: { epoch: number }[] = [];
    for (let e = 1; e <= 200_000; e++) {
      list.push({ epoch: e });
      list = thinEpochs(list, capacity);
      expect(list.length).toBeLessThanOrEqual(capacity);
    }
    expect(list[0].epoch).toBe(1);
    expect(list[list.length - 1].epoch).toBe(200_000);
    // The gaps between kept epochs: one stride over the thinned part, then 1 for the epochs since
    // the last thinning; never a long straight stretch early in the run.
    const gaps = list.slice(1).map((m, i) => m.epoch - list[i].epoch);
    const widest = Math.max(...gaps);
    expect(widest).toBeLessThanOrEqual((4 * 200_000) / capacity); // stride < 2 × span / (capacity / 2)
    const firstTenth = list.filter((m) => m.epoch <= 20_000).length;
    const lastTenth = list.filter((m) => m.epoch > 180_000).length;
    expect(firstTenth).toBeGreaterThan(capacity / 40);
    expect(firstTenth * 4).toBeGreaterThan(lastTenth); // the old part is not starved
  });

  it('thinning twice keeps the same epochs (the choice is by epoch number, not by position)', () => {
    const once = thinEpochs(epochs(1, 10_000), 1000);
    const again = thinEpochs([...once, ...epochs(10_001, 10_600)], 1000);
    const keptBefore = new Set(again.filter((m) => m.epoch < 10_000).map((m) => m.epoch));
    for (const e of keptBefore) expect(once.some((m) => m.epoch === e)).toBe(true);
  });
});
