/**
 * Pass 3: the spec as a whole: the required statements, the layers (with the file's init for
 * those without their own), the output layer against the loss, the parameter ceiling, and
 * warnings that need more than one line to see (validation on tiny data, constant-init symmetry).
 */
import { parameterCount } from '../spec';
import { shorten, formatCount, type DenseInfo, type ParseContext } from './context';
import { range as makeRange, span } from './diagnostics';
import { vocabulary } from './vocabulary';

export function checkWhole(cx: ParseContext): void {
  const origin = makeRange(0, 0, 0, 0);
  if (!cx.byKeyword.has('input')) cx.error('missing-input', origin, 'the spec has no `input` statement', 'add a line such as `input 2`, the count of numbers in one sample');
  if (cx.dense.length === 0) cx.error('missing-dense', origin, 'the spec has no `dense` layer', 'add layers such as `dense 4 tanh` then `dense 1 sigmoid`');
  if (!cx.byKeyword.has('data')) cx.error('missing-data', origin, 'the spec has no `data` statement', 'add a line such as `data xor`');

  // Layers, with the file's init for those without their own.
  const complete = cx.dense.every((d) => d.units !== undefined && d.activation !== undefined);
  cx.spec.layers = cx.dense
    .filter((d) => d.units !== undefined && d.activation !== undefined)
    .map((d, i) => ({
      index: i + 1,
      units: d.units!,
      activation: d.activation!,
      bias: d.bias,
      init: d.init ?? { ...cx.spec.init },
      ...(d.dropout ? { dropout: d.dropout } : {}),
      range: d.statement.range,
    }));
  const lastDense = cx.dense[cx.dense.length - 1];
  if (lastDense?.dropout && lastDense.dropoutToken) {
    cx.error('dropout-on-output', lastDense.dropoutToken.range, 'dropout on the output layer would drop the network\'s answers', 'put dropout= on a hidden layer');
  }
  checkStop(cx);

  checkOutputLayer(cx);

  if (complete && cx.spec.layers.length > 0 && cx.spec.input.size > 0) {
    const count = parameterCount(cx.spec);
    if (count > cx.maxParameters) {
      let largest = cx.dense[0];
      let largestCount = -1;
      let previous = cx.spec.input.size;
      for (const d of cx.dense) {
        const c = d.units! * previous + (d.bias ? d.units! : 0);
        if (c > largestCount) [largest, largestCount] = [d, c];
        previous = d.units!;
      }
      cx.error(
        'too-many-parameters',
        largest.unitsToken?.range ?? largest.statement.range,
        `the network has ${formatCount(count)} parameters, more than the ceiling of ${formatCount(cx.maxParameters)}`,
        'make the layers smaller, or raise the setting `nnspec.maxParameters`',
      );
    }
  }

  checkValidationSize(cx);
  checkConstantSymmetry(cx);
  checkFeatureWidth(cx);
}

/** With `features`, the input width is their count: `input` must say so. */
function checkFeatureWidth(cx: ParseContext): void {
  const features = cx.spec.features;
  const inputStatement = cx.byKeyword.get('input');
  if (!features || !inputStatement || !cx.accepted.has(inputStatement)) return;
  const token = inputStatement.args[0];
  const want = String(features.length);
  if (cx.spec.input.size === features.length) return;
  const said = cx.spec.input.shape ? token.text : String(cx.spec.input.size);
  cx.error(
    'input-mismatch',
    token.range,
    `input ${said} does not match the features: ${features.length} ${features.length === 1 ? 'feature makes 1 input' : `features make ${features.length} inputs`} (${features.join(' ')})`,
    `write \`input ${want}\``,
    [{ title: `Change to ${want}`, range: token.range, newText: want }],
  );
}

/**
 * With constant weights into and out of a hidden layer, its units compute the same z, receive
 * the same δ and so stay identical for ever: the layer acts as one unit.
 */
function checkConstantSymmetry(cx: ParseContext): void {
  const constant = (d: DenseInfo): boolean => (d.init ?? cx.spec.init).kind === 'const';
  const fileWide: number[] = [];
  for (let i = 0; i + 1 < cx.dense.length; i++) {
    const d = cx.dense[i];
    // Equal incoming weights and equal outgoing weights (the next layer constant too).
    if (d.units === undefined || d.units < 2 || !constant(d) || !constant(cx.dense[i + 1])) continue;
    const layer = i + 1;
    if (d.init?.kind === 'const') {
      cx.warning('const-init-symmetry', d.initToken!.range, `with a constant init the ${d.units} units of layer ${layer} start equal, get equal gradients and stay equal`, `use a random init for a hidden layer, e.g. init=xavier`);
    } else {
      fileWide.push(layer);
    }
  }
  const statement = cx.byKeyword.get('init');
  if (fileWide.length > 0 && statement && cx.accepted.has(statement)) {
    const layers = fileWide.length === 1 ? `layer ${fileWide[0]}` : `layers ${fileWide.slice(0, -1).join(', ')} and ${fileWide[fileWide.length - 1]}`;
    cx.warning(
      'const-init-symmetry',
      span(statement.args[0].range, statement.args[statement.args.length - 1].range),
      `with init const the units of hidden ${layers} start equal, get equal gradients and stay equal`,
      'use a random init such as the default xavier; keep constants for single-unit layers',
    );
  }
}

