/**
 * Diagnostic codes (stable: tests and quick fixes key on them) and the printed form.
 */
import type { Diagnostic, Position, Range } from '../spec';

export const DIAGNOSTIC_CODES = [
  // Syntax
  'unterminated-string', // "file.csv   (no closing quote)
  'expected-keyword', // a line that starts with a number, a string, `=` or `->`
  'unknown-keyword',
  'missing-argument', // `dense 4`, `loss`
  'extra-argument', // `epochs 10 20`
  'argument-order', // `dense tanh 4`
  'unexpected-arrow', // `->` outside `data inline`
  'missing-key', // `=0.5`
  'missing-value', // `rate=`
  'unknown-option', // `dense 4 tanh bais=false`
  'option-not-for-data', // `data xor noise=0.1`
  'duplicate-option', // `rate=0.1 rate=0.2`
  'duplicate-statement', // a second `loss`
  // Values
  'not-a-number',
  'not-an-integer',
  'out-of-range',
  'bad-shape', // `input 28x`
  'bad-boolean', // `bias=yes`
  'unknown-activation',
  'unknown-loss',
  'unknown-optimizer',
  'unknown-init',
  'unknown-normalize',
  'unknown-feature', // `features x3`
  'duplicate-feature', // `features x1 x1`
  'unknown-dataset',
  'labels-positional', // `data "images" "labels"`
  // `data inline … end`
  'missing-end',
  'stray-end',
  'missing-arrow',
  'extra-arrow',
  'inline-row-empty', // `-> 1` or `0 1 ->`
  'inline-row-width',
  'inline-empty',
  // Required statements
  'missing-input',
  'missing-dense',
  'missing-data',
  // Semantic
  'softmax-not-last',
  'cce-needs-softmax',
  'bce-needs-sigmoid',
  'softmax-without-cce', // warning
  'softmax-single-unit', // warning
  'validation-small-data', // warning
  'const-init-symmetry', // warning: a hidden layer of several units with constant weights
  'too-many-parameters',
  'too-many-layers', // more `dense` lines than DEFAULTS.maxLayers
  'option-not-for-optimizer', // `optimizer adam momentum=0.9`
  'dropout-on-output', // `dropout=` on the last `dense` layer
  'stop-needs-rule', // `stop` without patience= or goal=
  'stop-needs-validation', // `stop monitor=validation_loss` without `validation`
  // Limits of the parser itself
  'too-many-statements', // more than MAX_STATEMENTS statements: the rest are not read
  'too-many-diagnostics', // the summary that stands for the diagnostics past MAX_DIAGNOSTICS
  // Against the loaded data (checkAgainstData)
  'input-mismatch',
  'features-need-two-inputs', // `features …` on data that is not 2-D
  'output-mismatch',
  'cce-needs-classes',
  'bce-needs-unit-targets',
  'data-not-finite', // NaN, ±Infinity or a value whose square overflows float32, with its sample and column
  // Never expected: the parser caught its own bug instead of throwing.
  'internal-error',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** Diagnostics listed for one file; past it one summary says how many more there are. */
export const MAX_DIAGNOSTICS = 1_000;

/**
 * Statements read from one file. A spec that means something has at most one of each keyword
 * and DEFAULTS.maxLayers `dense` lines; past this only a keyword's first statement is still read.
 */
export const MAX_STATEMENTS = 10_000;

/** `FILE:LINE:COL: error|warning: message (hint)`, LINE and COL from 1. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
  return `${where}: ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

export function position(line: number, character: number): Position {
  return { line, character };
}

export function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
  return { start: position(startLine, startCharacter), end: position(endLine, endCharacter) };
}

/** From the start of `a` to the end of `b`. */
export function span(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}
