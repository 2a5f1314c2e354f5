/**
 * Load Weights' reader (src/extension/weightsReader.ts over dist/weightsWorker.js): the file is
 * size-checked, read, parsed and shape-checked in a worker, so the host's thread stays free; what
 * is wrong comes back as a message naming the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeightsInWorker } from '../../src/extension/weightsReader';
import { packWeights, unpackWeights, weightsToJson } from '../../src/core/weights';
import type { ToWeightsReader } from '../../src/protocol';
import { ensureBuilt, ROOT, tempDir } from './cli-support';
import { writeOneRowWeights, writeSparse } from '../fixtures/budget/hostile';

const script = path.join(ROOT, 'dist', 'weightsWorker.js');
const XOR = { input: { size: 2 }, layers: [{ units: 4, bias: true }, { units: 1, bias: true }] };
const BUDGET = 2 ** 31;
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
}, 120_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function request(file: string, shape = XOR): ToWeightsReader {
  return { type: 'readFile', file: path.join(dir, file), source: file, shape, memoryBudget: BUDGET };
}

const xorWeights = {
  format: 'nnspec-weights' as const,
  version: 1 as const,
  layers: [
    { weights: [[1, 2], [3, 4], [5, 6], [7, 8]], biases: [0.5, 0, 0, -0.5] },
    { weights: [[0.25, 0.5, 0.75, 1]], biases: [0] },
  ],
};

describe('readWeightsInWorker', () => {
  it('reads a weights file that fits', async () => {
    fs.writeFileSync(path.join(dir, 'xor.json'), weightsToJson(xorWeights));
    const packed = await readWeightsInWorker(script, request('xor.json'));
    expect(packed.layers.map((l) => [l.units, l.inputs])).toEqual([
      [4, 2],
      [1, 4],
    ]);
    expect(Array.from(packed.layers[0].weights)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(unpackWeights(packed)).toEqual(xorWeights);
  });

  it('packs and unpacks without change for float32 values (the trainer keeps float32)', () => {
    expect(unpackWeights(packWeights(xorWeights))).toEqual(xorWeights);
  });

  it('parses text read by the host (virtual file systems)', async () => {
    const weights = await readWeightsInWorker(script, { type: 'parseText', text: JSON.stringify(xorWeights), source: 'remote.json', shape: XOR, memoryBudget: BUDGET });
    expect(unpackWeights(weights)).toEqual(xorWeights);
  });

  it('says what does not fit, naming the file', async () => {
    fs.writeFileSync(path.join(dir, 'one.json'), weightsToJson({ ...xorWeights, layers: xorWeights.layers.slice(0, 1) }));
    await expect(readWeightsInWorker(script, request('one.json'))).rejects.toThrow('one.json: the weights have 1 layer, the network has 2');
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"format": "nnspec-weights", "version": 1, "layers": [}');
    await expect(readWeightsInWorker(script, request('bad.json'))).rejects.toThrow(/^bad\.json: not a JSON file/);
    await expect(readWeightsInWorker(script, request('missing.json'))).rejects.toThrow('missing.json: cannot read the weights file (no such file)');
    await expect(readWeightsInWorker(script, { ...request('.'), source: 'folder' })).rejects.toThrow('folder: not a regular file (a folder, pipe or device)');
  });

  it("a file far larger than the network's weights (450 MB, the issue's 98 s and 6.2 GB) is refused unread", async () => {
    writeSparse(path.join(dir, 'huge.json'), 450e6);
    await expect(readWeightsInWorker(script, request('huge.json'))).rejects.toThrow(
      'huge.json: the file is 450 MB, but the weights of this network (2-4-1: 17 parameters in 2 layers) take at most 67.1 kB as JSON',
    );
  });

  it('a valid file of another network is refused by its size as well (1,000,000 weights, 2 MB)', async () => {
    writeOneRowWeights(path.join(dir, 'other.json'), 1_000_000);
    await expect(readWeightsInWorker(script, request('other.json'))).rejects.toThrow('other.json: the file is 2.00 MB, but the weights of this network');
  });

  it("keeps the host's thread free while a large file is parsed (200 × 2,000 weights, 3 MB)", async () => {
    const shape = { input: { size: 2000 }, layers: [{ units: 200, bias: true }] };
    const rows = Array.from({ length: 200 }, (_, j) => Array.from({ length: 2000 }, (_, k) => ((j * 2000 + k) % 997) / 997 - 0.5));
    fs.writeFileSync(path.join(dir, 'wide.json'), weightsToJson({ format: 'nnspec-weights', version: 1, layers: [{ weights: rows, biases: Array(200).fill(0) }] }));
    // A timer on this thread keeps firing while the worker reads: parsing here would starve it.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const reading = readWeightsInWorker(script, { ...request('wide.json', shape) });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const weights = await reading;
    clearInterval(timer);
    expect(weights.layers[0].weights[199 * 2000 + 1999]).toBeCloseTo(rows[199][1999], 6);
    expect(ticks).toBeGreaterThan(0);
  });
});
