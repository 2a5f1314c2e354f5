/**
 * `nnspec explain --json` against an independent computation: the input as the network sees it
 * worked out here from the raw rows (validation split, normalisation), z and a by a plain float64
 * forward pass, and C_x, ∂C_x/∂w, ∂C_x/∂b (= δ) by the tests' reverse-mode autodiff, for every
 * legal output activation × cost, with and without normalisation and a validation split.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activation, LossName } from '../../src/core/spec';
import { Random } from '../../src/core/random';
import { oracleForward, oracleGradient, type OracleLayer } from '../support/autodiff';
import { closeTo, randomSamples } from '../support/engineFixtures';
import { nnspec, tempDir } from './cli-support';

const LEGAL: [LossName, Activation][] = [
  ['mse', 'identity'],
  ['mse', 'sigmoid'],
  ['mse', 'tanh'],
  ['mse', 'relu'],
  ['mse', 'leaky_relu'],
  ['mse', 'softmax'],
  ['bce', 'sigmoid'],
  ['bce', 'softmax'],
  ['cce', 'softmax'],
];
const HIDDEN: Activation[] = ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'identity'];
const ROWS = 9;
const INPUTS = 3;
const OUTPUTS = 3;

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Case {
  name: string;
  loss: LossName;
  output: Activation;
  hidden: Activation;
  normalize: 'none' | 'zscore' | 'minmax';
  validation: number;
  seed: number;
}

const cases: Case[] = [];
let seed = 40;
for (const [loss, output] of LEGAL) {
  for (const [normalize, validation] of [['none', 0], ['zscore', 0.3], ['minmax', 0]] as const) {
    const hidden = HIDDEN[seed % HIDDEN.length];
    cases.push({ name: `${loss} / ${hidden} → ${output}, normalize ${normalize}, validation ${validation}`, loss, output, hidden, normalize, validation, seed: seed++ });
  }
}

/** The training part's rows as the network sees them, worked out from the raw rows by the documented rules. */
function seenRows(rows: { x: number[]; y: number[] }[], c: Case): { x: number[]; y: number[] }[] {
  const order = rows.map((_, i) => i);
  let held = 0;
  if (c.validation > 0) {
    Random.derive(c.seed, 'validation').shuffle(order);
    held = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * c.validation)));
  }
  const train = order.slice(0, rows.length - held).sort((a, b) => a - b).map((i) => rows[i]);
  const x = train.map((r) => r.x.map(Math.fround));
  for (let k = 0; k < INPUTS; k++) {
    const column = x.map((r) => r[k]);
    let offset = 0;
    let scale = 1;
    if (c.normalize === 'zscore') {
      offset = column.reduce((s, v) => s + v, 0) / column.length;
      scale = 1 / Math.sqrt(column.reduce((s, v) => s + (v - offset) ** 2, 0) / column.length);
    } else if (c.normalize === 'minmax') {
      offset = Math.min(...column);
      scale = 1 / (Math.max(...column) - offset);
    }
    for (const r of x) r[k] = (r[k] - offset) * scale;
  }
  return train.map((r, i) => ({ x: x[i], y: r.y }));
}

function randomLayers(random: Random, c: Case): OracleLayer[] {
  const widths = [INPUTS, 4, OUTPUTS];
  return [c.hidden, c.output].map((activation, l) => ({
    activation,
    bias: true,
    weights: Array.from({ length: widths[l + 1] }, () => Array.from({ length: widths[l] }, () => Math.fround(random.uniform(-1.2, 1.2)))),
    biases: Array.from({ length: widths[l + 1] }, () => Math.fround(random.uniform(-0.5, 0.5))),
  }));
}

