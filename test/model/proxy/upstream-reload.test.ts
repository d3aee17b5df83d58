/**
 * The upstream keepalive cache across `nginx -s reload` (proxy/upstream.ts acquireUpstream,
 * releaseUpstream): each worker process has its own cache, and a reload's new workers are new
 * processes with their own cycle's — empty — cache (ngx_http_upstream_init_keepalive allocates it
 * when ngx_init_cycle parses the configuration). In the 100 ms between the reload and the old
 * workers' QUIT both generations serve: the new one cannot take the old one's cached connections
 * (other processes' sockets), and its caching does not evict theirs. Held-out recording:
 * calibration/data/nginx-holdout4-upstream-reload-rt.json (test/calibration/nginx-holdout4.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series, valueAt, window } from '../helpers.js';

/** One request per client connection, 200/s, 5-ms answers: concurrency ~1, a cache of 16 covers it. */
const scenario = {
  start: '00:00:00',
  warmup: '0s',
  horizon: '6s',
  sample_interval: '50ms',
  clients: {
    rtt: '0.1ms',
    http: { arrival_rate: 200, requests_per_connection: 'const(1)', think_time: 'const(1s)', retries: 0 },
  },
  app: { workers: 1000, service_time: 'const(5ms)' },
  nginx: { upstream_keepalive: 16, upstream_rtt: '0.1ms' },
  lb: { mode: 'nat' },
  backends: [{ name: 'vm-a' }],
  timeline: [{ at: '5s', do: 'nginx_reload' }],
} as ScenarioInput;

const connectsIn = (r: ReturnType<typeof run>, from: number, to: number): number =>
  series(r, 'upstream_connects')
    .filter(([t]) => t > from + 1e-9 && t <= to + 1e-9)
    .reduce((a, [, v]) => a + v, 0);

describe('upstream keepalive cache across a reload', () => {
  for (const seed of [1, 2, 3]) {
    it(`the new generation opens connections of its own at once, not the old one's cached ones (seed ${seed})`, () => {
      const r = run(scenario, seed);
      // Once warm the cache serves every request: no connect in the second before the reload.
      expect(connectsIn(r, 4, 5)).toBe(0);
      // Between the reload (5 s) and the old workers' QUIT (5.1 s) the new generation's requests
      // need connections of their own (before the fix they took the old generation's cache: 0).
      // With worker_processes 1 the new worker is first in the listening socket's wait queue
      // (no EPOLLEXCLUSIVE: add_wait_queue at the head); 9c47a5f gave these to the old one (0-1 connects).
      expect(connectsIn(r, 5, 5.1)).toBeGreaterThanOrEqual(1);
      expect(r.figures['errors.total'] ?? 0).toBe(0);
    });
  }
});

/**
 * The old generation's QUIT closes the connections its workers cached (ngx_close_idle_connections:
 * an upstream keepalive connection is c->idle, master.ts shutDown → closeCached): nginx closes
 * first, so each is a TIME_WAIT on the VM at once, and its port is free 60 s later. Left open they
 * would outlive their generation's exit (here at the QUIT: it has no client connection left) and
 * hold their ports until their own keepalive_timeout, then 60 s of TIME_WAIT more.
 */
describe('the QUIT closes the old generation’s cached upstream connections', () => {
  const QUIT = 5.1; // the reload at 5 s + ngx_msleep(100)
  let r: RunResult;
  beforeAll(() => {
    r = run({ ...scenario, horizon: '80s' } as ScenarioInput, 1);
  });

  it('each becomes a TIME_WAIT on the VM at the QUIT, none outlives the generation’s exit', () => {
    const exit = r.events.find((l) => l.record.kind === 'nginx.generation_exit');
    expect(exit!.t).toBeCloseTo(QUIT, 6);
    const cached = valueAt(r, 'upstream_ports_busy', 5); // a warm cache, nothing in TIME_WAIT yet
    expect(valueAt(r, 'time_wait', 5)).toBe(0);
    expect(cached).toBeGreaterThanOrEqual(4);
    // Closed with the QUIT, before the exit's sample ends: all of them, not one left open (0 if left).
    expect(valueAt(r, 'time_wait', QUIT)).toBe(cached);
    expect(valueAt(r, 'time_wait', QUIT + 0.1)).toBe(cached);
  });

  it('their ports come free one TIME_WAIT (60 s) after the QUIT', () => {
    const cached = valueAt(r, 'upstream_ports_busy', 5);
    const before = valueAt(r, 'upstream_ports_busy', 65);
    // Kept open they would close at their keepalive_timeout and hold their ports past 80 s.
    for (const busy of window(r, 'upstream_ports_busy', 66, 79)) expect(busy).toBe(before - cached);
  });
});
