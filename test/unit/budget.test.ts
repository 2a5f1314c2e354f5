/**
 * The memory budget (src/core/budget.ts): the trainer's estimate agrees with what the trainer
 * allocates, and every large input of issue 10 item 2 is refused before it is allocated, with the
 * spec's LINE:COL and the numbers; a raised budget lets it through.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBytes, DEFAULT_MEMORY_BUDGET_MB, estimateTrainer, formatBytes, parseBudgetMB } from '../../src/core/budget';
import { loadDataset } from '../../src/core/data/index';
import { prepareData } from '../../src/core/data/prepare';
import { createTrainer } from '../../src/core/engine/trainer';
import { jsKernels } from '../../src/core/engine/jsKernels';
import { wasmKernels } from '../../src/core/engine/wasmKernels';
import type { Kernels } from '../../src/core/engine/kernels';
import { parseSpec } from '../../src/core/lang/index';
import { defaultAssetsDir, loadProject, type ProjectResult } from '../../src/core/project';
import { idxHeader, writeGzipOfZeros, writeImageBomb, writeSparse } from '../fixtures/budget/hostile';

const assetsDir = defaultAssetsDir();
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-budget-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function failed(result: ProjectResult): Extract<ProjectResult, { ok: false }> {
  if (result.ok) throw new Error('expected the project to fail');
  return result;
}

/** The one error of a failed load, as "LINE:COL code: message". */
function theError(result: ProjectResult): { at: string; message: string; hint?: string; code: string } {
  const errors = failed(result).diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toHaveLength(1);
  const [d] = errors;
  return { at: `${d.range.start.line + 1}:${d.range.start.character + 1}`, message: d.message, hint: d.hint, code: d.code };
}

describe('the budget itself', () => {
  it('defaults to 2048 MB; MB are MiB; nonsense falls back to the default', () => {
    expect(DEFAULT_MEMORY_BUDGET_MB).toBe(2048);
    expect(budgetBytes()).toBe(2048 * 2 ** 20);
    expect(budgetBytes(64)).toBe(64 * 2 ** 20);
    expect(budgetBytes(-1)).toBe(budgetBytes());
    expect(budgetBytes(Number.NaN)).toBe(budgetBytes());
  });

  it('parses --memory values and says what it accepts', () => {
    expect(parseBudgetMB('4096')).toEqual({ mb: 4096 });
    expect(parseBudgetMB('0.5')).toHaveProperty('error');
    expect(parseBudgetMB('2G')).toEqual({ error: "'2G' is not a memory budget: give megabytes from 1 to 1048576 (default 2048)" });
  });

  it('formats bytes with three significant figures', () => {
    expect(formatBytes(3_220_000_000)).toBe('3.22 GB');
    expect(formatBytes(941_000_000)).toBe('941 MB');
    expect(formatBytes(12)).toBe('12 bytes');
  });
});

