import { readFileSync, statSync } from 'node:fs';
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

/** The file's bytes; a DataError naming the resolved path when it cannot be read. */
export function readDataFile(file: DataFile, what = 'data file'): Buffer {
  let isFile: boolean;
  try {
    isFile = statSync(file.path).isFile();
  } catch (error) {
    throw new DataError(`${what} '${file.written}' not found (looked for ${file.path})${codeSuffix(error, 'ENOENT')}`, {
      file: file.path,
    });
  }
  if (!isFile) throw new DataError(`${what} '${file.written}' is not a file (${file.path} is a folder or device)`, { file: file.path });
  try {
    return readFileSync(file.path);
  } catch (error) {
    throw new DataError(`cannot read ${what} '${file.written}' (${file.path}): ${(error as Error).message}`, { file: file.path });
  }
}

function codeSuffix(error: unknown, expected: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code && code !== expected ? ` [${code}]` : '';
}
