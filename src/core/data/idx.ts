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
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { kMaxLength } from 'node:buffer';
import { budgetBytes, formatBytes, formatCount, overBudget, RAISE_BUDGET, type BudgetPart } from '../budget';
import { dataFileSize, readDataFile, readDataFileStart, resolveDataFile, type DataFile } from './files';
import { classTargets, indexNames } from './targets';
import { DataError, type DataContext, type Dataset } from './types';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

/** Compressed bytes read to find a gzipped file's header (≤ ~4 MB once inflated); more only when that is not enough. */
const GZIP_PEEK_BYTES = 4096;
/** A gzipped file may inflate to this many bytes beyond its header's count before it is refused as too long. */
const GZIP_SLACK_BYTES = 65536;

/** What an IDX file's header says, read before the rest of the file. */
interface IdxHeader {
  file: DataFile;
  role: 'images' | 'labels';
  /** count, then the other dimensions */
  dims: number[];
  /** Bytes of the header: 4 + 4 × dimensions. */
  headerBytes: number;
  /** Bytes after the header the header promises: the product of dims. */
  expected: number;
  gzip: boolean;
  /** Size of the file on disk (compressed when gzip). */
  fileBytes: number;
}

interface IdxContent {
  /** count, then the other dimensions */
  dims: number[];
  /** The bytes after the header. */
  data: Buffer;
}

export function loadIdx(spec: { images: string; labels: string; n?: number }, ctx: DataContext): Dataset {
  const imagesFile = resolveDataFile(spec.images, ctx.baseDir);
  const labelsFile = resolveDataFile(spec.labels, ctx.baseDir);
  const imagesHeader = readIdxHeader(imagesFile, IDX_IMAGES_MAGIC, 'images');
  const labelsHeader = readIdxHeader(labelsFile, IDX_LABELS_MAGIC, 'labels');
  const [imageCount, rows, cols] = imagesHeader.dims;
  const [labelCount] = labelsHeader.dims;
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
  // Before anything large is read: the file bytes, what they inflate to, and the 32-bit floats.
  const width = ctx.outputSize !== undefined && ctx.outputSize > 1 ? ctx.outputSize : ctx.outputSize === 1 ? 1 : 10;
  const parts: BudgetPart[] = [
    ...loadParts(imagesHeader, 'pixels'),
    ...loadParts(labelsHeader, 'labels'),
    { what: 'pixels as 32-bit floats', bytes: 4 * count * size },
    { what: 'targets', bytes: 4 * count * width },
  ];
  const over = overBudget(parts, ctx.memoryBudget ?? budgetBytes());
  if (over) {
    throw new DataError(
      `'${imagesFile.written}' holds ${formatCount(imageCount)} images of ${rows}×${cols}: loading ${count === imageCount ? 'them' : `${formatCount(count)} of them`} ${over}; ` +
        `take fewer with n=…, or ${RAISE_BUDGET}`,
      { file: imagesFile.path },
    );
  }
  const images = readIdx(imagesHeader);
  const labels = readIdx(labelsHeader);
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

/** The bytes loading one file holds at its peak: the file (when gzipped) and its content. */
function loadParts(header: IdxHeader, what: string): BudgetPart[] {
  const content = header.headerBytes + header.expected;
  return header.gzip
    ? [
        { what: `${what} compressed`, bytes: header.fileBytes },
        // Twice: gunzip gathers the inflated chunks, then joins them into one buffer.
        { what: `${what} inflated (${formatBytes(content)}, twice while its pieces are joined)`, bytes: 2 * content },
      ]
    : [{ what: what, bytes: content }];
}

function failer(file: DataFile, role: string): (message: string) => never {
  return (message) => {
    throw new DataError(`${role} file '${file.written}': ${message}`, { file: file.path });
  };
}

/**
 * Reads and checks an IDX file's header (magic, dimensions) and, for a plain file, that its size
 * is what the header promises — without reading the rest. A gzipped file's header comes from
 * inflating only its first few kilobytes.
 */
function readIdxHeader(file: DataFile, magic: number, role: 'images' | 'labels'): IdxHeader {
  const fail = failer(file, role);
  const fileBytes = dataFileSize(file, `IDX ${role} file`);
  const dimensions = magic & 0xff;
  const headerBytes = 4 + 4 * dimensions;
  let bytes = readDataFileStart(file, Math.min(fileBytes, GZIP_PEEK_BYTES), `IDX ${role} file`);
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (gzip) {
    const inflateStart = (compressed: Buffer, whole: boolean): Buffer => {
      try {
        // A prefix of the stream: flush what it holds instead of failing at its cut-off end.
        // (Deflate inflates at most ~1032:1, so a few kilobytes give a few megabytes at most.)
        return gunzipSync(compressed, whole ? {} : { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch (error) {
        return fail(`it starts like a gzip file but cannot be decompressed (${(error as Error).message})`);
      }
    };
    let inflated = inflateStart(bytes, bytes.length === fileBytes);
    if (inflated.length < headerBytes && bytes.length < fileBytes) {
      // A long file name or comment in the gzip header: read more of the stream.
      bytes = readDataFileStart(file, Math.min(fileBytes, 64 * GZIP_PEEK_BYTES), `IDX ${role} file`);
      inflated = inflateStart(bytes, bytes.length === fileBytes);
    }
    bytes = inflated;
  }
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
  const header: IdxHeader = { file, role, dims, headerBytes, expected, gzip, fileBytes };
  if (!gzip) checkLength(header, fileBytes - headerBytes);
  return header;
}

/** Fails unless `have` bytes after the header are what the header promises. */
function checkLength(header: IdxHeader, have: number, atLeast = false): void {
  const { dims, expected, role } = header;
  const fail = failer(header.file, role);
  const what = role === 'images' ? `bytes of pixels (${dims[0]} images of ${dims[1]}×${dims[2]})` : `bytes of labels`;
  if (have < expected) fail(`truncated: expected ${expected} ${what}, file has ${have}`);
  if (atLeast) fail(`expected ${expected} ${what}, the file inflates to more than ${GZIP_SLACK_BYTES} bytes more`);
  if (have > expected) fail(`expected ${expected} ${what}, file has ${have - expected} byte${have - expected === 1 ? '' : 's'} more`);
}

/**
 * The content after the header. A gzipped file is inflated with a cap: at most the header's
 * count plus a little slack, so a file that inflates to more than it declares stops there
 * (bounded memory) and is refused.
 */
function readIdx(header: IdxHeader): IdxContent {
  const fail = failer(header.file, header.role);
  let bytes = readDataFile(header.file, `IDX ${header.role} file`);
  if (header.gzip) {
    const cap = header.headerBytes + header.expected + GZIP_SLACK_BYTES;
    if (cap > kMaxLength) fail(`${header.expected} bytes after the header are more than one buffer can hold here (${kMaxLength})`);
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: cap });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') checkLength(header, cap, true);
      fail(`it starts like a gzip file but cannot be decompressed (${(error as Error).message})`);
    }
  }
  checkLength(header, bytes.length - header.headerBytes);
  return { dims: header.dims, data: bytes.subarray(header.headerBytes) };
}
