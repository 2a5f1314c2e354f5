/** Entry point of the `nnspec` command (bundled to dist/cli.js; bin/nnspec.js runs it). */
import { main } from './cli/main';
import { processIO } from './cli/io';

main(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // main catches everything; this is the last guard against a stack trace.
    process.stderr.write(`nnspec: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
