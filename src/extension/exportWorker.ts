/**
 * The export's worker thread (dist/exportWorker.js): loads the spec's project (its data, the
 * validation split, the normalisation), takes the given weights or the seeded initial ones, and
 * writes the export, off the extension host's thread. One request in workerData, one reply posted:
 *   ExportRequest → { ok: true, written: string[] } | { ok: false, message }
 * No `vscode` here: plain core code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exportFiles, writeExport, type ExportFormat } from '../core/export/index';
import { loadProject } from '../core/project';
import { checkWeightsShape, WeightsError, type WeightsFile } from '../core/weights';

export interface ExportRequest {
  specText: string;
  specPath: string;
  format: ExportFormat;
  /** The folder or .onnx file to write. */
  out: string;
  /** The session's current weights; absent: the seeded initial ones. */
  weights?: WeightsFile;
  name: string;
  assetsDir: string;
  maxParameters?: number;
}

export type ExportReply = { ok: true; written: string[] } | { ok: false; message: string };

export function runExport(request: ExportRequest): ExportReply {
  const project = loadProject(request.specText, request.specPath, { assetsDir: request.assetsDir, maxParameters: request.maxParameters });
  if (!project.ok) return { ok: false, message: `the spec does not load: ${project.message}` };
  try {
    if (request.weights) {
      checkWeightsShape(request.weights, project.spec);
      project.trainer.setWeights(request.weights);
    }
    const name = project.spec.name ?? request.name;
    const files = exportFiles(request.format, project, project.trainer.getWeights(), { name, assetsDir: request.assetsDir });
    return { ok: true, written: writeExport(files, request.out) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message: error instanceof WeightsError ? `the session's weights do not fit the spec as it is now: ${message}` : message };
  }
}

if (parentPort) parentPort.postMessage(runExport(workerData as ExportRequest));
