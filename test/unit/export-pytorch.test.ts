/**
 * The PyTorch export trains as NNSpec trains: for random specs across activations × costs ×
 * momentum × decay × L2 × batch sizes (1, a mini-batch, full), 3 epochs of the exported train.py
 * from the same weights give the weights `nnspec train` gives, within 1e-4 relative; torchrun with 2
 * processes gives the single-process result; the weights PyTorch saves load back into NNSpec, and
 * model.py's prepare() + forward equal `nnspec predict` on raw inputs.
 * Needs Debian's python3-torch (fails saying so when missing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/core/random';
import { parseWeightsFile, type WeightsFile } from '../../src/core/weights';
import { npyFloat32 } from '../../src/core/export/npy';
import { nnspec, ROOT, tempDir } from './cli-support';
import { runPython, runTorchrun, torchPython, type PythonRun } from '../support/python';

interface Case {
  name: string;
  text: string;
  /** Raw inputs for the predict comparison: count × inputs. */
  probe: number[][];
}

const HIDDEN = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'identity', 'tanh'] as const;
/** (output activation, cost, data kind): the fused rules (sigmoid-bce, softmax-cce) and the chain rule. */
const OUTPUTS = [
  ['sigmoid', 'bce', 'binary'],
  ['softmax', 'cce', 'classes'],
  ['identity', 'mse', 'regression'],
  ['sigmoid', 'mse', 'binary'],
  ['softmax', 'mse', 'classes'],
  ['tanh', 'mse', 'regression'],
] as const;
const MOMENTUM = [0, 0.9, 0.5, 0, 0.9, 0];
const DECAY = [1, 0.9, 1, 0.8, 1, 0.95];
const L2 = [0, 0.001, 0, 0.01, 0.0005, 0];
const BATCH = ['1', 'full', '7', '16', '1', 'full'];
const NORMALIZE = ['none', 'zscore', 'minmax', 'zscore', 'none', 'minmax'];
const INIT = ['xavier', 'he', 'uniform', 'normal', 'xavier', 'he'];
/**
 * Rates where 3 epochs stay on a stable path: in a chaotic run (say η = 0.05, μ = 0.9, batch 1 on
 * case 4, whose loss rises) float32 rounding differences of ~1e-7 grow ×50 an epoch, so no two
 * engines that sum in a different order agree after a few epochs.
 */
const RATE = [0.1, 0.05, 0.2, 0.1, 0.02, 0.2];

/** Case i takes the i-th value of every list (each value appears), sizes and data drawn at random. */
function makeCase(i: number, random: Random): Case {
  const [output, loss, kind] = OUTPUTS[i];
  // case 0 sees features of a 2-D point (x1, x2): raw inputs are 2, the network's 4
  const features = i === 0 ? ['x1', 'x2', 'x1*x2', 'sin(x1)'] : null;
  const raw = features ? 2 : 2 + random.int(3);
  const inputs = features ? features.length : raw;
  const count = 40 + random.int(30);
  const outputs = kind === 'binary' ? 1 : kind === 'classes' ? 3 : 2;
  const rows: string[] = [];
  for (let n = 0; n < count; n++) {
    const x = Array.from({ length: raw }, () => random.uniform(-3, 3) + (n % 3));
    let y: number[];
    if (kind === 'binary') y = [x[0] + x[1] > 1 ? 1 : 0];
    else if (kind === 'classes') y = [0, 1, 2].map((c) => (c === n % 3 ? 1 : 0));
    else y = [Math.sin(x[0]), 0.5 * x[1] - 0.2];
    rows.push(`  ${x.map((v) => v.toFixed(4)).join(' ')} -> ${y.map((v) => v.toFixed(4)).join(' ')}`);
  }
  const hidden = Array.from({ length: 1 + (i % 2) }, (_, h) => `dense ${2 + random.int(5)} ${HIDDEN[(i + h) % HIDDEN.length]}${i === 3 && h === 0 ? ' bias=false' : ''}`);
  const text = [
    `network case-${i}`,
    `input ${inputs}`,
    ...(features ? [`features ${features.join(' ')}`] : []),
    ...hidden,
    `dense ${outputs} ${output}`,
    `loss ${loss}`,
    `optimizer sgd rate=${RATE[i]} momentum=${MOMENTUM[i]} decay=${DECAY[i]}`,
    `batch ${BATCH[i]}`,
    `l2 ${L2[i]}`,
    `epochs 3`,
    `init ${INIT[i]}`,
    `seed ${1 + random.int(1000)}`,
    `normalize ${NORMALIZE[i]}`,
    `validation ${i % 2 === 0 ? 0.2 : 0}`,
    'data inline',
    ...rows,
    'end',
    '',
  ].join('\n');
  const probe = Array.from({ length: 5 }, () => Array.from({ length: raw }, () => random.uniform(-4, 5)));
  return { name: `case-${i}`, text, probe };
}

/** Largest |a − b| / max(|a|, |b|, 1e-3) over every weight and bias (1e-3: near-zero weights compare absolutely). */
function worstRelative(a: WeightsFile, b: WeightsFile): number {
  let worst = 0;
  a.layers.forEach((layer, l) => {
    const other = b.layers[l];
    const pairs: [number, number][] = [];
    layer.weights.forEach((row, j) => row.forEach((v, k) => pairs.push([v, other.weights[j][k]])));
    layer.biases.forEach((v, j) => pairs.push([v, other.biases[j] ?? 0]));
    for (const [x, y] of pairs) worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-3));
  });
  return worst;
}

function readWeights(file: string): WeightsFile {
  return parseWeightsFile(fs.readFileSync(file, 'utf8'), file);
}

