/**
 * Checks a parsed spec against the data it names, once that data is loaded: the input
 * width, the output width, and whether the cost fits the targets.
 */
import type { Dataset } from '../data/types';
import type { Diagnostic, NetworkSpec, Range, Statement, Token } from '../spec';
import { range as makeRange } from './diagnostics';

/**
 * Diagnostics for a spec that does not fit its data. `statements` (from parseSpec) give the
 * exact tokens to point at; without them, the layers' and the data statement's ranges are used.
 */
export function checkAgainstData(spec: NetworkSpec, data: Dataset, statements: Statement[] = []): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const inputStatement = statements.find((s) => s.keyword.text === 'input');
  const lossStatement = statements.find((s) => s.keyword.text === 'loss');
  const denseStatements = statements.filter((s) => s.keyword.text === 'dense');
  const lastDense = denseStatements[denseStatements.length - 1];
  const lastLayer = spec.layers[spec.layers.length - 1];
  const fallback: Range = spec.data?.range ?? makeRange(0, 0, 0, 0);

  // Values training cannot use: found here, with their place, rather than as a divergence later.
  const unusable = firstUnusableValue(data, spec.normalize === 'none');
  if (unusable) {
    const dataStatement = statements.find((s) => s.keyword.text === 'data');
    const noise = dataStatement?.options.find((o) => o.key.text === 'noise');
    const where = `sample ${unusable.sample + 1}, ${unusable.part} ${unusable.column + 1}`;
    diagnostics.push({
      severity: 'error',
      range: noise?.range ?? dataStatement?.range ?? fallback,
      message: Number.isFinite(unusable.value)
        ? `${data.name} has a value too large to train with: ${where} is ${unusable.value.toPrecision(3)}`
        : `${data.name} has a value that is not a finite number: ${where} is ${unusable.value}`,
      hint:
        (noise ? 'the noise is too large: e.g. noise=0.1; ' : '') +
        `training computes in 32-bit floats (up to about 3.4e38; squares overflow past ${UNUSABLE.toExponential(0)})` +
        (Number.isFinite(unusable.value) && unusable.part === 'input' ? ', so scale the inputs or use `normalize zscore`' : ''),
      code: 'data-not-finite',
    });
    return diagnostics;
  }

  // Features need a 2-D point; the width against `input` is the parser's (whole.ts).
  if (spec.features && data.inputSize !== 2) {
    const statement = statements.find((s) => s.keyword.text === 'features');
    diagnostics.push({
      severity: 'error',
      range: statement?.keyword.range ?? fallback,
      message: `features are made from 2-input data (x1, x2), but ${data.name} has ${data.inputSize} ${data.inputSize === 1 ? 'input' : 'inputs'}`,
      hint: 'remove the `features` line, or use 2-D data such as circle, spiral, moons or xor',
      code: 'features-need-two-inputs',
    });
  }
  // Input width (0: the spec's own `input` is missing or bad, already reported by the parser).
  if (!spec.features && spec.input.size > 0 && spec.input.size !== data.inputSize) {
    const token: Token | undefined = inputStatement?.args[0];
    const want = data.imageShape && data.imageShape[0] * data.imageShape[1] === data.inputSize ? `${data.imageShape[0]}x${data.imageShape[1]}` : String(data.inputSize);
    const said = token?.text ?? String(spec.input.size);
    const r = token?.range ?? inputStatement?.range ?? fallback;
    diagnostics.push({
      severity: 'error',
      range: r,
      message: `input ${said} does not match the data: ${data.name} has ${data.inputSize} ${data.inputSize === 1 ? 'input' : 'inputs'}`,
      hint: `write \`input ${want}\``,
      code: 'input-mismatch',
      fixes: token ? [{ title: `Change to ${want}`, range: token.range, newText: want }] : undefined,
    });
  }

  // Output width.
  if (lastLayer && lastLayer.units !== data.outputSize) {
    const unitsToken = lastDense?.args[0];
    const r = unitsToken?.kind === 'number' ? unitsToken.range : lastLayer.range;
    const what =
      data.task === 'classification'
        ? `${data.outputSize} classes`
        : `${data.outputSize} ${data.outputSize === 1 ? 'target' : 'targets'} per sample`;
    diagnostics.push({
      severity: 'error',
      range: r,
      message: `the last layer has ${lastLayer.units} ${lastLayer.units === 1 ? 'unit' : 'units'} but ${data.name} has ${what}`,
      hint: `write \`dense ${data.outputSize} ${lastLayer.activation}\` as the last layer`,
      code: 'output-mismatch',
      fixes: unitsToken?.kind === 'number' ? [{ title: `Change to ${data.outputSize}`, range: unitsToken.range, newText: String(data.outputSize) }] : undefined,
    });
  }

  // The cost against the targets.
  const lossRange = lossStatement?.args[0]?.range ?? lossStatement?.range ?? fallback;
  if (spec.loss === 'cce' && !isOneHot(data)) {
    diagnostics.push({
      severity: 'error',
      range: lossRange,
      message: `loss cce needs one-hot class targets, but ${data.name} ${describeTargets(data)}`,
      hint: data.task === 'regression' ? 'use `loss mse` for regression' : 'use `loss bce` with a sigmoid output for 0/1 targets, or `loss mse`',
      code: 'cce-needs-classes',
    });
  }
  if (spec.loss === 'bce') {
    const bad = firstOutside01(data);
    if (bad) {
      diagnostics.push({
        severity: 'error',
        range: lossRange,
        message: `loss bce needs targets in [0, 1], but ${data.name} has the target ${bad.value} (sample ${bad.sample + 1})`,
        hint: 'use `loss mse` for targets outside [0, 1]',
        code: 'bce-needs-unit-targets',
      });
    }
  }
  return diagnostics;
}

