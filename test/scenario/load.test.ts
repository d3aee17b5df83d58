import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinScenarioNames, loadScenario, packageRoot } from '../../sim/scenario/load.js';
import { deepMerge } from '../../sim/scenario/merge.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf, TestSchema } from './load-fixtures.js';

afterAll(cleanupScenarioDirs);

describe('loadScenario: files and names', () => {
  it('loads a YAML file by path, fills defaults, and names the scenario after the file', () => {
    const dir = scenarioDir({ 'my-case.yaml': 'horizon: 5m\nbackends:\n  - name: vm-a\n' });
    const loaded = loadScenario(join(dir, 'my-case.yaml'), TestSchema);
    expect(loaded.name).toBe('my-case');
    expect(loaded.scenario.name).toBe('my-case');
    expect(loaded.scenario.horizon).toBe('5m');
    expect(loaded.scenario.backends).toEqual([
      { name: 'vm-a', weight: 1, nginx: { keepalive_timeout: '75s', keepalive_requests: 1000 } },
    ]);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.chain).toHaveLength(1);
  });

  it('keeps a name written in the file', () => {
    const dir = scenarioDir({ 'a.yaml': 'name: custom\n' });
    expect(loadScenario(join(dir, 'a.yaml'), TestSchema).name).toBe('custom');
  });

  it('accepts JSON and .yml files', () => {
    const dir = scenarioDir({ 'a.json': '{"horizon": "2m", "tags": ["x"]}', 'b.yml': 'horizon: 3m\n' });
    expect(loadScenario(join(dir, 'a.json'), TestSchema).scenario).toMatchObject({
      name: 'a',
      horizon: '2m',
      tags: ['x'],
    });
    expect(loadScenario(join(dir, 'b.yml'), TestSchema).scenario.horizon).toBe('3m');
  });

  it('treats an empty file as a scenario of defaults', () => {
    const dir = scenarioDir({ 'empty.yaml': '# nothing yet\n' });
    expect(loadScenario(join(dir, 'empty.yaml'), TestSchema).scenario).toMatchObject({
      name: 'empty',
      horizon: '60s',
      backends: [],
    });
  });

  it('resolves a built-in name to <builtinDir>/<name>.yaml', () => {
    const builtinDir = scenarioDir({ 'hard-cut.yaml': 'description: cut\n' });
    const loaded = loadScenario('hard-cut', TestSchema, { builtinDir });
    expect(loaded.name).toBe('hard-cut');
    expect(loaded.scenario.description).toBe('cut');
  });

  it('lists built-in names sorted, .yaml files only', () => {
    const builtinDir = scenarioDir({ 'zeta.yaml': '', 'alpha.yaml': '', 'notes.md': '', 'data.csv': '' });
    expect(builtinScenarioNames(builtinDir)).toEqual(['alpha', 'zeta']);
    expect(builtinScenarioNames(join(builtinDir, 'missing'))).toEqual([]);
  });

  it("validates inside withBaseDir with the leaf file's folder (for files a value names)", () => {
    const dir = scenarioDir({ 'sub/leaf.yaml': 'data: x.csv\n' });
    let current: string | undefined;
    const schema = z.strictObject({
      name: z.string().optional(),
      data: z.string().transform((f) => `${current}/${f}`),
    });
    const withBaseDir = <R>(baseDir: string, parse: () => R): R => {
      current = baseDir;
      try {
        return parse();
      } finally {
        current = undefined;
      }
    };
    const loaded = loadScenario(join(dir, 'sub/leaf.yaml'), schema, { withBaseDir });
    expect(loaded.scenario.data).toBe(`${join(dir, 'sub')}/x.csv`);
    expect(loaded.baseDir).toBe(join(dir, 'sub'));
  });

  it('finds the package root (the folder with drainsim package.json)', () => {
    const root = packageRoot();
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('drainsim');
  });
});

