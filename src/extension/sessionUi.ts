/**
 * What the editor shows about sessions outside the panel: the status bar item, the context keys
 * the `when` clauses use (nnspec.hasSession, nnspec.sessionRunning), stale marking when a spec
 * is edited under its session (with an offer to restart on save), and the error/divergence
 * notifications with their Restart/Reset actions.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { SessionManager, TrainingSession } from './sessions';
import { statusBarText } from './sessionState';
import { escapeMarkdown } from '../core/escape';

export class SessionUi implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('nnspec.session', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  /** The session shown when the active editor has none: the last one that changed. */
  private recent: TrainingSession | undefined;
  private readonly lastStatus = new WeakMap<TrainingSession, string>();
  private readonly offeredRestart = new WeakSet<TrainingSession>();
  private contextKeys = { hasSession: false, running: false };

  constructor(private readonly sessions: SessionManager) {
    this.item.name = 'NNSpec training';
    this.disposables.push(
      sessions.onDidChange((session) => this.changed(session)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeTextDocument((e) => this.edited(e.document)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.saved(doc)),
    );
    this.render();
  }

  static register(context: vscode.ExtensionContext, sessions: SessionManager): SessionUi {
    const ui = new SessionUi(sessions);
    context.subscriptions.push(ui);
    return ui;
  }

  /** The session the status bar and context keys are about. */
  current(): TrainingSession | undefined {
    const editor = vscode.window.activeTextEditor;
    const own = editor?.document.languageId === 'nnspec' ? this.sessions.get(editor.document.uri) : undefined;
    const session = own ?? this.recent;
    return session && session.status !== 'stopped' ? session : undefined;
  }

  private changed(session: TrainingSession): void {
    this.recent = session;
    const before = this.lastStatus.get(session);
    const now = session.status;
    this.lastStatus.set(session, now);
    if (before !== now) this.notify(session, before);
    this.render();
  }

  /** Crashes and divergence get a notification with what to do next. */
  private notify(session: TrainingSession, before: string | undefined): void {
    const name = path.basename(session.specUri.fsPath);
    if (session.status === 'error' && before !== 'loading' && before !== undefined && session.state.info) {
      const restart = 'Restart';
      void vscode.window
        .showErrorMessage(`NNSpec: the training session of ${name} failed: ${session.state.message ?? 'unknown error'}`, restart)
        .then((choice) => {
          if (choice === restart) void vscode.commands.executeCommand('nnspec.restart', session.specUri);
        });
    } else if (session.status === 'diverged' && before !== 'diverged') {
      const reset = 'Reset Weights';
      void vscode.window
        .showWarningMessage(`NNSpec: ${name} diverged: ${session.state.message ?? 'the loss is no longer finite'}`, reset)
        .then((choice) => {
          if (choice === reset) void vscode.commands.executeCommand('nnspec.reset', session.specUri);
        });
    }
  }

  private edited(doc: vscode.TextDocument): void {
    const session = this.sessions.get(doc.uri);
    if (!session || session.status === 'stopped' || session.status === 'loading') return;
    const stale = doc.getText() !== session.loadedText;
    if (!stale) this.offeredRestart.delete(session);
    session.markStale(stale);
  }

  private saved(doc: vscode.TextDocument): void {
    const session = this.sessions.get(doc.uri);
    if (!session || !session.stale || session.status === 'stopped' || this.offeredRestart.has(session)) return;
    this.offeredRestart.add(session);
    const restart = 'Restart with the new spec';
    void vscode.window
      .showInformationMessage(`NNSpec: ${path.basename(doc.uri.fsPath)} changed; its training session still runs the old spec.`, restart)
      .then((choice) => {
        // A notification cannot be taken back: if the text went back to the loaded spec meanwhile
        // (an undo), there is nothing to restart for, and the session's progress is kept.
        if (choice === restart && session.stale) void vscode.commands.executeCommand('nnspec.restart', doc.uri);
      });
  }

  private render(): void {
    const session = this.current();
    const keys = { hasSession: session !== undefined, running: session?.status === 'running' };
    if (keys.hasSession !== this.contextKeys.hasSession) void vscode.commands.executeCommand('setContext', 'nnspec.hasSession', keys.hasSession);
    if (keys.running !== this.contextKeys.running) void vscode.commands.executeCommand('setContext', 'nnspec.sessionRunning', keys.running);
    this.contextKeys = keys;
    if (!session) {
      this.item.hide();
      return;
    }
    this.item.text = statusBarText(session.state, session.stale);
    // The name and the message come from the user's files: escaped, so they show as written.
    const tooltip = new vscode.MarkdownString(
      `**${escapeMarkdown(session.info?.name ?? path.basename(session.specUri.fsPath))}** — ${session.status}` +
        (session.state.message ? `\n\n${escapeMarkdown(session.state.message)}` : '') +
        (session.stale ? '\n\nThe spec changed since this session loaded it.' : '') +
        '\n\nClick to show the training panel.',
    );
    this.item.tooltip = tooltip;
    this.item.command = { command: 'nnspec.showPanel', title: 'Show Training Panel', arguments: [session.specUri] };
    this.item.backgroundColor = session.status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
