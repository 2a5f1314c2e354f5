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
import { TrainingPanel } from './panel';
import { restartSignature, specEdit } from './specEdits';
import { parseSpec } from '../core/lang/index';
import { COMMAND } from './commandIds';

/** An edit is looked at once the text has not changed for this long (typing "0.05" passes through "0.0"). */
export const EDIT_SETTLE_MS = 400;

export class SessionUi implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('nnspec.session', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  /** The session shown when the active editor has none: the last one that changed. */
  private recent: TrainingSession | undefined;
  private readonly lastStatus = new WeakMap<TrainingSession, string>();
  /** The structural change a restart was last offered for, per session. */
  private readonly offeredRestart = new WeakMap<TrainingSession, string>();
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  private contextKeys = { hasSession: false, running: false };

  constructor(private readonly sessions: SessionManager) {
    this.item.name = 'NNSpec training';
    this.disposables.push(
      sessions.onDidChange((session) => this.changed(session)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      TrainingPanel.onDidChangeFocus(() => this.render()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.edited(e.document);
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => this.edited(doc, true)),
      { dispose: () => this.settleTimers.forEach((t) => clearTimeout(t)) },
    );
    this.render();
  }

  static register(context: vscode.ExtensionContext, sessions: SessionManager): SessionUi {
    const ui = new SessionUi(sessions);
    context.subscriptions.push(ui);
    return ui;
  }

  /**
   * The session the status bar and context keys are about: the focused training panel's, else
   * the active .nnspec editor's — none when that spec has no session (the status bar hides) —
   * else, with no spec in front, the session that changed last.
   */
  current(): TrainingSession | undefined {
    const editor = vscode.window.activeTextEditor;
    const spec = TrainingPanel.focusedSpec() ?? (editor?.document.languageId === 'nnspec' ? editor.document.uri : undefined);
    const session = spec ? this.sessions.get(spec) : this.recent;
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
          if (choice === restart) void vscode.commands.executeCommand(COMMAND.restart, session.specUri);
        });
    } else if (session.status === 'diverged' && before !== 'diverged') {
      const reset = 'Reset Weights';
      void vscode.window
        .showWarningMessage(`NNSpec: ${name} diverged: ${session.state.message ?? 'the loss is no longer finite'}`, reset)
        .then((choice) => {
          if (choice === reset) void vscode.commands.executeCommand(COMMAND.reset, session.specUri);
        });
    }
  }

  /**
   * An edit of a spec that has a session, once the text has settled (EDIT_SETTLE_MS after the last
   * keystroke, or at once on save) and only when it parses without errors: live hyper-parameters
   * go to the worker; anything else marks the session stale and offers a restart once per change.
   */
  private edited(doc: vscode.TextDocument, now = false): void {
    const session = this.sessions.get(doc.uri);
    if (!session || session.status === 'stopped' || session.status === 'loading') return;
    const key = doc.uri.toString();
    clearTimeout(this.settleTimers.get(key));
    if (!now) {
      this.settleTimers.set(key, setTimeout(() => this.edited(doc, true), EDIT_SETTLE_MS));
      return;
    }
    this.settleTimers.delete(key);
    const running = session.runningSpec;
    if (!running) return;
    const parsed = parseSpec(doc.getText());
    if (parsed.diagnostics.some((d) => d.severity === 'error')) return; // never while the spec has errors
    const edit = specEdit(running, parsed.spec);
    session.retune(edit.live);
    session.markStale(edit.restart.length > 0, edit.restart);
    if (edit.restart.length === 0) {
      // The session now trains what this text says (a checkpoint saves it, for after a reload).
      session.runningText = doc.getText();
      this.offeredRestart.delete(session);
      return;
    }
    // Once per change: the same structural edit (saved again, autosaved, typed back) asks no more.
    const signature = restartSignature(parsed.spec);
    if (this.offeredRestart.get(session) === signature) return;
    this.offeredRestart.set(session, signature);
    const restart = 'Restart with the new spec';
    void vscode.window
      .showInformationMessage(
        `NNSpec: ${path.basename(doc.uri.fsPath)} changed (${edit.restart.join(', ')}); its training session goes on with the older spec until you restart it.`,
        restart,
      )
      .then((choice) => {
        // A notification cannot be taken back: if the text went back meanwhile (an undo), there
        // is nothing to restart for, and the session's progress is kept.
        if (choice === restart && session.stale) void vscode.commands.executeCommand(COMMAND.restart, doc.uri);
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
    this.item.command = { command: COMMAND.showPanel, title: 'Show Training Panel', arguments: [session.specUri] };
    this.item.backgroundColor = session.status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
