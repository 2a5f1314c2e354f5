/**
 * "NNSpec: Export Network…": a quick pick of the format, a save dialog, then the export written by
 * a worker thread (dist/exportWorker.js) so the extension host never waits on data loading or file
 * writing. The weights are the session's current ones when the spec has a loaded session, else the
 * seeded initial ones. Arguments (for tests and other commands): (specUri?, format?, target?).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { EXPORT_FORMATS, FORMAT_OUTPUT, type ExportFormat } from '../core/export/index';
import type { WeightsFile } from '../core/weights';
import type { ExportReply, ExportRequest } from './exportWorker';
import type { SessionManager } from './sessions';
import type { RunLog } from './runLog';
import { COMMAND } from './commandIds';

export const EXPORT_COMMAND = COMMAND.exportNetwork;

const FORMAT_PICKS: Record<ExportFormat, { label: string; detail: string }> = {
  pytorch: { label: 'PyTorch', detail: 'a folder: model.py, train.py (NNSpec’s training, also under torchrun), weights.json, data/*.npy' },
  onnx: { label: 'ONNX', detail: 'one .onnx file (opset 13) taking raw inputs as Predict does' },
  tfjs: { label: 'TensorFlow.js', detail: 'a folder: model.json (Layers format) and weights.bin, for prepared inputs' },
};

/** Where an export of `specPath` goes by default: beside the spec, `NAME.onnx` or `NAME-pytorch`/`NAME-tfjs`. */
export function defaultExportPath(specPath: string, format: ExportFormat): string {
  const base = specPath.replace(/\.nnspec$/i, '');
  const output = FORMAT_OUTPUT[format];
  return output.kind === 'file' ? base + output.extension : `${base}-${format}`;
}

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** Runs one export in a worker thread. */
export function exportInWorker(workerFile: string, request: ExportRequest): Promise<ExportReply> {
  return new Promise((resolve) => {
    const worker = new Worker(workerFile, { workerData: request });
    let replied = false;
    worker.once('message', (reply: ExportReply) => {
      replied = true;
      resolve(reply);
    });
    worker.once('error', (error) => resolve({ ok: false, message: error.message }));
    worker.once('exit', (code) => {
      if (!replied) resolve({ ok: false, message: `the export worker stopped (exit code ${code})` });
    });
  });
}

export function registerExportCommand(context: vscode.ExtensionContext, sessions: SessionManager, log: RunLog): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPORT_COMMAND, async (uriArg?: unknown, formatArg?: unknown, targetArg?: unknown) => {
      try {
        return await exportNetwork(context, sessions, log, uriArg, formatArg, targetArg);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.channel.error(`${EXPORT_COMMAND}: ${message}`);
        void vscode.window.showErrorMessage(`NNSpec: ${message}`);
        return undefined;
      }
    }),
  );
}

async function exportNetwork(
  context: vscode.ExtensionContext,
  sessions: SessionManager,
  log: RunLog,
  uriArg: unknown,
  formatArg: unknown,
  targetArg: unknown,
): Promise<string[] | undefined> {
  const specUri = uriArg instanceof vscode.Uri ? uriArg : typeof uriArg === 'string' ? vscode.Uri.file(uriArg) : activeSpec();
  if (!specUri) {
    void vscode.window.showInformationMessage('NNSpec: open a .nnspec file to export its network.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('NNSpec: exporting reads the data files the spec names, so it needs a trusted workspace.');
    return undefined;
  }
  let format: ExportFormat | undefined = isExportFormat(formatArg) ? formatArg : undefined;
  if (!format) {
    const picked = await vscode.window.showQuickPick(
      EXPORT_FORMATS.map((f) => ({ ...FORMAT_PICKS[f], format: f })),
      { title: 'Export Network', placeHolder: 'Export the network, its weights and its training as…' },
    );
    if (!picked) return undefined;
    format = picked.format;
  }
  let target = targetArg instanceof vscode.Uri ? targetArg : typeof targetArg === 'string' ? vscode.Uri.file(targetArg) : undefined;
  if (!target) {
    const output = FORMAT_OUTPUT[format];
    target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(defaultExportPath(specUri.fsPath, format)),
      filters: output.kind === 'file' ? { [FORMAT_PICKS[format].label]: [output.extension.slice(1)] } : undefined,
      title: `Export Network as ${FORMAT_PICKS[format].label}${output.kind === 'folder' ? ' (a folder)' : ''}`,
      saveLabel: 'Export',
    });
    if (!target) return undefined;
  }

  const document = await vscode.workspace.openTextDocument(specUri);
  const session = sessions.get(specUri);
  let weights: WeightsFile | undefined;
  if (session && session.loaded && session.status !== 'stopped') weights = (await session.request({ kind: 'getWeights' })).weights;
  const request: ExportRequest = {
    specText: document.getText(),
    specPath: specUri.fsPath,
    format,
    out: target.fsPath,
    weights,
    name: path.basename(specUri.fsPath).replace(/\.nnspec$/i, ''),
    assetsDir: vscode.Uri.joinPath(context.extensionUri, 'media').fsPath,
    maxParameters: vscode.workspace.getConfiguration('nnspec').get<number>('maxParameters'),
  };
  const workerFile = vscode.Uri.joinPath(context.extensionUri, 'dist', 'exportWorker.js').fsPath;
  const reply = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `NNSpec: exporting ${request.name} as ${FORMAT_PICKS[format].label}…` },
    () => exportInWorker(workerFile, request),
  );
  if (!reply.ok) throw new Error(`export of ${request.name} failed: ${reply.message}`);
  const from = weights ? `the session's weights at step ${session?.state.step ?? 0}` : 'the seeded initial weights';
  log.channel.info(`${specUri.fsPath}: exported as ${format} (${from}) to ${target.fsPath}: ${reply.written.map((f) => path.basename(f)).join(', ')}`);
  if (targetArg === undefined) void vscode.window.showInformationMessage(`NNSpec: exported ${request.name} as ${FORMAT_PICKS[format].label} (${from}) to ${path.basename(target.fsPath)}.`);
  return reply.written;
}

function activeSpec(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor && editor.document.languageId === 'nnspec' ? editor.document.uri : undefined;
}
