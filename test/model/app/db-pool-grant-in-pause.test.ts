import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/**
 * A connection handed to a waiting request while the process is stopped (a stop-the-world pause)
 * is used only when the process runs again: the waiter's thread is parked in HikariCP's
 * ConcurrentBag.borrow() (a SynchronousQueue poll) and a paused JVM runs no thread, so its query and
 * its answer start at the pause's end (app-server.ts grantWaiters: max(now, pausedUntil) + work).
 *
 * Regime: a HikariCP-default pool, the database down from 5 s (every request waits, 20/s), a 5-s
 * pause from 10 s, the database back at 12 s — inside the pause, so the ~140 waiters get their
 * connections then. None is answered before 15 s; all are within the second after it.
 */
function grantedInPause(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: { requests: { rate: 20, arrivals: 'paced', timeout: '50s', retries: 0 } },
    app: { workers: 2000, service_time: 'const(10ms)', db_pool: {} },
    lb: { mode: 'l7' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '5s', do: 'dependency', backend: 'vm-a', state: 'down' },
      { at: '10s', do: 'pause', backend: 'vm-a', duration: '5s' },
      { at: '12s', do: 'dependency', backend: 'vm-a', state: 'up' },
    ],
  } as ScenarioInput;
}

describe('app.db_pool: connections granted during a stop-the-world pause', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(grantedInPause());
  });

  it('the waiters granted at 12 s (paused until 15 s) are answered after the pause, none during it', () => {
    expect(between(r, 'goodput', 5, 15)).toBe(0);
    expect(between(r, 'goodput', 15, 16.5)).toBeGreaterThan(190);
  });
});
