/**
 * NNSpec's optimizers as the exported train.py knows them: one entry per optimizer, giving the
 * keyword arguments of train.py's OPTIMIZERS[kind] class (media/export/pytorch/train.py), where the
 * same update formula is written out. η and the per-epoch decay d are common to all (epoch e uses η·d^e)
 * and travel beside these. Adding an optimizer to NNSpec: one entry here, one class there.
 *
 *   sgd   v ← μv − η ∂C/∂w,  w ← w + v   (μ = 0: w ← w − η ∂C/∂w)        SGD(momentum=μ)
 */
import type { OptimizerSpec } from '../spec';

type OptimizerKind = OptimizerSpec['kind'];
type OptimizerOf<K extends OptimizerKind> = Extract<OptimizerSpec, { kind: K }>;

export const PYTORCH_OPTIMIZERS: { [K in OptimizerKind]: (optimizer: OptimizerOf<K>) => Record<string, number> } = {
  sgd: (optimizer) => ({ momentum: optimizer.momentum }),
};

/** train.py's RECIPE["optimizer"]: kind, rate, decay and the optimizer's own arguments. */
export function pytorchOptimizer(optimizer: OptimizerSpec): Record<string, number | string> {
  const entry = PYTORCH_OPTIMIZERS[optimizer.kind] as (o: OptimizerSpec) => Record<string, number>;
  if (!entry) throw new Error(`the PyTorch export does not know the optimizer '${String(optimizer.kind)}'`);
  return { kind: optimizer.kind, rate: optimizer.rate, decay: optimizer.decay, ...entry(optimizer) };
}
