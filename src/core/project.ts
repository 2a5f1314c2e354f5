/**
 * A project: one `.nnspec` file made ready to train. Parses the text, loads its data (paths
 * relative to the spec's folder), checks the network against the data, prepares the data
 * (validation split, normalisation) and creates the trainer.
 *
 * Used by the CLI and by the VS Code training worker alike, so it is pure (node:fs through the
 * loaders, no `vscode`). It never throws: every failure comes back as diagnostics with ranges
 * in the spec, plus a one-line message.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic, NetworkSpec, ParseResult, Range } from './spec';
import type { Dataset } from './data/types';
import { DataError } from './data/types';
import { prepareData, validationCountOf, type PreparedData } from './data/prepare';
import { budgetBytes, trainingMemoryDiagnostic } from './budget';
import type { Trainer } from './engine/types';
import { parseSpec, checkAgainstData } from './lang/index';
import { loadDataset } from './data/index';
import { createTrainer } from './engine/index';
import { applyFeatures } from './features';

export interface ProjectOptions {
  /** The package's/extension's `media/` folder (the built-in digits live in media/data/). */
  assetsDir: string;
  /** Refuse networks with more trainable parameters than this (the parser's default when absent). */
  maxParameters?: number;
  /** Overrides the spec's `epochs` (the CLI's --epochs). */
  epochs?: number;
  /** The memory budget in MB (MiB) for data and trainer (src/core/budget.ts); default 2048. */
  memoryBudgetMB?: number;
}

export interface LoadedProject {
  ok: true;
  parse: ParseResult;
  /** The spec the trainer runs: `parse.spec` with the options' overrides applied. */
  spec: NetworkSpec;
  /** The data as loaded (with `features`: the raw 2-D points; `prepared` holds the features). */
  dataset: Dataset;
  prepared: PreparedData;
  trainer: Trainer;
  /** Warnings (and infos) of the parse and the data check: no errors when ok. */
  diagnostics: Diagnostic[];
}

export interface FailedProject {
  ok: false;
  parse?: ParseResult;
  /** Every problem found, errors included; may be empty for failures that have no place in the spec. */
  diagnostics: Diagnostic[];
  /** One line for a status bar or a log: "2 errors in the spec", "the data cannot be loaded: …". */
  message: string;
}

export type ProjectResult = LoadedProject | FailedProject;

const WHOLE_FIRST_LINE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Parses, loads the data, checks, prepares and creates the trainer; never throws. */
export function loadProject(specText: string, specPath: string, options: ProjectOptions): ProjectResult {
  let parse: ParseResult | undefined;
  const diagnostics: Diagnostic[] = [];
  try {
    const parsed: ParseResult = parseSpec(specText, options.maxParameters === undefined ? undefined : { maxParameters: options.maxParameters });
    parse = parsed;
    // A loop, not push(...): spreading 130,000 arguments overflows the stack.
    for (const d of parsed.diagnostics) diagnostics.push(d);
    if (hasErrors(diagnostics)) return failed(parsed, diagnostics, countErrors(diagnostics) + ' in the spec');

    const spec: NetworkSpec = options.epochs === undefined ? parsed.spec : { ...parsed.spec, epochs: options.epochs };
    if (!spec.data) {
      // The parser reports a missing `data` line; this is only a guard.
      diagnostics.push({
        severity: 'error',
        range: WHOLE_FIRST_LINE,
        message: 'the spec has no `data` statement',
        hint: 'add one, e.g. `data xor`',
        code: 'missing-data',
      });
      return failed(parsed, diagnostics, 'the spec has no data');
    }

    const baseDir = path.dirname(path.resolve(specPath));
    const memoryBudget = budgetBytes(options.memoryBudgetMB);
    const outputSize = spec.layers.length > 0 ? spec.layers[spec.layers.length - 1].units : undefined;
    let dataset: Dataset;
    try {
      dataset = loadDataset(spec.data, { baseDir, assetsDir: options.assetsDir, seed: spec.seed, outputSize, memoryBudget });
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      const message = describeDataError(error, baseDir);
      diagnostics.push({ severity: 'error', range: spec.data.range, message, code: 'data-error' });
      return failed(parsed, diagnostics, 'the data cannot be loaded: ' + message);
    }

    for (const d of checkAgainstData(spec, dataset, parsed.statements)) diagnostics.push(d);
    if (hasErrors(diagnostics)) {
      return failed(parsed, diagnostics, `${countErrors(diagnostics)}: the network does not fit the data`);
    }
    if (dataset.count === 0) {
      diagnostics.push({ severity: 'error', range: spec.data.range, message: `the data set ${dataset.name} has no samples`, code: 'data-empty' });
      return failed(parsed, diagnostics, `the data set ${dataset.name} has no samples`);
    }

    // Before the prepared copy and the trainer's buffers are allocated: do they fit the budget?
    const memory = trainingMemoryDiagnostic(spec, spec.features ? { ...dataset, inputSize: spec.features.length } : dataset, validationCountOf(dataset.count, spec.validation), parsed.byKeyword, memoryBudget);
    if (memory) {
      diagnostics.push(memory);
      return failed(parsed, diagnostics, memory.message);
    }

    // With `features` the network sees them, not (x1, x2); `dataset` keeps the raw plane.
    const seen = spec.features ? applyFeatures(dataset, spec.features) : dataset;
    const prepared = prepareData(seen, { validation: spec.validation, normalize: spec.normalize, seed: spec.seed });
    const trainer = createTrainer(spec, prepared);
    return { ok: true, parse: parsed, spec, dataset, prepared, trainer, diagnostics };
  } catch (error) {
    // A bug in a loader or the engine: report it rather than take the host down.
    const detail = error instanceof Error ? error.message : String(error);
    return failed(parse, diagnostics, 'internal error: ' + detail);
  }
}

/**
 * The package's `media/` folder: found by walking up from this module's folder to the package
 * root (works from dist/*.js bundles and from src/core/project.ts under vitest).
 */
export function defaultAssetsDir(): string {
  const start = typeof __dirname === 'string' ? __dirname : process.cwd();
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'media'))) {
      return path.join(dir, 'media');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(start, '..', 'media');
    dir = parent;
  }
}

/**
 * "iris.csv:14:3: 'abc' is not a number": the data error with where it happened, the file named
 * relative to the spec's folder. Loaders may already put the place in the message; it is not repeated.
 */
export function describeDataError(error: DataError, baseDir: string): string {
  const { file, row, column } = error.where;
  if (!file) return error.message;
  const shown = path.isAbsolute(file) ? path.relative(baseDir, file) || file : file;
  const name = shown.startsWith('..') ? file : shown;
  if (error.message.includes(name) || error.message.includes(path.basename(file))) return error.message;
  const place = row === undefined ? name : column === undefined ? `${name}:${row}` : `${name}:${row}:${column}`;
  return `${place}: ${error.message}`;
}

function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

function countErrors(diagnostics: readonly Diagnostic[]): string {
  const n = diagnostics.filter((d) => d.severity === 'error').length;
  return n === 1 ? '1 error' : `${n} errors`;
}

function failed(parse: ParseResult | undefined, diagnostics: Diagnostic[], message: string): FailedProject {
  return parse ? { ok: false, parse, diagnostics, message } : { ok: false, diagnostics, message };
}
