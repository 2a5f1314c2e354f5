/** `nnspec check SPEC...`: every diagnostic of each spec (data loaded too), then a summary line. */
import * as path from 'node:path';
import { defaultAssetsDir, loadProject } from '../core/project';
import type { ParsedCommand } from './args';
import { memoryOption, printDiagnostics, readInputFile } from './common';
import { describeData, describeNetwork } from './describe';
import { EXIT_FAILED, EXIT_OK, type CliIO } from './io';

export function checkCommand(io: CliIO, parsed: ParsedCommand): number {
  const assetsDir = defaultAssetsDir();
  const memoryBudgetMB = memoryOption(parsed.values);
  let failed = false;
  for (const given of parsed.positionals) {
    const text = readInputFile(io, given, 'the spec');
    const project = loadProject(text, path.resolve(io.cwd, given), { assetsDir, memoryBudgetMB });
    const write = (s: string): void => void io.stdout.write(s);
    printDiagnostics(write, given, project.diagnostics);
    const errors = project.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = project.diagnostics.filter((d) => d.severity === 'warning').length;
    if (!project.ok) failed = true;
    if (parsed.values.quiet) continue;
    if (project.ok) {
      const counted = warnings > 0 ? `${plural(warnings, 'warning')}` : 'ok';
      io.stdout.write(`${given}: ${counted} — ${describeNetwork(project)}; ${describeData(project)}\n`);
    } else if (errors === 0) {
      // A failure with no place in the spec (an internal error): say it.
      io.stdout.write(`${given}: ${project.message}\n`);
    } else {
      io.stdout.write(`${given}: ${plural(errors, 'error')}${warnings > 0 ? ', ' + plural(warnings, 'warning') : ''}\n`);
    }
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
