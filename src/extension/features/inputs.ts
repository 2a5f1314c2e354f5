/**
 * Checks of what users type: an input vector for Predict. (Weights files are checked by the
 * core: parseWeightsFile on the host, the trainer's shape check in the worker.)
 */
import { parseNumber } from '../../core/lang/numbers';

/**
 * "0.5, 1" or "0.5 1" or "[0.5, 1]" → [0.5, 1]; an error message when it is not `size` numbers.
 */
export function parseInputVector(text: string, size: number): { values: number[] } | { error: string } {
  const trimmed = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  const parts = trimmed.split(/[\s,;]+/).filter((p) => p.length > 0);
  const values: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    // The spec's own number syntax: `0x10`, `Infinity` and `1e999` are refused here as there.
    const parsed = parseNumber(parts[i]);
    const shown = parts[i].length > 40 ? `${parts[i].slice(0, 30)}…` : parts[i];
    if ('error' in parsed) return { error: `value ${i + 1} ('${shown}') is ${parsed.error === 'too large' ? 'too large' : 'not a number'}` };
    values.push(parsed.value);
  }
  if (values.length !== size) {
    return { error: `the network takes ${size} input${size === 1 ? '' : 's'}; you gave ${values.length}` };
  }
  return { values };
}
