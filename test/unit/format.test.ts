/** The shared formatter (src/core/format.ts): what the CLI, the editor and the panel print. */
import { describe, expect, it, test } from 'vitest';
import {
  epochNumber,
  formatCompact,
  formatCount,
  formatDuration,
  formatEpoch,
  formatLoss,
  formatMilliseconds,
  formatNumber,
  formatPercent,
  formatProgress,
} from '../../src/core/format';

describe('formatNumber', () => {
  test.each([
    [0, '0'],
    [0.5, '0.5'],
    [-0.125, '\u22120.125'],
    [0.015625, '0.01563'],
    [0.123, '0.123'],
    [1234.5678, '1235'],
    [12345.6, '1.235e4'],
    [99999.9, '1e5'],
    [0.00011394, '1.139e-4'],
    [-2.5e-7, '\u22122.5e-7'],
    [123456, '1.235e5'],
    [NaN, 'NaN'],
    [Infinity, '\u221e'],
    [-Infinity, '\u2212\u221e'],
  ])('formatNumber(%s) = %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it('takes the number of significant digits', () => {
    expect(formatNumber(Math.PI, 2)).toBe('3.1');
    expect(formatNumber(-0.051463, 2)).toBe('\u22120.051');
    expect(formatNumber(1.6e-9, 1)).toBe('2e-9');
  });
});

describe('losses, counts, percentages, durations', () => {
  it('a loss is a number, or "–" before the first step', () => {
    expect(formatLoss(null)).toBe('–');
    expect(formatLoss(undefined)).toBe('–');
    expect(formatLoss(4.79e-4)).toBe('4.79e-4');
    expect(formatLoss(0.04256)).toBe('0.04256');
  });

  it('counts have thousands separators and a real minus', () => {
    expect(formatCount(3091140)).toBe('3,091,140');
    expect(formatCount(12.6)).toBe('13');
    expect(formatCount(-1500)).toBe('\u22121,500');
    expect(formatCount(NaN)).toBe('–');
  });

  it('compact counts for the status bar', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(1234)).toBe('1.23k');
    expect(formatCompact(12_345)).toBe('12.3k');
    expect(formatCompact(20_000)).toBe('20k');
    expect(formatCompact(1_500_000)).toBe('1.5M');
  });

  it('percentages and durations', () => {
    expect(formatPercent(0.6875)).toBe('68.8%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatDuration(0.42)).toBe('0.42 s');
    expect(formatDuration(125)).toBe('2:05');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatMilliseconds(12.34)).toBe('12.3 ms');
    expect(formatMilliseconds(1234)).toBe('1.23 s');
  });
});

describe('epochs, counted from 1', () => {
  it('shows the epoch in progress, or the one just finished between epochs', () => {
    expect(epochNumber(0, 0, 30)).toBe(1); // nothing trained yet: the first epoch is next
    expect(epochNumber(0, 1, 30)).toBe(1);
    expect(epochNumber(1, 0, 30)).toBe(1); // after one Step Epoch: epoch 1 is done
    expect(epochNumber(2, 5, 30)).toBe(3);
    expect(epochNumber(30, 0, 30)).toBe(30); // done
    expect(epochNumber(0, 0, 0)).toBe(1);
  });

  it('formats epoch of epochs, and one progress line for every readout', () => {
    expect(formatEpoch(154_557, 3, 200_000)).toBe('154,558/200,000');
    expect(formatProgress({ epoch: 2, stepInEpoch: 5, epochs: 30, step: 1234, loss: 0.1234 })).toBe('epoch 3/30 · step 1,234 · loss 0.1234');
    expect(formatProgress({ epoch: 0, stepInEpoch: 0, epochs: 30, step: 0, loss: null }, { step: false })).toBe('epoch 1/30 · loss –');
  });
});
