/**
 * Scenario loading: file or built-in name → `extends` chain → deep merge → `--set` overrides →
 * zod validation, with every problem reported as file:line:column, path, expected and found.
 * Everything downstream sees only the validated, fully resolved scenario.
 */
import { dirname, parse } from 'node:path';
import type { z } from 'zod';
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { type InputFilePolicy, withInputFilePolicy } from './input-file.js';
import { type AppliedOverride, locate } from './locate.js';
import { cloneUserData, deepMerge, setOwn, userMapping } from './merge.js';
import { formatPath, type PathSegment } from './path.js';
import { defaultBuiltinDir, displayPath, resolveScenarioFile, scenarioNameOf } from './scenario-file.js';
import { objectKeysAt } from './schema-walk.js';
import { applySetOverrideOwned, parseSetOverride } from './set-override.js';
import { declaredVarNames, substituteVars, type VarValue } from './vars.js';
import { writtenIssues } from './written-checks.js';
import { readYamlSource, type YamlSource } from './yaml-source.js';
import { scenarioErrorMap } from './zod-error-map.js';
import { describeZodIssues } from './zod-issues.js';

export { packageRoot } from './package-root.js';
export { builtinScenarioNames } from './scenario-file.js';

export interface LoadOptions {
  /** `path=value` overrides, applied in order after merging. */
  sets?: string[];
  /** Where built-in scenarios live; default `<package root>/scenarios`. */
  builtinDir?: string;
  /**
   * Runs validation with the leaf file's folder in effect, for schema types that read files
   * relative to the scenario (zod-types' withDistributionBaseDir, for `empirical(file.csv)`).
   * The loader itself knows no schema type, so the caller supplies it.
   */
  withBaseDir?: <R>(baseDir: string, parse: () => R) => R;
  /**
   * `--allow-outside`: let `extends:` and `empirical()` read regular files outside the scenario's
   * folder tree and the built-in library (input-file.ts).
   */
  allowOutside?: boolean;
}

export interface LoadedScenario<T> {
  scenario: T;
  name: string;
  /** The leaf file as shown to the user. */
  file: string;
  /** The leaf file's folder (absolute): relative paths inside the scenario resolve from here. */
  baseDir: string;
  /** Files of the extends chain, leaf first, as shown to the user. */
  chain: string[];
  /** The merged input that was validated (overrides applied and vars substituted; `extends` and `vars` removed). */
  raw: unknown;
  /** The scenario's `vars:` after `--set`, as substituted. */
  vars: Record<string, VarValue>;
  /** Where the value at a path was written: file, line and column, or the `--set` that wrote it. */
  locate(path: readonly PathSegment[]): Pick<ScenarioIssue, 'file' | 'line' | 'column'>;
}

/** The merged but unvalidated input of a scenario and the files it came from (leaf first). */
export interface ScenarioInput {
  raw: Record<string, unknown>;
  sources: YamlSource[];
}

/** Keys that instruct the loader rather than describe the scenario; removed before validation. */
const LOADER_KEYS = ['extends', '$schema'];
const MAX_EXTENDS_DEPTH = 32;
/** PATH_MAX on Linux: a longer `extends:` value cannot name a file. */
const MAX_EXTENDS_LENGTH = 4096;

function extendsIssue(source: YamlSource, message: string, found?: unknown): ScenarioError {
  const where = locate([source], [], ['extends'], 'value');
  const issue: ScenarioIssue = { ...where, path: 'extends', message };
  if (found !== undefined) issue.found = JSON.stringify(found);
  return new ScenarioError([issue]);
}

/** The leaf's file and every file it extends, leaf first. */
function readExtendsChain(leafPath: string, builtinDir: string): YamlSource[] {
  const sources: YamlSource[] = [];
  let current = leafPath;
  let referencedAt: Omit<ScenarioIssue, 'message'> | undefined;
  for (;;) {
    const previous = sources.at(-1);
    if (sources.some((s) => s.absPath === current)) {
      const cycle = [...sources.map((s) => s.file), displayPath(current)].join(' → ');
      throw extendsIssue(previous as YamlSource, `forms a cycle: ${cycle}`);
    }
    if (previous !== undefined && sources.length >= MAX_EXTENDS_DEPTH) {
      throw extendsIssue(previous, `extends chain deeper than ${MAX_EXTENDS_DEPTH} files`);
    }
    const source = readYamlSource(current, displayPath(current), referencedAt);
    sources.push(source);
    const ref = source.data.extends;
    if (ref === undefined || ref === null) return sources;
    if (typeof ref !== 'string' || ref.trim() === '') {
      throw extendsIssue(source, 'expected the name of a built-in scenario or a path relative to this file', ref);
    }
    if (ref.length > MAX_EXTENDS_LENGTH) {
      throw extendsIssue(
        source,
        `expected the name of a built-in scenario or a path, found ${ref.length} characters (at most ${MAX_EXTENDS_LENGTH})`,
      );
    }
    referencedAt = { ...locate([source], [], ['extends'], 'value'), path: 'extends' };
    current = resolveScenarioFile(ref, { builtinDir, fromDir: dirname(current), referencedAt });
  }
}

