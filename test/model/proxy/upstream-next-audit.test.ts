/**
 * nginx's implicit upstream (`nginx.upstream_addresses`, two addresses of one app) when the
 * connect itself fails — mutation audit round 10 (session 34) found these paths of
 * upstream.ts nextTry unprotected (upstream-next.test.ts covers the failures after the request
 * was sent). nginx 1.22.1 src/http/ngx_http_upstream.c: ngx_http_upstream_connect arms
 * proxy_connect_timeout for each try (`ngx_add_timer(c->write, u->conf->connect_timeout)`), and
 * a failed connect — the timer (NGX_HTTP_UPSTREAM_FT_TIMEOUT) or the kernel's ETIMEDOUT read by
 * ngx_http_upstream_test_connect (FT_ERROR) — reaches ngx_http_upstream_next before the request
 * was sent (u->request_sent 0), so even a POST goes to the next peer (no FT_NON_IDEMPOTENT);
 * with no try left: 504 after a timeout, 502 after an error.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { overflowingApp } from '../app/ack-overflow-fixture.js';
import { pacedConnects, run } from '../helpers.js';
import { busyApp } from './busy-app-fixture.js';

/** busyApp on two addresses, the clients' `method`, more `nginx` keys. */
const fullApp = (method: string, nginx: object, synRetries?: number): ScenarioInput =>
  busyApp({
    http: { method },
    nginx: { upstream_addresses: [{ address: '::1' }, { address: '127.0.0.1' }], ...nginx },
    synRetries,
  });

const times = (r: RunResult, kind: Parameters<typeof recordsOf>[1]): number[] => recordsOf(r, kind).map((x) => x.t);

describe('nginx → app on two addresses: a connect that fails goes to the next address', () => {
  for (const method of ['GET', 'POST']) {
    it(`proxy_connect_timeout 2s, ${method}: each try gets its own 2 s, then the other address; 504 after the second`, () => {
      const r = run(fullApp(method, { proxy_connect_timeout: '2s' }), 1);
      // Two timeouts, 2 s apart: the second try's timer starts at its own connect.
      const timeouts = times(r, 'nginx.upstream_connect_timeout');
      expect(timeouts).toHaveLength(2);
      expect(timeouts[0]).toBeGreaterThanOrEqual(2);
      expect(timeouts[0]).toBeLessThan(2.01);
      expect(timeouts[1]! - timeouts[0]!).toBeGreaterThanOrEqual(2);
      expect(timeouts[1]! - timeouts[0]!).toBeLessThan(2.01);
      // Not sent yet: a POST moves on as a GET does.
      expect(recordsOf(r, 'nginx.upstream_next').map((x) => [x.failure, x.method])).toEqual([['timeout', method]]);
      expect(r.figures['responses_5xx.total']).toBe(1);
    });
  }

  it('tcp_syn_retries 2: the kernel gives up (~7 s) on one address, then on the other; 502 after the second', () => {
    const r = run(fullApp('POST', {}, 2), 1);
    const gaveUp = times(r, 'nginx.upstream_syn_gave_up');
    expect(gaveUp).toHaveLength(2);
    expect(gaveUp[0]).toBeGreaterThanOrEqual(7);
    expect(gaveUp[1]! - gaveUp[0]!).toBeGreaterThanOrEqual(7);
    expect(recordsOf(r, 'nginx.upstream_next').map((x) => [x.failure, x.method])).toEqual([['error', 'POST']]);
    expect(times(r, 'nginx.upstream_connect_timeout')).toEqual([]);
    expect(r.figures['responses_5xx.total']).toBe(1);
  });
});

/**
 * upstream-next.test.ts's crash (1 GET/s of 200 ms, the app dies at 3.1 s with the request of
 * 3.001 on 127.0.0.1, back 300 ms later) with upstream keepalive: that request went on the
 * connection cached since 1.001, and `if (u->peer.cached && ft_type == NGX_HTTP_UPSTREAM_FT_ERROR)
 * u->peer.tries++` gives its try back — so after [::1] refuses too a try is still left, and the
 * round robin finds both peers down: "no live upstreams" at 3.1 (without the cache the refusal
 * spent the last try: 502 from the refusal).
 */
