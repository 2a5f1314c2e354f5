/**
 * Point-and-click edits as text edits of the spec (src/extension/features/pointAndClick.ts): each
 * request applied to the text gives the spec a user would have typed, and what does not apply
 * says why.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/core/lang/index';
import type { SpecEditRequest } from '../../src/protocol';
import { denseLineRange, pointAndClickEdit as specEdit } from '../../src/extension/features/pointAndClick';

const XOR = `network xor
input 2
  dense 4 tanh   # hidden
dense 1 sigmoid
loss mse
optimizer sgd rate=0.5 momentum=0.9
batch 4
data circle n=100
`;

/** The text after the request's edit (or the reason it was refused). */
function apply(text: string, request: SpecEditRequest): string {
  const result = specEdit(text, request);
  if (!result.ok) return `refused: ${result.reason}`;
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const { range, newText } = result.edit;
  return text.slice(0, offset(range.start)) + newText + text.slice(offset(range.end));
}

describe('spec edits', () => {
  it('+ / − neuron change a hidden layer’s unit count, and nothing else', () => {
    expect(apply(XOR, { kind: 'addNeuron', layer: 1 })).toBe(XOR.replace('dense 4 tanh', 'dense 5 tanh'));
    expect(apply(XOR, { kind: 'removeNeuron', layer: 1 })).toBe(XOR.replace('dense 4 tanh', 'dense 3 tanh'));
    expect(apply(XOR, { kind: 'addNeuron', layer: 2 })).toBe('refused: the output layer has one neuron per target: its width comes from the data');
    expect(apply('input 2\ndense 1 tanh\ndense 1 sigmoid\ndata xor', { kind: 'removeNeuron', layer: 1 })).toBe('refused: layer 1 has a single neuron: remove the layer instead');
  });

  it('+ layer copies its neighbour (indentation too); − layer removes the line', () => {
    const added = apply(XOR, { kind: 'addLayer', after: 1 });
    expect(added).toBe(XOR.replace('  dense 4 tanh   # hidden\n', '  dense 4 tanh   # hidden\n  dense 4 tanh\n'));
    expect(parseSpec(added).spec.layers.map((l) => l.units)).toEqual([4, 4, 1]);
    expect(apply(XOR, { kind: 'addLayer', after: 0 })).toBe(XOR.replace('  dense 4 tanh', '  dense 4 tanh\n  dense 4 tanh'));
    expect(apply(XOR, { kind: 'removeLayer', layer: 1 })).toBe(XOR.replace('  dense 4 tanh   # hidden\n', ''));
    expect(apply(XOR, { kind: 'removeLayer', layer: 2 })).toBe('refused: the output layer cannot be removed: the network needs one');
  });

  it('activation, rate, batch, noise and validation', () => {
    expect(apply(XOR, { kind: 'setActivation', layer: 1, activation: 'relu' })).toBe(XOR.replace('dense 4 tanh', 'dense 4 relu'));
    expect(apply(XOR, { kind: 'setActivation', layer: 1, activation: 'softmax' })).toBe('refused: softmax is only for the output layer');
    expect(apply(XOR, { kind: 'setRate', value: 0.1 + 0.2 })).toBe(XOR.replace('rate=0.5', 'rate=0.3'));
    expect(apply('input 2\ndense 1 sigmoid\noptimizer sgd 0.5\ndata xor', { kind: 'setRate', value: 2 })).toBe('input 2\ndense 1 sigmoid\noptimizer sgd 2\ndata xor');
    expect(apply('input 2\ndense 1 sigmoid\ndata xor\n\n', { kind: 'setRate', value: 2 })).toBe('input 2\ndense 1 sigmoid\ndata xor\noptimizer sgd rate=2\n\n');
    expect(apply(XOR, { kind: 'setBatch', value: 'full' })).toBe(XOR.replace('batch 4', 'batch full'));
    expect(apply(XOR, { kind: 'setNoise', value: 0.05 })).toBe(XOR.replace('data circle n=100', 'data circle n=100 noise=0.05'));
    expect(apply(apply(XOR, { kind: 'setNoise', value: 0.05 }), { kind: 'setNoise', value: 0.2 })).toBe(XOR.replace('data circle n=100', 'data circle n=100 noise=0.2'));
    expect(apply(XOR, { kind: 'setValidation', value: 0.25 })).toBe(XOR.replace('data circle n=100\n', 'data circle n=100\nvalidation 0.25\n'));
    expect(apply('input 2\ndense 1 sigmoid\ndata xor', { kind: 'setNoise', value: 0.1 })).toMatch(/^refused: noise= applies to the generated data sets/);
    expect(apply(XOR, { kind: 'setValidation', value: 1 })).toBe('refused: the validation share must be at least 0 and below 1');
  });

  it('every edit leaves a spec without errors', () => {
    const requests: SpecEditRequest[] = [
      { kind: 'addNeuron', layer: 1 }, { kind: 'removeNeuron', layer: 1 }, { kind: 'addLayer', after: 0 }, { kind: 'addLayer', after: 1 },
      { kind: 'removeLayer', layer: 1 }, { kind: 'setActivation', layer: 2, activation: 'tanh' }, { kind: 'setRate', value: 0.01 },
      { kind: 'setBatch', value: 8 }, { kind: 'setNoise', value: 0.1 }, { kind: 'setValidation', value: 0.2 },
    ];
    for (const r of requests) expect(parseSpec(apply(XOR, r)).diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r)).toEqual([]);
  });

  it('denseLineRange finds layer l’s statement', () => {
    expect(denseLineRange(XOR, 1)).toEqual({ start: { line: 2, character: 2 }, end: { line: 2, character: 14 } });
    expect(denseLineRange(XOR, 2)?.start.line).toBe(3);
    expect(denseLineRange(XOR, 3)).toBeUndefined();
  });
});
