/**
 * Number and time formatting for the CLI's human-readable output: the shared formatter
 * (src/core/format.ts, the same one the editor and the panel use) plus the progress bar.
 */
import { formatNumber } from '../core/format';

export { formatCount, formatDuration, formatLoss, formatPercent } from '../core/format';

/** A fixed-width bar: "██████░░░░". */
export function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** A weight or gradient: 4 significant digits, exponent form when tiny or huge ("−0.01234", "1.2e-5"). */
export function formatValue(value: number): string {
  return formatNumber(value, 4);
}
