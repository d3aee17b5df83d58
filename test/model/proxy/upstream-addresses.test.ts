/**
 * nginx's implicit upstream (nginx 1.22.1 src/http/ngx_http_upstream_round_robin.c): `proxy_pass
 * http://localhost:8080` resolves localhost to 127.0.0.1 and ::1, each a peer of its own, weight 1,
 * max_fails=1, fail_timeout=10 (ngx_http_upstream_init_round_robin), tries = 2. A refused connect
 * frees its peer as failed (ngx_http_upstream_free_round_robin_peer: no `pc->tries = 0` as for a
 * single peer) and the request goes to the other address (proxy_next_upstream error); the failed
 * peer is skipped while `now - checked <= fail_timeout` (ngx_http_upstream_get_peer, whole seconds);
 * with every peer down nginx answers 502 without a connect, "no live upstreams"
 * (ngx_http_upstream_connect: NGX_BUSY → NGX_HTTP_UPSTREAM_FT_NOLIVE). Before session 32 the
 * model had one peer (the setting did not exist).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/** `rate` paced requests/s of 10 ms, one per connection, to one VM whose nginx resolved localhost. */
function localhost(rate: number, v6Listening: boolean, kill?: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: rate,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10ms)',
        retries: 0,
      },
    },
    app: { workers: 4, service_time: 'const(10ms)' },
    // glibc's order for localhost with both lines in /etc/hosts (calibration/data/nginx-implicit-upstream.json).
    nginx: { upstream_addresses: [{ address: '::1', listening: v6Listening }, { address: '127.0.0.1' }] },
    backends: [{ name: 'vm-a' }],
    timeline: kill === undefined ? [] : [{ at: kill, do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

describe("nginx's implicit upstream: every address of proxy_pass's host name is a peer", () => {
  it('an app on 127.0.0.1 only behind localhost: a refused connect to ::1 now and then, every request served', () => {
    const r = run(localhost(1, false));
    const refused = recordsOf(r, 'nginx.upstream_refused');
    // Requests at 0.001, 1.001, … : the first goes to ::1 (a tie, the first address) — refused,
    // retried on 127.0.0.1 — and ::1 is skipped while ngx_time() is within 10 s of second 0 (to 10).
    // At 11 it is weighed again with effective weight 0 (127.0.0.1 wins), at 12 with 1 (127.0.0.1's
    // current weight still ahead), at 13 a tie: ::1, refused again. Every 13 s at 1 request/s, as
    // real nginx did (its requests 1, 14, 27, 39 at ~1.04 s apart: upstream-peers.test.ts).
    expect(refused.map((x) => x.t)).toEqual([0.001, 13.001, 26.001, 39.001]);
    expect(refused.every((x) => x.upstream === '[::1]:8080' && x.next === true)).toBe(true);
    expect(recordsOf(r, 'nginx.no_live_upstreams')).toEqual([]);
    expect(between(r, 'responses_5xx', 0, 40)).toBe(0);
    expect(between(r, 'responses_2xx', 0, 40)).toBe(40);
  });

  it('an app that dies: 502 after both addresses refuse, then "no live upstreams" without a connect for 10–11 s', () => {
    // 10 requests/s to an app listening on both addresses, killed at 5.05 s.
    const r = run(localhost(10, true, '5.05s'));
    const refused = recordsOf(r, 'nginx.upstream_refused');
    const noLive = recordsOf(r, 'nginx.no_live_upstreams');
    // Before the kill both addresses serve in turn: nothing refused.
    expect(refused.filter((x) => x.t < 5.05)).toEqual([]);
    // The first request after it (the 52nd: 127.0.0.1's turn, the two alternating) is refused
    // there (next), then on ::1 (502).
    const first = refused.filter((x) => x.t < 5.2);
    expect(first.map((x) => [x.t, x.upstream, x.next])).toEqual([
      [5.101, '127.0.0.1:8080', true],
      [5.101, '[::1]:8080', undefined],
    ]);
    // Both down since second 5: skipped through second 15 — 502 with no connect.
    expect(refused.filter((x) => x.t > 5.2 && x.t < 16)).toEqual([]);
    expect(noLive.filter((x) => x.t < 16).length).toBeGreaterThan(50);
    expect(noLive[0]).toMatchObject({ peers: 2, failTimeout: 10 });
    expect(noLive[0].t).toBeCloseTo(5.201, 9);
    // Second 16: both weighed again, both refuse, down again through second 26.
    expect(refused.filter((x) => x.t >= 16 && x.t < 17).map((x) => x.t)).toEqual([16.001, 16.001]);
    expect(refused.filter((x) => x.t > 16.1 && x.t < 27)).toEqual([]);
    expect(between(r, 'responses_2xx', 6, 40)).toBe(0);
    expect(between(r, 'responses_5xx', 6, 40)).toBeGreaterThan(330);
  });

  it('the app on 127.0.0.1 only dies: 127.0.0.1 refuses and ::1, down, is not tried — no live upstreams', () => {
    const r = run(localhost(1, false, '5.5s'));
    const refused = recordsOf(r, 'nginx.upstream_refused');
    // ::1 refused at 0.001 (skipped through second 10): at 6.001 127.0.0.1 refuses, the other is down.
    expect(refused.filter((x) => x.t > 5 && x.t < 7).map((x) => [x.t, x.upstream, x.next])).toEqual([
      [6.001, '127.0.0.1:8080', true],
    ]);
    expect(recordsOf(r, 'nginx.no_live_upstreams').map((x) => x.t)[0]).toBe(6.001);
  });

  it('a read timeout marks its address failed; an answer after fail_timeout makes it live again', () => {
    // 10 requests/s to an app that stops the world for 2 s at 5.05 s, proxy_read_timeout 1 s: the
    // requests on both addresses time out (ngx_http_upstream_next(FT_TIMEOUT) frees the peer with
    // NGX_PEER_FAILED: fails 1, checked now), so "no live upstreams" until ngx_time() is 10 s past
    // second 6. At 16-17 both are weighed again and answer: ngx_http_upstream_free_round_robin_peer
    // (state 0, at finalize) zeroes fails since get_peer moved `checked` past `accessed`. Without
    // that reset each answering address would stay failed and be skipped for 10 s more after
    // each answer: "no live upstreams" for nearly every request from 16 s on.
    const s = localhost(10, true);
    s.nginx = { ...s.nginx, proxy_read_timeout: '1s' };
    s.app = { ...s.app, workers: 64 };
    s.timeline = [{ at: '5.05s', do: 'pause', backend: 'vm-a', duration: '2s' }];
    const r = run(s);
    const noLive = recordsOf(r, 'nginx.no_live_upstreams');
    expect(noLive.filter((x) => x.t > 7 && x.t < 16).length).toBeGreaterThan(5);
    expect(noLive.filter((x) => x.t >= 18)).toEqual([]);
    expect(between(r, 'responses_5xx', 18, 40)).toBe(0);
    expect(between(r, 'responses_2xx', 18, 40)).toBe(220);
  });

  it("each worker process balances on its own: every worker's first request tries ::1", () => {
    // The peers live in each worker's copy of the configuration cycle (no `zone`): fails, weights
    // and times are per process (ngx_http_upstream_init_round_robin allocates them from cf->pool).
    // With 4 workers, each one's first request goes to ::1 (a tie, the first address) and is
    // refused: 4 refusals in the first 0.4 s (paced requests spread over the workers), where one
    // state shared by the workers would have ::1 refused once and then skipped by all of them.
    const s = localhost(10, false);
    s.nginx = { ...s.nginx, worker_processes: 4 };
    const r = run(s);
    const refused = recordsOf(r, 'nginx.upstream_refused');
    expect(refused.filter((x) => x.t < 1).map((x) => x.t)).toEqual([0.001, 0.101, 0.201, 0.301]);
    expect(between(r, 'responses_2xx', 0, 40)).toBe(400);
  });
});

describe("nginx's implicit upstream with one address: a single peer", () => {
  it('one address nothing listens on: every request is refused and answered 502, never "no live upstreams"', () => {
    // localhost resolved to ::1 only, the app bound to 127.0.0.1: one peer, `peers->single`
    // (ngx_http_upstream_init_round_robin), taken without max_fails (ngx_http_upstream_get_round_robin_peer),
    // so each request connects, is refused and gets 502 (ngx_http_upstream_next, no try left).
    // Before session 33 a one-entry list was ignored and all 40 were served (mutation audit round 9).
    const input = localhost(1, false);
    (input.nginx as { upstream_addresses: unknown }).upstream_addresses = [{ address: '::1', listening: false }];
    const r = run(input);
    const refused = recordsOf(r, 'nginx.upstream_refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((x) => x.upstream === '[::1]:8080' && x.next === undefined)).toBe(true);
    expect(recordsOf(r, 'nginx.no_live_upstreams')).toEqual([]);
    expect(between(r, 'responses_2xx', 0, 40)).toBe(0);
    expect(between(r, 'responses_5xx', 0, 40)).toBe(40);
  });
});
