import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, type DataContext, type Dataset } from '../../src/core/data/index';
import { context, dataError, gzip, idxBytes, tempFolder, writeFixture } from '../fixtures/data/helpers';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } };
const dir = tempFolder();

/** Three 2×3 images: image i has pixels 10·i + (0..5); labels 7, 0, 9. */
const PIXELS = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 255, 20, 21, 22, 23, 24, 25];
const LABELS = [7, 0, 9];
writeFixture(dir, 'images-idx3-ubyte', idxBytes([3, 2, 3], PIXELS));
writeFixture(dir, 'labels-idx1-ubyte', idxBytes([3], LABELS));
writeFixture(dir, 'images-idx3-ubyte.gz', gzip(idxBytes([3, 2, 3], PIXELS)));
writeFixture(dir, 'labels-idx1-ubyte.gz', gzip(idxBytes([3], LABELS)));

function idx(images: string, labels: string, n?: number, extra: Partial<DataContext> = {}): Dataset {
  return loadDataset({ kind: 'idx', images, labels, n, range }, context(dir, extra));
}

describe('IDX: well-formed files', () => {
  it('reads images as inputs in [0, 1] with their shape, labels one-hot over 10 classes', () => {
    const d = idx('images-idx3-ubyte', 'labels-idx1-ubyte');
    expect(d).toMatchObject({ name: 'images-idx3-ubyte', count: 3, inputSize: 6, outputSize: 10, task: 'classification', imageShape: [2, 3] });
    expect(Array.from(d.inputs)).toEqual(PIXELS.map((p) => Math.fround(p / 255)));
    expect(d.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const hot = [0, 1, 2].map((i) => Array.from(d.targets.subarray(i * 10, i * 10 + 10)).indexOf(1));
    expect(hot).toEqual(LABELS);
    expect(d.targets.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('reads gzipped files (detected by content), alone or mixed with plain ones', () => {
    const plain = idx('images-idx3-ubyte', 'labels-idx1-ubyte');
    for (const [images, labels] of [
      ['images-idx3-ubyte.gz', 'labels-idx1-ubyte.gz'],
      ['images-idx3-ubyte', 'labels-idx1-ubyte.gz'],
    ]) {
      const d = idx(images, labels);
      expect(Array.from(d.inputs)).toEqual(Array.from(plain.inputs));
      expect(Array.from(d.targets)).toEqual(Array.from(plain.targets));
    }
    writeFixture(dir, 'gz-without-suffix', gzip(idxBytes([3, 2, 3], PIXELS)));
    expect(idx('gz-without-suffix', 'labels-idx1-ubyte').count).toBe(3);
  });

  it('n= takes the first n images', () => {
    const d = idx('images-idx3-ubyte', 'labels-idx1-ubyte', 2);
    expect(d.count).toBe(2);
    expect(Array.from(d.inputs)).toEqual(PIXELS.slice(0, 12).map((p) => Math.fround(p / 255)));
    expect(d.targets.length).toBe(20);
  });

  it('one-hot width follows the network output width, or the largest label + 1 above 10', () => {
    expect(idx('images-idx3-ubyte', 'labels-idx1-ubyte', undefined, { outputSize: 12 }).outputSize).toBe(12);
    writeFixture(dir, 'labels-big', idxBytes([3], [0, 14, 3]));
    const d = idx('images-idx3-ubyte', 'labels-big');
    expect(d.outputSize).toBe(15);
    expect(d.targets[15 + 14]).toBe(1);
  });

  it('a single-output network gets 0/1 labels as a binary task', () => {
    writeFixture(dir, 'labels-01', idxBytes([3], [1, 0, 1]));
    const d = idx('images-idx3-ubyte', 'labels-01', undefined, { outputSize: 1 });
    expect(d).toMatchObject({ outputSize: 1, task: 'binary' });
    expect(Array.from(d.targets)).toEqual([1, 0, 1]);
  });
});

describe('IDX: errors name the file and what is wrong', () => {
  it('missing files, with the resolved path', () => {
    expect(dataError(() => idx('no-images', 'labels-idx1-ubyte')).message).toBe(
      `IDX images file 'no-images' not found (looked for ${join(dir, 'no-images')})`,
    );
    expect(dataError(() => idx('images-idx3-ubyte', 'no-labels')).where.file).toBe(join(dir, 'no-labels'));
  });

  it('empty file and a file that is not IDX at all', () => {
    writeFixture(dir, 'empty', '');
    expect(dataError(() => idx('empty', 'labels-idx1-ubyte')).message).toBe("images file 'empty': the file is empty: not an IDX file");
    writeFixture(dir, 'text.csv', 'a,b,c\n1,2,3\n');
    expect(dataError(() => idx('text.csv', 'labels-idx1-ubyte')).message).toBe(
      "images file 'text.csv': magic number 0x612c622c, expected 0x00000803 (images: unsigned bytes, count × rows × cols) — not an IDX file",
    );
  });

  it('images and labels swapped', () => {
    expect(dataError(() => idx('labels-idx1-ubyte', 'images-idx3-ubyte')).message).toContain(
      'this is a labels file (1 dimension): are images and labels swapped?',
    );
  });

  it('IDX of another element type', () => {
    const floats = Buffer.from(idxBytes([1, 1, 1], [0, 0, 0, 0]));
    floats[2] = 0x0d;
    writeFixture(dir, 'float-images', floats);
    expect(dataError(() => idx('float-images', 'labels-idx1-ubyte')).message).toContain(
      'IDX of element type 0x0d; only unsigned bytes (0x08) are supported',
    );
  });

  it('truncated pixels: how many bytes were expected and how many the file has', () => {
    writeFixture(dir, 'short-images', idxBytes([3, 2, 3], PIXELS.slice(0, 5)));
    const error = dataError(() => idx('short-images', 'labels-idx1-ubyte'));
    expect(error.message).toBe("images file 'short-images': truncated: expected 18 bytes of pixels (3 images of 2×3), file has 5");
    expect(error.where.file).toBe(join(dir, 'short-images'));
    writeFixture(dir, 'short-header', idxBytes([3, 2, 3], []).subarray(0, 10));
    expect(dataError(() => idx('short-header', 'labels-idx1-ubyte')).message).toBe(
      "images file 'short-header': truncated header: 10 bytes, an IDX images header has 16",
    );
    writeFixture(dir, 'short-labels.gz', gzip(idxBytes([3], [1])));
    expect(dataError(() => idx('images-idx3-ubyte', 'short-labels.gz')).message).toBe(
      "labels file 'short-labels.gz': truncated: expected 3 bytes of labels, file has 1",
    );
  });

  it('trailing bytes beyond the declared size', () => {
    writeFixture(dir, 'long-labels', idxBytes([3], [1, 2, 3, 4]));
    expect(dataError(() => idx('images-idx3-ubyte', 'long-labels')).message).toBe(
      "labels file 'long-labels': expected 3 bytes of labels, file has 1 byte more",
    );
  });

  it('image and label counts disagree', () => {
    writeFixture(dir, 'two-labels', idxBytes([2], [1, 2]));
    expect(dataError(() => idx('images-idx3-ubyte', 'two-labels')).message).toBe(
      "'images-idx3-ubyte' holds 3 images but 'two-labels' holds 2 labels: they must be the same set",
    );
  });

  it('a damaged gzip file', () => {
    const broken = Buffer.from(gzip(idxBytes([3], LABELS))).subarray(0, 12);
    writeFixture(dir, 'broken.gz', broken);
    expect(dataError(() => idx('images-idx3-ubyte', 'broken.gz')).message).toMatch(
      /^labels file 'broken\.gz': it starts like a gzip file but cannot be decompressed \(/,
    );
  });

  it('n= beyond the images in the file, and labels beyond the network outputs', () => {
    expect(dataError(() => idx('images-idx3-ubyte', 'labels-idx1-ubyte', 4)).message).toBe(
      "n=4 is not a number of images from 1 to 3 (what 'images-idx3-ubyte' holds)",
    );
    expect(dataError(() => idx('images-idx3-ubyte', 'labels-idx1-ubyte', undefined, { outputSize: 8 })).message).toBe(
      "'labels-idx1-ubyte': label 9 of image 3 is not a class index from 0 to 7 (the network has 8 outputs)",
    );
  });
});
