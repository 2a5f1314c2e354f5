/**
 * NNSpec's VS Code extension: registration only, one line per feature. Nothing runs at
 * activation beyond registering; training sessions start when a command asks for one.
 */
import * as vscode from 'vscode';
import { SessionManager, type TrainingSession } from './sessions';
import { DiagnosticsController } from './diagnostics';
import { HealthDiagnostics } from './healthDiagnostics';
import { CompletionProvider, HoverProvider, QuickFixProvider, SymbolProvider, TrainingCodeLensProvider } from './languageFeatures';
import { registerCommands } from './commands';
import { registerExportCommand } from './exportNetwork';
import { RunLog } from './runLog';
import { SessionUi } from './sessionUi';
import { registerTrainingPanelSerializer } from './panel';

/** What activate() returns: for the in-host tests (vscode.extensions.getExtension(...).exports). */
export interface NNSpecApi {
  sessions: SessionManager;
  diagnostics: DiagnosticsController;
  /** Training-health problems in the Problems panel. */
  health: HealthDiagnostics;
}

export function activate(context: vscode.ExtensionContext): NNSpecApi {
  const sessions = new SessionManager(context.extensionUri);
  context.subscriptions.push(sessions);
  const log = RunLog.register(context, sessions);
  const diagnostics = DiagnosticsController.register(context, sessions);
  CompletionProvider.register(context);
  HoverProvider.register(context, sessions);
  SymbolProvider.register(context);
  QuickFixProvider.register(context, diagnostics);
  const health = HealthDiagnostics.register(context, sessions);
  TrainingCodeLensProvider.register(context, sessions);
  SessionUi.register(context, sessions);
  registerCommands({ context, sessions, log });
  registerExportCommand(context, sessions, log);
  registerTrainingPanelSerializer(context, (specUri) => restoredSession(sessions, specUri));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nnspec')) for (const session of sessions.all()) session.updateSettings();
    }),
  );
  return { sessions, diagnostics, health };
}

/** A panel restored after a reload: its session, started in the background when it has none. */
function restoredSession(sessions: SessionManager, specUri: vscode.Uri): TrainingSession {
  const session = sessions.getOrCreate(specUri);
  if (!session.hasWorker && vscode.workspace.isTrusted) {
    vscode.workspace.openTextDocument(specUri).then(
      // The worker's weights and history do not survive a reload (no checkpoint yet): say so.
      (doc) => session.load(doc.getText(), undefined, 'The previous training session ended with the window reload: this one starts again from the seeded weights.'),
      () => session.state.crashed(`cannot open ${specUri.fsPath}`),
    );
  }
  return session;
}

export function deactivate(): void {
  // Sessions end through context.subscriptions (their workers are terminated).
}
