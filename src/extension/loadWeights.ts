/**
 * Load Weights' reading, off the extension host's thread: the file's size is checked against
 * the network first (a file far larger than its weights can be is refused unread), then it is
 * read and parsed in the weights-reader worker (weightsWorker.ts). Files on a virtual file system
 * are read through vscode.workspace.fs (asynchronous) and only parsed in the worker.
 */
import * as vscode from 'vscode';
import { budgetBytes } from '../core/budget';
import { checkWeightsFileSize, WeightsError, type PackedWeights } from '../core/weights';
import type { SessionInfo } from '../protocol';
import { workerSettings } from './sessions';
import { readWeightsInWorker } from './weightsReader';

/** The weights in `source`, fitted to the session's network; WeightsError saying what is wrong (without the file name). */
export async function readWeightsOffHost(extensionUri: vscode.Uri, source: vscode.Uri, name: string, info: SessionInfo): Promise<PackedWeights> {
  const shape = { input: { size: info.inputSize }, layers: info.layers };
  const memoryBudget = budgetBytes(workerSettings().memoryBudgetMB);
  const script = vscode.Uri.joinPath(extensionUri, 'dist', 'weightsWorker.js').fsPath;
  try {
    if (source.scheme === 'file') {
      return await readWeightsInWorker(script, { type: 'readFile', file: source.fsPath, source: name, shape, memoryBudget });
    }
    checkWeightsFileSize((await vscode.workspace.fs.stat(source)).size, shape, name, memoryBudget);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
    return await readWeightsInWorker(script, { type: 'parseText', text, source: name, shape, memoryBudget });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WeightsError(message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message);
  }
}
