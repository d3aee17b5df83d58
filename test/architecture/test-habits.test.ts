/**
 * Issue #10 "Habits": scenario runs in tests happen in `beforeAll` (or in the test that needs them),
 * never in a `describe` body or at module top level, where vitest executes them while collecting:
 * serially, before any test, and a throw there breaks collection of the whole file. The second
 * part shows the check catches planted bad files, directly and through a helper.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { findMisplacedRuns } from './run-placement.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every .ts file under test/, absolute. */
function testSources(dir = path.join(root, 'test')): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testSources(p));
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/**
 * Files with runs in describe bodies still to be moved into beforeAll (each taken off once moved).
 * Empty since session 9: every run is in a beforeAll, it or test. Nothing may be added.
 */
const NOT_YET_MOVED = new Set<string>([]);

describe('scenario runs in test files', () => {
  let misplaced: string[] = [];
  beforeAll(() => {
    misplaced = findMisplacedRuns(testSources()).map(
      (m) => `${path.relative(root, m.file)}:${m.line} ${m.call}() in a ${m.where}`,
    );
  });
  const fileOf = (entry: string) => entry.slice(0, entry.indexOf(':'));

  it('happen in beforeAll/it/test, never in a describe body or at top level', () => {
    expect(misplaced.filter((m) => !NOT_YET_MOVED.has(fileOf(m)))).toEqual([]);
  });

  it('leave no file on the not-yet-moved list once its runs are moved (take it off the list)', () => {
    const stillThere = new Set(misplaced.map(fileOf));
    expect([...NOT_YET_MOVED].filter((f) => !stillThere.has(f))).toEqual([]);
  });
});

describe('the run-placement check', () => {
  const dir = path.join(root, 'test', 'planted');
  const check = (files: Record<string, string>): string[] => {
    const texts = new Map(Object.entries(files).map(([name, text]) => [path.join(dir, name), text]));
    return findMisplacedRuns([...texts.keys()], texts).map(
      (m) => `${path.basename(m.file)}:${m.line} ${m.call} ${m.where}`,
    );
  };
  const imports =
    "import { beforeAll, describe, expect, it } from 'vitest';\nimport { run } from '../model/helpers.js';\n";

  it('catches a run in a describe body', () => {
    const bad = `${imports}describe('x', () => {\n  const r = run({ horizon: '1s' });\n  it('y', () => expect(r).toBeDefined());\n});\n`;
    expect(check({ 'bad.test.ts': bad })).toEqual(['bad.test.ts:4 run describe body']);
  });

  it('catches a run at top level and one inside .map() or a nested describe', () => {
    const bad = `${imports}const a = run({});\ndescribe('x', () => {\n  describe('y', () => {\n    const rs = [1, 2].map((s) => run({}, s));\n    it('z', () => expect(rs).toHaveLength(2));\n  });\n});\nvoid a;\n`;
    expect(check({ 'bad.test.ts': bad })).toEqual(['bad.test.ts:3 run top level', 'bad.test.ts:6 run describe body']);
  });

  it('follows helpers, in the file and through an import', () => {
    const helper =
      "import { runScenario } from '../../sim/run-scenario.js';\nexport function heavy(s) {\n  return runScenario(s);\n}\nexport const cheap = (n: number) => n + 1;\n";
    const bad = `import { describe, it } from 'vitest';\nimport { cheap, heavy } from './helper.js';\nconst twice = (s) => [heavy(s), heavy(s)];\ndescribe('x', () => {\n  const n = cheap(1);\n  const rs = twice({});\n  it('y', () => void [n, rs]);\n});\n`;
    expect(check({ 'helper.ts': helper, 'bad.test.ts': bad })).toEqual(['bad.test.ts:6 twice describe body']);
  });

  it('accepts runs in beforeAll, it, it.each and test', () => {
    const good = `${imports}describe('x', () => {\n  let r: unknown;\n  beforeAll(() => {\n    r = run({});\n  });\n  it('y', () => expect(run({})).toBeDefined());\n  it.each([1, 2])('s %d', (s) => expect(run({}, s)).toBeDefined());\n  const later = () => run({});\n  it('z', () => expect([r, later()]).toHaveLength(2));\n});\n`;
    expect(check({ 'good.test.ts': good })).toEqual([]);
  });
});
