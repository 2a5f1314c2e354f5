/**
 * The statements and options of issue 13 as the parser reads them into the spec: the optimizers
 * (each kind's default rate, its own options), `l1`, `dense … dropout=p`, `stop` with the monitor's
 * default (validation_loss with a validation part, else loss).
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/core/lang';

const BASE = 'input 2\ndense 3 tanh\ndense 1 sigmoid\ndata xor\n';

describe('optimizers, l1, dropout and stop in the spec', () => {
  it('each optimizer takes its kind default rate and its own options', () => {
    expect(parseSpec(BASE + 'optimizer adam').spec.optimizer).toEqual({ kind: 'adam', rate: 0.001, momentum: 0, decay: 1 });
    expect(parseSpec(BASE + 'optimizer rmsprop').spec.optimizer.rate).toBe(0.01);
    expect(parseSpec(BASE + 'optimizer adagrad epsilon=1e-6').spec.optimizer).toEqual({ kind: 'adagrad', rate: 0.01, momentum: 0, decay: 1, epsilon: 1e-6 });
    const adam = parseSpec(BASE + 'optimizer adam 0.01 beta1=0.8 beta2=0.99 epsilon=1e-7 decay=0.9');
    expect(adam.diagnostics).toEqual([]);
    expect(adam.spec.optimizer).toEqual({ kind: 'adam', rate: 0.01, momentum: 0, decay: 0.9, beta1: 0.8, beta2: 0.99, epsilon: 1e-7 });
    const nesterov = parseSpec(BASE + 'optimizer sgd rate=0.05 momentum=0.9 nesterov=true');
    expect(nesterov.diagnostics).toEqual([]);
    expect(nesterov.spec.optimizer).toEqual({ kind: 'sgd', rate: 0.05, momentum: 0.9, decay: 1, nesterov: true });
    expect(parseSpec(BASE + 'optimizer rmsprop rho=0.9').spec.optimizer.rho).toBe(0.9);
  });

  it('l1 and dropout', () => {
    const result = parseSpec('input 2\ndense 8 relu dropout=0.25\ndense 1 sigmoid\ndata xor\nl1 0.001\nl2 0.01');
    expect(result.diagnostics).toEqual([]);
    expect(result.spec.l1).toBe(0.001);
    expect(result.spec.l2).toBe(0.01);
    expect(result.spec.layers[0].dropout).toBe(0.25);
    expect(result.spec.layers[1].dropout).toBeUndefined();
  });

  it('stop: patience, goal, monitor (and its default), min_delta, restore', () => {
    const plain = parseSpec(BASE + 'stop patience=4');
    expect(plain.diagnostics).toEqual([]);
    expect(plain.spec.stop).toMatchObject({ patience: 4, monitor: 'loss', minDelta: 0, restore: 'last' });
    expect(parseSpec(BASE + 'validation 0.25\nstop patience=4').spec.stop!.monitor).toBe('validation_loss');
    const full = parseSpec(BASE + 'validation 0.25\nstop patience=3 goal=0.99 monitor=validation_accuracy min_delta=0.01 restore=best');
    expect(full.diagnostics).toEqual([]);
    expect(full.spec.stop).toMatchObject({ patience: 3, goal: 0.99, monitor: 'validation_accuracy', minDelta: 0.01, restore: 'best' });
    expect(full.spec.stop!.range.start.line).toBe(5);
  });
});
