/**
 * Quick fixes from the parser's diagnostics: each `Fix` of a diagnostic becomes one code
 * action, the first one preferred (so "Fix all"/auto-fix picks the parser's best guess).
 */
import type { Diagnostic, Range } from '../../core/spec';

export interface QuickFix {
  title: string;
  range: Range;
  newText: string;
  isPreferred: boolean;
  /** The diagnostic it repairs. */
  diagnostic: Diagnostic;
}

export function quickFixes(diagnostic: Diagnostic): QuickFix[] {
  return (diagnostic.fixes ?? []).map((fix, i) => ({
    title: fix.title,
    range: fix.range,
    newText: fix.newText,
    isPreferred: i === 0,
    diagnostic,
  }));
}

/**
 * The core diagnostics that an editor's diagnostic stands for (VS Code hands code actions
 * copies of its diagnostics: they are matched by code, message and range).
 */
export function matchDiagnostics(
  known: readonly Diagnostic[],
  shown: { code?: string; message: string; range: Range },
): Diagnostic[] {
  return known.filter(
    (d) =>
      (shown.code === undefined || d.code === shown.code) &&
      shown.message.startsWith(d.message) &&
      sameRange(d.range, shown.range),
  );
}

export function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** The diagnostic's text in the editor: the message, then the hint when there is one. */
export function diagnosticMessage(d: Diagnostic): string {
  return d.hint ? `${d.message} — ${d.hint}` : d.message;
}
