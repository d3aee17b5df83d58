/**
 * Which file a scenario argument or an `extends:` value names: an existing path, or the name of a
 * built-in scenario (`hard-cut` → `<builtinDir>/hard-cut.yaml`). A miss lists the nearest names.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { nearestMatches } from './nearest.js';
import { packageRoot } from './package-root.js';

const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'];

export function defaultBuiltinDir(): string {
  return join(packageRoot(), 'scenarios');
}

/** Built-in scenario names (file names without extension), sorted. */
export function builtinScenarioNames(builtinDir: string = defaultBuiltinDir()): string[] {
  if (!existsSync(builtinDir)) return [];
  return readdirSync(builtinDir)
    .filter((f) => extname(f) === '.yaml')
    .map((f) => basename(f, '.yaml'))
    .sort();
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** How a file is shown in messages: relative to the working directory when inside it. */
export function displayPath(absPath: string): string {
  const rel = relative(process.cwd(), absPath);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absPath;
}

/** A scenario's default name: the file name without its extension. */
export function scenarioNameOf(absPath: string): string {
  return basename(absPath, extname(absPath));
}

/** A path as given, or with a scenario extension added (`extends: base` → `base.yaml`). */
function existingFile(path: string, tryExtensions: boolean): string | undefined {
  if (isFile(path)) return path;
  if (!tryExtensions) return undefined;
  return SCENARIO_EXTENSIONS.map((ext) => path + ext).find(isFile);
}

/** Why a command-line path is no scenario file: absent, or there but a folder or a device (review30 #15). */
function notAFile(path: string): string {
  if (!existsSync(path)) return 'no such file';
  const stat = statSync(path);
  if (stat.isDirectory()) return "it is a folder (drainsim check takes a folder: 'drainsim check <folder>')";
  return 'it is not a regular file (a device, FIFO or socket)';
}

/** The suggestion carries the nearest name; the message adds any other near ones, or where to look. */
function notFoundHint(near: string[], builtinCount: number, builtinDir: string): string {
  if (near.length > 1) return ` (other near names: ${near.slice(1).join(', ')})`;
  if (near.length === 1) return '';
  if (builtinCount > 0) return "; run 'drainsim list' to see the built-in scenarios";
  return ` (no built-in scenarios in ${displayPath(builtinDir)})`;
}

export interface ResolveFrom {
  builtinDir: string;
  /** The folder of the file whose `extends:` names this one; absent for a command-line argument. */
  fromDir?: string;
  /** Where the reference was written, for the error (the extending file and its `extends` line). */
  referencedAt?: Pick<ScenarioIssue, 'file' | 'line' | 'column' | 'path'>;
}

/**
 * The absolute path of the scenario `ref` names. A command-line argument is a path or a built-in
 * name; an `extends:` value is tried relative to the extending file's folder first (with or without
 * extension), then as a built-in name.
 */
export function resolveScenarioFile(ref: string, from: ResolveFrom): string {
  const local = existingFile(resolve(from.fromDir ?? process.cwd(), ref), from.fromDir !== undefined);
  if (local !== undefined) return local;
  const builtin = join(from.builtinDir, `${ref}.yaml`);
  if (!ref.includes('/') && !ref.includes('\\') && isFile(builtin)) return builtin;

  const names = builtinScenarioNames(from.builtinDir);
  const near = nearestMatches(scenarioNameOf(ref), names, 3);
  const where =
    from.fromDir !== undefined ? `no file '${ref}' in ${displayPath(from.fromDir)}` : notAFile(resolve(ref));
  const hint = notFoundHint(near, names.length, from.builtinDir);
  throw new ScenarioError([
    {
      file: from.referencedAt?.file ?? ref,
      line: from.referencedAt?.line,
      column: from.referencedAt?.column,
      path: from.referencedAt?.path ?? '',
      message: `scenario '${ref}' not found: ${where}, and no built-in scenario of that name${hint}`,
      suggestion: near[0],
    },
  ]);
}