function checkOutputLayer(cx: ParseContext): void {
  const last = cx.dense[cx.dense.length - 1];
  for (const d of cx.dense) {
    if (d !== last && d.activation === 'softmax') {
      cx.error('softmax-not-last', d.activationToken!.range, 'softmax is only allowed on the last layer', 'use relu, tanh or sigmoid in hidden layers');
    }
  }
  if (!last || last.activation === undefined) return;
  const token = last.activationToken!;
  const act = last.activation;
  const lossStatement = cx.byKeyword.get('loss');
  const lossToken = lossStatement && cx.accepted.has(lossStatement) ? lossStatement.args[0] : undefined;
  const loss = cx.spec.loss;
  if (loss === 'cce' && act !== 'softmax') {
    cx.error('cce-needs-softmax', token.range, `loss cce needs a softmax output layer, but the last layer is ${shorten(token.text)}`, 'make the last layer softmax, one unit per class', [
      { title: 'Change to softmax', range: token.range, newText: 'softmax' },
    ]);
  } else if (loss === 'bce' && act !== 'sigmoid' && act !== 'softmax') {
    const range = vocabulary.activations.find((a) => a.name === act)!.range;
    cx.error('bce-needs-sigmoid', token.range, `loss bce needs outputs in (0, 1), but the last layer is ${shorten(token.text)}, with outputs in ${range}`, 'make the last layer sigmoid', [
      { title: 'Change to sigmoid', range: token.range, newText: 'sigmoid' },
    ]);
  } else if (act === 'softmax' && loss !== 'cce') {
    const fixes = lossToken ? [{ title: 'Change to cce', range: lossToken.range, newText: 'cce' }] : undefined;
    cx.warning('softmax-without-cce', lossToken?.range ?? token.range, `a softmax output with loss ${loss}: softmax is meant for cce, where δᴸ = aᴸ − y`, lossToken ? 'write `loss cce`' : 'add `loss cce`', fixes);
  }
  if (act === 'softmax' && last.units === 1) {
    cx.warning('softmax-single-unit', last.unitsToken!.range, 'softmax over 1 unit always outputs 1, so the network cannot learn', 'for two classes use `dense 1 sigmoid` with `loss bce`, or one softmax unit per class');
  }
}

/** A held-out part of a tiny data set says little and starves training. */
function checkValidationSize(cx: ParseContext): void {
  const statement = cx.byKeyword.get('validation');
  const data = cx.spec.data;
  if (!statement || !cx.accepted.has(statement) || cx.spec.validation <= 0 || !data) return;
  // Only for rows written in the spec: the built-in sets are meant to be used as they come.
  if (data.kind !== 'inline') return;
  const count = data.rows.length;
  if (count < 2 || count >= 20) return;
  const held = Math.min(count - 1, Math.max(1, Math.round(count * cx.spec.validation)));
  cx.warning(
    'validation-small-data',
    statement.args[0].range,
    `validation ${shorten(statement.args[0].text)} holds out ${held} of only ${count} samples`,
    'training loses them and the validation loss measures too few; use `validation 0` for data this small',
  );
}

/** The `stop` monitor's default, and `stop monitor=validation_…` needs a validation part. */
function checkStop(cx: ParseContext): void {
  const stop = cx.spec.stop;
  if (!stop) return;
  const statement = cx.byKeyword.get('stop');
  const option = statement?.options.find((o) => o.key.text === 'monitor');
  // Keras' default, validation_loss, where there is a validation part; else the training loss.
  if (!option) stop.monitor = cx.spec.validation > 0 ? 'validation_loss' : 'loss';
  if (!stop.monitor.startsWith('validation_') || cx.spec.validation > 0) return;
  cx.error(
    'stop-needs-validation',
    option?.value.range ?? stop.range,
    `stop monitor=${stop.monitor} needs a validation part`,
    `add e.g. \`validation 0.2\`, or monitor=${stop.monitor.slice('validation_'.length)}`,
  );
}
