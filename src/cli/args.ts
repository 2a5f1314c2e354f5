/**
 * The command line: commands, their options and their usage texts, parsed with node:util
 * parseArgs. Parse failures become CliError(…, 2) with a message that names the option and
 * points at `--help`.
 */
import { parseArgs } from 'node:util';
import { CliError } from './io';

export type CommandName = 'check' | 'train' | 'gradients' | 'predict' | 'evaluate' | 'explain' | 'export';

interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
}

interface CommandDef {
  summary: string;
  usage: string;
  /** Positional arguments: the least and the most (Infinity: any number). */
  positionals: [min: number, max: number];
  options: Record<string, OptionDef>;
  help: string;
}

const help: Record<string, OptionDef> = { help: { type: 'boolean', short: 'h' } };
/** --memory MB: the memory budget for data, trainer and weights (src/core/budget.ts). */
const MEMORY: OptionDef = { type: 'string' };
const MEMORY_HELP = '      --memory MB        the memory budget for data, training and weights files (default 2048)';

export const COMMANDS: Record<CommandName, CommandDef> = {
  check: {
    summary: 'list the errors and warnings of spec files (loads the data to check widths)',
    usage: 'nnspec check SPEC... [--memory MB]',
    positionals: [1, Infinity],
    options: { ...help, quiet: { type: 'boolean', short: 'q' }, memory: MEMORY },
    help: `Prints every diagnostic as SPEC:LINE:COL: error|warning: message (hint), then a summary.
The data is loaded too, so input and output widths are checked against it.

Options:
  -q, --quiet   print only the diagnostics, no summary line
  --memory MB   the memory budget for the data and training (default 2048; see docs/data.md)
  -h, --help    show this help

Exit code: 0 when no spec has errors (warnings allowed), 1 when one has, 2 when a file cannot be read.`,
  },
  train: {
    summary: 'train a network, showing its progress',
    usage: 'nnspec train SPEC [--epochs N] [--weights IN.json] [--save OUT.json] [--threads N] [--json] [--quiet]',
    positionals: [1, 1],
    options: {
      ...help,
      epochs: { type: 'string', short: 'e' },
      weights: { type: 'string', short: 'w' },
      save: { type: 'string', short: 's' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      memory: MEMORY,
      threads: { type: 'string', short: 't' },
    },
    help: `Trains the network the spec describes on its data, then prints the final loss and accuracy
(training and validation part), the time taken and the samples per second.
On a terminal a live progress bar shows epoch, loss, accuracy, samples/s and the time left;
otherwise one line per epoch (at most about 100 lines).

Options:
  -e, --epochs N         train N epochs instead of the spec's \`epochs\`
  -w, --weights IN.json  start from these weights instead of the seeded initial ones
  -s, --save OUT.json    save the trained weights (also when stopped with Ctrl-C)
      --json             print NDJSON events instead: start, epoch (one per epoch), done
  -q, --quiet            no progress output, only the final summary
${MEMORY_HELP}
  -t, --threads N        compute with N threads (1 to 64, or auto: one less than the cores, at
                         most 4, at least 1; the default); the results are the same at any N
  -h, --help             show this help

Ctrl-C (or SIGTERM) stops after the current mini-batch; with --save the weights trained so far are saved.
--save OUT.json is checked before training: OUT absent or a regular file (a symlink writes the
file it points to), its folder able to take a new file. If the final write fails, the weights are
kept in the OS temporary folder and the message names the file (exit 1).
Exit code: 0 trained, 1 spec errors, the run diverged or the save failed, 2 usage or file errors,
130 stopped by Ctrl-C, 143 by SIGTERM.`,
  },
  gradients: {
    summary: 'print ∂C/∂w and ∂C/∂b over the whole training set',
    usage: 'nnspec gradients SPEC [--weights IN.json] [--json]',
    positionals: [1, 1],
    options: { ...help, weights: { type: 'string', short: 'w' }, json: { type: 'boolean' }, memory: MEMORY },
    help: `Computes the gradient of the mean cost over the whole training set (the validation part
excluded, the L2 term included) at the given weights, or at the seeded initial ones.

Options:
  -w, --weights IN.json  the weights to take the gradient at (default: the seeded initial weights)
      --json             print {"loss": L, "layers": [{"dW": [[…]], "db": […]}]}, dW rows j, columns k
${MEMORY_HELP}
  -h, --help             show this help

Without --json: a summary per layer (largest entries, norms; small layers in full).`,
  },
  explain: {
    summary: 'take backpropagation apart for one training sample, phase by phase',
    usage: 'nnspec explain SPEC [--weights IN.json] [--sample I] [--json]',
    positionals: [1, 1],
    options: { ...help, weights: { type: 'string', short: 'w' }, sample: { type: 'string' }, json: { type: 'boolean' } },
    help: `Shows the seven phases of backpropagation for one training sample with the engine's numbers:
the input a⁰ = x and target y; z^l and a^l layer by layer; the cost C_x; the output error δ^L
(and whether the cost and activation fuse to a − y); δ^l passed back; ∂C/∂b^l = δ^l and
∂C/∂w^l = δ^l (a^(l−1))ᵀ; and the update rule with the spec's η, μ and λ.

Options:
  -w, --weights IN.json  the weights to take the sample at (default: the seeded initial weights)
      --sample I         the training sample: an index into the training part (after the
                         validation split and normalisation), in data order (default 0)
      --json             print {"sample": I, "x": […], "y": […], "cost": C_x, "layers":
                         [{"z", "a", "delta", "dW": [[…]], "db"}]}: x as the network sees it,
                         y one-hot for classes, cost and dW/db of this one sample without L2,
                         dW rows j (neurons), columns k (inputs)
  -h, --help             show this help`,
  },
  predict: {
    summary: "print the network's output for one input",
    usage: 'nnspec predict SPEC --weights IN.json --input "x1 x2 …"',
    positionals: [1, 1],
    options: { ...help, weights: { type: 'string', short: 'w' }, input: { type: 'string', short: 'i' }, json: { type: 'boolean' }, memory: MEMORY },
    help: `Runs one input through the network with the given weights (the spec's normalisation applied)
and prints the output vector; for classification also the class (and its name).

Options:
  -w, --weights IN.json  the trained weights (nnspec train SPEC --save IN.json)
  -i, --input "x1 x2 …"  the raw input: numbers separated by spaces or commas
      --json             print {"output": […], "class": …, "className": …}
${MEMORY_HELP}
  -h, --help             show this help`,
  },
  evaluate: {
    summary: 'print loss, accuracy and the metrics of trained weights on the training and validation parts',
    usage: 'nnspec evaluate SPEC --weights IN.json [--json]',
    positionals: [1, 1],
    options: { ...help, weights: { type: 'string', short: 'w' }, json: { type: 'boolean' } },
    help: `Evaluates the network with the given weights on the training part and on the validation part
(when the spec holds one out): the loss and accuracy, and for classification the confusion matrix
(rows: actual class, columns: predicted) with each class's precision, recall, F1 and support;
for regression the RMSE, MAE and R².

Options:
  -w, --weights IN.json  the trained weights (nnspec train SPEC --save IN.json)
      --json             print {"task": …, "train": {"loss", "accuracy", "confusion", "classes", "macro"} or
                         {"loss", "rmse", "mae", "r2"}, "validation": … or null}
  -h, --help             show this help`,
  },
  export: {
    summary: 'write the network, its weights and its training as PyTorch, ONNX or TensorFlow.js',
    usage: 'nnspec export SPEC --format onnx|pytorch|tfjs --out PATH [--weights IN.json]',
    positionals: [1, 1],
    options: { ...help, format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, weights: { type: 'string', short: 'w' }, memory: MEMORY },
    help: `Writes the network with the given weights (or the seeded initial ones) for another engine:
  pytorch  a folder: model.py (nn.Module, weights files, input preparation), train.py (NNSpec's
           training step for step; also under torchrun with DDP), weights.json, data/*.npy, README.md
  onnx     one .onnx file (opset 13) taking raw inputs as \`nnspec predict\` does
  tfjs     a folder: model.json (Layers format) and weights.bin, taking prepared (normalised) inputs

Options:
  -f, --format F         pytorch, onnx or tfjs
  -o, --out PATH         the folder (pytorch, tfjs; made when missing) or the .onnx file
  -w, --weights IN.json  the weights to export (default: the seeded initial weights)
${MEMORY_HELP}
  -h, --help             show this help

See docs/export.md.`,
  },
};

export const GLOBAL_USAGE = `nnspec — train and inspect the feed-forward networks of .nnspec files

Usage:
${(Object.keys(COMMANDS) as CommandName[]).map((name) => `  ${COMMANDS[name].usage}\n      ${COMMANDS[name].summary}`).join('\n')}

  nnspec --help | -h     this help; nnspec COMMAND --help for a command's
  nnspec --version | -v  the version

Exit codes: 0 ok, 1 spec errors or a failed run, 2 usage or file errors, 130 stopped by Ctrl-C.
The language: docs/nnspec.md. Examples: examples/*.nnspec.`;

export function commandHelp(name: CommandName): string {
  const command = COMMANDS[name];
  return `Usage: ${command.usage}\n\n${command.summary[0].toUpperCase()}${command.summary.slice(1)}.\n\n${command.help}`;
}

export interface ParsedCommand {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * Parses a command's arguments. String options take the next argument as their value even when
 * it starts with a dash (`--input "-1 2"`), which parseArgs alone would refuse as ambiguous.
 */
export function parseCommand(name: CommandName, args: string[]): ParsedCommand {
  const command = COMMANDS[name];
  const stringFlags = new Set<string>();
  for (const [long, def] of Object.entries(command.options)) {
    if (def.type !== 'string') continue;
    stringFlags.add('--' + long);
    if (def.short) stringFlags.add('-' + def.short);
  }
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    if (stringFlags.has(arg) && i + 1 < args.length) {
      const long = arg.startsWith('--') ? arg : '--' + longOf(command, arg.slice(1));
      joined.push(`${long}=${args[++i]}`);
    } else {
      joined.push(arg);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joined, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(describeParseError(name, error), 2);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { positionals: parsed.positionals, values };
  const [min, max] = command.positionals;
  if (parsed.positionals.length < min) {
    throw new CliError(`${name}: missing the SPEC file\nusage: ${command.usage}`, 2);
  }
  if (parsed.positionals.length > max) {
    throw new CliError(`${name}: unexpected argument '${parsed.positionals[max]}'\nusage: ${command.usage}`, 2);
  }
  return { positionals: parsed.positionals, values };
}

function longOf(command: CommandDef, short: string): string {
  for (const [long, def] of Object.entries(command.options)) if (def.short === short) return long;
  return short;
}

function describeParseError(name: CommandName, error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const quoted = /'([^']+)'/.exec(text)?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? (quoted || undefined);
  const see = `(see \`nnspec ${name} --help\`)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `${name}: unknown option '${option}' ${see}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/does not take an argument/.test(text)) return `${name}: option '${option}' takes no value ${see}`;
    return `${name}: option '${option}' needs a value ${see}`;
  }
  return `${name}: ${text.split('\n')[0]} ${see}`;
}

/** A positive whole number for --epochs, or a usage error naming the option. */
export function parsePositiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new CliError(`--${option} wants a whole number ≥ 1, not '${text}'`, 2);
  }
  return value;
}
