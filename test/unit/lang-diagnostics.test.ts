/**
 * Broken specs and their exact diagnostics: severity, code, range, message and hint, for every
 * kind of mistake; quick fixes; several errors in one file; checks against loaded data; the vocabulary.
 */
import { describe, expect, it } from 'vitest';
import { checkAgainstData, DIAGNOSTIC_CODES, editDistance, parseSpec, suggest, vocabulary } from '../../src/core/lang/index';
import { generateBuiltin } from '../../src/core/data/builtin';
import type { Dataset } from '../../src/core/data/types';
import type { Diagnostic, Range } from '../../src/core/spec';

const E = 'error';
const W = 'warning';
type Expected = [severity: string, code: string, range: string, message: string, hint: string | undefined];

/** '3:8-3:14' → a Range (0-based, as in the Diagnostic). */
function parseRange(text: string): Range {
  const [a, b, c, d] = text.split(/[:-]/).map(Number);
  return { start: { line: a, character: b }, end: { line: c, character: d } };
}

function shape(d: Diagnostic) {
  return { severity: d.severity, code: d.code, range: d.range, message: d.message, hint: d.hint };
}

const BASE = 'input 2\ndense 1 sigmoid\ndata xor\n';

const CASES: [text: string, expected: Expected[]][] = [
  [BASE + 'dense 4 sigmod', [
    [E, 'unknown-activation', '3:8-3:14', "unknown activation 'sigmod'", "did you mean 'sigmoid'?"],
  ]],
  [BASE + 'loss mes', [
    [E, 'unknown-loss', '3:5-3:8', "unknown loss 'mes'", "did you mean 'mse'?"],
  ]],
  [BASE + 'loss', [
    [E, 'missing-argument', '3:0-3:4', "`loss` needs a cost: mse, bce or cce", "e.g. `loss cce`"],
  ]],
  [BASE + 'epochs 10 20', [
    [E, 'extra-argument', '3:10-3:12', "unexpected '20' after `epochs`", "syntax: epochs N"],
  ]],
  [BASE + 'epochs ten', [
    [E, 'not-a-number', '3:7-3:10', "expected a number for epochs, got 'ten'", "e.g. epochs 100"],
  ]],
  [BASE + 'epochs 0', [
    [E, 'out-of-range', '3:7-3:8', "epochs must be a whole number ≥ 1, got 0", "e.g. epochs 100"],
  ]],
  [BASE + 'epochs 2.5', [
    [E, 'not-an-integer', '3:7-3:10', "epochs must be a whole number ≥ 1, got 2.5", "e.g. epochs 100"],
  ]],
  [BASE + 'batch 0', [
    [E, 'out-of-range', '3:6-3:7', "batch must be a whole number ≥ 1 (or `full`), got 0", "e.g. batch 32"],
  ]],
  [BASE + 'batch fll', [
    [E, 'not-a-number', '3:6-3:9', "expected a number or `full` for batch, got 'fll'", "did you mean 'full'?"],
  ]],
  [BASE + 'batch -3', [
    [E, 'out-of-range', '3:6-3:8', "batch must be a whole number ≥ 1 (or `full`), got -3", "e.g. batch 32"],
  ]],
  [BASE + 'optimizer sgd rate=0', [
    [E, 'out-of-range', '3:19-3:20', "rate must be > 0, got 0", "e.g. rate=0.1"],
  ]],
  [BASE + 'optimizer sgd momentum=1', [
    [E, 'out-of-range', '3:23-3:24', "momentum must be in [0, 1), got 1", "e.g. momentum=0.9"],
  ]],
  [BASE + 'optimizer sgd decay=0', [
    [E, 'out-of-range', '3:20-3:21', "decay must be in (0, 1], got 0", "e.g. decay=0.99"],
  ]],
  [BASE + 'optimizer sgd decay=1.5', [
    [E, 'out-of-range', '3:20-3:23', "decay must be in (0, 1], got 1.5", "e.g. decay=0.99"],
  ]],
  [BASE + 'optimizer sgd rate=', [
    [E, 'missing-value', '3:14-3:19', "option 'rate=' has no value", "e.g. optimizer sgd rate=0.5"],
  ]],
  [BASE + 'optimizer sgd lr=0.5', [
    [E, 'unknown-option', '3:14-3:16', "unknown option 'lr' for `optimizer`", "did you mean 'rate'?"],
  ]],
  [BASE + 'optimizer sgd learning_rate=0.5', [
    [E, 'unknown-option', '3:14-3:27', "unknown option 'learning_rate' for `optimizer`", "did you mean 'rate'?"],
  ]],
  [BASE + 'optimizer sgd rate=0.1 rate=0.2', [
    [E, 'duplicate-option', '3:23-3:27', "option 'rate=' is given twice", "the first is at column 15; remove one"],
  ]],
  [BASE + 'optimizer sgd 0.5 rate=0.2', [
    [E, 'duplicate-option', '3:18-3:22', "the rate is given twice: as 0.5 and as rate=0.2", "keep one of them"],
  ]],
  [BASE + 'optimizer lbfgs', [
    [E, 'unknown-optimizer', '3:10-3:15', "unknown optimizer 'lbfgs'", "optimizers: sgd, adam, rmsprop, adagrad, e.g. `optimizer adam rate=0.001`"],
  ]],
  [BASE + 'optimizer adam momentum=0.9', [
    [E, 'option-not-for-optimizer', '3:15-3:23', 'momentum= is not an option of adam', 'momentum= belongs to sgd; adam takes rate= beta1= beta2= epsilon= decay='],
  ]],
  [BASE + 'optimizer sgd nesterov=true', [
    [W, 'option-not-for-optimizer', '3:14-3:22', 'nesterov=true does nothing without momentum', 'add e.g. momentum=0.9'],
  ]],
  [BASE + 'optimizer adam beta2=1', [
    [E, 'out-of-range', '3:21-3:22', 'beta2 must be in [0, 1), got 1', 'e.g. beta2=0.999'],
  ]],
  ['input 2\ndense 3 relu dropout=0.5\ndense 1 sigmoid dropout=0.1\ndata xor', [
    [E, 'dropout-on-output', '2:24-2:27', "dropout on the output layer would drop the network's answers", 'put dropout= on a hidden layer'],
  ]],
  ['input 2\ndense 3 relu dropout=1\ndense 1 sigmoid\ndata xor', [
    [E, 'out-of-range', '1:21-1:22', 'dropout must be in [0, 1), got 1', 'e.g. dense 64 relu dropout=0.2'],
  ]],
  [BASE + 'stop monitor=loss', [
    [E, 'stop-needs-rule', '3:0-3:17', '`stop` needs patience= or goal=, or both', 'e.g. `stop patience=5` or `stop goal=0.01`'],
  ]],
  [BASE + 'stop patience=3 monitor=validation_loss', [
    [E, 'stop-needs-validation', '3:24-3:39', 'stop monitor=validation_loss needs a validation part', 'add e.g. `validation 0.2`, or monitor=loss'],
  ]],
  [BASE + 'stop patience=3 monitor=val_loss', [
    [E, 'unknown-option', '3:24-3:32', "unknown monitor 'val_loss'", "did you mean 'validation_loss'?"],
  ]],
  [BASE + 'stop patience=1.5', [
    [E, 'not-an-integer', '3:14-3:17', 'patience must be a whole number ≥ 0, got 1.5', 'e.g. stop patience=5'],
  ]],
  [BASE + 'l1 -0.1', [
    [E, 'out-of-range', '3:3-3:7', 'l1 must be ≥ 0, got -0.1', 'e.g. l1 0.0001'],
  ]],
  [BASE + 'optimizer sdg', [
    [E, 'unknown-optimizer', '3:10-3:13', "unknown optimizer 'sdg'", "did you mean 'sgd'?"],
  ]],
  [BASE + 'optimizer rate=0.5', [
    [E, 'missing-argument', '3:0-3:18', "`optimizer` needs its kind: sgd, adam, rmsprop, adagrad", "e.g. `optimizer adam rate=0.001`"],
  ]],
  [BASE + 'validation 1', [
    [E, 'out-of-range', '3:11-3:12', "validation must be in [0, 1), got 1", "e.g. validation 0.2"],
  ]],
  [BASE + 'validation 20%', [
    [E, 'not-a-number', '3:11-3:14', "expected a number for validation, got '20%'", "write the fraction 0.2"],
  ]],
  [BASE + 'l2 -1', [
    [E, 'out-of-range', '3:3-3:5', "l2 must be ≥ 0, got -1", "e.g. l2 0.0001"],
  ]],
  [BASE + 'seed -1', [
    [E, 'out-of-range', '3:5-3:7', "seed must be a whole number from 0 to 4294967295, got -1", "e.g. seed 7"],
  ]],
  [BASE + 'seed 1.5', [
    [E, 'not-an-integer', '3:5-3:8', "seed must be a whole number from 0 to 4294967295, got 1.5", "e.g. seed 7"],
  ]],
  [BASE + 'seed 99999999999', [
    [E, 'out-of-range', '3:5-3:16', "seed must be a whole number from 0 to 4294967295, got 99999999999", "e.g. seed 7"],
  ]],
  [BASE + 'normalize standardize', [
    [E, 'unknown-normalize', '3:10-3:21', "unknown normalize mode 'standardize'", "did you mean 'zscore'?"],
  ]],
  [BASE + 'init glorot', [
    [E, 'unknown-init', '3:5-3:11', "unknown init scheme 'glorot'", "did you mean 'xavier'?"],
  ]],
  [BASE + 'init const', [
    [E, 'missing-argument', '3:0-3:10', "`init const` needs the weight value", "e.g. `init const 0.5`"],
  ]],
  [BASE + 'init const x', [
    [E, 'not-a-number', '3:11-3:12', "expected a number for init const, got 'x'", "e.g. init const 0.5"],
  ]],
  [BASE + 'epoch 10', [
    [E, 'unknown-keyword', '3:0-3:5', "unknown keyword 'epoch'", "did you mean 'epochs'?"],
  ]],
  [BASE + 'Dense 3 relu', [
    [E, 'unknown-keyword', '3:0-3:5', "unknown keyword 'Dense'", "did you mean 'dense'?"],
  ]],
  [BASE + 'loss mse\nloss cce', [
    [E, 'duplicate-statement', '4:0-4:4', "duplicate `loss` statement: the first is on line 4", "remove one of them"],
  ]],
  [BASE + 'end', [
    [E, 'stray-end', '3:0-3:3', "`end` without `data inline` before it", "remove it, or add `data inline` and rows above it"],
  ]],
  [BASE + '0 1 -> 1', [
    [E, 'expected-keyword', '3:0-3:8', "an inline data row outside `data inline … end`", "put rows between a line `data inline` and a line `end`"],
  ]],
  [BASE + '42', [
    [E, 'expected-keyword', '3:0-3:2', "a statement starts with a keyword, not '42'", "keywords: network, input, dense, loss, optimizer, batch, epochs, l2, l1, stop, init, seed, data, validation, normalize, features"],
  ]],
  [BASE + 'network', [
    [E, 'missing-argument', '3:0-3:7', "`network` needs a name", "e.g. `network xor`"],
  ]],
  [BASE + 'network my net', [
    [E, 'extra-argument', '3:11-3:14', "unexpected 'net' after `network`", "a name with spaces goes in quotes: network \"my net\""],
  ]],
  [BASE + 'epochs 10 -> 3', [
    [E, 'unexpected-arrow', '3:10-3:12', "'->' belongs in the rows of `data inline`", "put rows between a line `data inline` and a line `end`"],
    [E, 'extra-argument', '3:13-3:14', "unexpected '3' after `epochs`", "syntax: epochs N"],
  ]],
  ['input 28x\ndense 1 sigmoid\ndata xor', [
    [E, 'bad-shape', '0:6-0:9', "'28x' is not an image shape", "write ROWSxCOLS, e.g. `input 28x28`"],
  ]],
  ['input 0x28\ndense 1 sigmoid\ndata xor', [
    [E, 'bad-shape', '0:6-0:10', "an image shape needs rows and columns ≥ 1, got 0x28", "e.g. `input 28x28`"],
  ]],
  ['input 0\ndense 1 sigmoid\ndata xor', [
    [E, 'out-of-range', '0:6-0:7', "input must be a whole number ≥ 1, got 0", "e.g. input 2"],
  ]],
  ['input 2\ndense 0 sigmoid\ndata xor', [
    [E, 'out-of-range', '1:6-1:7', "the unit count of `dense` must be a whole number ≥ 1, got 0", "e.g. dense 4 tanh"],
  ]],
  ['input 2\ndense 4\ndense 1 sigmoid\ndata xor', [
    [E, 'missing-argument', '1:0-1:7', "`dense` needs an activation after the unit count", "activations: identity, sigmoid, tanh, relu, leaky_relu, softmax"],
  ]],
  ['input 2\ndense\ndense 1 sigmoid\ndata xor', [
    [E, 'missing-argument', '1:0-1:5', "`dense` needs a unit count and an activation", "e.g. `dense 4 tanh`"],
  ]],
  ['input 2\ndense 4 tanh bias=yes\ndense 1 sigmoid\ndata xor', [
    [E, 'bad-boolean', '1:18-1:21', "bias= must be true or false, got 'yes'", "did you mean 'true'?"],
  ]],
  ['input 2\ndense 4 tanh init=const\ndense 1 sigmoid\ndata xor', [
    [E, 'missing-value', '1:18-1:23', "init=const needs the weight value", "write init=const:V, e.g. init=const:0.5"],
  ]],
  ['input 2\ndense 4 tanh init=kaiming\ndense 1 sigmoid\ndata xor', [
    [E, 'unknown-init', '1:18-1:25', "unknown init scheme 'kaiming'", "did you mean 'he'?"],
  ]],
  ['input 2\ndense 4 tanh rate=0.1\ndense 1 sigmoid\ndata xor', [
    [E, 'unknown-option', '1:13-1:17', "unknown option 'rate' for `dense`", "'rate=' belongs to `optimizer`"],
  ]],
  ['input 2\ndense 4 tanh 5\ndense 1 sigmoid\ndata xor', [
    [E, 'extra-argument', '1:13-1:14', "unexpected '5' after `dense`", "options are written key=value: bias=false, init=he"],
  ]],
  ['input 2\ndense 4 softmax\ndense 1 sigmoid\ndata xor', [
    [E, 'softmax-not-last', '1:8-1:15', "softmax is only allowed on the last layer", "use relu, tanh or sigmoid in hidden layers"],
  ]],
  ['input 2\ndense 4 tanh\ndense 2 sigmoid\nloss cce\ndata xor', [
    [E, 'cce-needs-softmax', '2:8-2:15', "loss cce needs a softmax output layer, but the last layer is sigmoid", "make the last layer softmax, one unit per class"],
  ]],
  ['input 2\ndense 4 tanh\ndense 1 relu\nloss bce\ndata xor', [
    [E, 'bce-needs-sigmoid', '2:8-2:12', "loss bce needs outputs in (0, 1), but the last layer is relu, with outputs in [0, ∞)", "make the last layer sigmoid"],
  ]],
  ['input 2\ndense 4 tanh\ndense 1 identity\nloss bce\ndata xor', [
    [E, 'bce-needs-sigmoid', '2:8-2:16', "loss bce needs outputs in (0, 1), but the last layer is identity, with outputs in (−∞, ∞)", "make the last layer sigmoid"],
  ]],
  ['input 2\ndense 4 tanh\ndense 2 softmax\nloss mse\ndata xor', [
    [W, 'softmax-without-cce', '3:5-3:8', "a softmax output with loss mse: softmax is meant for cce, where δᴸ = aᴸ − y", "write `loss cce`"],
  ]],
  ['input 2\ndense 4 tanh\ndense 2 softmax\ndata xor', [
    [W, 'softmax-without-cce', '2:8-2:15', "a softmax output with loss mse: softmax is meant for cce, where δᴸ = aᴸ − y", "add `loss cce`"],
  ]],
  ['input 2\ndense 4 tanh\ndense 2 softmax\nloss bce\ndata xor', [
    [W, 'softmax-without-cce', '3:5-3:8', "a softmax output with loss bce: softmax is meant for cce, where δᴸ = aᴸ − y", "write `loss cce`"],
  ]],
  ['input 2\ndense 1 softmax\nloss cce\ndata xor', [
    [W, 'softmax-single-unit', '1:6-1:7', "softmax over 1 unit always outputs 1, so the network cannot learn", "for two classes use `dense 1 sigmoid` with `loss bce`, or one softmax unit per class"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata xor noise=0.1', [
    [E, 'option-not-for-data', '2:9-2:14', "option 'noise=' does not apply to `data xor`", "noise= applies to circle, spiral, moons, gaussians, sine"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata xor n=10', [
    [E, 'option-not-for-data', '2:9-2:10', "option 'n=' does not apply to `data xor`", "n= applies to circle, spiral, moons, gaussians, sine, digits and IDX files"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata circle n=1', [
    [E, 'out-of-range', '2:14-2:15', "n must be a whole number from 2 to 1,000,000, got 1", "e.g. n=200"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata digits n=20000', [
    [E, 'out-of-range', '2:14-2:19', "n must be a whole number from 1 to 10,000, got 20000", "e.g. n=200"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata circle noise=-1', [
    [E, 'out-of-range', '2:18-2:20', "noise must be ≥ 0, got -1", "e.g. noise=0.1"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata circel', [
    [E, 'unknown-dataset', '2:5-2:11', "unknown data set 'circel'", "did you mean 'circle'?"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata mnist', [
    [E, 'unknown-dataset', '2:5-2:10', "unknown data set 'mnist'", "did you mean 'digits', 10,000 MNIST digits? For the full MNIST give its IDX files: data \"train-images-idx3-ubyte\" labels=\"train-labels-idx1-ubyte\""],
  ]],
  ['input 2\ndense 1 sigmoid\ndata iris.csv', [
    [E, 'unknown-dataset', '2:5-2:13', "unknown data set 'iris.csv'", "a file name goes in quotes: data \"iris.csv\""],
  ]],
  ['input 2\ndense 1 sigmoid\ndata "iris.csv" labels_=x', [
    [E, 'unknown-option', '2:16-2:23', "unknown option 'labels_' for `data`", "did you mean 'labels'?"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata "iris.csv" n=5', [
    [E, 'option-not-for-data', '2:16-2:17', "option 'n=' does not apply to CSV files", "n= applies to circle, spiral, moons, gaussians, sine, digits and IDX files"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata "iris.csv" header=maybe', [
    [E, 'bad-boolean', '2:23-2:28', "header= must be true or false, got 'maybe'", "write header=true or header=false"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata "images-idx3-ubyte" "labels-idx1-ubyte"', [
    [E, 'labels-positional', '2:25-2:44', "the label file is given as labels=\"…\"", "write labels=\"labels-idx1-ubyte\""],
  ]],
  ['input 2\ndense 1 sigmoid\ndata "images-idx3-ubyte" labels="l" label=first', [
    [E, 'option-not-for-data', '2:36-2:41', "option 'label=' does not apply to IDX image files", "label= applies to CSV files"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata "iris.csv', [
    [E, 'unterminated-string', '2:5-2:14', "the string \"iris.csv has no closing quote", "add \" at its end"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata ""', [
    [E, 'missing-argument', '2:5-2:7', "the file name is empty", "e.g. `data \"points.csv\"`"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata', [
    [E, 'missing-argument', '2:0-2:4', "`data` needs a source: a built-in set, a \"file\", or inline", "e.g. `data xor`"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata inline\n0 1 -> 1\n1 1 -> 0', [
    [E, 'missing-end', '2:0-2:11', "`data inline` is not closed by `end`", "add a line `end` after the last row, line 5"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata inline\n0 1 -> 1\nepochs 5', [
    [E, 'missing-end', '2:0-2:11', "`data inline` is not closed by `end`", "add a line `end` after the last row, line 4"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata inline\nend', [
    [E, 'inline-empty', '2:0-2:11', "`data inline` has no rows", "write rows like `0 1 -> 1` between `data inline` and `end`"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata inline n=3\n0 1 -> 1\nend', [
    [E, 'option-not-for-data', '2:12-2:13', "option 'n=' does not apply to `data inline`", "n= applies to circle, spiral, moons, gaussians, sine, digits and IDX files"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata inline\n0 1 -> 1 -> 1\n0 1\n0 x -> 1\n0 1 -> 1 0\n-> 1\nend', [
    [E, 'extra-arrow', '3:9-3:11', "inline row has more than one '->'", "one row is `inputs -> targets`, e.g. `0 1 -> 1`"],
    [E, 'missing-arrow', '4:0-4:3', "inline row has no '->' between its inputs and targets", "e.g. `0 1 -> 1`"],
    [E, 'not-a-number', '5:2-5:3', "expected a number in the inline row, got 'x'", "a row holds numbers only: inputs -> targets"],
    [E, 'inline-row-empty', '7:0-7:4', "inline row has no inputs before '->'", "e.g. `0 1 -> 1`"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata inline\n0 0 -> 0\n0 1 -> 1\n1 0 -> 1\n1 1 -> 0\nend extra\nvalidation 0.25', [
    [E, 'extra-argument', '7:4-7:9', "`end` takes nothing after it", "put `end` alone on its line"],
    [W, 'validation-small-data', '8:11-8:15', "validation 0.25 holds out 1 of only 4 samples", "training loses them and the validation loss measures too few; use `validation 0` for data this small"],
  ]],
  ['dense 1 sigmoid', [
    [E, 'missing-input', '0:0-0:0', "the spec has no `input` statement", "add a line such as `input 2`, the count of numbers in one sample"],
    [E, 'missing-data', '0:0-0:0', "the spec has no `data` statement", "add a line such as `data xor`"],
  ]],
  ['# nothing', [
    [E, 'missing-input', '0:0-0:0', "the spec has no `input` statement", "add a line such as `input 2`, the count of numbers in one sample"],
    [E, 'missing-dense', '0:0-0:0', "the spec has no `dense` layer", "add layers such as `dense 4 tanh` then `dense 1 sigmoid`"],
    [E, 'missing-data', '0:0-0:0', "the spec has no `data` statement", "add a line such as `data xor`"],
  ]],
  ['input 2\ndense tanh 4\ndense 1 sigmoid\ndata xor', [
    [E, 'argument-order', '1:6-1:12', "`dense` takes the unit count first, then the activation", "write `dense 4 tanh`"],
  ]],
  ['input 2\ndense 1 sigmoid\ndata inline\n0 1 -> 1\n0 1 1 -> 1\n0 1 -> 1 1\nend', [
    [E, 'inline-row-width', '4:0-4:10', "inline row has 3 inputs, but the first row (line 4) has 2", "every row needs the same number of inputs and of targets"],
    [E, 'inline-row-width', '5:0-5:10', "inline row has 2 targets, but the first row (line 4) has 1", "every row needs the same number of inputs and of targets"],
  ]],
  [BASE + 'optimizer sgd rate=0.1 =3', [
    [E, 'missing-key', '3:23-3:25', "'=' without an option name before it", "write options as key=value, e.g. rate=0.5"],
  ]],
  ['input 28x28\ndense 10000 relu\ndense 10 softmax\nloss cce\ndata digits', [
    [E, 'too-many-parameters', '1:6-1:11', "the network has 7,950,010 parameters, more than the ceiling of 5,000,000", "make the layers smaller, or raise the setting `nnspec.maxParameters`"],
  ]],
  [BASE + 'momentum 0.9', [
    [E, 'unknown-keyword', '3:0-3:8', "'momentum' is not a keyword", "momentum= is an option of `optimizer`: e.g. optimizer sgd rate=0.1 momentum=0.9"],
  ]],
  [BASE + 'learning_rate=0.1', [
    [E, 'unknown-keyword', '3:0-3:13', "'learning_rate' is not a keyword", "rate= is an option of `optimizer`: e.g. optimizer sgd rate=0.5"],
  ]],
  ['input 2\ndense 4 tanh\ndense 3 tanh init=const:0.5\ndense 1 sigmoid init=const:0.1\ninit const 0.2\ndata xor', [
    [W, 'const-init-symmetry', '2:18-2:27', "with a constant init the 3 units of layer 2 start equal, get equal gradients and stay equal", "use a random init for a hidden layer, e.g. init=xavier"],
    [W, 'const-init-symmetry', '4:5-4:14', "with init const the units of hidden layer 1 start equal, get equal gradients and stay equal", "use a random init such as the default xavier; keep constants for single-unit layers"],
  ]],
  // Constant weights into a hidden layer but random ones out of it: the units can diverge, no warning.
  ['input 2\ndense 4 tanh init=const:1\ndense 1 sigmoid\ndata xor', []],
  ['input 2\ndense 4 tanh\ndense 3 tanh init=xavier\ndense 2 sigmoid\ninit const:0.2\ndata xor', []],
  [BASE + 'optimizer sgd =0.5', [
    [E, 'missing-key', '3:14-3:18', "'=' without an option name before it", "write options as key=value, e.g. rate=0.5"],
  ]],
  [BASE + 'features x1 x3 x1', [
    [E, 'unknown-feature', '3:12-3:14', "unknown feature 'x3'", "did you mean 'x1'?"],
    [E, 'duplicate-feature', '3:15-3:17', 'feature x1 is listed twice', 'list each feature once'],
  ]],
  ['input 2\nfeatures x1 x2 x1*x2\ndense 1 sigmoid\ndata xor', [
    [E, 'input-mismatch', '0:6-0:7', 'input 2 does not match the features: 3 features make 3 inputs (x1 x2 x1*x2)', 'write `input 3`'],
  ]],
  [BASE + 'optimizer sgd rate = 0.5 lr = 3', [
    [E, 'unknown-option', '3:25-3:27', "unknown option 'lr' for `optimizer`", "did you mean 'rate'?"],
  ]],
];

describe('broken specs give their exact diagnostics', () => {
  it.each(CASES)('%j', (text, expected) => {
    const got = parseSpec(text).diagnostics.map(shape);
    expect(got).toEqual(
      expected.map(([severity, code, range, message, hint]) => ({ severity, code, range: parseRange(range), message, hint })),
    );
  });

  it('every code used in the table is a declared, stable code, and the table covers most of them', () => {
    const used = new Set(CASES.flatMap(([, e]) => e.map((x) => x[1])));
    for (const code of used) expect(DIAGNOSTIC_CODES).toContain(code);
    const uncovered = DIAGNOSTIC_CODES.filter((c) => !used.has(c));
    // Covered by the data checks below, the limits (lang-limits.test.ts), or a parser bug that must never show.
    expect(uncovered.sort()).toEqual([
      'bce-needs-unit-targets',
      'cce-needs-classes',
      'data-not-finite', // cli-safety.test.ts
      'features-need-two-inputs',
      'internal-error',
      'output-mismatch',
      'too-many-diagnostics',
      'too-many-layers',
      'too-many-statements',
    ]);
  });
});

/** The text with one fix applied (ranges are line/character, lines split as the parser does). */
function applyFix(text: string, fix: { range: Range; newText: string }): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(0, offset(fix.range.start)) + fix.newText + text.slice(offset(fix.range.end));
}

describe('quick fixes', () => {
  const withFixes = CASES.flatMap(([text]) => parseSpec(text).diagnostics.filter((d) => d.fixes?.length).map((d) => [text, d] as const));

  it('there are fixes for the did-you-mean cases and more', () => {
    expect(withFixes.length).toBeGreaterThanOrEqual(25);
  });

  it.each(withFixes)('applying the fix to %j removes the diagnostic', (text, d) => {
    const fixed = applyFix(text, d.fixes![0]);
    const after = parseSpec(fixed).diagnostics;
    const same = after.filter((x) => x.code === d.code && x.range.start.line === d.range.start.line);
    expect(same, `after the fix:\n${fixed}`).toEqual([]);
  });

  it('did-you-mean fixes replace exactly the misspelt token', () => {
    const d = parseSpec('input 2\ndense 4 tahn\ndense 1 sigmoid\ndata xor').diagnostics[0];
    expect(d.fixes).toEqual([{ title: "Change to 'tanh'", range: parseRange('1:8-1:12'), newText: 'tanh' }]);
  });
});

describe('recovery', () => {
  it('reports every error of a file, in order, and still builds what it can', () => {
    const text = [
      'input 2', //                        0
      'dense 4 relu bias=maybe', //        1  bad-boolean
      'dense 4 sigmod', //                 2  unknown-activation
      'dense 1 sigmoid', //                3
      'loss bce', //                       4
      'optimizer sgd rate=-1 momentum=0.5', // 5 out-of-range
      'epochs many', //                    6  not-a-number
      'batch 8', //                        7
      'seed 3', //                         8
      'data moons noise=0.2 n=100', //     9
      'validation 0.5', //                 10
      'validation 0.2', //                 11 duplicate
      'normalise minmax', //               12 unknown-keyword
    ].join('\n');
    const result = parseSpec(text);
    expect(result.diagnostics.map((d) => [d.range.start.line, d.code])).toEqual([
      [1, 'bad-boolean'],
      [2, 'unknown-activation'],
      [5, 'out-of-range'],
      [6, 'not-a-number'],
      [11, 'duplicate-statement'],
      [12, 'unknown-keyword'],
    ]);
    expect(result.diagnostics[4].message).toBe('duplicate `validation` statement: the first is on line 11');
    // The valid parts took effect; the bad values kept their defaults.
    const spec = result.spec;
    expect(spec.layers.map((l) => [l.units, l.activation])).toEqual([[4, 'relu'], [1, 'sigmoid']]);
    expect(spec.optimizer).toEqual({ kind: 'sgd', rate: 0.1, momentum: 0.5, decay: 1 });
    expect(spec.epochs).toBe(10);
    expect([spec.batch, spec.seed, spec.validation, spec.loss, spec.normalize]).toEqual([8, 3, 0.5, 'bce', 'none']);
    expect(spec.data).toMatchObject({ kind: 'builtin', name: 'moons', n: 100, noise: 0.2 });
  });

  it('a missing `end` is reported and the statements after the rows are still read', () => {
    const result = parseSpec('input 1\ndense 1 identity\ndata inline\n1 -> 2\n2 -> 4\nepochs 3\nloss mse');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['missing-end']);
    expect(result.spec.epochs).toBe(3);
    expect(result.spec.data).toMatchObject({ kind: 'inline', rows: [{ x: [1], y: [2] }, { x: [2], y: [4] }] });
  });

  it('an unterminated string still gives the path to the data loader', () => {
    const result = parseSpec('input 2\ndense 1 sigmoid\ndata "points.csv  ');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['unterminated-string']);
    expect(result.spec.data).toMatchObject({ kind: 'csv', path: 'points.csv' });
  });
});

describe('checkAgainstData', () => {
  const xor = generateBuiltin({ name: 'xor' }, { seed: 1 });
  const sine = generateBuiltin({ name: 'sine', n: 20 }, { seed: 1 });
  const classes: Dataset = {
    name: 'digits', count: 2, inputSize: 784, outputSize: 10, task: 'classification',
    inputs: new Float32Array(2 * 784), targets: new Float32Array(20).fill(0).map((_, i) => (i === 3 || i === 17 ? 1 : 0)),
    imageShape: [28, 28],
  };

  function check(text: string, data: Dataset) {
    const result = parseSpec(text);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return checkAgainstData(result.spec, data, result.statements).map((d) => ({ ...shape(d), fixes: d.fixes }));
  }

  it('a spec that fits its data gives nothing', () => {
    expect(check('input 2\ndense 3 tanh\ndense 1 sigmoid\nloss bce\ndata xor', xor)).toEqual([]);
    expect(check('input 28x28\ndense 10 softmax\nloss cce\ndata digits', classes)).toEqual([]);
    expect(check('input 1\ndense 8 tanh\ndense 1 identity\ndata sine', sine)).toEqual([]);
  });

  it('input width: message, hint, range on the number, and a fix', () => {
    expect(check('input 3\ndense 1 sigmoid\ndata xor', xor)).toEqual([
      {
        severity: 'error', code: 'input-mismatch', range: parseRange('0:6-0:7'),
        message: 'input 3 does not match the data: xor has 2 inputs', hint: 'write `input 2`',
        fixes: [{ title: 'Change to 2', range: parseRange('0:6-0:7'), newText: '2' }],
      },
    ]);
  });

  it('image data suggests the shape', () => {
    const [d] = check('input 100\ndense 10 softmax\nloss cce\ndata digits', classes);
    expect([d.message, d.hint]).toEqual(['input 100 does not match the data: digits has 784 inputs', 'write `input 28x28`']);
  });

  it('output width: the last dense line’s unit count', () => {
    expect(check('input 28x28\ndense 30 sigmoid\ndense 3 softmax\nloss cce\ndata digits', classes)).toEqual([
      {
        severity: 'error', code: 'output-mismatch', range: parseRange('2:6-2:7'),
        message: 'the last layer has 3 units but digits has 10 classes', hint: 'write `dense 10 softmax` as the last layer',
        fixes: [{ title: 'Change to 10', range: parseRange('2:6-2:7'), newText: '10' }],
      },
    ]);
  });

  it('cce needs one-hot class targets', () => {
    const [d] = check('input 2\ndense 1 softmax\nloss cce\ndata xor', xor);
    expect(shape({ ...d, fixes: undefined } as Diagnostic)).toEqual({
      severity: 'error', code: 'cce-needs-classes', range: parseRange('2:5-2:8'),
      message: 'loss cce needs one-hot class targets, but xor has one 0/1 target per sample',
      hint: 'use `loss bce` with a sigmoid output for 0/1 targets, or `loss mse`',
    });
    const regression: Dataset = { ...sine, outputSize: 2, targets: new Float32Array(40).fill(0.5) };
    expect(check('input 1\ndense 2 softmax\nloss cce\ndata sine', regression).map((x) => [x.code, x.message])).toEqual([
      ['cce-needs-classes', 'loss cce needs one-hot class targets, but sine has real-valued targets (2 per sample)'],
    ]);
  });

  it('cce accepts one-hot targets even when the loader did not call them classification', () => {
    const inline: Dataset = { ...xor, name: 'inline', outputSize: 2, task: 'regression', targets: new Float32Array([1, 0, 0, 1, 0, 1, 1, 0]) };
    expect(check('input 2\ndense 2 softmax\nloss cce\ndata xor', inline)).toEqual([]);
  });

  it('bce needs targets in [0, 1], naming the first bad one', () => {
    const [d] = check('input 1\ndense 1 sigmoid\nloss bce\ndata sine', sine);
    const first = [...sine.targets].findIndex((y) => y < 0 || y > 1);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(d.code).toBe('bce-needs-unit-targets');
    expect(d.range).toEqual(parseRange('2:5-2:8'));
    expect(d.message).toBe(`loss bce needs targets in [0, 1], but sine has the target ${Number(sine.targets[first].toPrecision(6))} (sample ${first + 1})`);
  });

  it('without statements it falls back to the spec’s own ranges', () => {
    const { spec } = parseSpec('input 3\ndense 4 tanh\ndense 2 sigmoid\ndata xor');
    const ds = checkAgainstData(spec, xor);
    expect(ds.map((d) => [d.code, d.range])).toEqual([
      ['input-mismatch', spec.data!.range],
      ['output-mismatch', spec.layers[1].range],
    ]);
  });
});

describe('vocabulary', () => {
  it('documents every activation with its formula and derivative, in both spellings', () => {
    expect(vocabulary.activations.map((a) => a.name)).toEqual(['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax']);
    for (const a of vocabulary.activations) {
      for (const f of [a.formula, a.derivative]) {
        expect(f.unicode.length).toBeGreaterThan(3);
        expect(f.markdown.length).toBeGreaterThan(3);
      }
    }
    expect(vocabulary.activations.find((a) => a.name === 'sigmoid')!.derivative.unicode).toBe("σ'(z) = σ(z)(1−σ(z))");
    expect(vocabulary.activations.find((a) => a.name === 'softmax')!.derivative.unicode).toBe('∂aⱼ/∂zᵢ = aⱼ(δᵢⱼ − aᵢ)');
  });

  it('every keyword’s example and every option’s example parse without errors in a complete spec', () => {
    const complete = (line: string, keyword: string): string => {
      const classes = line.includes('cce') || line.includes('softmax');
      const parts: Record<string, string> = { input: 'input 2', dense: classes ? 'dense 2 softmax' : 'dense 1 sigmoid', data: 'data xor' };
      if (keyword === 'input') delete parts.input;
      if (keyword === 'data') delete parts.data;
      // a dense example is a hidden layer before the output layer (dropout= is not for the output)
      if (classes && keyword !== 'loss') parts.loss = 'loss cce';
      return [line, ...Object.values(parts)].join('\n');
    };
    for (const k of vocabulary.keywords) {
      if (k.name === 'end') continue;
      const examples = [k.example, ...k.options.map((o) => (o.example.startsWith(k.name) ? o.example : `${k.name} ${o.example}`))];
      for (const example of examples) {
        const text = complete(example, k.name);
        const errors = parseSpec(text).diagnostics.filter((d) => d.severity === 'error');
        expect(errors, text).toEqual([]);
      }
    }
  });

  it('every built-in data set parses, and the costs name their δᴸ shortcut', () => {
    for (const d of vocabulary.datasets) {
      const text = `input ${d.inputLine}\n${d.outputLine}\n${d.outputLine.includes('softmax') ? 'loss cce\n' : ''}data ${d.name}`;
      expect(parseSpec(text).diagnostics, text).toEqual([]);
    }
    expect(vocabulary.costs.find((c) => c.name === 'cce')!.outputDelta!.unicode).toBe('with softmax: δᴸ = aᴸ − y');
    expect(vocabulary.costs.find((c) => c.name === 'bce')!.outputDelta!.unicode).toBe('with sigmoid: δᴸ = aᴸ − y');
  });
});

describe('did you mean', () => {
  it('edit distance counts a swap of neighbours as one edit, ignoring case', () => {
    expect([editDistance('sigmod', 'sigmoid'), editDistance('tahn', 'tanh'), editDistance('Dense', 'dense'), editDistance('', 'abc'), editDistance('relu', 'tanh')]).toEqual([1, 1, 0, 3, 4]);
  });

  it('suggests close words and words from other tools, never a far or unrelated one', () => {
    const activations = vocabulary.activations.map((a) => a.name);
    expect(suggest('sigmod', activations)).toBe('sigmoid');
    expect(suggest('leaky-relu', activations)).toBe('leaky_relu');
    expect(suggest('learning_rate', ['rate', 'momentum', 'decay'], { learningrate: 'rate' })).toBe('rate');
    expect(suggest('LearningRate', ['rate', 'momentum', 'decay'], { learningrate: 'rate' })).toBe('rate');
    expect(suggest('banana', activations)).toBeUndefined();
    expect(suggest('5', ['n', 'label'], { y: 'label' })).toBeUndefined();
    expect(suggest('', activations)).toBeUndefined();
  });
});

describe('checkAgainstData after parse errors', () => {
  it('adds nothing about an input the parser already reported', () => {
    const result = parseSpec('input two\ndense 1 sigmoid\ndata xor');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['not-a-number']);
    expect(checkAgainstData(result.spec, generateBuiltin({ name: 'xor' }, { seed: 1 }), result.statements)).toEqual([]);
  });
});