describe("the trainer's estimate", () => {
  /** Kernels that record every alloc (in floats). */
  function recording(): { kernels: Kernels; floats: number[] } {
    const floats: number[] = [];
    const js = jsKernels();
    return {
      floats,
      kernels: {
        ...js,
        alloc(length: number) {
          floats.push(length);
          return js.alloc(length);
        },
      },
    };
  }

  const cases: [string, string][] = [
    ['xor, batch 4', 'input 2\ndense 4 tanh\ndense 1 sigmoid\nbatch 4\ndata xor\n'],
    ['odd widths, batch full, validation', 'input 2\ndense 7 relu\ndense 3 tanh bias=false\ndense 2 softmax\nloss cce\nbatch full\nvalidation 0.25\ndata gaussians n=90\n'],
    ['batch larger than the evaluation chunk', 'input 2\ndense 5 sigmoid\ndense 1 sigmoid\nbatch 300\ndata circle n=400\n'],
    ['momentum', 'input 2\ndense 3 tanh\ndense 1 sigmoid\noptimizer sgd rate=0.1 momentum=0.9\nbatch 1\ndata moons n=50\n'],
  ];
  for (const [name, text] of cases) {
    it(`equals the trainer's one allocation: ${name}`, () => {
      const parsed = parseSpec(text);
      expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const spec = parsed.spec;
      const outputSize = spec.layers[spec.layers.length - 1].units;
      const dataset = loadDataset(spec.data!, { baseDir: dir, assetsDir, seed: spec.seed, outputSize });
      const prepared = prepareData(dataset, { validation: spec.validation, normalize: spec.normalize, seed: spec.seed });
      const { kernels, floats } = recording();
      const trainer = createTrainer(spec, prepared, { kernels });
      const estimate = estimateTrainer(spec, prepared.train.count, prepared.validation?.count ?? 0);
      expect(estimate.batchSize).toBe(trainer.batchSize);
      // Everything but the shuffle orders lives in the kernels' allocation.
      const [parameters, batch] = estimate.parts;
      expect(parameters.bytes + batch.bytes).toBe(4 * floats.reduce((a, b) => a + b, 0));
    });
  }

  it("with the wasm kernels, the rest of the allocation is the training set's copy and its orders, which the budget counts", () => {
    const parsed = parseSpec('input 28x28\ndense 16 relu\ndense 10 softmax\nloss cce\nbatch 32\nvalidation 0.2\ndata digits n=500\n');
    const spec = parsed.spec;
    const dataset = loadDataset(spec.data!, { baseDir: dir, assetsDir, seed: spec.seed, outputSize: 10 });
    const prepared = prepareData(dataset, { validation: spec.validation, normalize: spec.normalize, seed: spec.seed });
    const wasm = wasmKernels();
    if (wasm === null) throw new Error('WebAssembly SIMD is unavailable in this Node: the wasm kernels need Node ≥ 20');
    const floats: number[] = [];
    createTrainer(spec, prepared, { kernels: { ...wasm, name: wasm.name, alloc: (length: number) => (floats.push(length), wasm.alloc(length)) } });
    const [parameters, batch] = estimateTrainer(spec, prepared.train.count, prepared.validation?.count ?? 0).parts;
    const copy = 4 * floats.reduce((a, b) => a + b, 0) - parameters.bytes - batch.bytes;
    const train = prepared.train;
    const trainBytes = 4 * train.count * (train.inputSize + train.outputSize);
    // the inputs and targets, then two int32 orders, each slice padded to 16 bytes
    expect(copy).toBeGreaterThanOrEqual(trainBytes + 8 * train.count);
    expect(copy).toBeLessThanOrEqual(trainBytes + 8 * train.count + 4 * 16);
    // trainingMemoryDiagnostic counts trainBytes for the copy and 16 bytes a sample for the orders and the rest
    expect(copy).toBeLessThanOrEqual(trainBytes + 16 * dataset.count);
  });
});

