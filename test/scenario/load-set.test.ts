import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { applySetOverride, parseSetOverride } from '../../sim/scenario/set-override.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf, TestSchema } from './load-fixtures.js';

afterAll(cleanupScenarioDirs);

const BASE = ['horizon: 10m', 'backends:', '  - name: vm-a', '  - name: vm-b', '    weight: 2', ''].join('\n');

function load(sets: string[], text = BASE) {
  const dir = scenarioDir({ 's.yaml': text });
  return loadScenario(join(dir, 's.yaml'), TestSchema, { sets });
}

function applied(data: Record<string, unknown>, text: string) {
  const path = applySetOverride(data, parseSetOverride(text));
  return { data, path };
}

describe('--set overrides', () => {
  it('sets a dotted path, creating the mappings on the way', () => {
    expect(load(['lb.balance=leastconn']).scenario.lb.balance).toBe('leastconn');
    expect(applied({}, 'a.b.c=1')).toEqual({ data: { a: { b: { c: 1 } } }, path: ['a', 'b', 'c'] });
  });

  it('indexes lists with [n]', () => {
    const loaded = load(['backends[1].nginx.keepalive_timeout=5s']);
    expect(loaded.scenario.backends[1].nginx.keepalive_timeout).toBe('5s');
    expect(loaded.scenario.backends[0].nginx.keepalive_timeout).toBe('75s');
  });

  it('picks a list element by its name: backends.vm-b.weight', () => {
    const loaded = load(['backends.vm-b.weight=7']);
    expect(loaded.scenario.backends.map((b) => b.weight)).toEqual([1, 7]);
    expect(applied({ backends: [{ name: 'vm-a' }, { name: 'vm-b' }] }, 'backends.vm-b.weight=7').path).toEqual([
      'backends',
      1,
      'weight',
    ]);
  });

  it('appends with the index one past the end', () => {
    expect(load(['backends[2].name=vm-c']).scenario.backends.map((b) => b.name)).toEqual(['vm-a', 'vm-b', 'vm-c']);
  });

  it('parses values as YAML flow values', () => {
    const cases: [string, unknown][] = [
      ['5s', '5s'],
      ['3', 3],
      ['2.5', 2.5],
      ['true', true],
      ['[1, 2]', [1, 2]],
      ['{a: 1}', { a: 1 }],
      ['"007"', '007'],
      ['null', null],
      ['', ''],
      // Text that would be a block mapping is not something one types as a value: keep the string.
      ['Hard cut: no drain', 'Hard cut: no drain'],
    ];
    for (const [text, value] of cases) expect(parseSetOverride(`x=${text}`).value, text).toEqual(value);
    expect(parseSetOverride('description=a=b').value).toBe('a=b');
  });

  it('applies overrides after extends, in order (the last one wins)', () => {
    const dir = scenarioDir({ 'base.yaml': BASE, 'v.yaml': 'extends: base\nhorizon: 1m\n' });
    const loaded = loadScenario(join(dir, 'v.yaml'), TestSchema, {
      sets: ['horizon=2m', 'horizon=3m', 'name=renamed'],
    });
    expect(loaded.scenario.horizon).toBe('3m');
    expect(loaded.name).toBe('renamed');
    expect(loaded.raw).toMatchObject({ horizon: '3m' });
  });

  it('does not leak an override into the files it read (a second load sees the original)', () => {
    const dir = scenarioDir({ 'base.yaml': BASE, 'v.yaml': 'extends: base\n' });
    loadScenario(join(dir, 'v.yaml'), TestSchema, { sets: ['backends.vm-a.weight=9'] });
    expect(loadScenario(join(dir, 'v.yaml'), TestSchema).scenario.backends[0].weight).toBe(1);
  });

  it('rejects an override without = and says what it expected', () => {
    const err = scenarioErrorOf(() => load(['horizon']));
    expect(err.issues[0].file).toBe('--set horizon');
    expect(err.issues[0].message).toContain('expected path=value');
    expect(scenarioErrorOf(() => parseSetOverride('=5')).format()).toContain('expected path=value');
  });

  it('rejects a malformed path', () => {
    expect(scenarioErrorOf(() => parseSetOverride('a..b=1')).format()).toMatch(/malformed path 'a\.\.b'/);
    expect(scenarioErrorOf(() => parseSetOverride('a[x]=1')).format()).toMatch(/malformed path/);
  });

  it('rejects an unparseable value', () => {
    expect(scenarioErrorOf(() => parseSetOverride('tags=[1, 2')).format()).toMatch(
      /--set tags=\[1, 2: tags: cannot parse value/,
    );
  });

  it('names the nearest element when a list has no element of that name', () => {
    const err = scenarioErrorOf(() => load(['backends.vm-c.weight=1']));
    expect(err.issues[0]).toMatchObject({ file: '--set backends.vm-c.weight=1', path: 'backends', suggestion: 'vm-a' });
    expect(err.issues[0].message).toContain('names: vm-a, vm-b');
  });

  it('rejects an index past the end and a key into a scalar', () => {
    expect(scenarioErrorOf(() => load(['backends[5].weight=1'])).issues[0].message).toContain('out of range');
    expect(scenarioErrorOf(() => load(['horizon.unit=s'])).issues[0].message).toContain('horizon is not a mapping');
  });

  it('attributes a validation error caused by an override to that override', () => {
    const err = scenarioErrorOf(() => load(['backends.vm-a.weight=heavy']));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({
      file: '--set backends.vm-a.weight=heavy',
      path: 'backends[0].weight',
      found: '"heavy"',
    });
    expect(err.issues[0].line).toBeUndefined();
    expect(err.format()).toBe('--set backends.vm-a.weight=heavy: backends[0].weight: expected a number, found "heavy"');
  });

  it('suggests the nearest key for a typo in an override path', () => {
    const err = scenarioErrorOf(() => load(['backends.vm-a.nginx.keepalive_timout=5s']));
    expect(err.issues[0]).toMatchObject({
      path: 'backends[0].nginx.keepalive_timout',
      suggestion: 'keepalive_timeout',
    });
  });
});
