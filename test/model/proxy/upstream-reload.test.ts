/**
 * The upstream keepalive cache across `nginx -s reload` (proxy/upstream.ts acquireUpstream,
 * releaseUpstream): each worker process has its own cache, and a reload's new workers are new
 * processes with their own cycle's — empty — cache (ngx_http_upstream_init_keepalive allocates it
 * when ngx_init_cycle parses the configuration). In the 100 ms between the reload and the old
 * workers' QUIT both generations serve: the new one cannot take the old one's cached connections
 * (other processes' sockets), and its caching does not evict theirs. Held-out recording:
 * calibration/data/nginx-holdout4-upstream-reload-rt.json (test/calibration/nginx-holdout4.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

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