/** Every target row has exactly one 1 and zeros elsewhere, over at least two outputs. */
function isOneHot(data: Dataset): boolean {
  if (data.outputSize < 2) return false;
  if (data.task === 'classification') return true;
  const m = data.outputSize;
  for (let i = 0; i < data.count; i++) {
    let ones = 0;
    for (let j = 0; j < m; j++) {
      const y = data.targets[i * m + j];
      if (y === 1) ones++;
      else if (y !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}

function describeTargets(data: Dataset): string {
  if (data.task === 'regression') return `has real-valued targets (${data.outputSize === 1 ? 'one per sample' : `${data.outputSize} per sample`})`;
  if (data.outputSize === 1) return 'has one 0/1 target per sample';
  return 'has targets that are not one-hot';
}

function firstOutside01(data: Dataset): { value: number; sample: number } | undefined {
  for (let i = 0; i < data.targets.length; i++) {
    const y = data.targets[i];
    if (!(y >= 0 && y <= 1)) return { value: Number(y.toPrecision(6)), sample: Math.floor(i / data.outputSize) };
  }
  return undefined;
}

/** Beyond this magnitude a value's square overflows 32-bit floats (3.4e38): the loss would be infinite. */
const UNUSABLE = 1e18;

/**
 * The first NaN, ±Infinity (a CSV or a generator's value beyond float32's range becomes one) or
 * value beyond UNUSABLE: inputs only when they are used as they are (`normalize none`), targets always.
 */
function firstUnusableValue(data: Dataset, rawInputs: boolean): { sample: number; part: 'input' | 'target'; column: number; value: number } | undefined {
  const scan = (values: Float32Array, width: number, part: 'input' | 'target', finiteOnly: boolean) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v) || (!finiteOnly && Math.abs(v) > UNUSABLE)) {
        return { sample: Math.floor(i / width), part, column: i % width, value: v };
      }
    }
    return undefined;
  };
  return scan(data.inputs, data.inputSize, 'input', !rawInputs) ?? scan(data.targets, data.outputSize, 'target', false);
}
