/**
 * The `nnspec` command line: `main(argv, io)` returns the exit code. Everything a user can get
 * wrong ends in a message and exit 1 or 2; anything else in "nnspec: internal error: …"
 * (never a stack trace).
 */
import { version } from '../../package.json';
import { COMMANDS, GLOBAL_USAGE, commandHelp, parseCommand, type CommandName } from './args';
import { checkCommand } from './check';
import { evaluateCommand } from './evaluate';
import { explainCommand } from './explain';
import { exportCommand } from './export';
import { gradientsCommand } from './gradients';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIO } from './io';
import { safeIO } from './output';
import { predictCommand } from './predict';
import { trainCommand } from './train';

export async function main(argv: readonly string[], rawIO: CliIO): Promise<number> {
  // Every byte written from here on has its control characters escaped (output.ts).
  const io = safeIO(rawIO);
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`nnspec: ${error.message}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? error.message : String(error);
    io.stderr.write(`nnspec: internal error: ${detail}\n`);
    if (process.env.NNSPEC_DEBUG && error instanceof Error && error.stack) io.stderr.write(error.stack + '\n');
    return EXIT_FAILED;
  }
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(GLOBAL_USAGE + '\n');
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    if (first === 'help' && topic !== undefined && isCommand(topic)) io.stdout.write(commandHelp(topic) + '\n');
    else io.stdout.write(GLOBAL_USAGE + '\n');
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v' || first === '-V') {
    io.stdout.write(`nnspec ${version}\n`);
    return EXIT_OK;
  }
  if (!isCommand(first)) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    const guess = closestCommand(first);
    throw new CliError(`${what}${guess ? ` — did you mean '${guess}'?` : ''}\n(see \`nnspec --help\`)`, 2);
  }
  const parsed = parseCommand(first, rest);
  if (parsed.values.help) {
    io.stdout.write(commandHelp(first) + '\n');
    return EXIT_OK;
  }
  switch (first) {
    case 'check':
      return checkCommand(io, parsed);
    case 'train':
      return trainCommand(io, parsed);
    case 'gradients':
      return gradientsCommand(io, parsed);
    case 'predict':
      return predictCommand(io, parsed);
    case 'evaluate':
      return evaluateCommand(io, parsed);
    case 'explain':
      return explainCommand(io, parsed);
    case 'export':
      return exportCommand(io, parsed);
  }
}

function isCommand(word: string): word is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, word);
}

/** A command within two edits (or a prefix of one): "trian" → "train", "grad" → "gradients". */
function closestCommand(word: string): string | undefined {
  const lower = word.replace(/^-+/, '').toLowerCase();
  if (lower.length === 0) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of Object.keys(COMMANDS)) {
    if (lower.length >= 3 && name.startsWith(lower)) return name;
    const distance = editDistance(lower, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