function crashWithCache(keepalive: number): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '6s',
    clients: pacedConnects(1, { think_time: 'const(10ms)' }),
    app: { workers: 4, service_time: 'const(200ms)', crash_after: '3.1s', startup_time: '300ms' },
    nginx: {
      proxy_read_timeout: '1s',
      upstream_keepalive: keepalive,
      upstream_addresses: [{ address: '::1' }, { address: '127.0.0.1' }],
    },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('the app dies under a GET sent on a cached upstream connection, two addresses', () => {
  it('the cached try costs nothing: refused on [::1], then no live upstreams at 3.1 (none without the cache)', () => {
    const cached = run(crashWithCache(8), 1);
    expect(recordsOf(cached, 'nginx.upstream_refused').map((x) => [x.t, x.upstream, x.next])).toEqual([
      [3.1, '[::1]:8080', true],
    ]);
    expect(times(cached, 'nginx.no_live_upstreams')[0]).toBe(3.1);
    const fresh = run(crashWithCache(0), 1);
    expect(recordsOf(fresh, 'nginx.upstream_refused').map((x) => [x.t, x.upstream, x.next])).toEqual([
      [3.1, '[::1]:8080', undefined],
    ]);
    expect(times(fresh, 'nginx.no_live_upstreams')[0]).toBeGreaterThan(3.1);
  });
});

describe("nginx's connect() to one address fails with EADDRNOTAVAIL", () => {
  it('ngx_event_connect_peer NGX_DECLINED → FT_ERROR before the request is sent: the next address is tried', () => {
    // 20 ephemeral ports, not loopback to the app (tcp_tw_reuse=2 does not apply), 10 requests a
    // second one per connection: nginx's TIME_WAITs hold every port after 2 s.
    const r = run(
      {
        warmup: '0s',
        horizon: '5s',
        clients: pacedConnects(10, { think_time: 'const(10ms)', method: 'POST' }),
        kernel: { ip_local_port_range: [60000, 60019] },
        nginx: {
          upstream_loopback: false,
          upstream_close_first: 'proxy',
          upstream_addresses: [{ address: '::1' }, { address: '127.0.0.1' }],
        },
        backends: [{ name: 'vm-a' }],
      } as ScenarioInput,
      1,
    );
    // Not sent: a POST moves on too. The model's two addresses share nginx's ports (a known
    // limitation), so the other address fails as well — both peers down (max_fails=1): no live
    // upstreams for the next requests, no further connect.
    const next = recordsOf(r, 'nginx.upstream_next');
    expect(next).toHaveLength(1);
    expect(r.figures['upstream_eaddrnotavail.total']).toBe(2);
    expect(times(r, 'nginx.no_live_upstreams').length).toBeGreaterThan(0);
    expect(next.every((x) => x.failure === 'error' && x.method === 'POST')).toBe(true);
  });
});

describe("the app's kernel resets nginx's connection whose request sock expired (its final ACK dropped)", () => {
  it('recv() 104 with the request sent (FT_ERROR): a GET goes to the other address', () => {
    // app-ack-overflow.test.ts's regime (the held-out twin kernel-holdout-backlog16-100-s50ms)
    // with the app on two addresses: some request socks run out of SYN-ACK retries and their
    // data copy is reset (app-listener.ts resetByListener) — each an FT_ERROR after the send.
    const base = overflowingApp('15s', { client: '60s' });
    const r = run(
      {
        ...base,
        nginx: { ...base.nginx, upstream_addresses: [{ address: '::1' }, { address: '127.0.0.1' }] },
      } as ScenarioInput,
      1,
    );
    const resets = r.events.filter((l) => l.record.kind === 'kernel.app_ack_overflow' && l.record.outcome === 'reset');
    expect(resets.length).toBeGreaterThan(0);
    const next = recordsOf(r, 'nginx.upstream_next');
    expect(next.some((x) => x.failure === 'error' && resets.some((l) => l.t === x.t))).toBe(true);
  });
});
