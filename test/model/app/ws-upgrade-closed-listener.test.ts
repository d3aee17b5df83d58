/**
 * Who answers a WebSocket upgrade refused by a SIGTERMed app behind nginx. The app refuses it
 * itself (503) only on a connection it still reads; nginx first takes an idle connection from its
 * worker's keep-alive cache (ngx_http_upstream_get_keepalive_peer, before any connect()), and with
 * none it connect()s to the app's port, whose listener the SIGTERM closed: refused (RST), and
 * ngx_http_upstream_next(NGX_HTTP_UPSTREAM_FT_ERROR), with no other peer to try, finalizes with
 * 502 Bad Gateway (src/http/ngx_http_upstream.c), trace `nginx.upstream_refused`. Before session
 * 27 the model had the app answer 503 without a connection in both cases. Regime (as
 * proxy/ws-refused-upgrade-cache.test.ts): one pod, nginx with upstream keepalive 32 and one
 * worker, keep-alive clients (one request each, 2 a second, half of them 600 ms, half 6 s long)
 * behind kube-proxy; a maintenance file at 2.2 s fails the liveness probe at 3 s, the app drains
 * with nginx still running; the HTTP load stops at 3.1 s, and upgrades come at 3.3, 3.6 and 3.9 s.
 * The 600-ms request sent at 2.5 s ends at 3.1 s: node (`keep`) answers it keep-alive and nginx
 * caches its connection again; Go's Shutdown() (`close`) closes it.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function upgrades(sigterm_keepalive: 'keep' | 'close'): RunResult {
  return run(
    {
      warmup: '0s',
      horizon: '6s',
      clients: {
        rtt: '1ms',
        http: {
          arrival_rate: 2,
          arrivals: 'paced',
          requests_per_connection: 'const(1)',
          think_time: 'const(10ms)',
          retries: 0,
        },
        ws: {
          initial_sessions: 0,
          ping_interval: 0,
          scheduled: [
            { at: '3.3s', lifetime: '1s' },
            { at: '3.6s', lifetime: '1s' },
            { at: '3.9s', lifetime: '1s' },
          ],
        },
      },
      app: {
        workers: 8,
        service_time: 'mix(0.5 const(600ms), 0.5 const(6s))',
        keepalive_timeout: '10s',
        sigterm_keepalive,
        ws: { handshake_time: '1ms' },
      },
      nginx: { worker_processes: 1, upstream_keepalive: 32 },
      lb: { mode: 'nat', retries: 0 },
      probes: { liveness: { type: 'http', period: '1s', failure_threshold: 1 } },
      backends: [{ name: 'pod-a' }],
      timeline: [
        { at: '2.2s', do: 'health_404', backend: 'pod-a' },
        { at: '3.1s', do: 'load', http_rate: 0 },
      ],
    } as ScenarioInput,
    1,
  );
}

/** nginx's refused connects to the app after the HTTP load stopped: the upgrades'. */
const refusedUpgrades = (r: RunResult): number =>
  recordsOf(r, 'nginx.upstream_refused').filter((x) => x.t > 3.2).length;

describe('a WebSocket upgrade to a SIGTERMed app behind nginx', () => {
  it("no cached connection (close): nginx's connect() is refused, nginx answers 502", () => {
    const r = upgrades('close');
    expect(recordsOf(r, 'k8s.liveness_failed')[0].t).toBeLessThan(3.3);
    expect(refusedUpgrades(r)).toBeGreaterThanOrEqual(3);
    expect(r.figures['responses_5xx.total']).toBeGreaterThanOrEqual(3);
  });

  it('a cached connection the draining app still reads (keep): the app answers 503 on it, nginx connects nowhere', () => {
    const r = upgrades('keep');
    expect(refusedUpgrades(r)).toBe(0);
    expect(r.figures['responses_5xx.total']).toBeGreaterThanOrEqual(3);
  });
});