/**
 * Where a scenario may read files from: the folder tree of the scenario named on the command
 * line, the working directory's tree (the repository a CI job checked out, where a variant may
 * extend `../base.yaml`) unless that is the filesystem root, and the built-in library.
 */
export function inputPolicyFor(leafPath: string, builtinDir: string, allowOutside = false): InputFilePolicy {
  const cwd = process.cwd();
  const roots = [dirname(leafPath), ...(cwd === parse(cwd).root ? [] : [cwd]), builtinDir];
  return { roots: [...new Set(roots)], allowOutside };
}

/** Resolves the file, follows `extends` and merges; no overrides, no validation. */
export function readScenarioInput(
  fileOrName: string,
  opts: Pick<LoadOptions, 'builtinDir' | 'allowOutside'> = {},
): ScenarioInput {
  const builtinDir = opts.builtinDir ?? defaultBuiltinDir();
  const leafPath = resolveScenarioFile(fileOrName, { builtinDir });
  const sources = withInputFilePolicy(inputPolicyFor(leafPath, builtinDir, opts.allowOutside), () =>
    readExtendsChain(leafPath, builtinDir),
  );
  const merged = sources.reduceRight<unknown>((acc, source) => deepMerge(acc, source.data), userMapping()) as Record<
    string,
    unknown
  >;
  // A fresh copy: overrides write into it, and merged values are shared with the sources.
  const raw = cloneUserData(merged) as Record<string, unknown>;
  for (const key of LOADER_KEYS) delete raw[key];
  return { raw, sources };
}

/**
 * Issues in reading order: leaf file first, then each base, by line; issues without a line (a
 * value from a default) after their file's located ones, `--set` issues last. Stable otherwise.
 */
function sortByLocation(issues: ScenarioIssue[], sources: readonly YamlSource[]): ScenarioIssue[] {
  const fileRank = (file: string): number => {
    const i = sources.findIndex((s) => s.file === file);
    return i < 0 ? sources.length : i;
  };
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort(
      (a, b) =>
        fileRank(a.issue.file) - fileRank(b.issue.file) ||
        (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) ||
        (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
        a.order - b.order,
    )
    .map((x) => x.issue);
}

export function loadScenario<T>(fileOrName: string, schema: z.ZodType<T>, opts: LoadOptions = {}): LoadedScenario<T> {
  const overrides = (opts.sets ?? []).map(parseSetOverride);
  const { raw, sources } = readScenarioInput(fileOrName, opts);
  const leaf = sources[0];

  // The name is the leaf's own, never inherited: a variant is not its base.
  const ownName = leaf.data.name;
  const defaultName = typeof ownName === 'string' ? ownName : scenarioNameOf(leaf.absPath);
  if (objectKeysAt(schema, [], raw).includes('name')) setOwn(raw, 'name', ownName ?? defaultName);

  const declared = declaredVarNames(raw);
  const applied: AppliedOverride[] = overrides.map((o) => ({
    text: o.text,
    path: applySetOverrideOwned(raw, o).owned,
  }));
  const vars = substituteVars(raw, declared, sources, applied);

  const baseDir = dirname(leaf.absPath);
  const policy = inputPolicyFor(leaf.absPath, opts.builtinDir ?? defaultBuiltinDir(), opts.allowOutside);
  // jitless: zod's default compiles a parser per object schema on its first parse (`new Function`
  // in generateFastpass, zod v4/core/schemas.js $ZodObjectJIT), which pays back over many parses;
  // a process parses a scenario a few times, so compiling cost more than it saved (issue 14).
  const parse = () =>
    withInputFilePolicy(policy, () =>
      schema.safeParse(raw, { error: scenarioErrorMap, reportInput: true, jitless: true }),
    );
  const result = opts.withBaseDir ? opts.withBaseDir(baseDir, parse) : parse();
  const written = writtenIssues(schema, raw);
  if (!result.success || written.length > 0) {
    const described = result.success ? [] : describeZodIssues(result.error.issues, schema, raw);
    const issues = [...described, ...written].map(
      (d): ScenarioIssue => ({
        ...locate(sources, applied, d.path, d.anchor),
        path: formatPath(d.path),
        message: d.message,
        expected: d.expected,
        found: d.found,
        suggestion: d.suggestion,
      }),
    );
    throw new ScenarioError(sortByLocation(issues, sources));
  }
  const scenario = result.data;
  const resolvedName = (scenario as { name?: unknown } | null)?.name;
  return {
    scenario,
    name: typeof resolvedName === 'string' ? resolvedName : defaultName,
    file: leaf.file,
    baseDir,
    chain: sources.map((s) => s.file),
    raw,
    vars,
    locate: (path) => locate(sources, applied, path, 'value'),
  };
}
