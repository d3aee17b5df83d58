/**
 * `lb.random_draws` is the argument of HAProxy's `balance random(<draws>)` (backend_parse_balance(),
 * src/backend.c): with any other balance nothing reads it, so a scenario that sets it is an error at
 * its own key (file, line, found), not a setting silently ignored (review25 #6).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf } from './load-fixtures.js';

afterAll(cleanupScenarioDirs);

describe('lb.random_draws needs lb.balance: random', () => {
  it('with roundrobin: an error at lb.random_draws naming the balance found, with the file and line', () => {
    const dir = scenarioDir({ 'x.yaml': ['lb:', '  balance: roundrobin', '  random_draws: 3', ''].join('\n') });
    const err = scenarioErrorOf(() => loadScenario(join(dir, 'x.yaml'), ScenarioSchema));
    const issue = err.issues.find((i) => i.path === 'lb.random_draws');
    expect(issue?.message).toMatch(/^needs lb.balance: random .* lb.balance is roundrobin$/);
    expect(issue?.line).toBe(3);
    expect(issue?.file).toMatch(/x\.yaml$/);
  });

  it('with balance random, and unset with any balance, the scenario is valid', () => {
    expect(ScenarioSchema.safeParse({ lb: { balance: 'random', random_draws: 3 } }).success).toBe(true);
    for (const balance of ['roundrobin', 'leastconn', 'source', 'random'])
      expect(ScenarioSchema.safeParse({ lb: { balance } }).success).toBe(true);
    expect(ScenarioSchema.safeParse({ lb: { balance: 'leastconn', random_draws: 2 } }).success).toBe(false);
  });
});
