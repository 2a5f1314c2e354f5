/**
 * The number syntax of .nnspec, in one place: the lexer, the CLI's `predict --input`, and the
 * extension's Predict input all read numbers with it, so what a spec refuses (hex `0x10`,
 * `Infinity`, `1_000`) is refused everywhere.
 *
 *   number   = [+-] ( digits [ "." [digits] ] | "." digits ) [ ("e"|"E") [+-] digits ]
 *   digits   = one or more of 0-9
 *
 * e.g. 7, -1.5e-3, 0.5, .5, 5., +2E10. Scanned by hand, once over the text: the regular
 * expression it replaces, /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, splits a run of digits
 * between `\d+` and `\d*` in every way before it fails, so 100,000 digits and a letter took 33 s.
 */

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Where the number that starts at `start` ends (exclusive): the longest prefix of text[start..)
 * that is a number in the syntax above, or -1 when none is. `exponent: false` reads only
 * the part before an exponent (as in `20%`).
 */
export function scanNumber(text: string, start = 0, exponent = true): number {
  const n = text.length;
  let i = start;
  const sign = text.charCodeAt(i);
  if (sign === 43 /* + */ || sign === 45 /* - */) i++;
  const wholeStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const whole = i - wholeStart;
  let fraction = 0;
  if (text.charCodeAt(i) === 46 /* . */) {
    const fractionStart = i + 1;
    let j = fractionStart;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    fraction = j - fractionStart;
    // "5." is a number; "." alone is not.
    if (whole > 0 || fraction > 0) i = j;
  }
  if (whole === 0 && fraction === 0) return -1;
  if (exponent) {
    const e = text.charCodeAt(i);
    if (e === 101 /* e */ || e === 69 /* E */) {
      let j = i + 1;
      const s = text.charCodeAt(j);
      if (s === 43 || s === 45) j++;
      const digitsStart = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      // "2e" or "2e+" end before the "e": the number is "2".
      if (j > digitsStart) i = j;
    }
  }
  return i;
}

/** Whether the whole of `text` is one number in the .nnspec syntax. */
export function isNumberText(text: string, exponent = true): boolean {
  return text.length > 0 && scanNumber(text, 0, exponent) === text.length;
}

/**
 * A number a user typed (a spec token, `--input`, the Predict box): its value, or why it is not
 * one. Only finite values are accepted: `1e999` is "too large", not Infinity.
 */
export function parseNumber(text: string): { value: number } | { error: string } {
  if (!isNumberText(text)) return { error: 'not a number' };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: 'too large' };
  return { value };
}
