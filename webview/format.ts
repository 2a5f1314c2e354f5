/**
 * Number formatting shared by the status line, the tooltip, the legends and the aria labels:
 * the project's one formatter (src/core/format.ts), which the CLI, the hovers, the status bar
 * and the code lens use too. Pure (no DOM): the tests import it to build the exact strings they expect.
 */
import { MINUS, formatNumber } from '../src/core/format';

export { MINUS, formatCount, formatNumber, formatPercent } from '../src/core/format';

/** "1 bias", "3 biases". */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * The label of tick `value` on a linear axis whose ticks are `values` (evenly spaced, as chart.js
 * makes them: 1, 2 or 5 × 10ⁿ apart): as many decimals as the spacing needs, so neighbouring labels
 * always differ (0.1185, 0.119, 0.1195, not 0.119 three times), a real minus sign, thousands
 * separators; exponent form only for very large or very small values.
 */
export function tickLabel(value: number, values: readonly number[]): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  let spacing = Infinity;
  for (let i = 1; i < values.length; i++) {
    const d = Math.abs(values[i] - values[i - 1]);
    if (d > 0 && d < spacing) spacing = d;
  }
  if (!Number.isFinite(spacing)) return formatNumber(value, 3);
  const largest = Math.max(...values.map(Math.abs));
  // Decimals that tell two ticks `spacing` apart (a spacing of 2.5 × 10ⁿ needs one more).
  const exponent = Math.floor(Math.log10(spacing) + 1e-9);
  let decimals = Math.max(0, -exponent);
  if (Math.abs(Math.round(spacing / 10 ** exponent) * 10 ** exponent - spacing) > spacing * 1e-6) decimals++;
  if (largest >= 1e7 || (largest < 1e-4 && largest > 0) || decimals > 8) {
    const significant = Math.max(1, Math.floor(Math.log10(largest)) - exponent + 1);
    return formatNumber(value, Math.min(significant, 8));
  }
  const snapped = Math.abs(value) < spacing * 1e-6 ? 0 : value;
  const text = Math.abs(snapped).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return snapped < 0 ? MINUS + text : text;
}
