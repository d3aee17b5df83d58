/**
 * Finds scenario runs in test files that vitest would execute while collecting tests: calls at
 * module top level or in a `describe` body. Vitest runs every describe body of a file before any
 * test, so such a run is slow collection that cannot be skipped or filtered, and a throw in it
 * breaks the whole file instead of failing one test. Runs belong in `beforeAll` (shared by the
 * file's tests) or in the `it`/`test` that needs them.
 *
 * "A run" is a call of one of RUN_CALLS (a scenario run, the CLI in-process, a bench workload, a
 * child process) or of a helper that reaches one: a named function that calls a run is itself a
 * run, within its file and through the imports of other test files (`./helpers.js` etc.).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Calls that simulate, run the CLI or start a process: `name(…)` or `anything.name(…)`. */
export const RUN_CALLS = new Set([
  // sim/: a whole scenario run or the model started by hand
  'runScenario',
  'startModel',
  'simulateForCli',
  'runCommandLine',
  'sweepCommandLine',
  'runTasks',
  'main',
  'goldenOutputs',
  // sim/plan/: Monte Carlo replicas of drains and fleet rollouts
  'planDrain',
  'planFleetDrain',
  'simulateDrains',
  'simulateFleetRollout',
  // test helpers around them (test/model/helpers.ts, test/cli/capture.ts, test/hostile/sandbox.ts)
  'run',
  'runBuiltin',
  'runCli',
  'cliIn',
  // bench/ and calibration/ workloads
  'runHold',
  'runCancelHeavy',
  'runMeasured',
  'measureSweep',
  'runExperiment',
  'runNginxExperiment',
  // child processes (the CLI as a subprocess, depcruise, tsc)
  'execFileSync',
  'execSync',
  'spawnSync',
  'execFile',
  'spawn',
]);

/** Callbacks vitest calls after collection: a run inside one is fine. */
const DEFERRED = new Set(['beforeAll', 'beforeEach', 'afterAll', 'afterEach', 'it', 'test', 'bench']);
/** Callbacks vitest calls while collecting. */
const COLLECTING = new Set(['describe', 'suite']);

export interface Misplaced {
  file: string;
  line: number;
  call: string;
  /** 'top level' or 'describe body'. */
  where: string;
}

/** `it.each(t)('x', fn)`, `describe.skipIf(c)(…)`, `test.concurrent(…)`: the leading identifier. */
function rootName(callee: ts.Expression): string | undefined {
  let e: ts.Expression = callee;
  for (;;) {
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e) || ts.isCallExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
    else if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    else return undefined;
  }
}

/** The name a function is known by when it is a helper defined for later calls, else undefined. */
function helperName(fn: ts.SignatureDeclaration): string | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name?.text ?? 'default';
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessor(fn) || ts.isSetAccessor(fn) || ts.isConstructorDeclaration(fn))
    return fn.name && ts.isIdentifier(fn.name) ? fn.name.text : '<member>';
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === fn)
    return ts.isIdentifier(parent.name) ? parent.name.text : '<binding>';
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === fn)
    return ts.isIdentifier(parent.name) ? parent.name.text : '<member>';
  return undefined;
}

type Placement = { kind: 'deferred' } | { kind: 'helper'; name: string } | { kind: 'collecting'; where: string };

/** Whether code at `node` runs after collection, inside a helper, or during collection. */
function placement(node: ts.Node): Placement {
  let inDescribe = false;
  for (let n: ts.Node = node; n.parent; n = n.parent) {
    if (!ts.isFunctionLike(n)) continue;
    const fn = n as ts.SignatureDeclaration;
    const parent = fn.parent;
    if (ts.isCallExpression(parent) && parent.arguments.includes(fn as ts.Expression)) {
      const root = rootName(parent.expression);
      if (root && DEFERRED.has(root)) return { kind: 'deferred' };
      if (root && COLLECTING.has(root)) {
        inDescribe = true;
        continue;
      }
    }
    const name = helperName(fn);
    if (name !== undefined) return { kind: 'helper', name };
    // An anonymous callback of some other call (`.map(…)`, `Array.from(…)`, an IIFE): runs now.
  }
  return { kind: 'collecting', where: inDescribe ? 'describe body' : 'top level' };
}

interface FileScan {
  /** Every call by identifier (`f(…)`) or method name (`engine.run(…)`), with where it happens. */
  calls: Array<{ name: string; method: boolean; line: number; placement: Placement }>;
  /** Local name → imported name and the module it comes from (relative specifiers only). */
  imports: Map<string, { from: string; name: string }>;
}

function scanSource(file: string, text: string): FileScan {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const calls: FileScan['calls'] = [];
  const imports: FileScan['imports'] = new Map();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      const bindings = node.importClause?.namedBindings;
      if (spec.startsWith('.') && bindings && ts.isNamedImports(bindings)) {
        const from = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
        for (const el of bindings.elements)
          imports.set(el.name.text, { from, name: (el.propertyName ?? el.name).text });
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      if (ts.isIdentifier(callee)) calls.push({ name: callee.text, method: false, line, placement: placement(node) });
      else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name))
        calls.push({ name: callee.name.text, method: true, line, placement: placement(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { calls, imports };
}

/**
 * The misplaced runs of `files` (absolute paths of test sources, `.test.ts` and their helpers;
 * `texts` may give a file's text instead of reading it). Helpers are followed through relative
 * imports between the given files.
 */
export function findMisplacedRuns(files: string[], texts: Map<string, string> = new Map()): Misplaced[] {
  const scans = new Map<string, FileScan>();
  for (const file of files) scans.set(file, scanSource(file, texts.get(file) ?? readFileSync(file, 'utf8')));
  // Helpers that run, per file; grown to a fixed point through local calls and imports.
  const runs = new Map<string, Set<string>>([...scans.keys()].map((f) => [f, new Set<string>()]));
  const isRun = (file: string, name: string, method: boolean): boolean => {
    // A method is a run by its name alone (`engine.run(…)`, `cp.execFileSync(…)`).
    if (method) return RUN_CALLS.has(name);
    if (runs.get(file)?.has(name)) return true;
    const imported = scans.get(file)?.imports.get(name);
    if (imported && scans.has(imported.from)) return runs.get(imported.from)!.has(imported.name);
    return RUN_CALLS.has(name);
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [file, scan] of scans)
      for (const c of scan.calls)
        if (c.placement.kind === 'helper' && isRun(file, c.name, c.method) && !runs.get(file)!.has(c.placement.name)) {
          runs.get(file)!.add(c.placement.name);
          changed = true;
        }
  }
  const out: Misplaced[] = [];
  for (const [file, scan] of scans)
    for (const c of scan.calls)
      if (c.placement.kind === 'collecting' && isRun(file, c.name, c.method))
        out.push({ file, line: c.line, call: c.name, where: c.placement.where });
  return out;
}
