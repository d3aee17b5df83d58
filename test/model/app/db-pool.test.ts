import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { explanationOf } from '../../../sim/trace/catalog.js';
import { between, mean, run, runBuiltin, window } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * `app.db_pool`: a bounded database connection pool per app process (HikariCP's maximumPoolSize 10
 * and connectionTimeout 30 s by default; HikariPool.getConnection() blocks in
 * connectionBag.borrow() until the timeout, then SQLTransientConnectionException).
 */
function oneBackend(app: Record<string, unknown>, timeline: unknown[], rate = 20): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    clients: { requests: { rate, arrivals: 'paced', timeout: '50s', retries: 0 } },
    app: { workers: 2000, service_time: 'const(1ms)', ...app },
    lb: { mode: 'l7' },
    backends: [{ name: 'vm-a' }],
    timeline,
  } as ScenarioInput;
}

describe('app.db_pool: a pool of 10 caps a backend at 10 queries at once', () => {
  const slow = [{ at: '0s', do: 'dependency', state: 'slow' }];
  const slowApp = { dependency_slow_latency: 'const(2.25s)' };

  it('2.25-s queries through 10 connections: ≈ 4.4 answers/s (10 / 2.251 s) of the 20 offered, the rest 500 at connection_timeout', () => {
    const r = run(oneBackend({ ...slowApp, db_pool: { size: 10, connection_timeout: '10s' } }, slow));
    const perSecond = between(r, 'goodput', 20, 50) / 30;
    expect(perSecond).toBeGreaterThan(4.2);
    expect(perSecond).toBeLessThan(4.7);
    // Every request that waited 10 s without a connection failed with a 500 (≈ 15.6/s).
    expect(between(r, 'req_5xx', 20, 50) / 30).toBeGreaterThan(14.5);
    expect(fig(r, 'req_timeouts.total')).toBe(0);
    // The waiting requests hold their workers: ~10 s × 15.6/s of them plus the 10 querying.
    expect(mean(window(r, 'app_busy', 30, 50))).toBeGreaterThan(150);
  });

  it('without a pool (one connection per worker) the same backend answers all 20/s', () => {
    const r = run(oneBackend(slowApp, slow));
    expect(between(r, 'goodput', 20, 50) / 30).toBeGreaterThan(19.5);
    expect(fig(r, 'req_5xx.total')).toBe(0);
  });
});

describe('app.db_pool with a down database (dependency_down: wait, the default with a pool)', () => {
  const outage = [
    { at: '10s', do: 'dependency', backend: 'vm-a', state: 'down' },
    { at: '40s', do: 'dependency', backend: 'vm-a', state: 'up' },
  ];

  it('each request waits for a connection (up to connection_timeout, 30 s) holding its worker — none fails sooner', () => {
    const r = run(oneBackend({ db_pool: {} }, outage));
    // Each request of the outage fails 30 s after its start, so none before 40 s; by 38-39 s
    // 28-29 s × 20/s ≈ 560-580 workers are waiting (with 5-ms failures: fewer than one).
    expect(between(r, 'req_5xx', 10, 39.5)).toBe(0);
    expect(mean(window(r, 'app_busy', 38, 39))).toBeGreaterThan(550);
    expect(between(r, 'goodput', 11, 39)).toBe(0);
  });

  it('the database back up hands the free connections to the waiters at once: they are answered, not failed', () => {
    const r = run(oneBackend({ db_pool: {} }, outage));
    // The 600 waiting at 40 s get connections 10 at a time (1-ms service): all answered within the second.
    expect(between(r, 'goodput', 40, 42)).toBeGreaterThan(600);
    expect(fig(r, 'req_5xx.total')).toBe(0);
  });

  it('dependency_down: fail_fast keeps the unbounded pool figures: a 500 after dependency_fail_time', () => {
    const r = run(oneBackend({ db_pool: {}, dependency_down: 'fail_fast' }, outage));
    expect(between(r, 'req_5xx', 10, 41)).toBeGreaterThan(590);
    expect(mean(window(r, 'app_busy', 20, 39))).toBeLessThan(2);
  });
});

