import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/**
 * The pool is the app process's memory (HikariCP's HikariPool lives in the JVM; its connections
 * are the process's sockets, closed by the kernel when it dies): a process killed with every
 * connection held leaves a new process a full, empty pool (app-server.ts kill path: pools[i].clear()).
 *
 * Regime: pool of 10, every query 5 s on a slow database, 4 requests/s offered — the pool is always
 * full (capacity 2 answers/s), so at the kill -9 all 10 connections are held by requests that die
 * with the process (the deploy's gate gives up after 100 ms and kills at its first poll, 30 s). The
 * deployed version answers its 2/s again; were the dead requests still holding the pool (and the
 * dead waiters still queued in it) no connection would be free for it — the run does not even
 * finish: a dead waiter's record, granted later, has no backend.
 */
function killedWithPoolFull(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '90s',
    sample_interval: '1s',
    clients: { requests: { rate: 4, arrivals: 'paced', timeout: '50s', retries: 0 } },
    app: {
      workers: 2000,
      service_time: 'const(1ms)',
      dependency_slow_latency: 'const(5s)',
      db_pool: { size: 10, connection_timeout: '10s' },
    },
    lb: { mode: 'l7' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '0s', do: 'dependency', state: 'slow' },
      { at: '20s', do: 'deploy', backend: 'vm-a', terminate: 'kill', rebind_after: '15s', gate: { max_wait: '100ms' } },
    ],
  } as ScenarioInput;
}

describe('app.db_pool dies with its process', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(killedWithPoolFull());
  });

  it('the restarted process has all 10 connections: 2 answers/s again, as before the kill', () => {
    const before = between(r, 'goodput', 10, 20) / 10;
    const after = between(r, 'goodput', 65, 90) / 25;
    expect(before).toBeGreaterThan(1.8);
    expect(after).toBeGreaterThan(1.8);
    expect(after).toBeLessThan(2.2);
  });
});
