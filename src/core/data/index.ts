/**
 * Data sets: `loadDataset(spec.data, ctx)` turns a `data` statement into a Dataset in memory
 * (synchronous, node:fs). Everything that can be wrong with the data throws a DataError whose
 * message says what and where (file, 1-based row and column).
 *
 *   builtin  xor | and | or | circle | spiral | moons | gaussians | sine   builtin.ts
 *            digits (10,000 MNIST digits, built into media/data/digits.bin) digits.ts
 *   csv      "file.csv" label=last|first|NAME header=true|false           csv.ts
 *   idx      "images-idx3-ubyte[.gz]" labels="labels-idx1-ubyte[.gz]" n=N  idx.ts
 *   inline   rows `x… -> y…`                                               inline.ts
 */
import type { DataSpec } from '../spec';
import { generateBuiltin } from './builtin';
import { loadCsv } from './csv';
import { loadDigits } from './digits';
import { loadIdx } from './idx';
import { loadInline } from './inline';
import { DataError, type DataContext, type Dataset } from './types';

export * from './types';
export * from './prepare';
export { GENERATED_SETS, MAX_GENERATED_SAMPLES, type GeneratedSetInfo } from './builtin';
export { digitsPath } from './digits';
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx';

/** Loads the data a `data` statement names. Throws DataError. */
export function loadDataset(spec: DataSpec, ctx: DataContext): Dataset {
  switch (spec.kind) {
    case 'builtin':
      return spec.name === 'digits' ? loadDigits(spec, ctx) : generateBuiltin({ ...spec, name: spec.name }, ctx);
    case 'csv':
      return loadCsv(spec, ctx);
    case 'idx':
      return loadIdx(spec, ctx);
    case 'inline':
      return loadInline(spec);
  }
  // A DataSpec from outside the type system (a message, a plugin): say so rather than return undefined.
  throw new DataError(`unknown kind of data '${(spec as { kind?: unknown }).kind}'`);
}

/**
 * One line for logs and the panel:
 * "digits: 10000 samples, 784 inputs (28×28), 10 classes",
 * "circle: 200 samples, 2 inputs, 2 classes (binary: outside/inside)", "sine: 200 samples, 1 input, 1 output (regression)".
 */
export function describeDataset(d: Dataset): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
  const shape = d.imageShape ? ` (${d.imageShape[0]}×${d.imageShape[1]})` : '';
  let what: string;
  if (d.task === 'classification') what = plural(d.outputSize, 'class');
  else if (d.task === 'binary') what = `2 classes (binary${d.classNames ? `: ${d.classNames.join('/')}` : ''})`;
  else what = `${plural(d.outputSize, 'output')} (regression)`;
  return `${d.name}: ${plural(d.count, 'sample')}, ${plural(d.inputSize, 'input')}${shape}, ${what}`;
}
