/**
 * nginx's orphaned upstream socket in FIN_WAIT2 after proxy_read_timeout (proxy/upstream.ts
 * readTimedOut) ends on its kernel's timer wheel: tcp_time_wait(sk, TCP_FIN_WAIT2, timeo) arms the
 * timewait timer for tcp_fin_timeout (60 s), and a 60-s timer at HZ 250 (15,000 jiffies) sits on
 * wheel level 3 (kernel/time/timer.c calc_wheel_index: LVL_GRAN 8^3 = 512 jiffies, 2.048 s), so it
 * fires at the first 512-jiffy boundary after its expiry (sim/net/jiffies.ts wheelExpiryJiffy):
 * timers armed within one granule fire together. Regime: 10 requests in the first second to an
 * app that answers after 75 s, proxy_read_timeout 1 s: the 10 sockets enter FIN_WAIT2 between 1
 * and 2 s and tcp_fin_timeout frees them (the app answers later still), sampled every 10 ms.
 * Catches review41 LX7: the timer at now + 60.5 s instead of the wheel's time (ten separate
 * releases, one per socket).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

/** LVL_GRAN(3) at HZ 250: 512 jiffies. */
const GRANULE = 512 / 250;

describe("nginx's FIN_WAIT2 sockets after proxy_read_timeout end on the timer wheel", () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(
      {
        start: '00:00:00',
        warmup: '0s',
        horizon: '66s',
        sample_interval: '10ms',
        clients: {
          rtt: '0.1ms',
          http: { arrival_rate: 10, requests_per_connection: 'const(1)', think_time: 'const(500ms)', retries: 0 },
        },
        app: { workers: 1000, service_time: 'const(75s)' },
        nginx: { proxy_read_timeout: '1s', upstream_keepalive: 0 },
        lb: { mode: 'nat' },
        backends: [{ name: 'vm-a' }],
        timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
      } as ScenarioInput,
      1,
    );
  });

  it('the ports are freed in at most two batches, a 2.048-s granule apart, 60 to 62.05 s after their FIN', () => {
    const busy = series(r, 'upstream_ports_busy');
    const timedOut = r.figures['responses_5xx.total']!;
    expect(timedOut).toBeGreaterThan(3);
    // Sample end times at which the count fell.
    const releases: number[] = [];
    for (let i = 1; i < busy.length; i++) if (busy[i][1] < busy[i - 1][1]) releases.push(busy[i][0]);
    expect(busy[busy.length - 1][1]).toBe(0);
    expect(releases.length).toBeGreaterThan(0);
    expect(releases.length).toBeLessThanOrEqual(2);
    // FIN_WAIT2 began 1–2 s in (each request's read timeout): freed no sooner than 61 s, no later than 2 + 62.048.
    expect(releases[0]).toBeGreaterThan(61);
    expect(releases[releases.length - 1]).toBeLessThan(64.06);
    if (releases.length === 2) expect(Math.abs(releases[1] - releases[0] - GRANULE)).toBeLessThan(0.011);
  });
});
