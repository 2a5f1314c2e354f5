/**
 * The pace of a Train run: full speed, a chosen number of steps a second, or the default
 * rule ('auto'). Pure (no `vscode`): the session resolves its pace here and sends the worker
 * steps a second (0 = full speed). The CLI never paces.
 *
 * The 'auto' rule (docs/vscode.md): a network of at most AUTO_MAX_PARAMETERS parameters —
 * the bundled xor, circle, spiral, sine, iris — trains at a pace that makes its whole run last
 * about AUTO_RUN_SECONDS: its planned steps (epochs × steps per epoch) ÷ AUTO_RUN_SECONDS,
 * rounded up to 1, 2 or 5 × 10^k steps a second; bigger networks (the digits), and runs so long
 * that this pace would exceed AUTO_FULL_SPEED_ABOVE steps a second, train at full speed.
 */
import type { Pace } from '../protocol';

export const AUTO_MAX_PARAMETERS = 5_000;
export const AUTO_RUN_SECONDS = 15;
export const AUTO_FULL_SPEED_ABOVE = 10_000;

export interface PacedRun {
  parameterCount: number;
  epochs: number;
  stepsPerEpoch: number;
}

/** Steps a second for the worker; 0 = full speed. */
export function stepsPerSecond(pace: Pace, run: PacedRun | undefined): number {
  if (pace === 'full') return 0;
  if (typeof pace === 'number') return Number.isFinite(pace) && pace > 0 ? pace : 0;
  if (!run || run.parameterCount > AUTO_MAX_PARAMETERS) return 0;
  const perSecond = roundUp125((run.epochs * run.stepsPerEpoch) / AUTO_RUN_SECONDS);
  return perSecond > AUTO_FULL_SPEED_ABOVE ? 0 : perSecond;
}

/** The next of 1, 2, 5, 10, 20, 50, … at or above `value` (at least 1). */
export function roundUp125(value: number): number {
  if (!(value > 1)) return 1;
  let decade = Math.pow(10, Math.floor(Math.log10(value)));
  for (;;) {
    for (const m of [1, 2, 5]) if (m * decade >= value - 1e-9) return m * decade;
    decade *= 10;
  }
}

/** A `nnspec.pace` setting or a panel message as a Pace; anything else is 'auto'. */
export function parsePace(value: unknown): Pace {
  if (value === 'full' || value === 'auto') return value;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : 'auto';
}

/** "full speed", "10 steps/s", "auto (200 steps/s)". */
export function describePace(pace: Pace, resolved: number): string {
  const rate = resolved > 0 ? `${resolved.toLocaleString('en-US')} step${resolved === 1 ? '' : 's'}/s` : 'full speed';
  return pace === 'auto' ? `auto (${rate})` : rate;
}