function expectOk(run: PythonRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

/** At most `limit` promises at a time (the machine has 2 cores). */
async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

let dir: string;
const random = new Random(20261201);
const cases = Array.from({ length: OUTPUTS.length }, (_, i) => makeCase(i, random));
const trained = new Map<string, { nnspec: WeightsFile; torch: WeightsFile; stdout: string; nnspecStdout: string }>();

beforeAll(async () => {
  torchPython(); // fails here, naming python3-torch, when there is none
  dir = tempDir();
  for (const c of cases) {
    const spec = path.join(dir, `${c.name}.nnspec`);
    fs.writeFileSync(spec, c.text);
    const exported = await nnspec(['export', spec, '--format', 'pytorch', '--out', path.join(dir, c.name)]);
    if (exported.code !== 0) throw new Error(`export of ${c.name} failed: ${exported.stderr}\n${c.text}`);
  }
  const runs = await inBatches(
    cases.map((c) => () => runPython(['train.py', '--weights', 'weights.json', '--epochs', '3', '--save', 'B.json', '--device', 'cpu'], path.join(dir, c.name))),
    2,
  );
  for (const [i, c] of cases.entries()) {
    expectOk(runs[i], `train.py of ${c.name}`);
    const folder = path.join(dir, c.name);
    const a = await nnspec(['train', path.join(dir, `${c.name}.nnspec`), '--weights', path.join(folder, 'weights.json'), '--epochs', '3', '--save', path.join(folder, 'A.json')]);
    if (a.code !== 0) throw new Error(`nnspec train of ${c.name} failed: ${a.stderr}`);
    trained.set(c.name, { nnspec: readWeights(path.join(folder, 'A.json')), torch: readWeights(path.join(folder, 'B.json')), stdout: runs[i].stdout, nnspecStdout: a.stdout });
  }
}, 600_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PyTorch export: train.py reproduces nnspec train', () => {
  it.each(cases.map((c) => [c.name, c.text.split('\n').slice(1, 14).join('; ')]))('%s (%s): 3 epochs give the same weights within 1e-4', (name) => {
    const result = trained.get(name)!;
    const start = readWeights(path.join(dir, name, 'weights.json'));
    // the runs moved away from the start (a test that cannot pass vacuously) …
    expect(worstRelative(start, result.nnspec)).toBeGreaterThan(1e-3);
    // … and to the same place
    expect(worstRelative(result.nnspec, result.torch)).toBeLessThan(1e-4);
  });

  it.each(cases.map((c) => c.name))('%s: train.py prints one line per epoch with nnspec train’s numbers', (name) => {
    const result = trained.get(name)!;
    const epochLines = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('epoch '));
    const strip = (line: string): string => line.replace(/\s+[\d,]+ samples\/s$/, '');
    expect(epochLines(result.stdout)).toHaveLength(3);
    expect(epochLines(result.stdout).map(strip)).toEqual(epochLines(result.nnspecStdout).map(strip));
  });
});

describe('PyTorch export: torchrun, loading back, prepare()', () => {
  it('torchrun --nproc_per_node=2 on one machine (CPU) gives the single-process weights (batch divisible by 2)', async () => {
    const spec = path.join(dir, 'ddp.nnspec');
    const base = cases[3].text.replace('batch 16', 'batch 8').replace('network case-3', 'network ddp');
    fs.writeFileSync(spec, base);
    const folder = path.join(dir, 'ddp');
    expect((await nnspec(['export', spec, '--format', 'pytorch', '--out', folder])).code).toBe(0);
    const args = ['--weights', 'weights.json', '--epochs', '3', '--device', 'cpu'];
    const [single, ddp] = await Promise.all([
      runPython(['train.py', ...args, '--save', 'single.json'], folder),
      runTorchrun(2, ['train.py', ...args, '--save', 'ddp.json'], folder),
    ]);
    expectOk(single, 'train.py');
    expectOk(ddp, 'torchrun train.py');
    expect(ddp.stdout).toContain('2 processes (DistributedDataParallel)');
    expect(ddp.stdout.split('\n').filter((line) => /epoch \d\/3/.test(line))).toHaveLength(3); // rank 0 alone prints
    const one = readWeights(path.join(folder, 'single.json'));
    expect(worstRelative(readWeights(path.join(folder, 'weights.json')), one)).toBeGreaterThan(1e-3);
    expect(worstRelative(one, readWeights(path.join(folder, 'ddp.json')))).toBeLessThan(1e-5);
  }, 240_000);

  it('weights trained by PyTorch load back into NNSpec, and model.py gives nnspec predict’s outputs on raw inputs', async () => {
    for (const c of cases.slice(0, 3)) {
      const folder = path.join(dir, c.name);
      const spec = path.join(dir, `${c.name}.nnspec`);
      const inputs = new Float32Array(c.probe.flat());
      fs.writeFileSync(path.join(folder, 'probe.npy'), npyFloat32(inputs, [c.probe.length, c.probe[0].length]));
      const run = await runPython([path.join(ROOT, 'test/fixtures/export/predict.py'), folder, 'B.json', 'probe.npy'], folder);
      expectOk(run, 'predict.py');
      const torchOutputs = JSON.parse(run.stdout) as number[][];
      for (const [p, raw] of c.probe.entries()) {
        const predicted = await nnspec(['predict', spec, '--weights', path.join(folder, 'B.json'), '--input', raw.map((v) => Math.fround(v)).join(' '), '--json']);
        expect(predicted.code, predicted.stderr).toBe(0);
        const output = JSON.parse(predicted.stdout).output as number[];
        output.forEach((v, j) => expect(Math.abs(v - torchOutputs[p][j])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
      }
      const resumed = await nnspec(['train', spec, '--weights', path.join(folder, 'B.json'), '--epochs', '1', '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
    }
  }, 240_000);
});
