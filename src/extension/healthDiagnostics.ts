/**
 * Training health in the Problems panel: each session's current problems (core/engine/health.ts,
 * sent by the worker whenever the list changes) as Warnings on the layer's `dense` line or the
 * `optimizer` line, with their quick fixes ("Start layer 1 from init=he", "Lower the rate to 0.05").
 *
 * A problem is shown while it holds and while the spec's text is the one the session trains:
 * after an edit (a quick fix applied, say) the ranges and the numbers belong to the old text, so
 * they go until the next run says what holds then. A stopped session's problems go too.
 */
import * as vscode from 'vscode';
import type { HealthProblem } from '../core/engine/health';
import { toVscodeDiagnostic } from './diagnostics';
import { quickFixActions } from './codeActions';
import type { SessionManager, TrainingSession } from './sessions';

export class HealthDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  readonly collection = vscode.languages.createDiagnosticCollection('nnspec-health');
  /** The problems shown per URI (the quick fixes read their fixes here). */
  private readonly shown = new Map<string, HealthProblem[]>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(sessions: SessionManager) {
    this.disposables.push(
      this.collection,
      sessions.onDidChange((session) => this.update(session)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const session = sessions.get(e.document.uri);
        if (session) this.update(session);
      }),
      vscode.languages.registerCodeActionsProvider({ language: 'nnspec' }, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    );
  }

  static register(context: vscode.ExtensionContext, sessions: SessionManager): HealthDiagnostics {
    const controller = new HealthDiagnostics(sessions);
    context.subscriptions.push(controller);
    return controller;
  }

  /** The problems shown for `uri` (for tests and commands). */
  problems(uri: vscode.Uri): readonly HealthProblem[] {
    return this.shown.get(uri.toString()) ?? [];
  }

  private update(session: TrainingSession): void {
    const key = session.specUri.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    const current = session.status !== 'stopped' && (!doc || doc.getText() === session.loadedText);
    const problems = current ? session.state.problems : [];
    const before = this.shown.get(key) ?? [];
    if (before === problems || (before.length === 0 && problems.length === 0)) return;
    if (problems.length === 0) {
      this.shown.delete(key);
      this.collection.delete(session.specUri);
      return;
    }
    this.shown.set(key, problems);
    this.collection.set(session.specUri, problems.map(toVscodeDiagnostic));
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return quickFixActions(doc, context.diagnostics, this.problems(doc.uri));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
