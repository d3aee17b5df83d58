/**
 * Output files are written whole or not at all (DESIGN: "Bad input gets a clear error and nothing
 * is lost"): text goes to a temporary name beside the target, then a rename — atomic on one
 * filesystem — puts it in place. A reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes one file atomically, creating its directory if needed. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
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

/**
 * Writes a set of already rendered files into outDir. All of them are written to a sibling temp
 * directory first (`<outDir>.tmp-XXXXXX`), so a failure while writing leaves outDir untouched;
 * then each is renamed into place. Returns the paths written, in order.
 */
export function writeFilesAtomic(outDir: string, files: readonly OutputFile[]): string[] {
  if (files.length === 0) return [];
  mkdirSync(dirname(outDir), { recursive: true });
  const temp = mkdtempSync(`${outDir}.tmp-`);
  try {
    for (const file of files) writeFileSync(join(temp, file.fileName), file.text);
    mkdirSync(outDir, { recursive: true });
    return files.map((file) => {
      const target = join(outDir, file.fileName);
      renameSync(join(temp, file.fileName), target);
      return target;
    });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
