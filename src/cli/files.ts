/**
 * The files named on the command line: the spec and --weights are read only when they are
 * regular files of a sane size (a FIFO would block for ever, /dev/zero grow without end);
 * --save is checked before training and written so that nothing is lost or left behind.
 *
 * --save OUT.json:
 *   - OUT must be absent (its folder existing) or a regular file; a folder, FIFO, socket or
 *     device is refused before training. A symlink is followed: the file it points to is
 *     written (the link stays a link); a link to nothing is refused.
 *   - Before training a file is created (and removed) in OUT's folder: a permission check alone
 *     says yes to /proc or a read-only mount when running as root.
 *   - The weights go to a temporary file in the same folder (created exclusively, never through
 *     a link), then are renamed onto OUT, so OUT is either the old file or the whole new one.
 *     A failed write removes the temporary file; so do SIGINT and SIGTERM (the CLI handles them,
 *     and the write is synchronous, so a signal waits for it to finish) and process exit.
 *   - When the final write fails anyway (disk full, folder gone), the weights are written to
 *     the OS temporary folder instead and the message names that file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError, type CliIO } from './io';

/** The largest spec file read: far above what inline data needs, so a large spec still gets its LINE:COL errors. */
export const MAX_SPEC_BYTES = 64 * 1024 * 1024;
/** The largest weights file read (the memory budget may refuse it earlier, by its size against the network). */
export const MAX_WEIGHTS_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/** What a file that is not a regular file is, for messages. */
function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Reads a file named on the command line as UTF-8: a regular file of at most `maxBytes`, else a
 * usage error (exit 2) that says why. Opened without blocking and checked on the open file, so a
 * FIFO is refused at once and a file swapped after a check is still the one checked.
 */
export function readInputFile(io: CliIO, given: string, what: string, maxBytes = MAX_SPEC_BYTES): string {
  const resolved = path.resolve(io.cwd, given);
  let fd: number;
  try {
    fd = fs.openSync(resolved, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new CliError(`cannot read ${what} '${given}': ${describeFsError(error)}`, 2);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new CliError(`cannot read ${what} '${given}': it is ${kindOf(stat)}, not a regular file`, 2);
    if (stat.size > maxBytes) {
      throw new CliError(`cannot read ${what} '${given}': it is ${formatBytes(stat.size)}, more than the ceiling of ${formatBytes(maxBytes)}`, 2);
    }
    // Read at most maxBytes + 1: a file that grows while it is read is still bounded.
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(stat.size, 0) + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw new CliError(`cannot read ${what} '${given}': it grew past the ceiling of ${formatBytes(maxBytes)} while being read`, 2);
    if (length === buffer.length) {
      // The file grew (still under the ceiling): read the rest the slow way.
      const rest = fs.readFileSync(fd);
      if (length + rest.length > maxBytes) throw new CliError(`cannot read ${what} '${given}': it grew past the ceiling of ${formatBytes(maxBytes)} while being read`, 2);
      return Buffer.concat([buffer.subarray(0, length), rest]).toString('utf8');
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${what} '${given}': ${describeFsError(error)}`, 2);
  } finally {
    fs.closeSync(fd);
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB` : `${n} bytes`;
}

/** Where --save writes: checked before training by `prepareSave`. */
export interface SaveTarget {
  /** As given on the command line (for messages). */
  given: string;
  /** The file that is replaced: OUT, or the file a symlink OUT points to. */
  path: string;
  /** Set when OUT is a symlink: the link's target is written, and messages say so. */
  viaLink?: string;
}

/** Temporary files being written, removed on exit whatever ends the process. */
const pending = new Set<string>();
let exitHookInstalled = false;
function removePending(): void {
  for (const file of pending) {
    try {
      fs.unlinkSync(file);
    } catch {
      // Already gone.
    }
  }
  pending.clear();
}

function temporaryName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.floor(Math.random() * 1e9).toString(36)}.tmp`);
}

/** Creates a temporary file exclusively (never through an existing name or link). */
function createTemporary(target: string): { name: string; fd: number } {
  const name = temporaryName(target);
  const fd = fs.openSync(name, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o644);
  pending.add(name);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removePending);
  }
  return { name, fd };
}

function discard(name: string, fd?: number): void {
  if (fd !== undefined) {
    try {
      fs.closeSync(fd);
    } catch {
      // Closed already.
    }
  }
  try {
    fs.unlinkSync(name);
  } catch {
    // Not there.
  }
  pending.delete(name);
}

/**
 * Checks before a long run that OUT can be written, so that no training is lost at the end:
 * usage errors (exit 2) for a missing folder, a folder, a special file, a dangling link, or a
 * folder where no file can be created.
 */
export function prepareSave(io: CliIO, given: string): SaveTarget {
  const resolved = path.resolve(io.cwd, given);
  const refuse = (why: string): never => {
    throw new CliError(`cannot save to '${given}': ${why}`, 2);
  };
  let target = resolved;
  let viaLink: string | undefined;
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(resolved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') refuse(describeFsError(error));
  }
  if (stat?.isSymbolicLink()) {
    try {
      target = fs.realpathSync(resolved);
    } catch {
      refuse('it is a symbolic link to nothing (write to the file it should point to, or remove the link)');
    }
    viaLink = target;
    try {
      stat = fs.statSync(target);
    } catch (error) {
      refuse(describeFsError(error));
    }
  }
  if (stat && !stat.isFile()) {
    refuse(`${viaLink ? `it links to ${viaLink}, which is` : 'it is'} ${kindOf(stat)}; --save writes only regular files`);
  }
  const dir = path.dirname(target);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    return refuse(`the folder ${path.dirname(given)} does not exist`);
  }
  if (!dirStat.isDirectory()) refuse(`${path.dirname(given)} is not a folder`);
  // Try it: create (and remove) a file where the temporary one will go.
  try {
    const probe = createTemporary(target);
    discard(probe.name, probe.fd);
  } catch (error) {
    refuse(`no file can be created in ${viaLink ? path.dirname(viaLink) : path.dirname(given)}: ${describeFsError(error)}`);
  }
  return viaLink ? { given, path: target, viaLink } : { given, path: target };
}

/** How a save ended: written to OUT, or kept elsewhere after OUT could not be written. */
export type SaveResult = { ok: true } | { ok: false; reason: string; keptAt?: string };

/**
 * Writes `text` to the target: a temporary file in its folder, flushed, then renamed onto it.
 * On failure the temporary file is removed and the text is written to the OS temporary folder.
 */
export function writeSaved(target: SaveTarget, text: string): SaveResult {
  let temporary: { name: string; fd: number } | undefined;
  try {
    temporary = createTemporary(target.path);
    fs.writeSync(temporary.fd, text);
    fs.fsyncSync(temporary.fd);
    fs.closeSync(temporary.fd);
    const name = temporary.name;
    temporary = { name, fd: -1 };
    fs.renameSync(name, target.path);
    pending.delete(name);
    return { ok: true };
  } catch (error) {
    if (temporary) discard(temporary.name, temporary.fd >= 0 ? temporary.fd : undefined);
    const reason = describeFsError(error);
    return { ok: false, reason, keptAt: keepElsewhere(target, text) };
  }
}

/** The weights in the OS temporary folder, when OUT could not take them; undefined when that fails too. */
function keepElsewhere(target: SaveTarget, text: string): string | undefined {
  const base = path.basename(target.path).replace(/\.json$/i, '') || 'weights';
  const file = path.join(os.tmpdir(), `nnspec-${base}-${process.pid}-${Date.now()}.json`);
  try {
    fs.writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
    return file;
  } catch {
    return undefined;
  }
}
