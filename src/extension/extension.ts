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
import { CheckpointStore } from './checkpointStore';

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
  const checkpoints = CheckpointStore.register(context, sessions);
  registerTrainingPanelSerializer(context, (specUri) => restoredSession(sessions, checkpoints, log, specUri));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('nnspec')) for (const session of sessions.all()) session.updateSettings();
    }),
  );
  return { sessions, diagnostics, health };
}

const RELOAD_ENDED = 'The previous training session ended with the window reload: this one starts again from the seeded weights.';

/**
 * A panel restored after a reload: its session, started in the background when it has none,
 * paused where its checkpoint was when the spec still says what it ran (else afresh, saying so).
 */
function restoredSession(sessions: SessionManager, checkpoints: CheckpointStore, log: RunLog, specUri: vscode.Uri): TrainingSession {
  const session = sessions.getOrCreate(specUri);
  if (!session.hasWorker && vscode.workspace.isTrusted) {
    vscode.workspace.openTextDocument(specUri).then(
      async (doc) => {
        const text = doc.getText();
        const found = await checkpoints.restorable(specUri, text);
        if (found.ok) {
          await session.load(text, found.weights, undefined, found.restore);
          if (session.status !== 'error') {
            log.channel.info(`${specUri.fsPath}: resumed after the reload, paused at step ${found.restore.resume.step}`);
            return;
          }
          log.channel.warn(`${specUri.fsPath}: the checkpoint did not load (${session.state.message ?? 'unknown error'}); starting afresh`);
        } else if (found.reason !== 'no checkpoint') {
          log.channel.info(`${specUri.fsPath}: not resumed after the reload: ${found.reason}`);
        }
        await session.load(text, undefined, RELOAD_ENDED);
      },
      () => session.state.crashed(`cannot open ${specUri.fsPath}`),
    );
  }
  return session;
}

export function deactivate(): void {
  // Sessions end through context.subscriptions (their workers are terminated).
}