describe('loadScenario: extends', () => {
  it('deep-merges mappings and replaces lists and scalars', () => {
    const dir = scenarioDir({
      'base.yaml': [
        'description: base',
        'horizon: 10m',
        'lb: { balance: leastconn }',
        'tags: [a, b, c]',
        'backends:',
        '  - name: vm-a',
        '  - name: vm-b',
      ].join('\n'),
      'variant.yaml': ['extends: base.yaml', 'horizon: 1m', 'tags: [z]', 'backends:', '  - name: vm-c'].join('\n'),
    });
    const loaded = loadScenario(join(dir, 'variant.yaml'), TestSchema);
    expect(loaded.scenario).toMatchObject({
      description: 'base',
      horizon: '1m',
      lb: { balance: 'leastconn' },
      tags: ['z'],
    });
    expect(loaded.scenario.backends.map((b) => b.name)).toEqual(['vm-c']);
    expect(loaded.chain.map((f) => f.split(/[\\/]/).at(-1))).toEqual(['variant.yaml', 'base.yaml']);
    expect(loaded.raw).not.toHaveProperty('extends');
  });

  it("names a variant after its own file, not its base's name", () => {
    const dir = scenarioDir({ 'base.yaml': 'name: the-base\n', 'variant.yaml': 'extends: base\n' });
    expect(loadScenario(join(dir, 'variant.yaml'), TestSchema).name).toBe('variant');
  });

  it('merges nested mappings through several levels', () => {
    const dir = scenarioDir({
      'a.yaml': 'lb: { balance: random }\ndescription: from a\n',
      'b.yaml': 'extends: a\nhorizon: 2m\n',
      'c.yaml': 'extends: ./b.yaml\ndescription: from c\n',
    });
    const loaded = loadScenario(join(dir, 'c.yaml'), TestSchema);
    expect(loaded.scenario).toMatchObject({ description: 'from c', horizon: '2m', lb: { balance: 'random' } });
    expect(loaded.chain).toHaveLength(3);
  });

  it("resolves extends relative to the extending file's folder, then as a built-in name", () => {
    const builtinDir = scenarioDir({ 'hard-cut.yaml': 'description: builtin\nhorizon: 7m\n' });
    const dir = scenarioDir({
      'sub/base.yaml': 'description: local base\n',
      'sub/local.yaml': 'extends: base\n',
      'uses-builtin.yaml': 'extends: hard-cut\nhorizon: 1m\n',
    });
    expect(loadScenario(join(dir, 'sub/local.yaml'), TestSchema, { builtinDir }).scenario.description).toBe(
      'local base',
    );
    const viaBuiltin = loadScenario(join(dir, 'uses-builtin.yaml'), TestSchema, { builtinDir });
    expect(viaBuiltin.scenario).toMatchObject({ description: 'builtin', horizon: '1m' });
  });

  it('prefers a local file over a built-in of the same name', () => {
    const builtinDir = scenarioDir({ 'base.yaml': 'description: builtin\n' });
    const dir = scenarioDir({ 'base.yaml': 'description: local\n', 'v.yaml': 'extends: base\n' });
    expect(loadScenario(join(dir, 'v.yaml'), TestSchema, { builtinDir }).scenario.description).toBe('local');
  });

  it('reports an extends cycle with the whole chain, at the extends line that closes it', () => {
    const dir = scenarioDir({ 'a.yaml': 'description: a\nextends: b\n', 'b.yaml': 'extends: ./a.yaml\n' });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'a.yaml'), TestSchema));
    expect(err.issues).toHaveLength(1);
    const [issue] = err.issues;
    expect(issue.message).toMatch(/cycle: .*a\.yaml → .*b\.yaml → .*a\.yaml/);
    expect(issue.file).toMatch(/b\.yaml$/);
    expect(issue).toMatchObject({ path: 'extends', line: 1, column: 10 });
  });

  it('reports a self-extending file as a cycle', () => {
    const dir = scenarioDir({ 'self.yaml': 'extends: self\n' });
    expect(scenarioErrorOf(() => loadScenario(join(dir, 'self.yaml'), TestSchema)).format()).toMatch(
      /cycle: .*self\.yaml → .*self\.yaml/,
    );
  });

  it('rejects an extends that is not a name', () => {
    const dir = scenarioDir({ 'a.yaml': 'extends: [x]\n' });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'a.yaml'), TestSchema));
    expect(err.issues[0]).toMatchObject({ path: 'extends', line: 1, found: '["x"]' });
  });
});

describe('deepMerge', () => {
  it('merges mappings recursively without modifying its inputs', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const over = { a: { c: [3] }, e: null };
    expect(deepMerge(base, over)).toEqual({ a: { b: 1, c: [3] }, d: 'x', e: null });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
  });

  it('lets a scalar or null replace a mapping', () => {
    expect(deepMerge({ a: { b: 1 } }, { a: null })).toEqual({ a: null });
    expect(deepMerge({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 });
  });

  it('keeps a __proto__ key as data', () => {
    const merged = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
