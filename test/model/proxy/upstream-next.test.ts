/**
 * nginx's implicit upstream after the connect (session 33): a try on one of several addresses
 * (`nginx.upstream_addresses`) that fails with the request sent — proxy_read_timeout
 * (NGX_HTTP_UPSTREAM_FT_TIMEOUT), the app dying with it (FT_ERROR) — frees its peer as failed
 * (ngx_http_upstream_free_round_robin_peer: skipped for fail_timeout) and ngx_http_upstream_next
 * (nginx 1.22.1 src/http/ngx_http_upstream.c) sends the request to the next address while a try
 * is left and the failure is in proxy_next_upstream (default `error timeout`); a POST already sent
 * gets FT_NON_IDEMPOTENT, not in the default, and is answered at once (502, 504). Before session 33
 * the request was answered as with one peer, and the app's death did not mark the peer at all.
 * The real nginx's figures: upstream-next-recorded.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/** Paced `method` requests, one per connection, to an app on both addresses of localhost. */
function localhost(method: string, rate: number, horizon: string, app: object): ScenarioInput {
  return {
    warmup: '0s',
    horizon,
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: rate,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10ms)',
        retries: 0,
        method,
      },
    },
    app: { workers: 4, ...app },
    nginx: { proxy_read_timeout: '1s', upstream_addresses: [{ address: '::1' }, { address: '127.0.0.1' }] },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

const at = (r: RunResult, kind: Parameters<typeof recordsOf>[1]) => recordsOf(r, kind).map((x) => x.t);

describe('nginx sends a request that failed after the connect to the next address (ngx_http_upstream_next)', () => {
  // One request at 0.001 to an app that needs 1.5 s, behind proxy_read_timeout 1s.
  const slow = { service_time: 'const(1500ms)' };

  it('proxy_read_timeout on a GET: the same request on the other address, 504 after two timeouts, the app works it twice', () => {
    const r = run(localhost('GET', 0.1, '5s', slow));
    // ::1 (the first address wins the tie) times out at 1.001: sent to 127.0.0.1, which times out at 2.001.
    expect(at(r, 'nginx.upstream_read_timeout')).toEqual([1.001, 2.001]);
    expect(recordsOf(r, 'nginx.upstream_next').map((x) => [x.t, x.upstream, x.failure])).toEqual([
      [1.001, '[::1]:8080', 'timeout'],
    ]);
    expect(r.figures['upstream_connects.total']).toBe(2);
    // Both copies finished by the app, both answers met a closed socket (1.501 and 2.501).
    expect(r.figures['wasted.total']).toBe(2);
    expect(between(r, 'responses_5xx', 0, 2)).toBe(0);
    expect(between(r, 'responses_5xx', 2, 3)).toBe(1);
  });

  it('proxy_read_timeout on a POST already sent: 504 after one timeout, no second copy (no non_idempotent)', () => {
    const r = run(localhost('POST', 0.1, '5s', slow));
    expect(at(r, 'nginx.upstream_read_timeout')).toEqual([1.001]);
    expect(recordsOf(r, 'nginx.upstream_next')).toEqual([]);
    expect(r.figures['upstream_connects.total']).toBe(1);
    expect(r.figures['wasted.total']).toBe(1);
    expect(between(r, 'responses_5xx', 1, 2)).toBe(1);
  });

  // 1 request/s of 200 ms; the app crashes at 3.1 s (the request of 3.001 in service) and listens
  // again 300 ms later, as calibration/nginx/next-upstream's /kill.
  const crashing = { service_time: 'const(200ms)', crash_after: '3.1s', startup_time: '300ms' };

  it('the app dies with a GET: the other address is refused too, both down — no live upstreams after the restart', () => {
    const r = run(localhost('GET', 1, '6s', crashing));
    // 3.001 was on 127.0.0.1 (the round robin: ::1, 127.0.0.1, ::1, 127.0.0.1): its FIN, then ::1 refused.
    expect(recordsOf(r, 'nginx.upstream_next').map((x) => [x.t, x.upstream, x.failure])).toEqual([
      [3.1, '127.0.0.1:8080', 'error'],
    ]);
    expect(recordsOf(r, 'nginx.upstream_refused').map((x) => [x.t, x.upstream])).toEqual([[3.1, '[::1]:8080']]);
    // The app listens again from 3.4, but both peers failed in second 3: 502 without a connect.
    expect(at(r, 'nginx.no_live_upstreams')).toEqual([4.001, 5.001]);
    expect(between(r, 'responses_2xx', 4, 6)).toBe(0);
  });

  it('the app dies with a POST: 502 at once, only its address down — the other serves after the restart', () => {
    const r = run(localhost('POST', 1, '6s', crashing));
    expect(recordsOf(r, 'nginx.upstream_next')).toEqual([]);
    expect(recordsOf(r, 'nginx.upstream_refused')).toEqual([]);
    expect(recordsOf(r, 'nginx.no_live_upstreams')).toEqual([]);
    // 4.001 and 5.001 on ::1 (127.0.0.1 down through second 13).
    expect(between(r, 'responses_2xx', 4, 6)).toBe(2);
    expect(between(r, 'responses_5xx', 3, 4)).toBe(1);
  });

  it('the app dies with a POST: its address is marked failed (max_fails=1), the next request meets only the other', () => {
    // Back only at 5.1: the request of 4.001 is refused on ::1 and 127.0.0.1, down since 3.1, is
    // not tried (before session 33 the death marked nothing: refused on both).
    const r = run(localhost('POST', 1, '6s', { ...crashing, startup_time: '2s' }));
    expect(recordsOf(r, 'nginx.upstream_refused').map((x) => [x.t, x.upstream, x.next])).toEqual([
      [4.001, '[::1]:8080', true],
    ]);
    expect(at(r, 'nginx.no_live_upstreams')).toEqual([4.001, 5.001]);
  });
});
