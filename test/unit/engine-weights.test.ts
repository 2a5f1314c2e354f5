/** The weights file: reading (every error with where), checking against a network, writing. */
import { describe, expect, it } from 'vitest';
import { checkWeightsShape, parseWeightsFile, weightsToJson, WeightsError, type WeightsFile } from '../../src/core/weights';
import { makeSpec } from '../support/engineFixtures';

const good: WeightsFile = {
  format: 'nnspec-weights',
  version: 1,
  layers: [
    { weights: [[0.5, -1.25], [2, 0.1]], biases: [0, 0.75] },
    { weights: [[1e-8, 3]], biases: [-0.5] },
  ],
};

function error(text: string): string {
  try {
    parseWeightsFile(text, 'w.json');
  } catch (e) {
    expect(e).toBeInstanceOf(WeightsError);
    return (e as Error).message;
  }
  throw new Error('expected a WeightsError');
}

describe('parseWeightsFile', () => {
  it('reads what weightsToJson writes, number for number', () => {
    expect(parseWeightsFile(weightsToJson(good), 'w.json')).toEqual(good);
    expect(parseWeightsFile(JSON.stringify(good), 'w.json')).toEqual(good);
  });

  it('writes float32 values in the fewest digits that read back exactly', () => {
    const f = Math.fround(0.1);
    const text = weightsToJson({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[f, Math.fround(1 / 3)]], biases: [Math.fround(-2.5e-7)] }] });
    expect(text).toContain('[0.1, 0.33333334]');
    expect(text).toContain('"biases": [-2.5e-7]');
    const back = parseWeightsFile(text, 'w.json');
    expect(Math.fround(back.layers[0].weights[0][0])).toBe(f);
    expect(Math.fround(back.layers[0].weights[0][1])).toBe(Math.fround(1 / 3));
    // one weight row per line
    expect(weightsToJson(good).split('\n').filter((line) => /^\s+\[.*\],?$/.test(line))).toHaveLength(3);
  });

  it('not JSON: says so, with line and column', () => {
    expect(error('{\n  "format": "nnspec-weights",\n  oops\n}')).toMatch(/^w\.json: not a JSON file at line 3, column 3/);
    expect(error('')).toMatch(/^w\.json: not a JSON file/);
  });

  it('wrong shape of document, format or version', () => {
    expect(error('[1, 2]')).toMatch(/w\.json: expected a JSON object/);
    expect(error('{"format": "keras", "version": 1, "layers": []}')).toMatch(/w\.json: "format" is "keras"; an NNSpec weights file has "format": "nnspec-weights"/);
    expect(error('{"version": 1, "layers": []}')).toMatch(/"format" is missing/);
    expect(error('{"format": "nnspec-weights", "version": 2, "layers": []}')).toMatch(/w\.json: "version" is 2; this NNSpec reads version 1/);
    expect(error('{"format": "nnspec-weights", "version": 1}')).toMatch(/w\.json: "layers" should be a list/);
    expect(error('{"format": "nnspec-weights", "version": 1, "layers": [7]}')).toMatch(/w\.json: layer 1: expected \{"weights"/);
    expect(error('{"format": "nnspec-weights", "version": 1, "layers": [{"biases": []}]}')).toMatch(/layer 1: "weights" should be a list of rows/);
  });

  it('ragged rows and non-numbers, with layer, row and column', () => {
    const doc = (layers: unknown): string => JSON.stringify({ format: 'nnspec-weights', version: 1, layers });
    expect(error(doc([{ weights: [[1, 2], [3]], biases: [0, 0] }]))).toBe('w.json: layer 1: ragged weights: row 2 has 1 values, row 1 has 2');
    expect(error(doc([good.layers[0], { weights: [[1, 'x']], biases: [0] }]))).toBe('w.json: layer 2: weights row 1, column 2: expected a number, got "x"');
    expect(error(doc([{ weights: [[1, null]], biases: [0] }]))).toBe('w.json: layer 1: weights row 1, column 2: expected a number, got null');
    expect(error(doc([{ weights: [5], biases: [0] }]))).toBe('w.json: layer 1: weights row 1 is not a list of numbers');
    expect(error(doc([{ weights: [[1]], biases: [true] }]))).toBe('w.json: layer 1: bias 1: expected a number, got true');
    expect(error(doc([{ weights: [[1]], biases: 3 }]))).toBe('w.json: layer 1: "biases" should be a list of numbers');
  });
});

describe('checkWeightsShape', () => {
  const spec = makeSpec(2, [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }]);

  it('accepts a file that fits', () => {
    expect(() => checkWeightsShape(good, spec)).not.toThrow();
  });

  it('names the layer, what the network needs and what the file has', () => {
    expect(() => checkWeightsShape(good, makeSpec(3, spec.layers))).toThrow('layer 1: expected 2 × 3 weights (units × inputs), got 2 × 2');
    expect(() => checkWeightsShape(good, makeSpec(2, [{ units: 2, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }]))).toThrow(
      'layer 2: expected 2 × 2 weights (units × inputs), got 1 × 2',
    );
    expect(() => checkWeightsShape(good, makeSpec(2, [spec.layers[0]]))).toThrow('the weights have 2 layers, the network has 1');
    const shortBiases = structuredClone(good);
    shortBiases.layers[0].biases = [1];
    expect(() => checkWeightsShape(shortBiases, spec)).toThrow('layer 1: expected 2 biases, got 1');
  });

  it('bias=false layers take [] or zeros', () => {
    const noBias = makeSpec(2, [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid', bias: false }]);
    const file = structuredClone(good);
    file.layers[1].biases = [];
    expect(() => checkWeightsShape(file, noBias)).not.toThrow();
    file.layers[1].biases = [0];
    expect(() => checkWeightsShape(file, noBias)).not.toThrow();
    expect(() => checkWeightsShape(good, noBias)).toThrow(/layer 2 has bias=false, so its biases must be \[\] or 1 zeros; the weights give \[-0\.5\]/);
  });
});
