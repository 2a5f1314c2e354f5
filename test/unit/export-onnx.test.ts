/**
 * The ONNX export computes what `nnspec predict` computes: onnxruntime-web (its WebAssembly build,
 * running in Node) on 1,000 raw inputs per network, every activation and normalisation, gives
 * NNSpec's outputs within 1e-5 relative and the same classes; the model is opset 13, IR 7, with
 * `input` [N, in] and `output` [N, out]; where Debian's python3-onnx is present, onnx.checker passes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFiles } from '../../src/core/export/index';
import { defaultAssetsDir } from '../../src/core/project';
import { exportNetworkCases, nnspecOutputs, predictedClass, type ExportNetworkCase } from '../support/exportNetworks';
import { pythonHas, torchPython } from '../support/python';
import { nnspec, tempDir } from './cli-support';

let cases: ExportNetworkCase[];
let dir: string;

beforeAll(() => {
  cases = exportNetworkCases();
  dir = tempDir();
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function onnxBytes(c: ExportNetworkCase): Uint8Array {
  const [file] = exportFiles('onnx', c.project, c.project.trainer.getWeights(), { name: c.name, assetsDir: defaultAssetsDir() });
  return file.data as Uint8Array;
}

describe('ONNX export', () => {
  it.each(['sigmoid-tanh-zscore', 'relu-leaky-softmax-minmax', 'identity-bias-false-none', 'features-tanh-zscore', 'digits-relu-softmax-none'])(
    '%s: onnxruntime gives nnspec predict’s outputs on 1,000 raw inputs',
    async (name) => {
      const c = cases.find((item) => item.name === name)!;
      const session = await ort.InferenceSession.create(onnxBytes(c));
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['output']);
      const n = c.project.dataset.inputSize; // raw: (x1, x2) with features
      const result = await session.run({ input: new ort.Tensor('float32', c.raw, [c.count, n]) });
      const output = result.output;
      const units = c.project.spec.layers[c.project.spec.layers.length - 1].units;
      expect(output.dims).toEqual([c.count, units]);
      const data = output.data as Float32Array;
      const expected = nnspecOutputs(c);
      let worst = 0;
      let disagree = 0;
      expected.forEach((row, s) => {
        const got = data.subarray(s * units, (s + 1) * units);
        row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - got[j]) / Math.max(Math.abs(v), 1e-3))));
        if (predictedClass(c.project.dataset.task, row) !== predictedClass(c.project.dataset.task, got)) disagree++;
      });
      expect(worst).toBeLessThan(1e-5);
      expect(disagree).toBe(0);
    },
  );

  it('the CLI writes the .onnx file, opset 13 and IR version 7, and onnx.checker passes where python3-onnx is installed', async () => {
    const out = path.join(dir, 'circle-features.onnx'); // features and zscore as graph nodes
    const run = await nnspec(['export', 'examples/circle-features.nnspec', '--format', 'onnx', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const bytes = fs.readFileSync(out);
    // ModelProto field 1 (ir_version, varint) = 7 first; the opset 13 import is checked by onnx below
    expect([bytes[0], bytes[1]]).toEqual([0x08, 7]);
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({ input: new ort.Tensor('float32', new Float32Array([0, 1, 1, 1]), [2, 2]) });
    expect(result.output.dims).toEqual([2, 1]);
    if (!pythonHas('onnx')) return; // Debian's python3-onnx is optional (.ci/run installs it)
    const check = spawnSync(
      torchPython(),
      ['-c', 'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.ir_version, m.opset_import[0].version, m.graph.input[0].type.tensor_type.shape.dim[0].dim_param)', out],
      { encoding: 'utf8' },
    );
    expect(check.stderr).toBe('');
    expect(check.stdout.trim()).toBe('7 13 N');
  });
});