describe('training that would not fit the budget: an error at the line that claims the memory', () => {
  it('input 2 / dense 1000000 relu / dense 1 sigmoid / batch 256 / data circle n=1000: at `batch`, with the numbers', () => {
    const text = 'input 2\ndense 1000000 relu\ndense 1 sigmoid\nbatch 256\ndata circle n=1000\n';
    const error = theError(loadProject(text, path.join(dir, 'wide.nnspec'), { assetsDir }));
    expect(error.at).toBe('4:1');
    expect(error.code).toBe('memory-budget');
    expect(error.message).toMatch(/^training this network needs 3\.\d\d GB \(batch matrices z, a, δ of 256 rows 3\.07 GB \+ .*\), more than the memory budget of 2\.15 GB \(2048 MB\)$/);
    expect(error.hint).toContain('the batch matrices of `dense 1000000` take 3.07 GB at 256 rows');
    expect(error.hint).toContain('nnspec.memoryBudgetMB');
    expect(error.hint).toContain('--memory MB');
  });

  it('the same with `batch full` (was: internal error: wasm kernels: cannot reserve 11581.4 MiB…)', () => {
    const text = 'input 2\ndense 1000000 relu\ndense 1 sigmoid\nbatch full\ndata circle n=1000\n';
    const result = loadProject(text, path.join(dir, 'wide.nnspec'), { assetsDir });
    const error = theError(result);
    expect(error.at).toBe('4:1');
    expect(error.message).toMatch(/^training this network needs 12\.\d GB \(batch matrices z, a, δ of 1,000 rows 12\.0 GB/);
    expect(failed(result).message).not.toContain('internal error');
  });

  it('parameters that do not fit: at the layer (no `batch` line needed)', () => {
    // 4,000 × 4,000 = 16 M parameters × 7 floats (plain sgd keeps no state) × 4 bytes = 448 MB, over a 256 MB budget.
    const text = 'input 4000\ndense 4000 relu\ndense 1 sigmoid\ndata inline\n' + `${Array(4000).fill(0).join(' ')} -> 1\nend\n`;
    const error = theError(loadProject(text, path.join(dir, 'params.nnspec'), { assetsDir, maxParameters: 1e9, memoryBudgetMB: 256 }));
    expect(error.at).toBe('2:1');
    expect(error.message).toMatch(/^training this network needs 448 MB \(parameters, ∂C\/∂w and optimizer state \(7 floats each\) 448 MB/);
    expect(error.hint).toContain('`dense 4000` keeps 448 MB of parameters and their state');
  });

  it('a raised budget lets the same spec through', () => {
    // dense 20000 at batch 256: 3 × 256 × 20,000 × 4 = 61 MB of batch matrices.
    const text = 'input 2\ndense 20000 relu\ndense 1 sigmoid\nbatch 256\nepochs 1\ndata circle n=300\n';
    expect(theError(loadProject(text, path.join(dir, 'mid.nnspec'), { assetsDir, memoryBudgetMB: 32 })).at).toBe('4:1');
    const result = loadProject(text, path.join(dir, 'mid.nnspec'), { assetsDir, memoryBudgetMB: 128 });
    if (!result.ok) throw new Error(result.message);
    expect(result.trainer.batchSize).toBe(256);
  });
});

describe('data files: sizes checked before anything large is read', () => {
  it('a 1 MB gzip of 1,200,000 blank 28×28 images (0.94 GB inflated): refused at once, at the `data` line, with the numbers', () => {
    const bomb = path.join(dir, 'bomb');
    fs.mkdirSync(bomb);
    writeImageBomb(bomb, 1_200_000);
    expect(fs.statSync(path.join(bomb, 'images.gz')).size).toBeLessThan(1.2e6);
    const text = 'network bomb\ninput 784\ndense 10 sigmoid\n  data "images.gz" labels="labels.gz"\n';
    const result = loadProject(text, path.join(bomb, 'bomb.nnspec'), { assetsDir });
    const error = theError(result);
    expect(error.at).toBe('4:3');
    expect(error.code).toBe('data-error');
    expect(error.message).toMatch(
      /^'images\.gz' holds 1,200,000 images of 28×28: loading them needs 5\.70 GB \(pixels as 32-bit floats 3\.76 GB \+ pixels inflated \(941 MB, twice while its pieces are joined\) 1\.88 GB \+ targets 48\.0 MB \+ the rest .*\), more than the memory budget of 2\.15 GB \(2048 MB\); take fewer with n=…/,
    );
  });

  it('n= takes fewer images: what was over the budget fits', () => {
    // 20,000 images: 15.7 MB inflated (held twice) + 62.7 MB of floats, over 64 MB; 1,000 of them fit.
    const some = path.join(dir, 'some');
    fs.mkdirSync(some);
    writeImageBomb(some, 20_000);
    const text = 'input 784\ndense 10 sigmoid\ndata "images.gz" labels="labels.gz"\n';
    const options = { assetsDir, memoryBudgetMB: 64 };
    expect(theError(loadProject(text, path.join(some, 's.nnspec'), options)).message).toMatch(/^'images\.gz' holds 20,000 images of 28×28: loading them needs 94\.9 MB \(pixels as 32-bit floats 62\.7 MB/);
    const few = loadProject(text.replace('labels.gz"', 'labels.gz" n=1000'), path.join(some, 's.nnspec'), options);
    if (!few.ok) throw new Error(few.message);
    expect(few.dataset.count).toBe(1000);
  });

  it('a gzip that inflates to far more than its header declares stops at the cap', () => {
    // The header says 10 images; the stream holds 100,000 (78 MB): refused without inflating it all.
    const liar = path.join(dir, 'liar');
    fs.mkdirSync(liar);
    writeGzipOfZeros(path.join(liar, 'images.gz'), idxHeader([10, 28, 28]), 784 * 1000, 100);
    fs.writeFileSync(path.join(liar, 'labels'), Buffer.concat([idxHeader([10]), Buffer.alloc(10)]));
    const text = 'input 784\ndense 10 sigmoid\ndata "images.gz" labels="labels"\n';
    const error = theError(loadProject(text, path.join(liar, 'liar.nnspec'), { assetsDir }));
    expect(error.at).toBe('3:1');
    expect(error.message).toBe("images file 'images.gz': expected 7840 bytes of pixels (10 images of 28×28), the file inflates to more than 65536 bytes more");
  });

  it('a plain IDX file whose header promises more than it holds is refused from its size alone', () => {
    const sparse = path.join(dir, 'sparse-idx');
    fs.mkdirSync(sparse);
    // Header: 3,000,000 images (2.35 GB); the file is 1 GB of (sparse) zeros after the header.
    writeSparse(path.join(sparse, 'images'), 1e9);
    const fd = fs.openSync(path.join(sparse, 'images'), 'r+');
    fs.writeSync(fd, idxHeader([3_000_000, 28, 28]), 0, 16, 0);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(sparse, 'labels'), Buffer.concat([idxHeader([3_000_000]), Buffer.alloc(3_000_000)]));
    const text = 'input 784\ndense 10 sigmoid\ndata "images" labels="labels"\n';
    const error = theError(loadProject(text, path.join(sparse, 'x.nnspec'), { assetsDir }));
    expect(error.message).toBe("images file 'images': truncated: expected 2352000000 bytes of pixels (3000000 images of 28×28), file has 999999984");
  });

  it('a 1.9 GB CSV file is refused from its size, before it is read', () => {
    writeSparse(path.join(dir, 'big.csv'), 1.9e9);
    const text = 'input 2\ndense 1 sigmoid\ndata "big.csv"\n';
    const error = theError(loadProject(text, path.join(dir, 'csv.nnspec'), { assetsDir }));
    expect(error.at).toBe('3:1');
    expect(error.message).toBe('big.csv: 1900 MB is more than a CSV file can be here (400 MB); for images use IDX files');
  });

  it('a CSV file under the size limit but over the budget: refused with the estimate', () => {
    writeSparse(path.join(dir, 'mid.csv'), 50e6);
    const text = 'input 2\ndense 1 sigmoid\ndata "mid.csv"\n';
    const error = theError(loadProject(text, path.join(dir, 'csv.nnspec'), { assetsDir, memoryBudgetMB: 64 }));
    expect(error.message).toBe(
      "mid.csv: loading this file needs 300 MB (the file's bytes, its text and the parsed values: about 6 × 50.0 MB), more than the memory budget of 67.1 MB (64 MB); " +
        'raise the budget with the setting `nnspec.memoryBudgetMB` (VS Code) or `--memory MB` (nnspec CLI)',
    );
  });
});
