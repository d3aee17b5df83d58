import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { ResidualLife } from '../../../sim/plan/residual-life.js';
import type { RunResult } from '../../../sim/result.js';
import { parseDistribution } from '../../../sim/scenario/distribution.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

// The sessions: lognormal, median 40 min, p99 8 h. σ = ln(p99/median)/z₀.₉₉.
const MEDIAN = 2400;
const SIGMA = Math.log((8 * 3600) / MEDIAN) / 2.3263478740408408;
const MU = Math.log(MEDIAN);
/** E[L^k] of a lognormal. */
const moment = (k: number) => Math.exp(k * MU + (k * k * SIGMA * SIGMA) / 2);
/** Stationary age: mean E[L²]/(2E[L]), second moment E[L³]/(3E[L]). */
const MEAN_AGE = moment(2) / (2 * moment(1));
const AGE_SD = Math.sqrt(moment(3) / (3 * moment(1)) - MEAN_AGE ** 2);
const LIFETIME = 'lognormal(median=40m, p99=8h)';

function fleet(start: 'steady' | 'cold', sessions: number): ScenarioInput {
  return {
    warmup: '2m',
    horizon: '20m',
    sample_interval: '1m',
    // worker_connections as ingress-nginx: 4,000 sessions hold 8,000 connections; this test is about
    // the sessions' ages, not the connection limit.
    nginx: { proxy_read_timeout: '1000h', worker_connections: 16384 },
    clients: {
      ws: {
        initial_sessions: sessions,
        initial_ramp: '1m',
        start,
        // Little's law: the arrival rate that keeps `sessions` open.
        arrival_rate: sessions / moment(1),
        lifetime: LIFETIME,
        ping_interval: 'infinite',
      },
    },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [
      {
        at: '0s',
        do: 'deploy',
        backend: 'vm-a',
        gate: { threshold: 1, max_wait: '30m', poll: '10s', on_timeout: 'force' },
      },
    ],
  } as ScenarioInput;
}

describe('steady-state start of WebSocket sessions', () => {
  it('draws ages whose mean is E[L²]/(2E[L]) (the sampler alone, 20,000 sessions)', () => {
    const residual = ResidualLife.of(parseDistribution(LIFETIME));
    const rng = new RandomStreams(3).stream('test');
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += residual.sampleSession(rng).age;
    expect(Math.abs(sum / n - MEAN_AGE)).toBeLessThan((4 * AGE_SD) / Math.sqrt(n));
    // 1 h 51 m in the words.
    expect(MEAN_AGE / 60).toBeCloseTo(110.7, 0);
  });

  const sessions = 4000;
  let steady: RunResult;
  beforeAll(() => {
    steady = run(fleet('steady', sessions), 1);
  });

  it('gives the sessions open at t = 0 the stationary mean age, within sampling error', () => {
    const open = valueAt(steady, 'ws_sessions', 0);
    expect(Math.abs(open - sessions)).toBeLessThan(4 * Math.sqrt(sessions));
    const age = valueAt(steady, 'ws_avg_age', 0);
    expect(Math.abs(age - MEAN_AGE)).toBeLessThan((4 * AGE_SD) / Math.sqrt(open));
    expect(steady.figures['drain.vm-a.ws_avg_age_at_start']).toBeGreaterThan(0.8 * MEAN_AGE);
  });

  it('drains the sessions of a backend as the residual life predicts: N₀ · P(R > t)', () => {
    const residual = ResidualLife.of(parseDistribution(LIFETIME));
    const n0 = valueAt(steady, 'ws_sessions', 0, 'vm-a');
    for (const t of [300, 600, 1200]) {
      const p = residual.survival(t);
      const left = valueAt(steady, 'ws_sessions', t, 'vm-a');
      expect(Math.abs(left - n0 * p)).toBeLessThan(4 * Math.sqrt(n0 * p * (1 - p)) + 1);
    }
  });

  it('a cold start (all ages 0) is far from it: the test above can fail', () => {
    const cold = run(fleet('cold', sessions), 1);
    expect(valueAt(cold, 'ws_avg_age', 0)).toBeLessThan(MEAN_AGE / 10);
  });
});

describe('steady-state start with a session TTL', () => {
  it('fires the TTL from the start at the renewal rate N/E[L] · Σ P(L > kT), where a cold start waits a whole TTL', () => {
    const sessions = 2000;
    const ttl = 1800;
    const withTtl = (start: 'steady' | 'cold') => {
      const s = fleet(start, sessions) as { timeline: unknown[]; horizon: string; app?: unknown };
      s.timeline = [];
      s.horizon = '10m';
      s.app = { ws: { session_ttl: '30m' } };
      return run(s as ScenarioInput, 2);
    };
    const steady = withTtl('steady');
    const cold = withTtl('cold');
    const residual = ResidualLife.of(parseDistribution(LIFETIME));
    let perSession = 0;
    for (let k = 1; k < 10_000; k++) perSession += residual.integrated.survival(k * ttl);
    const expected = (sessions / residual.integrated.mean) * perSession * 600;
    const closes = steady.figures['ws_close_1001.total']!;
    expect(Math.abs(closes - expected)).toBeLessThan(4 * Math.sqrt(expected));
    expect(cold.figures['ws_close_1001.total']).toBe(0);
  });
});
