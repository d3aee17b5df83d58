/**
 * Backend sets are not 32-bit masks (a mask wraps at backend 32: `1 << 32 === 1`), and the schema
 * states the largest backend count the model is run with. A short run with that many backends
 * redispatches away from backends past index 31 and spreads flows over all of them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendSet } from '../../sim/model/core/backend-set.js';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { MAX_BACKENDS, ScenarioSchema } from '../../sim/scenario/schema.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf } from '../scenario/load-fixtures.js';
import { series } from './helpers.js';

afterAll(cleanupScenarioDirs);

const names = (n: number): Array<{ name: string }> => Array.from({ length: n }, (_, i) => ({ name: `vm-${i}` }));

describe('BackendSet', () => {
  it('holds backends past index 31 apart from the low ones', () => {
    const s = new BackendSet();
    s.add(32);
    s.add(999);
    expect(s.has(0)).toBe(false);
    expect(s.has(32)).toBe(true);
    expect(s.has(999)).toBe(true);
    s.add(32);
    expect(s.size).toBe(2);
    // Past the three packed members the set overflows into a list.
    s.add(7);
    s.add(500);
    expect([s.size, s.has(7), s.has(500), s.has(8)]).toEqual([4, true, true, false]);
    expect(Array.isArray(s.members)).toBe(true);
    expect(s.only(5).has(32)).toBe(false);
    expect(s.size).toBe(1);
  });
});

describe(`a run with ${MAX_BACKENDS} backends`, () => {
  let r: RunResult;
  beforeAll(() => {
    const scenario = ScenarioSchema.parse({
      horizon: '20s',
      warmup: '0s',
      backends: names(MAX_BACKENDS),
      lb: { balance: 'leastconn' },
      clients: { http: { arrival_rate: 400 } },
      timeline: [{ at: '5s', do: 'terminate', backend: 'vm-999', mode: 'vanish' }],
    });
    r = runScenario(scenario);
  }, 120_000);

  it('has every backend in the timeline and spreads new flows over backends past index 31', () => {
    expect(r.timeline.entities).toHaveLength(MAX_BACKENDS + 1);
    const flows = (name: string): number => series(r, 'new_conn', name).reduce((sum, [, v]) => sum + v, 0);
    let high = 0;
    for (let b = 32; b < MAX_BACKENDS; b++) high += flows(`vm-${b}`);
    expect(high).toBeGreaterThan(0.9 * flows('total'));
  });
});

describe('the schema limit on backends', () => {
  it('accepts the maximum and rejects one more, naming the list and the limit', () => {
    expect(ScenarioSchema.safeParse({ backends: names(MAX_BACKENDS) }).success).toBe(true);
    const yaml = `backends:\n${names(MAX_BACKENDS + 1)
      .map((b) => `  - name: ${b.name}\n`)
      .join('')}`;
    const dir = scenarioDir({ 'many.yaml': yaml });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'many.yaml'), ScenarioSchema));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ path: 'backends', line: 2 });
    expect(err.issues[0].message).toContain(String(MAX_BACKENDS));
  });
});
