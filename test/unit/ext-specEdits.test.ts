/** Which edits of a running session's spec are taken live and which need a restart (src/extension/specEdits.ts). */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/core/lang/index';
import { specEdit, withLive } from '../../src/extension/specEdits';

const base = `input 2
dense 4 tanh
dense 1 sigmoid
loss mse
optimizer sgd rate=0.5 momentum=0.9
batch 4
epochs 100
seed 1
data xor
`;
const spec = (text: string) => {
  const parsed = parseSpec(text);
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return parsed.spec;
};

describe('spec edits', () => {
  it('rate, momentum, decay, l2, batch and epochs are live', () => {
    const edited = base.replace('rate=0.5 momentum=0.9', 'rate=0.1 momentum=0.5 decay=0.99').replace('batch 4', 'batch 2').replace('epochs 100', 'epochs 300') + 'l2 0.001\n';
    const edit = specEdit(spec(base), spec(edited));
    expect(edit).toEqual({ live: { rate: 0.1, momentum: 0.5, decay: 0.99, l2: 0.001, batch: 2, epochs: 300 }, restart: [] });
    expect(specEdit(withLive(spec(base), edit.live), spec(edited))).toEqual({ live: {}, restart: [] });
  });

  it('shape, data, init and seed need a restart, named', () => {
    expect(specEdit(spec(base), spec(base.replace('dense 4 tanh', 'dense 8 tanh'))).restart).toEqual(['the network (input or layers)']);
    expect(specEdit(spec(base), spec(base.replace('data xor', 'data circle')))).toEqual({ live: {}, restart: ['the data'] });
    expect(specEdit(spec(base), spec(base.replace('seed 1', 'seed 2'))).restart).toEqual(['seed']);
    expect(specEdit(spec(base), spec(base + 'init he\n')).restart).toEqual(['init']);
  });

  it('momentum from 0 needs a restart (no velocities), comments and spacing change nothing', () => {
    const plain = base.replace(' momentum=0.9', '');
    expect(specEdit(spec(plain), spec(base))).toEqual({ live: {}, restart: ['momentum (from 0)'] });
    expect(specEdit(spec(base), spec('# a comment\n' + base.replace('batch 4', 'batch   4')))).toEqual({ live: {}, restart: [] });
  });
});
