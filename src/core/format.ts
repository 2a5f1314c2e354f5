/**
 * The one formatter for numbers and epochs that people read: the CLI, the hovers, the status
 * bar, the code lens, the progress notification, the log and the panel all print through it,
 * so the same value reads the same everywhere. Pure (no `vscode`, no DOM, no Node API).
 *
 * Conventions:
 * - a real minus sign (U+2212) for negative numbers, "∞" and "−∞", "NaN";
 * - `digits` significant digits, trailing zeros dropped, exponent form outside [1e-3, 1e5):
 *   0.5 → "0.5", 0.12304 → "0.123", −0.000123456 → "−1.235e-4";
 * - counts with thousands separators: 12345 → "12,345";
 * - epochs counted from 1 (see `epochNumber`).
 */

/** U+2212, the typographic minus sign. */
export const MINUS = '\u2212';

/** "–" for a value that does not exist yet (no step taken, no loss). */
export const NONE = '–';

/**
 * A value with `digits` significant digits, trailing zeros dropped, a real minus sign and
 * exponent notation outside [1e-3, 1e5): 0.5 → "0.5", −0.000123456 → "−1.235e-4", 0 → "0".
 */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : `${MINUS}∞`;
  if (value === 0) return '0';
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 1e-3 && abs < 1e5) {
    text = abs.toPrecision(digits);
    // toPrecision can still choose exponent form (e.g. 12345.6 with 4 digits → "1.235e+4").
    if (text.includes('e')) text = exponentForm(abs, digits);
    else if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  } else {
    text = exponentForm(abs, digits);
  }
  return value < 0 ? MINUS + text : text;
}

function exponentForm(abs: number, digits: number): string {
  const [mantissa, exponent] = abs.toExponential(Math.max(0, digits - 1)).split('e');
  let m = mantissa;
  if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
  return `${m}e${Number(exponent)}`;
}

/** A loss (4 significant digits, as formatNumber); "–" before there is one. */
export function formatLoss(loss: number | null | undefined): string {
  if (loss === null || loss === undefined) return NONE;
  return formatNumber(loss, 4);
}

/** 0.9731 → "97.3%"; 1 → "100%"; not finite → "–". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return NONE;
  return `${(fraction * 100).toFixed(fraction >= 0.9995 || fraction === 0 ? 0 : 1)}%`;
}

/** 12345.6 → "12,346" (rounded, thousands separators); not finite → "–". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return NONE;
  const rounded = Math.round(value);
  const text = Math.abs(rounded).toLocaleString('en-US');
  return rounded < 0 ? MINUS + text : text;
}

/** Short counts for tight places (status bar): 950 → "950", 1234 → "1.23k", 12345 → "12.3k", 1.5e6 → "1.5M". */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return NONE;
  const abs = Math.abs(value);
  const sign = value < 0 ? MINUS : '';
  if (abs >= 1e9) return `${sign}${trim((abs / 1e9).toFixed(1))}G`;
  if (abs >= 1e6) return `${sign}${trim((abs / 1e6).toFixed(1))}M`;
  if (abs >= 1e4) return `${sign}${trim((abs / 1e3).toFixed(1))}k`;
  if (abs >= 1e3) return `${sign}${trim((abs / 1e3).toFixed(2))}k`;
  return `${sign}${Math.round(abs)}`;
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Seconds as "0.42 s", "12.3 s", "2:05", "1:02:03"; negative or not finite → "?". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return seconds.toFixed(2) + ' s';
  if (seconds < 60) return seconds.toFixed(1) + ' s';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return (h > 0 ? `${h}:` : '') + `${mm}:${String(s).padStart(2, '0')}`;
}

/** Milliseconds for latencies: 0.42 → "0.42 ms", 12.3 → "12.3 ms", 1234 → "1.23 s". */
export function formatMilliseconds(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

// ---------------------------------------------------------------------------------------------
// Epochs. The trainer counts completed epochs from 0 (`epoch`) and the steps taken in the
// current one (`stepInEpoch`); people count epochs from 1.

/**
 * The epoch to show people, from 1: the one in progress, or, between epochs (no step taken in
 * the current one yet), the one just finished — so a fresh session shows 1, after the first
 * Step Epoch it still says 1 (not 2), and a finished run shows `epochs`.
 */
export function epochNumber(epoch: number, stepInEpoch: number, epochs: number): number {
  const shown = stepInEpoch === 0 && epoch > 0 ? epoch : epoch + 1;
  return Math.max(1, Math.min(shown, Math.max(epochs, 1)));
}

/** "3/30", "154,558/200,000": epochNumber of the total. */
export function formatEpoch(epoch: number, stepInEpoch: number, epochs: number): string {
  return `${formatCount(epochNumber(epoch, stepInEpoch, epochs))}/${formatCount(epochs)}`;
}

/** The readout every view prints for a session's progress: "epoch 3/30 · step 1,234 · loss 0.123". */
export interface ProgressFields {
  epoch: number;
  stepInEpoch: number;
  epochs: number;
  step: number;
  loss: number | null | undefined;
}

/** "epoch 3/30 · step 1,234 · loss 0.123" (the same words in the lens, the status bar's tooltip, the notification, the log). */
export function formatProgress(p: ProgressFields, parts: { step?: boolean } = {}): string {
  const out = [`epoch ${formatEpoch(p.epoch, p.stepInEpoch, p.epochs)}`];
  if (parts.step ?? true) out.push(`step ${formatCount(p.step)}`);
  out.push(`loss ${formatLoss(p.loss)}`);
  return out.join(' · ');
}
