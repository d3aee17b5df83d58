/**
 * A pod's node app exits after its SIGTERM when server.close()'s callback fires, and node fires it
 * only once every socket of the server has closed (lib/net.js Server.prototype.close →
 * _emitCloseIfDrained: `if (this._handle || this._connections) return`). server.close() closed the
 * connections idle at the SIGTERM (lib/_http_server.js httpServerPreClose); those busy then are
 * kept alive after their response (app-process.ts keepsAliveDraining) and nginx caches them again
 * and reuses them (ngx_http_upstream_get_keepalive_peer). So under load the app never drains and
 * runs to the grace period's SIGKILL; with the load gone it exits when its last kept-alive
 * connection has been idle for its keepalive_timeout (or nginx's upstream keepalive_timeout,
 * whichever is shorter) — not as soon as no request is in hand.
 * Regime: one pod, nginx (one worker, upstream keepalive 32) in front of the app, paced requests
 * (one per client connection) behind kube-proxy: steady, 4/s half 10 ms half 600 ms; or 10/s half
 * 1.5 s long, stopped at the SIGTERM. A maintenance file at 2.2 s fails the liveness probe at 3 s
 * (failure_threshold 1), the kubelet SIGTERMs the app; grace period 30 s. Before: the app exited
 * at the first moment it had no request in hand.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/** Steady load's service time: the app often has nothing in hand between requests. */
const STEADY = 'mix(0.5 const(10ms), 0.5 const(600ms))';

interface Opts {
  loadStops?: string;
  appKeepalive?: string;
  nginxKeepalive?: string;
  keepalive?: 'keep' | 'close';
  rate?: number;
  service?: string;
}

function killed(opts: Opts): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '40s',
      clients: {
        rtt: '1ms',
        http: {
          arrival_rate: opts.rate ?? 10,
          arrivals: 'paced',
          requests_per_connection: 'const(1)',
          think_time: 'const(10ms)',
          retries: 0,
        },
      },
      app: {
        workers: 32,
        service_time: opts.service ?? 'mix(0.5 const(5ms), 0.5 const(1500ms))',
        keepalive: opts.keepalive ?? 'keep',
        ...(opts.appKeepalive ? { keepalive_timeout: opts.appKeepalive } : {}),
      },
      nginx: {
        worker_processes: 1,
        upstream_keepalive: 32,
        ...(opts.nginxKeepalive ? { upstream_keepalive_timeout: opts.nginxKeepalive } : {}),
      },
      lb: { mode: 'nat', retries: 0 },
      probes: { liveness: { type: 'http', period: '1s', failure_threshold: 1 } },
      backends: [{ name: 'pod-a' }],
      timeline: [
        { at: '2.2s', do: 'health_404', backend: 'pod-a' },
        ...(opts.loadStops ? [{ at: opts.loadStops, do: 'load', http_rate: 0 }] : []),
      ],
    } as ScenarioInput,
    1,
  );
}

/** Seconds from the liveness failure (the SIGTERM) to the container's death. */
function exitAfter(r: RunResult): number {
  const [failed] = recordsOf(r, 'k8s.liveness_failed');
  const [died] = recordsOf(r, 'k8s.container_died');
  expect(failed.t).toBeCloseTo(3, 1);
  return died.t - failed.t;
}

describe("a pod's keep-alive app killed by its liveness probe, nginx reusing its connections", () => {
  it('runs to the grace period’s SIGKILL under steady load: its kept-alive sockets never close', () => {
    // 4 requests/s, half 10 ms, half 600 ms: the app often has nothing in hand, but nginx reuses
    // the connections busy at the SIGTERM (and cached again) for the next requests, served, so none
    // idles out. Before: it died 0.4 s after the SIGTERM, its first instant with nothing in hand.
    const r = killed({ rate: 4, service: STEADY, appKeepalive: '6s' });
    expect(exitAfter(r)).toBeCloseTo(30, 1);
    expect(between(r, 'responses_2xx', 5, 30)).toBeGreaterThan(30);
  });

  it('with the load stopped at the SIGTERM, exits its keepalive_timeout after its last response', () => {
    // The requests in hand at 3 s end by 4.5 s; their connections, cached again, close idle 6 s
    // later (the app's keepalive_timeout, below nginx's 60 s): exit at ≈ 10.5 s, 7.5 s after the SIGTERM.
    // Before: at ≈ 4.5 s, as soon as the last request was answered.
    const after = exitAfter(killed({ loadStops: '3s', appKeepalive: '6s' }));
    expect(after).toBeGreaterThan(6.5);
    expect(after).toBeLessThan(8);
  });

  it('exits when nginx closes them if its upstream keepalive_timeout is the shorter', () => {
    // nginx's 4 s, the app's 0 (never): exit at ≈ 4.5 + 4 s, 5.5 s after the SIGTERM. Before: ≈ 1.5 s.
    const after = exitAfter(killed({ loadStops: '3s', nginxKeepalive: '4s' }));
    expect(after).toBeGreaterThan(4.5);
    expect(after).toBeLessThan(6);
  });

  it('runs to the SIGKILL when neither closes them within the grace period', () => {
    // The app's keepalive_timeout 0 (never), nginx's 60 s: beyond the 30-s grace period. Before: ≈ 1.5 s.
    expect(exitAfter(killed({ loadStops: '3s' }))).toBeCloseTo(30, 1);
  });

  it('exits as soon as nothing is in hand when the app closes after every response (nothing cached)', () => {
    expect(exitAfter(killed({ rate: 4, service: STEADY, keepalive: 'close' }))).toBeLessThan(1);
  });
});
