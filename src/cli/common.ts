/** What the commands share: reading files, loading the project, reporting diagnostics. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/spec';
import { formatDiagnostic } from '../core/lang/index';
import { defaultAssetsDir, loadProject, type LoadedProject } from '../core/project';
import { checkWeightsFileSize, checkWeightsShape, parseWeightsFile, WeightsError, type WeightsFile } from '../core/weights';
import { budgetBytes, parseBudgetMB } from '../core/budget';
import { defaultTrainingThreads, parseThreads } from '../core/engine/threadPool';
import { MAX_WEIGHTS_BYTES, describeFsError, readInputFile } from './files';
import { CliError, type CliIO } from './io';

export { describeFsError, readInputFile } from './files';

/** `FILE:LINE:COL: error|warning: message (hint)`, FILE exactly as given on the command line. */
export function printDiagnostics(write: (text: string) => void, given: string, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) write(formatDiagnostic(given, d) + '\n');
}

export interface LoadOptions {
  epochs?: number;
  /** --memory MB: the memory budget (src/core/budget.ts). */
  memoryBudgetMB?: number;
}

/** The `--memory MB` option's value, if given; a value that is not a budget is a usage error (exit 2). */
/** --threads N|auto (train): the number of training threads; absent: auto (threadPool.ts defaultTrainingThreads). */
export function threadsOption(values: Record<string, string | boolean | undefined>): number {
  if (typeof values.threads !== 'string') return defaultTrainingThreads();
  const parsed = parseThreads(values.threads.trim());
  if ('error' in parsed) throw new CliError(`--threads: ${parsed.error}`, 2);
  return parsed.threads;
}

export function memoryOption(values: Record<string, string | boolean | undefined>): number | undefined {
  if (typeof values.memory !== 'string') return undefined;
  const parsed = parseBudgetMB(values.memory);
  if ('error' in parsed) throw new CliError(`--memory: ${parsed.error}`, 2);
  return parsed.mb;
}

/**
 * Reads and loads a spec for train, gradients and predict. Errors (the spec's or the data's)
 * go to stderr as diagnostics and end the command with exit 1; warnings are printed and it goes on.
 */
export function loadSpecOrFail(io: CliIO, given: string, options: LoadOptions = {}): LoadedProject {
  const text = readInputFile(io, given, 'the spec');
  const project = loadProject(text, path.resolve(io.cwd, given), { assetsDir: defaultAssetsDir(), epochs: options.epochs, memoryBudgetMB: options.memoryBudgetMB });
  const write = (s: string): void => void io.stderr.write(s);
  if (!project.ok) {
    printDiagnostics(write, given, project.diagnostics);
    throw new CliError(`${given}: ${project.message}`, 1);
  }
  printDiagnostics(
    write,
    given,
    project.diagnostics.filter((d) => d.severity !== 'info'),
  );
  return project;
}

/** Reads a weights file and puts it into the trainer; malformed or misfitting files are exit 2. */
export function applyWeightsFile(io: CliIO, project: LoadedProject, given: string, specGiven: string, memoryBudgetMB?: number): WeightsFile {
  // Its size first: a file far larger than this network's weights can be is refused unread.
  let size: number;
  try {
    const stat = fs.statSync(path.resolve(io.cwd, given));
    size = stat.isFile() ? stat.size : 0;
  } catch (error) {
    throw new CliError(`cannot read the weights file '${given}': ${describeFsError(error)}`, 2);
  }
  try {
    checkWeightsFileSize(size, project.spec, given, budgetBytes(memoryBudgetMB));
  } catch (error) {
    if (error instanceof WeightsError) throw new CliError(`${error.message}\n(the weights must fit the network of ${specGiven})`, 2);
    throw error;
  }
  const text = readInputFile(io, given, 'the weights file', MAX_WEIGHTS_BYTES);
  let weights: WeightsFile;
  try {
    weights = parseWeightsFile(text, given);
  } catch (error) {
    if (error instanceof WeightsError) throw new CliError(error.message.includes(given) ? error.message : `${given}: ${error.message}`, 2);
    throw error;
  }
  try {
    checkWeightsShape(weights, project.spec);
    project.trainer.setWeights(weights);
  } catch (error) {
    if (error instanceof WeightsError) {
      throw new CliError(`${given}: ${error.message}\n(the weights must fit the network of ${specGiven})`, 2);
    }
    throw error;
  }
  return weights;
}
