/** Seed Part 6 case 3, the TIME_WAIT explosion, its fix, and upstream port exhaustion. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runBuiltin } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

describe('timewait-surge / timewait-tuned', () => {
  let surge: RunResult;
  beforeAll(() => {
    surge = runBuiltin('timewait-surge');
  });
  let tuned: RunResult;
  beforeAll(() => {
    tuned = runBuiltin('timewait-tuned');
  });

  it('short keepalive_timeout + no upstream keepalive under a burst: tens of thousands of TIME_WAIT on a VM (seed: tw 68321)', () => {
    expect(surge.figures['vm-a.time_wait.max']!).toBeGreaterThan(20_000);
    expect(recordsOf(surge, 'kernel.ss').some((ss) => ss.backend === 'vm-a' && ss.tw >= 10_000)).toBe(true);
  });

  it('every request pays a handshake: higher request latency and far more connects', () => {
    expect(surge.figures['request_latency.p50']!).toBeGreaterThan(tuned.figures['request_latency.p50']! * 1.2);
    expect(surge.figures['connect_latency.count']!).toBeGreaterThan(5 * tuned.figures['connect_latency.count']!);
  });

  it('tuned keepalive_timeout and upstream keepalive: at least 10x fewer TIME_WAIT', () => {
    expect(tuned.figures['time_wait.max']! * 10).toBeLessThanOrEqual(surge.figures['time_wait.max']!);
    // The only errors are the reload's own keepalive race: clients that sent their next request
    // within the FIN's one-way delay of the old workers' QUIT (all in that one second).
    expect(tuned.figures['errors.total']).toBe(tuned.figures['err_econnreset.peak_per_s']);
    expect(tuned.figures['errors.total']!).toBeLessThan(50);
  });
});

describe('upstream-port-exhaustion', () => {
  let broken: RunResult;
  beforeAll(() => {
    broken = runBuiltin('upstream-port-exhaustion');
  });

  it('upstream churn beyond ~470 new connections/s to one address: (99: Cannot assign requested address)', () => {
    const r = broken;
    expect(r.figures['upstream_eaddrnotavail.total']!).toBeGreaterThan(500);
    // nginx's own failure (a 502 to the client), not a client EADDRNOTAVAIL nor the balancer's.
    expect(r.figures['err_eaddrnotavail.total']).toBe(0);
    expect(r.figures['lb_eaddrnotavail.total']).toBe(0);
    expect(
      recordsOf(r, 'nginx.upstream_no_port').some((e) => e.backend === 'vm-a' && e.upstream === '10.0.1.10:8080'),
    ).toBe(true);
  });

  it.each(['upstream-port-exhaustion-keepalive', 'upstream-port-exhaustion-tw-reuse'])(
    'relieved by %s under the same client load',
    (fix) => {
      const r = runBuiltin(fix);
      expect(r.figures['upstream_eaddrnotavail.total']).toBe(0);
      expect(r.figures['responses_5xx.total']).toBe(0);
      // The clients are the same (common random numbers): the same connections are opened.
      expect(r.figures['connect_latency.count']).toBe(broken.figures['connect_latency.count']);
    },
  );
});
