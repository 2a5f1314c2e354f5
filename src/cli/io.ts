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
  /**
   * True while the stream holds more unsent output than its high-water mark (the reader is
   * slower than the writer): a long command stops producing until `drain()` resolves.
   */
  readonly full?: boolean;
  /** Resolves once the stream has room again; at once when it has. */
  drain?(): Promise<void>;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Relative paths on the command line resolve against it. */
  cwd: string;
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `handler` on Ctrl-C (SIGINT) or SIGTERM until the returned function is called. */
  onInterrupt(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
}

/** A Node stream as an OutputStream that reports when it is full and when it drains. */
function nodeOutput(stream: NodeJS.WriteStream): OutputStream {
  return {
    write: (text: string) => stream.write(text),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    get full() {
      return stream.writableNeedDrain;
    },
    drain: () =>
      stream.writableNeedDrain
        ? new Promise<void>((resolve) => {
            const done = (): void => {
              stream.off('drain', done);
              stream.off('close', done);
              stream.off('error', done);
              resolve();
            };
            stream.on('drain', done);
            stream.on('close', done);
            stream.on('error', done);
          })
        : Promise.resolve(),
  };
}

/** The real process: stdout, stderr, process.cwd(), performance.now(), SIGINT and SIGTERM. */
export function processIO(): CliIO {
  return {
    stdout: nodeOutput(process.stdout),
    stderr: nodeOutput(process.stderr),
    cwd: process.cwd(),
    now: () => performance.now(),
    onInterrupt(handler) {
      let count = 0;
      const listener = (signal: NodeJS.Signals): void => {
        count++;
        // A second signal while the first is being honoured means "now" (temporary files are
        // removed on exit: src/cli/files.ts).
        if (count > 1) process.exit(signal === 'SIGTERM' ? 143 : 130);
        handler(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
      };
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
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
/** Stopped by SIGTERM (128 + 15). */
export const EXIT_TERMINATED = 143;
