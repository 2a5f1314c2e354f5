import type { Dataset } from './types';

/**
 * Targets for class indices: one-hot rows of `width` (count × width, row-major), or, when
 * width is 1, the index itself as a single 0/1 column (binary).
 */
export function classTargets(classes: ArrayLike<number>, width: number): Float32Array {
  const targets = new Float32Array(classes.length * width);
  for (let i = 0; i < classes.length; i++) {
    if (width === 1) targets[i] = classes[i];
    else targets[i * width + classes[i]] = 1;
  }
  return targets;
}

/** '0', '1', … 'K−1' */
export function indexNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i));
}

/**
 * What kind of learning the targets (count × outputSize) imply:
 * one output holding only 0 and 1 → 'binary'; several outputs, every row one-hot → 'classification';
 * anything else → 'regression'.
 */
export function inferTask(targets: Float32Array, outputSize: number): Dataset['task'] {
  if (outputSize === 1) {
    return targets.every((y) => y === 0 || y === 1) ? 'binary' : 'regression';
  }
  const count = targets.length / outputSize;
  for (let i = 0; i < count; i++) {
    let ones = 0;
    for (let j = 0; j < outputSize; j++) {
      const y = targets[i * outputSize + j];
      if (y === 1) ones++;
      else if (y !== 0) return 'regression';
    }
    if (ones !== 1) return 'regression';
  }
  return 'classification';
}
