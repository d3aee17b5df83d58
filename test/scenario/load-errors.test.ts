import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssue, ScenarioError } from '../../sim/scenario/errors.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { editDistance, nearest, nearestMatches } from '../../sim/scenario/nearest.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf, TestSchema } from './load-fixtures.js';

afterAll(cleanupScenarioDirs);

function errorsOf(text: string, schema: z.ZodType = TestSchema) {
  const dir = scenarioDir({ 'x.yaml': text });
  return scenarioErrorOf(() => loadScenario(join(dir, 'x.yaml'), schema));
}

describe('scenario errors: unknown keys', () => {
  it('names file, line and column of the key and suggests the nearest valid key at that path', () => {
    const err = errorsOf(
      ['backends:', '  - name: vm-a', '  - name: vm-b', '    nginx:', '      keepalive_timout: 5s', ''].join('\n'),
    );
    expect(err.issues).toHaveLength(1);
    const [issue] = err.issues;
    expect(issue).toMatchObject({
      line: 5,
      column: 7,
      path: 'backends[1].nginx.keepalive_timout',
      message: 'unknown key',
      suggestion: 'keepalive_timeout',
    });
    expect(issue.file).toMatch(/x\.yaml$/);
    expect(err.format()).toMatch(
      /x\.yaml:5:7: backends\[1\]\.nginx\.keepalive_timout: unknown key; did you mean 'keepalive_timeout'\?$/,
    );
  });

  it('reports each unknown key of one mapping separately, and suggests nothing for a key unlike any', () => {
    const err = errorsOf('horizn: 5m\nzzzzzzzz: 1\n');
    expect(err.issues.map((i) => [i.path, i.line, i.suggestion])).toEqual([
      ['horizn', 1, 'horizon'],
      ['zzzzzzzz', 2, undefined],
    ]);
  });

  it("suggests from the discriminated-union option the value's tag selects", () => {
    const err = errorsOf('timeline:\n  - do: drain\n    backnd: vm-a\n');
    expect(err.issues.find((i) => i.path === 'timeline[0].backnd')).toMatchObject({
      suggestion: 'backend',
      line: 3,
      column: 5,
    });
  });
});

describe('scenario errors: values', () => {
  it("surfaces a schema's own message verbatim, with the value found", () => {
    const err = errorsOf('description: d\nhorizon: 30\n');
    expect(err.issues[0]).toMatchObject({
      path: 'horizon',
      line: 2,
      column: 10,
      found: '30',
      message: 'expected a duration with a unit (e.g. 30s)',
    });
    expect(err.format()).toMatch(/x\.yaml:2:10: horizon: expected a duration with a unit \(e\.g\. 30s\), found 30$/);
  });

  it("surfaces a custom issue's message (as zDuration raises them) with path and location", () => {
    const schema = z.strictObject({
      grace: z.string().transform((s, ctx) => {
        ctx.addIssue({ code: 'custom', message: `negative duration '${s}'`, params: { expected: 'a duration ≥ 0' } });
        return z.NEVER;
      }),
    });
    const err = errorsOf('\ngrace: -5s\n', schema);
    expect(err.issues[0]).toMatchObject({
      path: 'grace',
      line: 2,
      column: 8,
      message: "negative duration '-5s'",
      expected: 'a duration ≥ 0',
      found: '"-5s"',
    });
  });

  it('suggests the nearest allowed value of an enum', () => {
    const err = errorsOf('lb:\n  balance: leastcon\n');
    expect(err.issues[0]).toMatchObject({
      path: 'lb.balance',
      line: 2,
      column: 12,
      suggestion: 'leastconn',
      found: '"leastcon"',
    });
    expect(err.issues[0].message).toBe("expected one of 'roundrobin', 'leastconn', 'random'");
  });

  it('suggests the nearest discriminator value', () => {
    const err = errorsOf('timeline:\n  - do: drian\n    backend: vm-a\n');
    expect(err.issues[0]).toMatchObject({ path: 'timeline[0].do', line: 2, column: 9, suggestion: 'drain' });
  });

  it('says which kinds a union accepts when the value fits none', () => {
    const err = errorsOf('start: true\n');
    expect(err.issues[0]).toMatchObject({ path: 'start', message: 'expected a string or a number', found: 'true' });
  });

  it('phrases type and range errors for a YAML author', () => {
    const err = errorsOf('backends:\n  - name: vm-a\n    weight: -1\n  - name: 5\n    weight: 1.5\n');
    expect(err.issues.map((i) => `${i.path}: ${i.message}, found ${i.found}`)).toEqual([
      'backends[0].weight: expected a number >= 0, found -1',
      'backends[1].name: expected a string, found 5',
      'backends[1].weight: expected an integer, found 1.5',
    ]);
  });

  it('points a missing required key at the mapping that lacks it', () => {
    const err = errorsOf('description: d\nbackends:\n  - weight: 2\n');
    expect(err.issues[0]).toMatchObject({
      path: 'backends[0].name',
      line: 3,
      column: 5,
      message: 'required key is missing (expected a string)',
    });
    expect(err.issues[0].found).toBeUndefined();
  });

  it('truncates a long found value', () => {
    const err = errorsOf(`horizon: [${Array.from({ length: 40 }, (_, i) => i).join(', ')}]\n`);
    expect(err.issues[0].found?.length).toBeLessThanOrEqual(60);
    expect(err.issues[0].found?.endsWith('…')).toBe(true);
  });

  it('lists issues in file order', () => {
    const err = errorsOf('timeline:\n  - do: note\n    txt: x\nhorizon: 30\nlb: { balance: x }\n');
    // zod reports top-level keys in schema order (horizon, lb, timeline); a reader wants line order.
    expect(err.issues.map((i) => `${i.line}:${i.path}`)).toEqual([
      '2:timeline[0].text',
      '3:timeline[0].txt',
      '4:horizon',
      '5:lb.balance',
    ]);
  });
});

