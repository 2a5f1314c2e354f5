/**
 * The backpropagation engine's public API. Pure TypeScript: runs in the VS Code worker, the CLI
 * and the tests alike.
 *
 *   createTrainer(spec, prepared, { kernels })  the batched Float32 trainer (trainer.ts)
 *   jsKernels()                                 the plain JavaScript matrix kernels (jsKernels.ts)
 *   ReferenceNetwork                            float64 per-sample backprop, the tests' yardstick (reference.ts)
 *   gradientCheck(trainer)                      backprop vs central finite differences, per layer
 *   explainSample(trainer, i)                   one sample's seven phases of backprop (explain.ts)
 *   activation(name), cost(name)                each function with its derivative (activations.ts, costs.ts)
 */
export { createTrainer, type TrainerOptions } from './trainer';
export { jsKernels } from './jsKernels';
export type { Kernels } from './kernels';
export { ReferenceNetwork, type ReferenceLayer, type ReferenceBackprop, type ReferenceSample } from './reference';
export { gradientCheck, type GradientCheckLayer, type GradientCheckOptions } from './gradientCheck';
export { activation, activateLayer, softmaxRow, LEAKY_SLOPE, type ActivationFunction } from './activations';
export { explainSample, explanationToJson, type SampleExplanation, type ExplainedLayer, type ExplanationJson } from './explain';
export { cost, outputDelta, outputDeltaRule, LOG_EPSILON, type CostFunction } from './costs';
export {
  DivergenceError,
  type EpochMetrics,
  type Evaluation,
  type Gradient,
  type LayerView,
  type SampleTrace,
  type StepResult,
  type Trainer,
} from './types';
export { parseWeightsFile, checkWeightsShape, weightsToJson, WeightsError, type WeightsFile } from '../weights';
