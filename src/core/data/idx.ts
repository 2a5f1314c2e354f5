/**
 * MNIST's IDX format: `data "train-images-idx3-ubyte" labels="train-labels-idx1-ubyte" [n=N]`,
 * either file plain or gzipped (.gz, detected by its first bytes 1f 8b, not by its name).
 *
 * Images: big-endian uint32 magic 0x00000803 (unsigned bytes, 3 dimensions), count, rows, cols,
 * then count × rows × cols pixels, image after image, each row-major. Labels: magic 0x00000801,
 * count, then count bytes. Pixels become inputs in [0, 1] (p / 255); labels one-hot over
 * ctx.outputSize classes when the network has more than one output, else over max(10, max label + 1);
 * with a single output, labels 0/1 give a binary set and others a regression on the label value.
 */
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readDataFile, resolveDataFile, type DataFile } from './files';
import { classTargets, indexNames } from './targets';
import { DataError, type DataContext, type Dataset } from './types';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

interface IdxContent {
  /** count, then the other dimensions */
  dims: number[];
  /** The bytes after the header. */
  data: Buffer;
}

export function loadIdx(spec: { images: string; labels: string; n?: number }, ctx: DataContext): Dataset {
  const imagesFile = resolveDataFile(spec.images, ctx.baseDir);
  const labelsFile = resolveDataFile(spec.labels, ctx.baseDir);
  const images = readIdx(imagesFile, IDX_IMAGES_MAGIC, 'images');
  const labels = readIdx(labelsFile, IDX_LABELS_MAGIC, 'labels');
  const [imageCount, rows, cols] = images.dims;
  const [labelCount] = labels.dims;
  if (imageCount !== labelCount) {
    throw new DataError(
      `'${imagesFile.written}' holds ${imageCount} images but '${labelsFile.written}' holds ${labelCount} labels: they must be the same set`,
      { file: labelsFile.path },
    );
  }
  if (imageCount === 0) throw new DataError(`'${imagesFile.written}' holds no images`, { file: imagesFile.path });
  const count = spec.n ?? imageCount;
  if (!Number.isInteger(count) || count < 1 || count > imageCount) {
    throw new DataError(`n=${spec.n} is not a number of images from 1 to ${imageCount} (what '${imagesFile.written}' holds)`, {
      file: imagesFile.path,
    });
  }

  const size = rows * cols;
  const inputs = new Float32Array(count * size);
  for (let i = 0; i < inputs.length; i++) inputs[i] = images.data[i] / 255;
  const classes = labels.data.subarray(0, count);
  let maxLabel = 0;
  for (const label of classes) if (label > maxLabel) maxLabel = label;

  const outputSize = ctx.outputSize;
  let labelled: Pick<Dataset, 'outputSize' | 'targets' | 'task' | 'classNames'>;
  if (outputSize === 1) {
    const binary = maxLabel <= 1;
    labelled = {
      outputSize: 1,
      targets: Float32Array.from(classes),
      task: binary ? 'binary' : 'regression',
      ...(binary ? { classNames: ['0', '1'] } : {}),
    };
  } else {
    const width = outputSize ?? Math.max(10, maxLabel + 1);
    const bad = classes.findIndex((label) => label >= width);
    if (bad >= 0) {
      throw new DataError(
        `'${labelsFile.written}': label ${classes[bad]} of image ${bad + 1} is not a class index from 0 to ${width - 1} (the network has ${width} outputs)`,
        { file: labelsFile.path },
      );
    }
    labelled = { outputSize: width, targets: classTargets(classes, width), task: 'classification', classNames: indexNames(width) };
  }
  return { name: basename(imagesFile.written), count, inputSize: size, inputs, imageShape: [rows, cols], ...labelled };
}

/** Reads, un-gzips and checks one IDX file of unsigned bytes with the expected magic. */
function readIdx(file: DataFile, magic: number, role: 'images' | 'labels'): IdxContent {
  const fail = (message: string): never => {
    throw new DataError(`${role} file '${file.written}': ${message}`, { file: file.path });
  };
  let bytes = readDataFile(file, `IDX ${role} file`);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      fail(`it starts like a gzip file but cannot be decompressed (${(error as Error).message})`);
    }
  }
  const dimensions = magic & 0xff;
  const headerBytes = 4 + 4 * dimensions;
  if (bytes.length < 4) fail(`${bytes.length === 0 ? 'the file is empty' : `only ${bytes.length} bytes`}: not an IDX file`);
  const found = bytes.readUInt32BE(0);
  if (found !== magic) {
    const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;
    let why = 'not an IDX file';
    if (found >>> 16 === 0 && (found & 0xff) >= 1 && (found & 0xff) <= 4) {
      const type = (found >>> 8) & 0xff;
      if (type !== 0x08) why = `IDX of element type 0x${type.toString(16).padStart(2, '0')}; only unsigned bytes (0x08) are supported`;
      else if (found === IDX_LABELS_MAGIC && role === 'images') why = 'this is a labels file (1 dimension): are images and labels swapped?';
      else if (found === IDX_IMAGES_MAGIC && role === 'labels') why = 'this is an images file (3 dimensions): are images and labels swapped?';
      else why = `IDX with ${found & 0xff} dimensions, expected ${dimensions}`;
    }
    fail(`magic number ${hex(found)}, expected ${hex(magic)} (${role === 'images' ? 'images: unsigned bytes, count × rows × cols' : 'labels: unsigned bytes, count'}) — ${why}`);
  }
  if (bytes.length < headerBytes) fail(`truncated header: ${bytes.length} bytes, an IDX ${role} header has ${headerBytes}`);
  const dims: number[] = [];
  for (let d = 0; d < dimensions; d++) dims.push(bytes.readUInt32BE(4 + 4 * d));
  if (role === 'images' && (dims[1] === 0 || dims[2] === 0)) fail(`images of ${dims[1]}×${dims[2]} pixels`);
  const expected = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerBytes;
  const what = role === 'images' ? `bytes of pixels (${dims[0]} images of ${dims[1]}×${dims[2]})` : `bytes of labels`;
  if (have < expected) fail(`truncated: expected ${expected} ${what}, file has ${have}`);
  if (have > expected) fail(`expected ${expected} ${what}, file has ${have - expected} byte${have - expected === 1 ? '' : 's'} more`);
  return { dims, data: bytes.subarray(headerBytes) };
}