describe('nnspec explain --json = autodiff', () => {
  it('covers every legal activation × cost with and without normalisation', () => {
    expect(cases).toHaveLength(LEGAL.length * 3);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const random = new Random(c.seed);
      // distinct x values, so a mixed-up sample index cannot pass
      const rows = randomSamples(random, ROWS, INPUTS, OUTPUTS, c.loss).map((r) => ({ x: r.x.map((v) => Number(v.toFixed(3))), y: r.y.map((v) => Number(v.toFixed(3))) }));
      const layers = randomLayers(random, c);
      const spec = [
        `input ${INPUTS}`,
        `dense 4 ${c.hidden}`,
        `dense ${OUTPUTS} ${c.output}`,
        `loss ${c.loss}`,
        'optimizer sgd rate=0.1',
        `seed ${c.seed}`,
        `normalize ${c.normalize}`,
        `validation ${c.validation}`,
        'data inline',
        ...rows.map((r) => `  ${r.x.join(' ')} -> ${r.y.join(' ')}`),
        'end',
      ].join('\n');
      const specFile = path.join(dir, `case${c.seed}.nnspec`);
      const weightsFile = path.join(dir, `case${c.seed}.json`);
      fs.writeFileSync(specFile, spec + '\n');
      fs.writeFileSync(weightsFile, JSON.stringify({ format: 'nnspec-weights', version: 1, layers: layers.map((l) => ({ weights: l.weights, biases: l.biases })) }));

      const seen = seenRows(rows, c);
      for (const sample of [0, seen.length - 1]) {
        const run = await nnspec(['explain', specFile, '--weights', weightsFile, '--sample', String(sample), '--json']);
        expect(run.code, run.stderr).toBe(0);
        const lines = run.stdout.trim().split('\n');
        expect(lines).toHaveLength(1);
        const json = JSON.parse(lines[0]);
        expect(Object.keys(json)).toEqual(['sample', 'x', 'y', 'cost', 'layers']);
        expect(json.sample).toBe(sample);
        const { x, y } = seen[sample];
        expect(closeTo(json.x, x, 1e-5, 1e-5), 'x').toBeNull();
        expect(json.y).toEqual(y.map(Math.fround));

        const forward = oracleForward(layers, x);
        const oracle = oracleGradient(layers, c.loss, 0, [{ x, y }]);
        expect(json.cost).toBeCloseTo(oracle.cost, 4);
        expect(json.layers).toHaveLength(2);
        json.layers.forEach((layer: { z: number[]; a: number[]; delta: number[]; dW: number[][]; db: number[] }, l: number) => {
          const where = `sample ${sample}, layer ${l + 1}`;
          expect(closeTo(layer.z, forward.zs[l], 1e-5, 1e-4), `${where} z`).toBeNull();
          expect(closeTo(layer.a, forward.activations[l + 1], 1e-5, 1e-4), `${where} a`).toBeNull();
          expect(layer.dW).toHaveLength(layers[l].weights.length);
          expect(layer.dW[0]).toHaveLength(layers[l].weights[0].length);
          expect(closeTo(layer.dW.flat(), oracle.dW[l].flat(), 1e-5, 1e-4), `${where} dW`).toBeNull();
          expect(closeTo(layer.db, oracle.db[l], 1e-5, 1e-4), `${where} db`).toBeNull();
          // with a bias, ∂C/∂b = δ = ∂C/∂z
          expect(closeTo(layer.delta, oracle.db[l], 1e-5, 1e-4), `${where} delta`).toBeNull();
        });
      }
    });
  }
});

describe('nnspec explain (readable text and mistakes)', () => {
  it('prints the seven phases with the numbers of --json', async () => {
    const text = await nnspec(['explain', 'examples/xor.nnspec', '--sample', '3']);
    expect(text.code).toBe(0);
    const json = JSON.parse((await nnspec(['explain', 'examples/xor.nnspec', '--sample', '3', '--json'])).stdout);
    for (const phase of ['1. input', '2. forward', '3. cost', '4. output error', '5. error passed back', '6. gradients', '7. the update']) {
      expect(text.stdout).toContain(phase);
    }
    expect(text.stdout).toContain('a⁰ = x = [1.000, 1.000]');
    expect(text.stdout).toContain(`= ${Number(json.cost).toPrecision(4)}`);
    expect(text.stdout).toContain(`δ² = ∇_a C ⊙ σ′(z²) = [${Number(json.layers[1].delta[0]).toPrecision(4)}]`);
    expect(text.stdout).toContain('η = 0.5, μ = 0.9');
  });

  it('says when the cost and the output activation fuse to a − y', async () => {
    const run = await nnspec(['explain', 'examples/spiral.nnspec']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/sigmoid and bce fuse/);
    expect(run.stdout).toMatch(/δ³ = a³ − y = \[/);
  });

  it('big layers are summarised by their largest entries', async () => {
    const run = await nnspec(['explain', 'examples/digits-16-16.nnspec']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/a⁰ = x = \(784 entries, \d+ non-zero; the largest: \[\d+\]/);
    expect(run.stdout).toMatch(/∂C\/∂w¹ = δ¹ \(a⁰\)ᵀ, 16×784; the 6 largest \[j,k\]: \[\d+,\d+\]/);
  });

  it('a sample outside the training part is a usage error naming the range', async () => {
    const run = await nnspec(['explain', 'examples/xor.nnspec', '--sample', '4']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--sample 4: the training part of examples/xor.nnspec has 4 samples (0 to 3)');
    const bad = await nnspec(['explain', 'examples/xor.nnspec', '--sample', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--sample wants a whole number ≥ 0, not 'x'");
  });
});