describe("a deep check's own dependency_timeout bounds its wait for a pool connection", () => {
  /**
   * One backend, HAProxy deep checks every 2 s (timeout 1 s) whose endpoint gives its database
   * 200 ms and reports "degraded but ready" past it; the database is down from 10 s behind a
   * HikariCP-default pool (each query's wait would run 30 s). The check's own 200 ms ends its
   * wait: it answers 200 in time and the server stays UP. Were the pool wait not bounded by it,
   * every check would time out at 1 s and the server go DOWN after fall = 3.
   */
  function deepCheck(onTimeout: 'ready' | 'unready'): ScenarioInput {
    return {
      ...oneBackend(
        { db_pool: {}, workers: 200 },
        [{ at: '10s', do: 'dependency', backend: 'vm-a', state: 'down' }],
        1,
      ),
      health_check: {
        type: 'http',
        endpoint: 'deep',
        inter: '2s',
        timeout: '1s',
        fall: 3,
        rise: 2,
        dependency_timeout: '200ms',
        on_dependency_timeout: onTimeout,
      },
    } as ScenarioInput;
  }

  it('on_dependency_timeout: ready — the check answers after 200 ms of waiting, the server stays in', () => {
    const r = run(deepCheck('ready'));
    expect(fig(r, 'removals.total')).toBe(0);
    expect(fig(r, 'check_failures.total')).toBe(0);
  });

  it('on_dependency_timeout: unready — the same 200 ms give a 503: DOWN after three checks', () => {
    const r = run(deepCheck('unready'));
    expect(fig(r, 'removals.total')).toBe(1);
  });
});

describe('lb-lied with a HikariCP-default pool: the shallow check stops lying', () => {
  it('vm-b`s workers all wait 30 s for connections, its shallow checks time out: DOWN at 09:01:11, errors 18,087 → 1,069', () => {
    const r = runBuiltin('lb-lied', 1, ['app.db_pool={}']);
    expect(fig(r, 'removals.total')).toBe(1);
    expect(fig(r, 'errors.total')).toBe(1069);
  });

  it('dependency_down: fail_fast (the default without a pool) keeps the golden figures', () => {
    const golden = runBuiltin('lb-lied', 1);
    const fast = runBuiltin('lb-lied', 1, ['app.dependency_down=fail_fast']);
    expect(fig(golden, 'errors.total')).toBe(18087);
    expect(fig(fast, 'errors.total')).toBe(18087);
    expect(fig(fast, 'removals.total')).toBe(0);
  });
});

describe('app.db_pool / dependency_down validation', () => {
  it('wait needs a pool; size and connection_timeout are checked', () => {
    const bad = ScenarioSchema.safeParse({ app: { dependency_down: 'wait' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toContain('app.dependency_down');
    expect(ScenarioSchema.safeParse({ app: { dependency_down: 'wait', db_pool: {} } }).success).toBe(true);
    // A backend's own pool makes the scenario-wide wait valid there only.
    expect(
      ScenarioSchema.safeParse({
        app: { dependency_down: 'wait' },
        backends: [{ name: 'a', app: { db_pool: { size: 5 } } }, { name: 'b' }],
      }).success,
    ).toBe(false);
    expect(ScenarioSchema.safeParse({ app: { db_pool: { size: 0 } } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ app: { db_pool: { connection_timeout: '-1s' } } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ app: { db_pool: { pool_size: 3 } } }).success).toBe(false);
    const inf = ScenarioSchema.parse({ app: { db_pool: { connection_timeout: 'infinite' } } });
    expect(inf.app.db_pool).toEqual({ size: 10, connection_timeout: Infinity });
  });
});

describe('the app.dependency record explains what the pool decides', () => {
  const base = {
    t: 60,
    kind: 'app.dependency',
    backend: 'vm-b',
    failTime: 0.005,
    slowLatency: 'exp(mean=2s)',
  } as const;
  it('down with a waiting pool: the wait and its 500 after connection_timeout; fail fast: dependency_fail_time', () => {
    const pool = { size: 10, connectionTimeout: 30 };
    expect(explanationOf({ ...base, state: 'down', pool, downWaits: true })).toMatch(
      /waits in the pool .* fails with 500 after 30(\.0)? ?s/,
    );
    expect(explanationOf({ ...base, state: 'down', pool })).toMatch(/fails with 500 after 5(\.0)? ?ms/);
    expect(explanationOf({ ...base, state: 'slow', pool: { size: 10, connectionTimeout: Infinity } })).toMatch(
      /10 connections.*waits for ever/,
    );
  });
});
