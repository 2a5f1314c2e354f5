/**
 * LossHistory.thinned: what a checkpoint keeps of a long run's step losses — at most the values
 * asked for, each one of the losses of the steps it covers (lows and highs alternately).
 */
import { describe, expect, it } from 'vitest';
import { LossHistory } from '../../src/core/lossHistory';

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
