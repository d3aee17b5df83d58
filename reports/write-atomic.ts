/**
 * Output files are written whole or not at all (DESIGN: "Bad input gets a clear error and nothing
 * is lost"), and an output *set* (summary.json, timeline.csv, events.log, report.html of one run)
 * is replaced as a set: a reader never sees a new summary.json beside the previous run's
 * timeline.csv.
 *
 * - One file: written to a temporary name beside the target, then renamed (atomic on one
 *   filesystem).
 * - A set: written into a fresh sibling folder `<out>.tmp-<pid>-XXXXXX`, then swapped in: a rename
 *   of the folder when `<out>` does not exist, else `<out>` → `<out>.old-<pid>-XXXXXX`, the new
 *   folder → `<out>`, and the old one removed. The previous set stays complete until the new one
 *   is. A process killed between the two renames leaves the previous set in `<out>.old-*`; the
 *   next write to `<out>` puts it back first, and removes temp folders of processes that are gone.
 * - A folder that holds anything but a previous output set (`--out .`) is never swapped: the new
 *   files are renamed into it one by one.
 * - SIGINT/SIGTERM/SIGHUP while a set is written: the write is synchronous, so with a listener
 *   installed the signal waits until the set is in place or its temp folder is removed; no temp
 *   folder is left behind. (A signal in that instant is dropped; the write completes.)
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * node:crypto's randomBytes, loaded at its first use: loading node:crypto costs ~3 ms of CPU, and
 * `drainsim run` writes an output set, whose temporary names need none (issue 14 start-up).
 */
function randomHex(bytes: number): string {
  const { randomBytes } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return randomBytes(bytes).toString('hex');
}

/** Writes one file atomically, creating its directory if needed. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.tmp-${randomHex(6)}`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export interface OutputFile {
  fileName: string;
  text: string;
}

/** A file given as its pieces in order: written one at a time, never joined in memory. */
export interface StreamedFile {
  fileName: string;
  pieces: Iterable<string>;
}

function writeOutputFile(path: string, file: OutputFile | StreamedFile): void {
  if ('text' in file) {
    writeFileSync(path, file.text);
    return;
  }
  const fd = openSync(path, 'w');
  try {
    for (const piece of file.pieces) writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
}

const TEMP_MARK = '.tmp-';
const OLD_MARK = '.old-';

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Siblings `<out>.tmp-<pid>-…` / `<out>.old-<pid>-…` left by a process that no longer runs. */
function leftovers(outDir: string, mark: string): string[] {
  const parent = dirname(outDir);
  const prefix = `${basename(outDir)}${mark}`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix))
    .filter((name) => {
      const pid = Number(name.slice(prefix.length).split('-')[0]);
      return Number.isInteger(pid) && pid > 0 && !isAlive(pid);
    })
    .map((name) => join(parent, name));
}

/**
 * Repairs what a killed writer left: a previous set parked in `<out>.old-*` while `<out>` is
 * missing goes back; stale temp and old folders are removed.
 */
export function recoverOutputDir(outDir: string): void {
  const olds = leftovers(outDir, OLD_MARK);
  if (!existsSync(outDir) && olds.length > 0) renameSync(olds[0]!, outDir);
  for (const path of [...leftovers(outDir, TEMP_MARK), ...leftovers(outDir, OLD_MARK)])
    rmSync(path, { recursive: true, force: true });
}