describe('scenario errors: locations across an extends chain', () => {
  it('locates a value inherited from a base file in the base file', () => {
    const dir = scenarioDir({
      'base.yaml': 'description: b\nlb:\n  balance: bogus\n',
      'leaf.yaml': 'extends: base\nlb: {}\n',
    });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'leaf.yaml'), TestSchema));
    expect(err.issues[0].file).toMatch(/base\.yaml$/);
    expect(err.issues[0]).toMatchObject({ line: 3, column: 12 });
  });

  it('locates a value the leaf overrides in the leaf', () => {
    const dir = scenarioDir({ 'base.yaml': 'horizon: 5m\n', 'leaf.yaml': 'extends: base\n\nhorizon: 5\n' });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'leaf.yaml'), TestSchema));
    expect(err.issues[0].file).toMatch(/leaf\.yaml$/);
    expect(err.issues[0].line).toBe(3);
  });

  it("does not look inside a base's list that the leaf replaced", () => {
    const dir = scenarioDir({
      'base.yaml': 'backends:\n  - name: vm-a\n    weight: 1\n',
      'leaf.yaml': 'extends: base\nbackends:\n  - name: 7\n',
    });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'leaf.yaml'), TestSchema));
    expect(err.issues[0]).toMatchObject({ path: 'backends[0].name', line: 3 });
    expect(err.issues[0].file).toMatch(/leaf\.yaml$/);
  });
});

describe('scenario errors: files', () => {
  it('reports malformed YAML with file, line and column', () => {
    const err = errorsOf('a: 1\nb:\n  c: [1, 2\n  d: x\n');
    expect(err.issues[0].line).toBe(4);
    expect(err.issues[0].message).toMatch(/^malformed YAML: /);
    expect(err.format()).toMatch(/x\.yaml:4:3: malformed YAML: /);
  });

  it('reports a duplicate key as malformed YAML at the duplicate', () => {
    expect(errorsOf('horizon: 1m\ndescription: x\nhorizon: 2m\n').issues[0]).toMatchObject({ line: 3 });
  });

  it('rejects a top level that is not a mapping', () => {
    expect(errorsOf('- a\n- b\n').issues[0].message).toContain('expected a mapping');
  });

  it('lists the nearest built-in names for an unknown scenario', () => {
    const builtinDir = scenarioDir({ 'hard-cut.yaml': '', 'hard-cuts.yaml': '', 'ws-drain.yaml': '' });
    const err = scenarioErrorOf(() => loadScenario('hard-cutt', TestSchema, { builtinDir }));
    expect(err.issues[0]).toMatchObject({ file: 'hard-cutt', suggestion: 'hard-cut' });
    expect(err.issues[0].message).toContain("scenario 'hard-cutt' not found");
    expect(err.issues[0].message).toContain('hard-cuts');
    expect(err.issues[0].message).not.toContain('ws-drain');
  });

  it('points an unknown extends target at the extends line', () => {
    const builtinDir = scenarioDir({ 'hard-cut.yaml': '' });
    const dir = scenarioDir({ 'v.yaml': 'description: x\nextends: hard-cat\n' });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'v.yaml'), TestSchema, { builtinDir }));
    expect(err.issues[0]).toMatchObject({ path: 'extends', line: 2, column: 10, suggestion: 'hard-cut' });
    expect(err.issues[0].file).toMatch(/v\.yaml$/);
  });
});

describe('formatIssue', () => {
  it('prints location, path, message, found and suggestion on one line', () => {
    expect(
      formatIssue({
        file: 'scenarios/x.yaml',
        line: 12,
        column: 5,
        path: 'a.b',
        message: 'expected a number',
        found: '"x"',
        suggestion: 'y',
      }),
    ).toBe(`scenarios/x.yaml:12:5: a.b: expected a number, found "x"; did you mean 'y'?`);
    expect(formatIssue({ file: 'f.yaml', path: '', message: 'cannot read file' })).toBe('f.yaml: cannot read file');
  });

  it('does not repeat a found value the message already quotes', () => {
    expect(formatIssue({ file: 'f', path: 'h', message: "unit-less duration '30'", found: '30' })).toBe(
      "f: h: unit-less duration '30'",
    );
    expect(formatIssue({ file: 'f', path: 'h', message: "negative duration '-5s'", found: '"-5s"' })).toBe(
      "f: h: negative duration '-5s'",
    );
    expect(formatIssue({ file: 'f', path: 'h', message: 'expected a duration (e.g. 30s)', found: '30' })).toBe(
      'f: h: expected a duration (e.g. 30s), found 30',
    );
  });

  it('makes a ScenarioError whose message and format() list every issue', () => {
    const err = new ScenarioError([
      { file: 'a', path: 'x', message: 'm1' },
      { file: 'b', path: 'y', message: 'm2' },
    ]);
    expect(err.format()).toBe('a: x: m1\nb: y: m2');
    expect(err.message).toBe(err.format());
  });
});

describe('nearest', () => {
  it('measures edits, counting a transposition as one', () => {
    expect(editDistance('keepalive_timout', 'keepalive_timeout')).toBe(1);
    expect(editDistance('timoeut', 'timeout')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('keeps only plausible typos, closest first', () => {
    expect(nearest('horizn', ['seed', 'horizon', 'warmup'])).toBe('horizon');
    expect(nearest('banana', ['seed', 'horizon'])).toBeUndefined();
    expect(nearestMatches('hard-cutt', ['ws-drain', 'hard-cuts', 'hard-cut'])).toEqual(['hard-cuts', 'hard-cut']);
  });
});
