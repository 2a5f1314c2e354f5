/**
 * Everything the CLI writes passes through `safeIO`: control characters in the text are
 * escaped (src/core/escape.ts), so a spec token, a network name, a CSV header or a path cannot
 * drive the terminal. Kept: newlines and tabs, and the one sequence the CLI itself draws with,
 * CLEAR_LINE (the progress bar's carriage return and erase-line).
 */
import { escapeControl } from '../core/escape';
import type { CliIO, OutputStream } from './io';

/** Carriage return, then ESC [ 2 K (erase the whole line): the progress bar redraws with it. */
export const CLEAR_LINE = '\r\x1b[2K';

/** `text` with control characters escaped, except newlines, tabs and CLEAR_LINE. */
export function terminalText(text: string): string {
  if (!text.includes(CLEAR_LINE)) return escapeControl(text, '\n\t');
  return text
    .split(CLEAR_LINE)
    .map((part) => escapeControl(part, '\n\t'))
    .join(CLEAR_LINE);
}

function safeStream(stream: OutputStream): OutputStream {
  return {
    write: (text: string) => stream.write(terminalText(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    get full() {
      return stream.full;
    },
    drain: () => stream.drain?.() ?? Promise.resolve(),
  };
}

/** The same IO, its output escaped. */
export function safeIO(io: CliIO): CliIO {
  return { ...io, stdout: safeStream(io.stdout), stderr: safeStream(io.stderr) };
}
