/** `nnspec export SPEC --format onnx|pytorch|tfjs --out PATH [--weights IN.json]`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultAssetsDir } from '../core/project';
import { EXPORT_FORMATS, exportFiles, FORMAT_OUTPUT, writeExport, type ExportFormat } from '../core/export/index';
import type { ParsedCommand } from './args';
import { applyWeightsFile, describeFsError, loadSpecOrFail, memoryOption } from './common';
import { networkName } from './describe';
import { CliError, EXIT_OK, type CliIO } from './io';

export function exportCommand(io: CliIO, parsed: ParsedCommand): number {
  const given = parsed.positionals[0];
  const format = parsed.values.format;
  if (typeof format !== 'string') throw new CliError(`export: --format is required: ${EXPORT_FORMATS.join(', ')}`, 2);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`export: --format '${format}' is not one of ${EXPORT_FORMATS.join(', ')}`, 2);
  }
  const outGiven = parsed.values.out;
  const output = FORMAT_OUTPUT[format as ExportFormat];
  if (typeof outGiven !== 'string') {
    throw new CliError(`export: --out is required: ${output.kind === 'file' ? `the ${output.extension} file` : 'the folder'} to write`, 2);
  }
  const out = path.resolve(io.cwd, outGiven);
  checkOut(out, outGiven, output.kind);

  const project = loadSpecOrFail(io, given, { memoryBudgetMB: memoryOption(parsed.values) });
  if (typeof parsed.values.weights === 'string') applyWeightsFile(io, project, parsed.values.weights, given);
  const weights = project.trainer.getWeights();
  const files = exportFiles(format as ExportFormat, project, weights, { name: networkName(project.spec, given), assetsDir: defaultAssetsDir() });
  try {
    writeExport(files, out);
  } catch (error) {
    throw new CliError(`export: cannot write '${outGiven}': ${describeFsError(error)}`, 2);
  }
  const from = typeof parsed.values.weights === 'string' ? `the weights of ${parsed.values.weights}` : 'the seeded initial weights';
  if (output.kind === 'file') io.stdout.write(`wrote ${outGiven} (${format}, ${from})\n`);
  else io.stdout.write(`wrote ${files.length} files to ${outGiven}${path.sep} (${format}, ${from}): ${files.map((f) => f.path).join(', ')}\n`);
  if (format === 'pytorch') io.stdout.write(`run it: cd ${outGiven} && python3 train.py   (or: torchrun --nproc_per_node=2 train.py)\n`);
  return EXIT_OK;
}

/** The output's parent folder must exist; a folder format refuses a file, a file format a folder. */
function checkOut(out: string, given: string, kind: 'file' | 'folder'): void {
  const parent = path.dirname(out);
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) {
    throw new CliError(`export: cannot write '${given}': the folder ${path.dirname(given)} does not exist`, 2);
  }
  if (!fs.existsSync(out)) return;
  const isFolder = fs.statSync(out).isDirectory();
  if (kind === 'folder' && !isFolder) throw new CliError(`export: --out '${given}' is a file; this format writes a folder`, 2);
  if (kind === 'file' && isFolder) throw new CliError(`export: --out '${given}' is a folder; this format writes one file`, 2);
}
