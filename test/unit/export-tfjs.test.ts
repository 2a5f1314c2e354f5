/**
 * The TensorFlow.js export: the model.json + weights.bin that `nnspec export --format tfjs` writes
 * load with tf.loadLayersModel (through an IO handler reading the two files), and the loaded model's
 * outputs on the same prepared (normalised) inputs equal `nnspec predict`'s on the raw ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFiles, prepareInputs, writeExport, exportedNetwork } from '../../src/core/export/index';
import { defaultAssetsDir } from '../../src/core/project';
import { exportNetworkCases, nnspecOutputs, predictedClass, type ExportNetworkCase } from '../support/exportNetworks';
import { nnspec, tempDir } from './cli-support';

let cases: ExportNetworkCase[];
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  cases = exportNetworkCases();
  dir = tempDir();
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** tf.loadLayersModel on a folder's model.json and the weights file its manifest names. */
async function loadFolder(folder: string): Promise<tf.LayersModel> {
  const model = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8'));
  const group = model.weightsManifest[0];
  const bin = fs.readFileSync(path.join(folder, group.paths[0]));
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: model.modelTopology,
      weightSpecs: group.weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      userDefinedMetadata: model.userDefinedMetadata,
    }),
  };
  return tf.loadLayersModel(handler);
}

describe('TensorFlow.js export', () => {
  it.each(['sigmoid-tanh-zscore', 'relu-leaky-softmax-minmax', 'identity-bias-false-none', 'features-tanh-zscore', 'digits-relu-softmax-none'])(
    '%s: the loaded model gives nnspec predict’s outputs on the prepared inputs',
    async (name) => {
      const c = cases.find((item) => item.name === name)!;
      const weights = c.project.trainer.getWeights();
      const folder = path.join(dir, name);
      writeExport(exportFiles('tfjs', c.project, weights, { name, assetsDir: defaultAssetsDir() }), folder);
      const model = await loadFolder(folder);
      const n = c.project.spec.input.size;
      const prepared = prepareInputs(exportedNetwork(c.project.spec, weights, c.project.prepared, name), c.raw);
      const output = model.predict(tf.tensor2d(prepared, [c.count, n])) as tf.Tensor;
      const data = (await output.data()) as Float32Array;
      const units = output.shape[1]!;
      const expected = nnspecOutputs(c);
      let worst = 0;
      let disagree = 0;
      expected.forEach((row, s) => {
        const got = data.subarray(s * units, (s + 1) * units);
        row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - got[j]) / Math.max(Math.abs(v), 1e-3))));
        if (predictedClass(c.project.dataset.task, row) !== predictedClass(c.project.dataset.task, got)) disagree++;
      });
      expect(units).toBe(c.project.spec.layers[c.project.spec.layers.length - 1].units);
      expect(worst).toBeLessThan(1e-5);
      expect(disagree).toBe(0);
      const metadata = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8')).userDefinedMetadata.nnspec;
      expect(metadata.normalize).toBe(c.project.spec.normalize);
    },
  );

  it('nnspec export --format tfjs writes model.json and weights.bin', async () => {
    const folder = path.join(dir, 'xor-tfjs');
    const run = await nnspec(['export', 'examples/xor.nnspec', '--format', 'tfjs', '--out', folder]);
    expect(run.code, run.stderr).toBe(0);
    expect(fs.readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
    const model = await loadFolder(folder);
    expect(model.inputs[0].shape).toEqual([null, 2]);
    expect(model.outputs[0].shape).toEqual([null, 1]);
  });
});
