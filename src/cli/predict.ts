/** `nnspec predict SPEC --weights IN.json --input "x1 x2 …"`: one raw input through the trained network. */
import { rawInputSize } from '../core/features';
import type { ParsedCommand } from './args';
import { applyWeightsFile, loadSpecOrFail, memoryOption } from './common';
import { parseNumber } from '../core/lang/numbers';
import { formatValue } from './format';
import { CliError, EXIT_OK, type CliIO } from './io';

export function predictCommand(io: CliIO, parsed: ParsedCommand): number {
  const given = parsed.positionals[0];
  const weightsGiven = parsed.values.weights;
  if (typeof weightsGiven !== 'string') {
    throw new CliError(`predict: --weights IN.json is required (save trained weights with \`nnspec train ${given} --save IN.json\`)`, 2);
  }
  const inputText = parsed.values.input;
  if (typeof inputText !== 'string') throw new CliError('predict: --input "x1 x2 …" is required', 2);
  const input = parseInput(inputText);

  const memoryBudgetMB = memoryOption(parsed.values);
  const project = loadSpecOrFail(io, given, { memoryBudgetMB });
  const width = rawInputSize(project.spec);
  if (input.length !== width) {
    const why = project.spec.features ? `x1 x2, which its \`features\` are made from` : `\`input ${width}\``;
    throw new CliError(
      `predict: --input has ${input.length} value${input.length === 1 ? '' : 's'}, but the network of ${given} takes ${width} (${why})`,
      2,
    );
  }
  applyWeightsFile(io, project, weightsGiven, given, memoryBudgetMB);
  const output = Array.from(project.trainer.predict(input));
  const bad = output.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const largest = input.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    throw new CliError(
      `predict: output ${bad + 1} is ${Number.isNaN(output[bad]) ? 'NaN' : 'infinite'}: the network's sums overflowed on this input ` +
        `(its largest value is ${largest.toPrecision(3)}; the network computes in 32-bit floats, up to about 3.4e38)`,
      1,
    );
  }

  const task = project.trainer.task;
  const classNames = project.dataset.classNames;
  let predictedClass: number | undefined;
  if (task === 'classification') predictedClass = argmax(output);
  else if (task === 'binary') predictedClass = output[0] > 0.5 ? 1 : 0;
  const className = predictedClass !== undefined ? classNames?.[predictedClass] : undefined;

  if (parsed.values.json) {
    io.stdout.write(JSON.stringify({ output, class: predictedClass ?? null, className: className ?? null }) + '\n');
    return EXIT_OK;
  }
  io.stdout.write(`output: ${output.map(formatValue).join(' ')}\n`);
  if (predictedClass !== undefined) {
    const name = className !== undefined && className !== String(predictedClass) ? ` (${className})` : '';
    const why = task === 'binary' ? ` (output ${output[0] > 0.5 ? '>' : '≤'} 0.5)` : '';
    io.stdout.write(`class: ${predictedClass}${name}${why}\n`);
  }
  return EXIT_OK;
}

/**
 * "0.5 -1,2e-3" → [0.5, -1, 0.002], numbers in the spec's own syntax (no hex, no Infinity);
 * anything else is a usage error naming the bad value.
 */
export function parseInput(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((part) => part.length > 0);
  if (parts.length === 0) throw new CliError('predict: --input is empty; give numbers separated by spaces, e.g. --input "0 1"', 2);
  return parts.map((part, i) => {
    const parsed = parseNumber(part);
    const shown = part.length > 40 ? `${part.slice(0, 30)}… (${part.length} characters)` : part;
    if ('error' in parsed) throw new CliError(`predict: --input value ${i + 1}, '${shown}', is ${parsed.error === 'too large' ? 'too large' : 'not a number'} (numbers are written as in a spec: 2, -0.5, 1e-3)`, 2);
    if (Math.abs(parsed.value) > FLOAT32_MAX) {
      throw new CliError(`predict: --input value ${i + 1}, '${shown}', is beyond the 32-bit floats the network computes in (±3.4e38)`, 2);
    }
    return parsed.value;
  });
}

/** The largest finite 32-bit float: larger inputs become Infinity in the network's Float32Arrays. */
const FLOAT32_MAX = 3.4028234663852886e38;

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
