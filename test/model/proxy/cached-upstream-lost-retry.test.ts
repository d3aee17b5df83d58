/**
 * The app dies with requests nginx sent on connections from its keep-alive cache: nginx reads the
 * FIN ("upstream prematurely closed connection") or the RST (recv() 104) and calls
 * ngx_http_upstream_next(…, NGX_HTTP_UPSTREAM_FT_ERROR) (nginx 1.22.1 src/http/ngx_http_upstream.c).
 * With the app as the only peer, ngx_http_upstream_free_round_robin_peer sets `pc->tries = 0`
 * (peers->single), but `if (u->peer.cached && ft_type == NGX_HTTP_UPSTREAM_FT_ERROR)
 * u->peer.tries++` gives one back: a GET is sent again at once (ngx_http_upstream_connect: the
 * keep-alive cache, else a new connect), a POST is not (non-idempotent). With the process gone its
 * listener is closed: the retry's connect is refused, "connect() failed (111)", and the client still
 * gets 502 — the retry shows in the trace, and decides the answer only where a listener outlives the
 * death. Before review52 the model answered 502 at once, never retrying.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/** 20 requests/s of 200 ms on kept-alive upstream connections; the app is killed at 3 s. */
function killed(method: 'GET' | 'POST', upstreamKeepalive = 32): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '5s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 20,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10ms)',
        retries: 0,
        method,
      },
    },
    app: { workers: 16, service_time: 'const(200ms)' },
    nginx: { upstream_keepalive: upstreamKeepalive },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '3s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

describe('a request lost with the app on a cached upstream connection', () => {
  it('a GET is retried once (refused by the closed listener: still 502)', () => {
    const r = run(killed('GET'));
    const lost = recordsOf(r, 'nginx.upstream_closed').filter((x) => x.t === 3);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((x) => x.retried === true)).toBe(true);
    // The retries' connects, refused at the kill (before: none until the next request after it).
    expect(recordsOf(r, 'nginx.upstream_refused').filter((x) => x.t === 3).length).toBeGreaterThan(0);
    expect(between(r, 'responses_5xx', 2.99, 3.01)).toBeGreaterThanOrEqual(3);
  });

  it('a POST is not retried; nor a GET on a connection made for it (no keepalive cache)', () => {
    for (const r of [run(killed('POST')), run(killed('GET', 0))]) {
      const lost = recordsOf(r, 'nginx.upstream_closed').filter((x) => x.t === 3);
      expect(lost.length).toBeGreaterThan(0);
      expect(lost.some((x) => x.retried === true)).toBe(false);
      expect(recordsOf(r, 'nginx.upstream_refused').filter((x) => x.t === 3)).toHaveLength(0);
      expect(between(r, 'responses_5xx', 2.99, 3.01)).toBeGreaterThanOrEqual(3);
    }
  });
});
