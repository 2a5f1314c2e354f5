/**
 * `nnspec export`: a loaded project and its weights as PyTorch (a folder), ONNX (one file) or
 * TensorFlow.js (a folder). exportFiles() makes the files in memory; writeExport() puts them on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedProject } from '../project';
import type { WeightsFile } from '../weights';
import { exportedNetwork, type ExportFile, type ExportFormat } from './network';
import { onnxModel } from './onnx';
import { pytorchFiles } from './pytorch';
import { tfjsFiles } from './tfjs';

export { EXPORT_FORMATS, exportedNetwork, prepareInputs, type ExportFile, type ExportFormat, type ExportedNetwork } from './network';

/** What each format writes: a folder, or one file (its usual extension). */
export const FORMAT_OUTPUT: Record<ExportFormat, { kind: 'folder' } | { kind: 'file'; extension: string }> = {
  pytorch: { kind: 'folder' },
  onnx: { kind: 'file', extension: '.onnx' },
  tfjs: { kind: 'folder' },
};

export interface ExportOptions {
  /** The network's name in the files (`network NAME`, else the spec file's base name). */
  name: string;
  /** The package's media/ folder (PyTorch templates). */
  assetsDir: string;
}

/** The files of one export; for a one-file format a single file with path ''. */
export function exportFiles(format: ExportFormat, project: Pick<LoadedProject, 'spec' | 'prepared'>, weights: WeightsFile, options: ExportOptions): ExportFile[] {
  const network = exportedNetwork(project.spec, weights, project.prepared, options.name);
  switch (format) {
    case 'pytorch':
      return pytorchFiles({ network, spec: project.spec, prepared: project.prepared, weights, assetsDir: options.assetsDir });
    case 'onnx':
      return [{ path: '', data: onnxModel(network) }];
    case 'tfjs':
      return tfjsFiles(network);
  }
}

/**
 * Writes the files under `out` (a folder, made when missing; its parent must exist) or as `out`
 * itself for a one-file format. Each file goes to a temporary name first and is renamed, so a
 * failure never leaves half a file. Returns the paths written.
 */
export function writeExport(files: readonly ExportFile[], out: string): string[] {
  const written: string[] = [];
  for (const file of files) {
    const target = file.path === '' ? out : path.join(out, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, file.data);
    fs.renameSync(temporary, target);
    written.push(target);
  }
  return written;
}
