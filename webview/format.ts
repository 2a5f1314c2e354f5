/**
 * Number formatting shared by the status line, the tooltip, the legends and the aria labels.
 * Pure (no DOM): the tests import it to build the exact strings they expect.
 */

/** U+2212, the typographic minus sign. */
export const MINUS = '\u2212';

/**
 * A value with `digits` significant digits, trailing zeros dropped, a real minus sign and
 * exponent notation outside [1e-3, 1e5): 0.5 → "0.5", -0.000123456 → "−1.235e-4", 0 → "0".
 */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : `${MINUS}∞`;
  if (value === 0) return '0';
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 1e-3 && abs < 1e5) {
    text = abs.toPrecision(digits);
    if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  } else {
    const [mantissa, exponent] = abs.toExponential(digits - 1).split('e');
    let m = mantissa;
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    text = `${m}e${Number(exponent)}`;
  }
  return value < 0 ? MINUS + text : text;
}

/** 0.975 → "97.5%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(fraction >= 0.9995 || fraction === 0 ? 0 : 1)}%`;
}

/** 12345.6 → "12,346"; ≥ 1e6 → "1.23 M". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  return Math.round(value).toLocaleString('en-US');
}

/** "1 bias", "3 biases". */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
