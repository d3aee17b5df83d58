import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf, TestSchema } from './load-fixtures.js';

afterAll(cleanupScenarioDirs);

const TEXT = [
  'vars:',
  '  drain: 4m',
  '  w: 3',
  'horizon: ${drain}',
  'description: drains of ${drain} on every VM',
  'backends:',
  '  - name: vm-a',
  '    weight: ${w}',
  '  - name: vm-b',
  '    weight: ${w}',
  '',
].join('\n');

function load(sets: string[] = [], text = TEXT, extra: Record<string, string> = {}) {
  const dir = scenarioDir({ 's.yaml': text, ...extra });
  return loadScenario(join(dir, 's.yaml'), TestSchema, { sets });
}

describe('scenario vars', () => {
  it('substitutes every use, keeping the type of a whole-value reference, and removes vars', () => {
    const loaded = load();
    expect(loaded.scenario.horizon).toBe('4m');
    expect(loaded.scenario.description).toBe('drains of 4m on every VM');
    expect(loaded.scenario.backends.map((b) => b.weight)).toEqual([3, 3]);
    expect(loaded.vars).toEqual({ drain: '4m', w: 3 });
    expect(Object.hasOwn(loaded.raw as object, 'vars')).toBe(false);
  });

  it('--set vars.name=… changes every use', () => {
    const loaded = load(['vars.w=5', 'vars.drain=10m']);
    expect(loaded.scenario.backends.map((b) => b.weight)).toEqual([5, 5]);
    expect(loaded.scenario.horizon).toBe('10m');
  });

  it('vars merge through extends: the variant overrides one, the base uses it', () => {
    const loaded = load([], ['extends: base.yaml', 'vars:', '  w: 9', ''].join('\n'), { 'base.yaml': TEXT });
    expect(loaded.scenario.backends.map((b) => b.weight)).toEqual([9, 9]);
    expect(loaded.scenario.horizon).toBe('4m');
  });

  it('an undefined reference names file, line and the nearest variable', () => {
    const err = scenarioErrorOf(() =>
      load([], TEXT.replace('weight: ${w}\n  - name: vm-b', 'weight: ${ww}\n  - name: vm-b')),
    );
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ line: 8, path: 'backends[0].weight', suggestion: '${w}' });
    expect(err.issues[0]!.file).toMatch(/s\.yaml$/);
    expect(err.issues[0]!.message).toContain("undefined variable '${ww}'; declared: drain, w");
  });

  it('refuses --set of an undeclared variable, naming the option and the nearest name', () => {
    const err = scenarioErrorOf(() => load(['vars.drian=5m']));
    expect(err.issues[0]).toMatchObject({ file: '--set vars.drian=5m', path: 'vars.drian', suggestion: 'vars.drain' });
    expect(err.issues[0]!.message).toContain("unknown variable 'drian'");
  });

  it('reports malformed references and non-scalar variables', () => {
    const err = scenarioErrorOf(() => load([], ['vars:', '  l: [1, 2]', 'horizon: ${1x}', ''].join('\n')));
    expect(err.issues.map((i) => i.message).join('\n')).toMatch(
      /a variable holds one value[\s\S]*malformed variable reference '\$\{1x\}'/,
    );
    expect(err.issues.find((i) => i.path === 'horizon')?.line).toBe(3);
  });
});