/** Whether `<out>` holds only files a set of these names would replace (so it may be swapped whole). */
function holdsOnlyASet(outDir: string, names: ReadonlySet<string>): boolean {
  return readdirSync(outDir).every((name) => names.has(name) && lstatSync(join(outDir, name)).isFile());
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs `body` with termination signals held by a listener, so a signal cannot cut it short. */
function holdingSignals<T>(body: () => T): T {
  const hold = (): void => {};
  for (const signal of SIGNALS) process.on(signal, hold);
  try {
    return body();
  } finally {
    for (const signal of SIGNALS) process.removeListener(signal, hold);
  }
}

/**
 * Writes a set of files into outDir, whole or not at all (see the file comment). A file given as
 * pieces is rendered while it is written; if rendering throws, the temp folder goes and outDir is
 * untouched, as for a failed write. Returns the paths written, in order.
 */
export function writeFilesAtomic(outDir: string, files: readonly (OutputFile | StreamedFile)[]): string[] {
  if (files.length === 0) return [];
  // The first folder this call created, if any: a set that fails while its files are rendered
  // (FileReport.chunks) leaves no trace, not even the parent folder of a first --out.
  const created = mkdirSync(dirname(resolve(outDir)), { recursive: true });
  let complete = false;
  return holdingSignals(() => {
    recoverOutputDir(outDir);
    const temp = mkdtempSync(`${outDir}${TEMP_MARK}${process.pid}-`);
    try {
      for (const file of files) writeOutputFile(join(temp, file.fileName), file);
      const targets = files.map((file) => join(outDir, file.fileName));
      if (!existsSync(outDir)) {
        renameSync(temp, outDir);
      } else if (holdsOnlyASet(outDir, new Set(files.map((f) => f.fileName)))) {
        // `<out>.old-<pid>-XXXXXX` with the temp folder's own suffix: mkdtemp made that name unique,
        // and recoverOutputDir has just removed every `.old-` folder of a process that is gone.
        const old = `${outDir}${OLD_MARK}${temp.slice(`${outDir}${TEMP_MARK}`.length)}`;
        renameSync(outDir, old);
        renameSync(temp, outDir);
        rmSync(old, { recursive: true, force: true });
      } else {
        // A folder with other things in it (`--out .`) is never moved: replace the files one by one.
        for (const file of files) renameSync(join(temp, file.fileName), join(outDir, file.fileName));
      }
      complete = true;
      return targets;
    } finally {
      rmSync(temp, { recursive: true, force: true });
      if (!complete && created !== undefined) rmSync(created, { recursive: true, force: true });
    }
  });
}

/**
 * A scratch folder for one run's working files that are not outputs (the timeline's spilled rows,
 * sim/run-scenario.ts `timelineSpill`): `<out>.tmp-<pid>-XXXXXX`, the name of a set's temp folder,
 * so a run killed before `remove` leaves nothing that the next write to `<out>` keeps
 * (recoverOutputDir removes the temp folders of processes that are gone). Made at the first `path()`
 * (a run that never spills makes none); `remove` deletes it, and the parent folders it had to
 * create when no output set was written there.
 */
export function scratchDirFor(outDir: string): { path: () => string; remove: () => void } {
  let made: { path: string; created: string | undefined } | null = null;
  return {
    path: () => {
      if (made === null) {
        const created = mkdirSync(dirname(resolve(outDir)), { recursive: true });
        made = { path: mkdtempSync(`${outDir}${TEMP_MARK}${process.pid}-`), created };
      }
      return made.path;
    },
    remove: () => {
      if (made === null) return;
      rmSync(made.path, { recursive: true, force: true });
      if (made.created !== undefined && !existsSync(outDir)) rmSync(made.created, { recursive: true, force: true });
      made = null;
    },
  };
}

/**
 * Why outputs could not be written to `outDir`, checked before a simulation spends minutes: it
 * names an existing file, or the folder (or the nearest existing one above it, where the set's
 * temp folder is made) cannot be written. Undefined when it can.
 */
export function outputDirProblem(outDir: string): string | undefined {
  const abs = resolve(outDir);
  if (existsSync(abs) && !statSync(abs).isDirectory()) return `${outDir} exists and is not a folder`;
  let parent = dirname(abs);
  while (!existsSync(parent)) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) return `${outDir} cannot be created: ${parent} is not a folder`;
  for (const dir of existsSync(abs) ? [abs, parent] : [parent]) {
    const problem = notWritable(dir);
    if (problem !== undefined) return `${outDir} cannot be written: ${dir} ${problem}`;
  }
  return undefined;
}

/** Whether a folder accepts new entries: a real probe (access(2) says yes to root even on a read-only mount). */
function notWritable(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
    const probe = mkdtempSync(join(dir, '.drainsim-probe-'));
    rmSync(probe, { recursive: true, force: true });
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EROFS' ? 'is on a read-only filesystem' : `is not writable (${code ?? 'error'})`;
  }
}
