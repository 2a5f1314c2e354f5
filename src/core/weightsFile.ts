/**
 * Reading a weights file from disk, for the CLI and for the worker that serves VS Code's Load
 * Weights: the file's size is checked against the network before a byte is read (see
 * checkWeightsFileSize), then it is parsed and its shapes checked against the network.
 */
import * as fs from 'node:fs';
import { budgetBytes } from './budget';
import { checkWeightsFileSize, checkWeightsShape, parseWeightsFile, WeightsError, type WeightsFile, type WeightsShape } from './weights';

/**
 * The weights in `file` (an absolute path), fitted to `spec`. Throws WeightsError naming `source`
 * (the file as the user wrote it) when the file is missing, not a regular file, too large for
 * the network or the budget, malformed, or of another shape.
 */
export function readWeightsFile(file: string, source: string, spec: WeightsShape, budget = budgetBytes()): WeightsFile {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new WeightsError(`${source}: cannot read the weights file (${describe(error)})`);
  }
  if (!stat.isFile()) throw new WeightsError(`${source}: not a regular file (a folder, pipe or device)`);
  checkWeightsFileSize(stat.size, spec, source, budget);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new WeightsError(`${source}: cannot read the weights file (${describe(error)})`);
  }
  return parseAndFit(text, source, spec);
}

/** Parses a weights file's text and checks its shapes against `spec`; WeightsError naming `source`. */
export function parseAndFit(text: string, source: string, spec: WeightsShape): WeightsFile {
  const weights = parseWeightsFile(text, source);
  try {
    checkWeightsShape(weights, spec);
  } catch (error) {
    if (error instanceof WeightsError) throw new WeightsError(`${source}: ${error.message}`);
    throw error;
  }
  return weights;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
