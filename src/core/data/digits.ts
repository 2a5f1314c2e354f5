/**
 * The built-in `digits`: 10,000 real MNIST digits (28 × 28), read from `${assetsDir}/data/digits.bin`,
 * which scripts/build-digits.mjs makes at build time from the MIT-licensed `mnist` package
 * (licence and attribution: media/data/MNIST-LICENSE.txt).
 *
 * File layout (little-endian): "NNDG", uint32 version 1, uint32 count, uint16 rows, uint16 cols,
 * then count × rows × cols uint8 pixels (image after image, each row-major, top row first),
 * then count uint8 labels. The images are in a fixed shuffled order, so the first n are a mix of
 * all ten classes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classTargets, indexNames } from './targets';
import { DataError, type DataContext, type Dataset } from './types';

const MAGIC = 'NNDG';
const VERSION = 1;
const HEADER_BYTES = 16;

/** Where the built digits live under the assets (media/) folder. */
export function digitsPath(assetsDir: string): string {
  return join(assetsDir, 'data', 'digits.bin');
}

/**
 * Inputs are the pixels scaled to [0, 1] (784 per sample, row-major), targets one-hot over the
 * ten classes '0'..'9'. n= takes the first n samples.
 */
export function loadDigits(spec: { n?: number; noise?: number }, ctx: Pick<DataContext, 'assetsDir'>): Dataset {
  if (spec.noise !== undefined) throw new DataError(`'digits' takes no noise= option (only n=, the number of digits to use)`);
  const path = digitsPath(ctx.assetsDir);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DataError(`the built-in digits are not built: run \`npm run build\` (${path} is missing)`, { file: path });
    }
    throw new DataError(`cannot read the built-in digits (${path}): ${(error as Error).message}`, { file: path });
  }
  const damaged = (what: string): DataError =>
    new DataError(`the built-in digits file is damaged (${what}): run \`npm run build\` to rebuild ${path}`, { file: path });
  if (bytes.length < HEADER_BYTES || bytes.toString('ascii', 0, 4) !== MAGIC) throw damaged('no NNDG header');
  const version = bytes.readUInt32LE(4);
  if (version !== VERSION) throw damaged(`format version ${version}, expected ${VERSION}`);
  const total = bytes.readUInt32LE(8);
  const rows = bytes.readUInt16LE(12);
  const cols = bytes.readUInt16LE(14);
  const size = rows * cols;
  const expected = HEADER_BYTES + total * size + total;
  if (bytes.length !== expected) throw damaged(`${bytes.length} bytes, expected ${expected}`);

  const count = spec.n ?? total;
  if (!Number.isInteger(count) || count < 1 || count > total) {
    throw new DataError(`'digits': n=${spec.n} is not a number of digits from 1 to ${total}`);
  }
  const inputs = new Float32Array(count * size);
  for (let i = 0; i < inputs.length; i++) inputs[i] = bytes[HEADER_BYTES + i] / 255;
  const labelsAt = HEADER_BYTES + total * size;
  const labels = bytes.subarray(labelsAt, labelsAt + count);
  for (let i = 0; i < count; i++) if (labels[i] > 9) throw damaged(`label ${labels[i]} at sample ${i}`);
  return {
    name: 'digits',
    count,
    inputSize: size,
    outputSize: 10,
    inputs,
    targets: classTargets(labels, 10),
    task: 'classification',
    classNames: indexNames(10),
    imageShape: [rows, cols],
  };
}
