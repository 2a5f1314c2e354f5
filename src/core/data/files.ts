import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DataError } from './types';

/** A data file as the spec names it and where it resolves. */
export interface DataFile {
  /** As written in the spec: used in messages ("iris.csv:14:3: …"). */
  written: string;
  /** Absolute path: `DataError.where.file`. */
  path: string;
}

/** `written` relative to the spec's folder unless absolute. */
export function resolveDataFile(written: string, baseDir: string): DataFile {
  return { written, path: isAbsolute(written) ? written : resolve(baseDir, written) };
}

/**
 * The file's size in bytes, read before anything else of it; a DataError naming the resolved
 * path when it does not exist or is not a regular file (a folder, a FIFO, a device: reading
 * those would block or never end).
 */
export function dataFileSize(file: DataFile, what = 'data file'): number {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file.path);
  } catch (error) {
    throw new DataError(`${what} '${file.written}' not found (looked for ${file.path})${codeSuffix(error, 'ENOENT')}`, {
      file: file.path,
    });
  }
  if (!stat.isFile()) throw new DataError(`${what} '${file.written}' is not a file (${file.path} is a folder, pipe or device)`, { file: file.path });
  return stat.size;
}

/** The file's bytes; a DataError naming the resolved path when it cannot be read. */
export function readDataFile(file: DataFile, what = 'data file'): Buffer {
  dataFileSize(file, what);
  try {
    return readFileSync(file.path);
  } catch (error) {
    throw new DataError(`cannot read ${what} '${file.written}' (${file.path}): ${(error as Error).message}`, { file: file.path });
  }
}

/** The first `length` bytes of the file (fewer when it is shorter). */
export function readDataFileStart(file: DataFile, length: number, what = 'data file'): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(file.path, 'r');
    const buffer = Buffer.alloc(length);
    let filled = 0;
    for (let n; filled < length && (n = readSync(fd, buffer, filled, length - filled, filled)) > 0; ) filled += n;
    return buffer.subarray(0, filled);
  } catch (error) {
    throw new DataError(`cannot read ${what} '${file.written}' (${file.path}): ${(error as Error).message}`, { file: file.path });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function codeSuffix(error: unknown, expected: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code && code !== expected ? ` [${code}]` : '';
}
