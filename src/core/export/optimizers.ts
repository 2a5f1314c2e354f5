/**
 * NNSpec's optimizers as the exported train.py knows them: one entry per optimizer, giving the
 * keyword arguments of train.py's OPTIMIZERS[kind] class (media/export/pytorch/train.py), where the
 * same update rule as src/core/engine/optimizers.ts is written out (there in float64, rounded to
 * float32 where NNSpec stores, as NNSpec's JavaScript loops do). η and the per-epoch decay d are
 * common to all (epoch e uses η·d^e) and travel beside these. A new optimizer: one entry here, one
 * class there; the compiler asks for the entry.
 *
 *   sgd      v ← μv − η g;  w ← w + v  (nesterov: w ← w + μv − η g; μ = 0: w ← w − η g)   SGD(momentum, nesterov)
 *   adam     m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − η/(1 − β₁ᵗ) · m/(√v/√(1 − β₂ᵗ) + ε)   Adam(beta1, beta2, epsilon)
 *   rmsprop  v ← ρv + (1 − ρ)g²;  w ← w − η g/(√v + ε)                                      RMSprop(rho, epsilon)
 *   adagrad  G ← G + g²;  w ← w − η g/(√G + ε)                                               Adagrad(epsilon)
 * with g = ∂C/∂w + λ₂w + λ₁ sign(w) for weights, ∂C/∂b for biases.
 */
import type { OptimizerName, OptimizerSpec } from '../spec';
import { optimizerSettings, type OptimizerSettings } from '../engine/optimizers';

export const PYTORCH_OPTIMIZERS: Record<OptimizerName, (settings: OptimizerSettings) => Record<string, number | boolean>> = {
  sgd: (s) => ({ momentum: s.momentum, nesterov: s.nesterov }),
  adam: (s) => ({ beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon }),
  rmsprop: (s) => ({ rho: s.rho, epsilon: s.epsilon }),
  adagrad: (s) => ({ epsilon: s.epsilon }),
};

/** train.py's RECIPE["optimizer"]: kind, rate, decay and the optimizer's own arguments (defaults filled in). */
export function pytorchOptimizer(optimizer: OptimizerSpec): Record<string, number | string | boolean> {
  const settings = optimizerSettings(optimizer);
  const entry = PYTORCH_OPTIMIZERS[settings.kind];
  if (!entry) throw new Error(`the PyTorch export does not know the optimizer '${String(settings.kind)}'`);
  return { kind: settings.kind, rate: settings.rate, decay: settings.decay, ...entry(settings) };
}
