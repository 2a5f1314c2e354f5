/**
 * What the CLI touches of the outside world, injectable so tests can run `main` in-process:
 * the two output streams, the working directory, a clock and Ctrl-C.
 */
export interface OutputStream {
  write(text: string): unknown;
  /** True on a terminal: the train command then draws a live progress bar. */
  isTTY?: boolean;
  /** Terminal width in characters, when known. */
  columns?: number;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Relative paths on the command line resolve against it. */
  cwd: string;
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** The real process: stdout, stderr, process.cwd(), performance.now(), SIGINT. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    now: () => performance.now(),
    onInterrupt(handler) {
      let count = 0;
      const listener = (): void => {
        count++;
        // A second Ctrl-C while the first is being honoured means "now".
        if (count > 1) process.exit(130);
        handler();
      };
      process.on('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
  };
}

/** Thrown by commands for the failures a user caused; `main` prints the message and exits with the code. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1: spec errors or a failed run; 2: usage or file errors. */
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (the shell's convention: 128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;
