/**
 * Number formatting for the CLI's human-readable output. Counts and durations are the shared
 * formatter's (src/core/format.ts, as in the editor and the panel); losses, values and
 * percentages here keep trailing zeros and an ASCII minus, so terminal columns align and
 * numbers paste into code and scripts as they are.
 */
export { formatCount, formatDuration } from '../core/format';

/** A loss: 4 significant digits, exponent form when tiny or huge ("0.01234", "3.2e-7"). */
export function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e6) return value.toExponential(2);
  return value.toPrecision(4);
}

/** 0.9731 → "97.3%". */
export function formatPercent(fraction: number): string {
  return (fraction * 100).toFixed(1) + '%';
}

/** A fixed-width bar: "██████░░░░". */
export function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** A weight or gradient: compact, sign-aligned ("-0.01234", " 1.200e-5"). */
export function formatValue(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e4) return value.toExponential(3);
  return value.toPrecision(4);
}
