/**
 * The .nnspec lexer: one line at a time, since a statement is one line.
 *
 * A line is whitespace-separated tokens up to `#` (a comment, outside quotes):
 *   number   -1.5e-3, 0.5, .5, 7 (the syntax: numbers.ts)
 *   shape    28x28 (also 28X28, 28×28)
 *   string   "file.csv" or 'file.csv' (text without the quotes; no escapes)
 *   arrow    ->  (also inside `0 1->1`)
 *   equals   =   (options: `rate=0.5`, `rate = 0.5`)
 *   word     anything else: sigmoid, learning_rate, iris.csv, 20%
 * Columns are UTF-16 code units from the start of the line, like VS Code's, so a tab is one column.
 */
import type { Range, Token } from '../spec';
import { isNumberText } from './numbers';

export type LexKind = Token['kind'] | 'equals';

export interface LexToken {
  kind: LexKind;
  /** Strings: the text between the quotes. */
  text: string;
  range: Range;
  /** A string whose closing quote is missing. */
  unterminated?: boolean;
}

export interface LexedLine {
  line: number;
  tokens: LexToken[];
}

const SHAPE = /^\d+[xX×]\d+$/;

function isSpace(c: string): boolean {
  // Space, tab, vertical tab, form feed, no-break space, byte-order mark.
  return c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\u00a0' || c === '\ufeff';
}

/** Splits a document into lines on \n, \r\n or \r. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function classify(text: string): Token['kind'] {
  if (isNumberText(text)) return 'number';
  if (SHAPE.test(text)) return 'shape';
  return 'word';
}

export function lexLine(text: string, line: number): LexedLine {
  const tokens: LexToken[] = [];
  const range = (start: number, end: number): Range => ({
    start: { line, character: start },
    end: { line, character: end },
  });
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) {
        tokens.push({ kind: 'string', text: text.slice(i + 1).trimEnd(), range: range(i, text.trimEnd().length), unterminated: true });
        break;
      }
      tokens.push({ kind: 'string', text: text.slice(i + 1, close), range: range(i, close + 1) });
      i = close + 1;
      continue;
    }
    if (c === '=') {
      tokens.push({ kind: 'equals', text: '=', range: range(i, i + 1) });
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '>') {
      tokens.push({ kind: 'arrow', text: '->', range: range(i, i + 2) });
      i += 2;
      continue;
    }
    const start = i;
    while (i < n) {
      const d = text[i];
      if (isSpace(d) || d === '#' || d === '"' || d === "'" || d === '=' || (d === '-' && text[i + 1] === '>')) break;
      i++;
    }
    const word = text.slice(start, i);
    tokens.push({ kind: classify(word), text: word, range: range(start, i) });
  }
  return { line, tokens };
}
