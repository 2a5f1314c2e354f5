/**
 * The .nnspec parser: text → statements (with ranges) → the NetworkSpec the engine trains,
 * with every diagnostic on the way. It never throws and never stops at the first error:
 * a bad value is reported and the default stands in for it, so later lines are still checked.
 *
 * Three passes over one ParseContext (context.ts):
 *   1. statements.ts  read statements line by line (gathering `data inline` rows up to `end`);
 *   2. interpret.ts   interpret each statement into the spec (one entry per keyword);
 *   3. whole.ts       check the whole (required statements, the output layer against the loss,
 *                     the parameter count).
 */
import type { ParseResult } from '../spec';
import { ParseContext, defaultSpec, type ParseOptions } from './context';
import { range as makeRange } from './diagnostics';
import { interpret } from './interpret';
import { readStatements } from './statements';
import { checkWhole } from './whole';

export { defaultSpec, type ParseOptions };

/** Parses a .nnspec document. Never throws: whatever the text, a result with diagnostics. */
export function parseSpec(text: string, options: ParseOptions = {}): ParseResult {
  try {
    const cx = new ParseContext(String(text), options);
    readStatements(cx);
    for (const statement of cx.statements) interpret(cx, statement);
    cx.keepAll = true;
    checkWhole(cx);
    return { statements: cx.statements, diagnostics: cx.finish(), spec: cx.spec, byKeyword: cx.byKeyword };
  } catch (error) {
    return {
      statements: [],
      diagnostics: [
        {
          severity: 'error',
          range: makeRange(0, 0, 0, 0),
          message: `the parser failed on this file: ${error instanceof Error ? error.message : String(error)}`,
          hint: 'this is a bug in NNSpec; please report it with the file',
          code: 'internal-error',
        },
      ],
      spec: defaultSpec(),
      byKeyword: new Map(),
    };
  }
}
