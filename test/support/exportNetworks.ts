/**
 * Networks for the ONNX and TF.js export tests: every activation (hidden and output), every
 * normalisation, a bias=false layer; each trained a few epochs in-process so that weights and
 * biases are not the initial ones, and 1,000 raw inputs drawn around its data. (The digits go
 * without normalisation, as the examples do: zscore on pixels that are almost always 0 divides by
 * a tiny deviation, the prepared inputs reach the hundreds, and the float32 sums of two engines
 * then differ by ~2e-5 relative — rounding, not a different function.)
 */
import * as path from 'node:path';
import { defaultAssetsDir, loadProject, type LoadedProject } from '../../src/core/project';
import { Random } from '../../src/core/random';

export interface ExportNetworkCase {
  name: string;
  project: LoadedProject;
  /** 1,000 raw inputs, row-major count × inputs. */
  raw: Float32Array;
  count: number;
}

const SPECS: [name: string, text: string][] = [
  ['sigmoid-tanh-zscore', 'input 2\ndense 6 sigmoid\ndense 5 tanh\ndense 1 sigmoid\nloss bce\nnormalize zscore\nbatch 8\ndata circle n=120\n'],
  ['relu-leaky-softmax-minmax', 'input 2\ndense 8 relu\ndense 6 leaky_relu\ndense 3 softmax\nloss cce\nnormalize minmax\nbatch 8\ninit he\ndata inline\n 0 0 -> 1 0 0\n 1 0 -> 0 1 0\n 0 1 -> 0 0 1\n 2 2 -> 1 0 0\n 3 1 -> 0 1 0\n 1 3 -> 0 0 1\nend\n'],
  ['identity-bias-false-none', 'input 1\ndense 7 tanh bias=false\ndense 4 identity\ndense 1 identity\nloss mse\nbatch 16\ndata sine n=80\n'],
  ['features-tanh-zscore', 'input 5\nfeatures x1 x2^2 x1*x2 sin(x1) sin(x2)\ndense 6 tanh\ndense 1 sigmoid\nloss bce\nnormalize zscore\nbatch 8\ndata moons n=120\n'],
  ['digits-relu-softmax-none', 'input 28x28\ndense 16 relu\ndense 10 softmax\nloss cce\nbatch 32\ninit he\ndata digits n=300\n'],
];

export const COUNT = 1000;

export function exportNetworkCases(): ExportNetworkCase[] {
  return SPECS.map(([name, text], i) => {
    const project = loadProject(`network ${name}\n${text}`, path.join(process.cwd(), `${name}.nnspec`), { assetsDir: defaultAssetsDir() });
    if (!project.ok) throw new Error(`${name} does not load: ${project.message}`);
    for (let e = 0; e < 3; e++) project.trainer.stepEpoch();
    const source = project.dataset;
    const n = source.inputSize; // raw inputs: (x1, x2) for a spec with features
    // raw inputs: data samples jittered (so every unit sees both signs of z); images stay in [0, 1]
    const random = new Random(100 + i);
    const image = source.imageShape !== undefined;
    const raw = new Float32Array(COUNT * n);
    for (let s = 0; s < COUNT; s++) {
      const from = random.int(source.count) * n;
      for (let k = 0; k < n; k++) {
        const v = source.inputs[from + k] + random.normal(0, image ? 0.05 : 0.5);
        raw[s * n + k] = image ? Math.min(1, Math.max(0, v)) : v;
      }
    }
    return { name, project, raw, count: COUNT };
  });
}

/** trainer.predict (what `nnspec predict` runs) on every raw input: count × outputs. */
export function nnspecOutputs(c: ExportNetworkCase): Float32Array[] {
  const n = c.project.dataset.inputSize;
  return Array.from({ length: c.count }, (_, s) => c.project.trainer.predict(c.raw.subarray(s * n, (s + 1) * n)));
}

/** The class `nnspec predict` reports: the first largest output; binary: output > 0.5; -1 for regression. */
export function predictedClass(task: LoadedProject['dataset']['task'], output: ArrayLike<number>): number {
  if (task === 'regression') return -1;
  if (task === 'binary') return output[0] > 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < output.length; j++) if (output[j] > output[best]) best = j;
  return best;
}
