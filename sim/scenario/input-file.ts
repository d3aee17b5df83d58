/**
 * Reading the files a scenario names (`extends:` bases, `empirical(file.csv)` data) without
 * trusting the scenario. Scenario files come from anyone who can open a pull request, so a
 * scenario must not make drainsim read what it should not or hang on what it cannot finish:
 *
 * - regular files only: a FIFO would block the read forever, /dev/zero never ends, a directory is
 *   not data; kernel pseudo-files (/proc, /sys) are refused whatever their type, since /proc's
 *   report a size of 0 and hold the process's environment;
 * - at most `maxBytes`, read with a bounded read (the size stat reports is not trusted);
 * - inside the allowed folders: the folder tree of the scenario named on the command line and the
 *   built-in library, after following symbolic links, unless `--allow-outside` is given.
 *
 * The scenario loader sets the policy for the duration of one load (withInputFilePolicy); parsing
 * is synchronous, so a module-level setting is enough, as for the distribution base folder.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

export interface InputFilePolicy {
  /** Folders (absolute) whose trees a scenario may read from. */
  roots: readonly string[];
  /** `--allow-outside`: any regular file, still size-capped. */
  allowOutside: boolean;
}

/** A file that may not or cannot be read; `reason` is short enough to sit inside a message. */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

let policy: InputFilePolicy | undefined;

export function withInputFilePolicy<T>(next: InputFilePolicy, fn: () => T): T {
  const previous = policy;
  policy = next;
  try {
    return fn();
  } finally {
    policy = previous;
  }
}

const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

function kindOf(path: string): string {
  const st = statSync(path);
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The real path of a file a scenario may read, or an InputFileError saying why not. */
export function checkInputFile(path: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    throw new InputFileError(
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file (ENOENT)'
        : `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (PSEUDO_FILESYSTEMS.some((fs) => isInside(real, fs)))
    throw new InputFileError(`${real} is a kernel pseudo-file, not data`);
  if (!statSync(real).isFile()) throw new InputFileError(`it is ${kindOf(real)}: only regular files are read`);
  if (policy !== undefined && !policy.allowOutside && !policy.roots.some((root) => isInside(real, realRoot(root)))) {
    throw new InputFileError(
      `it is outside the scenario's folder, the working directory and the built-in scenarios (${policy.roots.join(', ')}); pass --allow-outside to read it`,
    );
  }
  return real;
}

/** Reads a file as UTF-8 under the policy, refusing more than `maxBytes`. */
export function readInputFile(path: string, maxBytes: number): string {
  const real = checkInputFile(path);
  const fd = openSync(real, 'r');
  try {
    if (!fstatSync(fd).isFile()) throw new InputFileError('only regular files are read');
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(fstatSync(fd).size + 1, 64 * 1024)));
    let length = 0;
    let chunk = buffer;
    for (;;) {
      if (length === chunk.length) {
        if (length > maxBytes) break;
        const bigger = Buffer.alloc(Math.min(maxBytes + 1, chunk.length * 2));
        chunk.copy(bigger, 0, 0, length);
        chunk = bigger;
      }
      const n = readSync(fd, chunk, length, chunk.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes)
      throw new InputFileError(`it is larger than ${formatBytes(maxBytes)}, the limit for this kind of file`);
    return chunk.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`
    : `${Math.round(bytes / 1024)} KiB`;
}
