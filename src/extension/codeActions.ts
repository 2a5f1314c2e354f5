/**
 * The vscode adapter for quick fixes: the core diagnostics behind the diagnostics VS Code shows
 * (matched by code, message and range) and each of their fixes as a QuickFix CodeAction. Used by
 * the spec's own diagnostics (languageFeatures.ts) and by training health (healthDiagnostics.ts).
 */
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/spec';
import { fromCoreRange, toCoreRange } from './convert';
import { matchDiagnostics, quickFixes } from './features/quickFixes';

export function quickFixActions(doc: vscode.TextDocument, shown: readonly vscode.Diagnostic[], known: readonly Diagnostic[]): vscode.CodeAction[] {
  const actions: vscode.CodeAction[] = [];
  if (known.length === 0) return actions;
  for (const diagnostic of shown) {
    const code = typeof diagnostic.code === 'string' ? diagnostic.code : typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : undefined;
    for (const core of matchDiagnostics(known, { code, message: diagnostic.message, range: toCoreRange(diagnostic.range) })) {
      for (const fix of quickFixes(core)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(doc.uri, fromCoreRange(fix.range), fix.newText);
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.isPreferred;
        actions.push(action);
      }
    }
  }
  return actions;
}
