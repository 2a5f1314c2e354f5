/** The worker's Check Gradients: the core's gradientCheck, reported per layer. */
import { gradientCheck } from '../core/engine/index';
import type { Trainer } from '../core/engine/types';
import type { GradientCheckReport } from './runner';

export function checkGradients(trainer: Trainer): GradientCheckReport {
  return gradientCheck(trainer).map((layer) => ({
    index: layer.index,
    maxRelativeError: layer.maxRelativeError,
    maxAbsoluteError: layer.maxAbsoluteError,
    checked: layer.checked,
    worst: layer.worst,
  }));
}
