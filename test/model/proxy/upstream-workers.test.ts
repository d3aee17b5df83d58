/**
 * nginx's upstream keepalive cache is per worker process: ngx_http_upstream_init_keepalive
 * (src/http/modules/ngx_http_upstream_keepalive_module.c) allocates the cache from the
 * configuration's pool, before the workers fork, so each worker keeps `keepalive N` idle
 * connections of its own and reuses only those. Found by the held-out recording
 * calibration/data/nginx-holdout3-workers2-keepalive3-rt.json (3 + 3 idle after the load).
 */
import { describe, expect, it } from 'vitest';
import { spreadOver } from '../../../sim/model/proxy/nginx.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

describe('spreadOver (which worker holds a connection without TLS in nginx)', () => {
  it('spreads consecutive even source ports (Linux connect() prefers even ports) evenly', () => {
    for (const workers of [2, 3, 4]) {
      const per = new Array<number>(workers).fill(0);
      for (let port = 32768; port < 32768 + 2000; port += 2) per[spreadOver(workers, 0, port)]++;
      for (const n of per) expect(Math.abs(n - 1000 / workers)).toBeLessThan(0.15 * (1000 / workers));
    }
  });
  it('is one worker for one 4-tuple, and 0 with one worker', () => {
    expect(spreadOver(4, 3, 40000)).toBe(spreadOver(4, 3, 40000));
    expect(spreadOver(1, 3, 40000)).toBe(0);
  });
});

/**
 * 24 keep-alive clients through one VM's nginx (`keepalive 3`), GET 200 ms, think 100 ms, with
 * `worker_processes` set: the shape of the held-out round 3 recording, with this test's own input.
 * The clients arrive as a Poisson stream (240/s for 0.1 s, 24 on average), not on the recorder's
 * 5-ms spacing as the twin (calibration/scenarios/nginx-holdout3-workers2-keepalive3.yaml) now
 * does: paced clients 115 ms apart end to end come back in step, so one cache of 3 already serves
 * more of them (one worker 0.756, two 0.72 at seed 3) and the gap between one cache and two — the
 * mechanism this test guards — shrinks to the noise. Scattered arrivals keep ≈ 16 requests in
 * flight at once, where a second cache matters.
 */
function shared(workers: number): RunResult {
  const input: ScenarioInput = {
    start: '00:00:00',
    warmup: '0s',
    horizon: '12s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      http: {
        arrival_rate: 240,
        requests_per_connection: 'const(100000)',
        think_time: 'const(100ms)',
        retries: 0,
      },
    },
    app: { workers: 1000, service_time: 'const(200ms)' },
    nginx: {
      worker_connections: 4096,
      keepalive_timeout: '75s',
      worker_processes: workers,
      upstream_keepalive: 3,
      upstream_rtt: '0.1ms',
    },
    lb: { mode: 'nat' },
    backends: [{ name: 'nginx' }],
    timeline: [{ at: '0.1s', do: 'load', http_rate: 0 }],
  };
  return run(input, 3);
}

describe('two workers keep two caches', () => {
  it('fewer new upstream connections with 2 workers × keepalive 3 than with 1 worker × 3', () => {
    const share = (workers: number): number => {
      const r = shared(workers);
      return r.figures['upstream_connects.total']! / r.figures['requests.total']!;
    };
    const one = share(1); // 0.87: one cache of 3 for ≈ 16 requests in flight
    const two = share(2); // 0.75 (recorded: 0.72 without reuseport, 0.72 with it)
    expect(one).toBeGreaterThan(0.85);
    expect(two).toBeLessThan(one - 0.08);
  });
});
