import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * A deep check that waited for a pool connection has only what is left of its own
 * dependency_timeout for its query (app-server.ts grantWaiters: `job.depTimeout − (now − since)`):
 * the health endpoint's timer starts when the check arrives, and the time spent blocked in
 * HikariCP's getConnection() (HikariPool.java: connectionBag.borrow(timeout)) is part of it — the
 * handler gives up on the database when its own deadline passes, whatever it was waiting for.
 *
 * Regime: one connection (size 1), every query 0.5 s on a slow database, client queries arriving
 * at 1.2/s (the connection busy ~60 % of the time, so a check usually queues behind one or two),
 * deep checks every 2 s with dependency_timeout 0.8 s and on_dependency_timeout unready (a 503).
 * A check granted after waiting more than 0.3 s cannot finish its 0.5-s query in the 0.8 s: a 503.
 * Counted from the grant instead, it would have the whole 0.8 s and pass. fall is high so the
 * server stays in and the contention stays the same throughout.
 */
function contended(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '300s',
    sample_interval: '1s',
    clients: { requests: { rate: 1.2, timeout: '50s', retries: 0 } },
    app: {
      workers: 200,
      service_time: 'const(1ms)',
      dependency_slow_latency: 'const(500ms)',
      db_pool: { size: 1, connection_timeout: '30s' },
    },
    lb: { mode: 'l7' },
    backends: [{ name: 'vm-a' }],
    health_check: {
      type: 'http',
      endpoint: 'deep',
      inter: '2s',
      timeout: '3s',
      fall: 1000,
      rise: 1,
      dependency_timeout: '800ms',
      on_dependency_timeout: 'unready',
    },
    timeline: [{ at: '0s', do: 'dependency', state: 'slow' }],
  } as ScenarioInput;
}

describe("a deep check's dependency_timeout counts its wait for a pool connection (grantWaiters)", () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(contended());
  });

  it('checks that queued behind client queries fail with a 503 though the query alone fits the budget', () => {
    // ~150 checks: 47 fail (seed 1). With the budget counted from the grant only those whose
    // wait alone passes 0.8 s fail: 17.
    expect(fig(r, 'check_failures.total')).toBeGreaterThan(35);
    expect(fig(r, 'removals.total')).toBe(0);
  });
});
