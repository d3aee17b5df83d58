import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  withDistributionBaseDir,
  zDistribution,
  zDuration,
  zDurationOrInfinite,
  zPercent,
} from '../../sim/scenario/zod-types.js';

function issues(schema: z.ZodType, input: unknown): z.core.$ZodIssue[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues;
}

function onlyMessage(schema: z.ZodType, input: unknown): string {
  const found = issues(schema, input);
  expect(found).toHaveLength(1);
  return found[0]!.message;
}

describe('zDuration', () => {
  it('parses durations with units to seconds', () => {
    expect(zDuration.parse('30s')).toBe(30);
    expect(zDuration.parse('1h30m')).toBe(5400);
    expect(zDuration.parse('500ms')).toBe(0.5);
  });

  it('rejects a JSON number, telling to add a unit', () => {
    expect(onlyMessage(zDuration, 30)).toBe("unit-less duration '30': write it with a unit, e.g. 30s");
    expect(onlyMessage(zDuration, '30')).toMatch(/unit-less duration '30'/);
  });

  it('rejects negative and malformed durations with the parser message', () => {
    expect(onlyMessage(zDuration, '-5s')).toMatch(/negative duration '-5s'/);
    expect(onlyMessage(zDuration, '5min')).toMatch(/unknown unit 'min'.*did you mean '5m'/);
    expect(onlyMessage(zDuration, true)).toMatch(/expected a duration with a unit such as 30s, found boolean true/);
  });

  it('reports each bad field of an object with its path instead of throwing', () => {
    const schema = z.object({ idle: zDuration, connect: zDuration, tunnel: zDuration.prefault('1h') });
    const found = issues(schema, { idle: 30, connect: '-5s' });
    expect(found.map((i) => i.path)).toEqual([['idle'], ['connect']]);
    expect(schema.parse({ idle: '1s', connect: '2s' })).toEqual({ idle: 1, connect: 2, tunnel: 3600 });
  });

  it('generates a JSON Schema string with a pattern and a description', () => {
    const schema = z.toJSONSchema(zDuration, { io: 'input' }) as Record<string, unknown>;
    expect(schema.type).toBe('string');
    expect(schema.description).toMatch(/unit/);
    const pattern = new RegExp(schema.pattern as string);
    expect(['30s', '1h30m', '2h 11m'].every((s) => pattern.test(s))).toBe(true);
    expect(['30', '-5s', '5min'].some((s) => pattern.test(s))).toBe(false);
    // A field description set by the schema author keeps the pattern.
    const described = z.toJSONSchema(zDuration.describe('HAProxy timeout client (default 50s)'), { io: 'input' });
    expect(described).toMatchObject({ type: 'string', description: 'HAProxy timeout client (default 50s)' });
    expect(described).toHaveProperty('pattern');
  });
});

describe('zDurationOrInfinite', () => {
  it('maps infinite, none and 0 to Infinity, and parses durations', () => {
    for (const input of ['infinite', 'none', '0', 0]) expect(zDurationOrInfinite.parse(input)).toBe(Infinity);
    expect(zDurationOrInfinite.parse('30s')).toBe(30);
    expect(zDurationOrInfinite.parse('0s')).toBe(0);
  });

  it('rejects other bare numbers and bad durations, mentioning the no-timeout words', () => {
    expect(onlyMessage(zDurationOrInfinite, 30)).toMatch(/unit-less duration '30'.*'infinite'/);
    // A plain issue, not a union of kind mismatches, so the loader shows this message.
    expect(issues(zDurationOrInfinite, 30)[0]!.code).not.toBe('invalid_union');
    expect(onlyMessage(zDurationOrInfinite, '-5s')).toMatch(/negative duration/);
  });

  it('describes the no-timeout words in its JSON Schema', () => {
    const schema = z.toJSONSchema(zDurationOrInfinite, { io: 'input' });
    expect(JSON.stringify(schema)).toMatch(/infinite/);
  });
});

describe('zDistribution', () => {
  it('parses distribution text, and a bare duration as a constant', () => {
    expect(zDistribution().parse('exp(mean=2s)').mean()).toBe(2);
    expect(zDistribution().parse('30s').spec).toBe('const(30s)');
    expect(zDistribution('number').parse(5).spec).toBe('const(5)');
    expect(zDistribution('number').parse('uniform(1, 3)').mean()).toBe(2);
  });

  it('turns parse errors into issues with expected and found', () => {
    const found = issues(zDistribution(), 'lognormall(median=30m, p99=6h)');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("did you mean 'lognormal'?");
    expect(found[0]).toMatchObject({ code: 'custom', params: { found: "'lognormall'" } });
    expect(onlyMessage(zDistribution(), 30)).toMatch(/unit-less duration '30'.*exp\(mean=30s\)/);
    expect(onlyMessage(zDistribution(), '-5s')).toMatch(/negative duration '-5s'/);
  });

  it('resolves empirical files against the injected base directory, restoring it afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-zod-'));
    const inner = mkdtempSync(join(tmpdir(), 'drainsim-zod-inner-'));
    writeFileSync(join(dir, 'samples.csv'), 'seconds\n1\n3\n');
    writeFileSync(join(inner, 'samples.csv'), '10s\n30s\n');
    const schema = z.object({ think: zDistribution() });
    const means = withDistributionBaseDir(dir, () => {
      const outer = schema.parse({ think: 'empirical(samples.csv)' }).think.mean();
      const nested = withDistributionBaseDir(inner, () =>
        schema.parse({ think: 'empirical(samples.csv)' }).think.mean(),
      );
      const again = schema.parse({ think: 'empirical(samples.csv)' }).think.mean();
      return [outer, nested, again];
    });
    expect(means).toEqual([2, 20, 2]);
    expect(onlyMessage(schema, { think: 'empirical(samples.csv)' })).toMatch(/cannot read 'samples.csv'/);
  });

  it('generates a JSON Schema of type string that lists the families', () => {
    const schema = z.toJSONSchema(zDistribution(), { io: 'input' }) as Record<string, unknown>;
    expect(schema.type).toBe('string');
    expect(schema.description).toMatch(/lognormal\(median=30m, p99=6h\)/);
  });
});

describe('zPercent', () => {
  it('accepts percentages and fractions', () => {
    expect(zPercent.parse('99.9%')).toBe(0.999);
    expect(zPercent.parse(0.5)).toBe(0.5);
  });

  it('rejects out-of-range values with a hint', () => {
    expect(onlyMessage(zPercent, 99.9)).toMatch(/did you mean '99.9%'/);
    expect(onlyMessage(zPercent, '150%')).toMatch(/above 100%/);
    expect(onlyMessage(zPercent, 'lots')).toMatch(/cannot read percentage 'lots'/);
  });

  it('generates a JSON Schema', () => {
    expect(() => z.toJSONSchema(zPercent, { io: 'input' })).not.toThrow();
  });
});
