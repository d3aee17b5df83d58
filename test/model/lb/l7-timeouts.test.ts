/**
 * HAProxy's timeouts in mode http (lb.mode l7): an idle client connection is closed after the
 * smaller of timeout client and timeout http-keep-alive (else http-request), never without timeout
 * client (src/mux_h1.c h1_init(), h1_set_idle_expiration(), h1_refresh_timeout()); a server that has not answered within timeout server gets the client a
 * 504 from the balancer (src/http_ana.c http_wait_for_response()); an upgraded WebSocket tunnel
 * idle for timeout tunnel (else the smaller of client and server) is closed by the balancer.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, window } from '../helpers.js';
import { idleL7 } from './idle-l7.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The shared idle keep-alive fixture (10m horizon). */
function idle(lb: Record<string, unknown>): ScenarioInput {
  return idleL7(lb, '10m');
}

describe('idle client connections in mode http: the smaller of timeout client and http-keep-alive (else http-request)', () => {
  // The client's connections to the LB (the L7 front closes them with a FIN, closed_fin).
  const closedByLb = (r: ReturnType<typeof run>) => r.figures['closed_fin.total'] ?? 0;

  it('timeout client 30s alone closes every 40-s idle period (one connection per request); http-keep-alive alone closes nothing', () => {
    const none = run(idle({}));
    const client = run(idle({ timeout_client: '30s' }));
    // No timeout client: HAProxy's h1 connection has no timeout task (src/mux_h1.c h1_init()),
    // so no idle expiration is ever set (review32 #2; the old model closed these after 30 s).
    const kaAlone = run(idle({ http_keep_alive_timeout: '30s' }));
    expect(closedByLb(none)).toBeLessThan(500);
    expect(closedByLb(client)).toBeGreaterThan(2000);
    expect(closedByLb(kaAlone)).toBe(closedByLb(none));
    expect(closedByLb(run(idle({ timeout_client: '1h', http_keep_alive_timeout: '30s' })))).toBe(closedByLb(client));
  });

  it('the smaller of the two wins: timeout client 30s under http-keep-alive 1m still closes (h1_refresh_timeout tick_first)', () => {
    const client = run(idle({ timeout_client: '30s' }));
    const longerKa = run(idle({ timeout_client: '30s', http_keep_alive_timeout: '1m' }));
    expect(closedByLb(longerKa)).toBeGreaterThan(2000);
    expect(closedByLb(longerKa)).toBe(closedByLb(client));
  });

  it('timeout http-request is the idle timeout when http-keep-alive is unset (h1_set_idle_expiration)', () => {
    const client = run(idle({ timeout_client: '30s' }));
    const req = run(idle({ timeout_client: '1h', http_request_timeout: '30s' }));
    expect(closedByLb(req)).toBe(closedByLb(client));
    // http-keep-alive, when set, takes its place: 1m > 40 s of idling closes nothing.
    const ka = run(idle({ timeout_client: '1h', http_request_timeout: '30s', http_keep_alive_timeout: '1m' }));
    expect(closedByLb(ka)).toBeLessThan(500);
  });
});

describe('timeout server (mode http)', () => {
  /** Open-loop requests; vm-a turns slow (every request 20 s) from 10 s. */
  function slow(lb: Record<string, unknown>): ScenarioInput {
    return {
      warmup: '0s',
      horizon: '40s',
      clients: { requests: { rate: 20, timeout: '30s', retries: 0 } },
      app: { workers: 64, service_time: 'const(10ms)' },
      lb: { mode: 'l7', ...lb },
      backends: [{ name: 'vm-a', app: { service_time: 'const(20s)' } }, { name: 'vm-b' }],
    } as ScenarioInput;
  }

  it('a server slower than timeout server 5s: the client gets 504 from the balancer after 5 s, not its own timeout', () => {
    const r = run(slow({ timeout_server: '5s' }));
    const none = run(slow({}));
    const [first] = recordsOf(r, 'lb.server_timeout_504');
    expect(first.backend).toBe('vm-a');
    expect(first.timeout).toBe(5);
    expect(first.t).toBeGreaterThanOrEqual(5);
    expect(first.t).toBeLessThan(5.2);
    // ≈ 10 req/s on vm-a, each answered 504 at 5 s.
    expect(sum(window(r, 'req_5xx', 10, 35))).toBeGreaterThan(200);
    expect(r.figures['req_timeouts.total'] ?? 0).toBe(0);
    // Unset: no 504, vm-a's requests take 20 s and every one is answered 200.
    expect(recordsOf(none, 'lb.server_timeout_504')).toHaveLength(0);
    expect(none.figures['req_5xx.total'] ?? 0).toBe(0);
  });

  it('keep-alive clients: the 504 closes their connection (HAProxy http_reply_and_close)', () => {
    const r = run({
      warmup: '0s',
      horizon: '30s',
      clients: {
        http: { arrival_rate: 10, requests_per_connection: 'const(5)', think_time: 'const(1s)', retries: 0 },
      },
      app: { service_time: 'const(10s)' },
      lb: { mode: 'l7', timeout_server: '2s' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    } as ScenarioInput);
    expect(recordsOf(r, 'lb.server_timeout_504').length).toBeGreaterThan(0);
    expect(r.figures['responses_5xx.total']!).toBeGreaterThan(100);
    expect(r.figures['responses_2xx.total'] ?? 0).toBe(0);
    expect(r.figures['err_timeout.total'] ?? 0).toBe(0);
  });
});

describe('timeout server ends ANY unanswered request of a kept-alive connection (mode http)', () => {
  /** Connections of 20 requests 1 s apart; vm-a hangs (stop-the-world) from 10 s to 40 s. */
  function hung(lb: Record<string, unknown>): ScenarioInput {
    return {
      warmup: '0s',
      horizon: '60s',
      sample_interval: '1s',
      clients: {
        http: {
          arrival_rate: 10,
          requests_per_connection: 'const(20)',
          think_time: 'const(1s)',
          retries: 0,
          request_timeout: '20s',
          // The story is the requests of connections whose earlier requests were answered: a
          // client leaves with the balancer's 504 (which closes its connection) rather than going
          // on with a first request on a new one.
          after_failure: 'leave',
        },
      },
      lb: { mode: 'l7', ...lb },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [{ at: '10s', do: 'pause', backend: 'vm-a', duration: '30s' }],
    } as ScenarioInput;
  }

  it('requests sent to the hung vm-a on connections whose earlier requests were answered get the 504 timeout server after they were sent', () => {
    const r = run(hung({ timeout_server: '3s' }));
    const out = recordsOf(r, 'lb.server_timeout_504');
    // The first requests to time out were in flight when the pause began (≈ 10 s + 3 s).
    expect(out[0].t).toBeGreaterThan(12.9);
    expect(out[0].t).toBeLessThan(13.2);
    // Through the whole pause, not only for the requests in flight at its start: every request
    // sent to vm-a during it ends with the balancer's 504 (its connection then closes).
    const during = window(r, 'responses_5xx', 14, 43);
    expect(during.filter((v) => v > 0).length).toBeGreaterThan(25);
    expect(sum(during)).toBeGreaterThan(200);
    expect(r.figures['err_client_timeout.total'] ?? 0).toBe(0);
    // Nothing is answered 504 after the pause ended (40 s) plus timeout server.
    expect(sum(window(r, 'responses_5xx', 44, 60))).toBe(0);
  });
});

describe('timeout tunnel on an upgraded WebSocket (mode http)', () => {
  /** Long WebSocket sessions pinging every 30 s (nginx proxy_read_timeout 60 s keeps them). */
  function ws(lb: Record<string, unknown>, ping = '30s'): ScenarioInput {
    return {
      warmup: '0s',
      horizon: '5m',
      clients: { ws: { initial_sessions: 100, lifetime: 'const(1h)', ping_interval: ping } },
      lb: { mode: 'l7', ...lb },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    } as ScenarioInput;
  }

  it('pings rarer than timeout tunnel 20s: the balancer closes each idle tunnel after 20 s (1006, reconnect)', () => {
    const r = run(ws({ timeout_tunnel: '20s' }));
    const [first] = recordsOf(r, 'lb.tunnel_idle_timeout');
    expect(first.timeout).toBe('tunnel');
    expect(first.after).toBe(20);
    expect(first.t).toBeGreaterThanOrEqual(20);
    expect(first.t).toBeLessThan(22);
    expect(r.figures['ws_close_1006.total']!).toBeGreaterThan(1000);
    expect(recordsOf(r, 'nginx.tunnel_idle_timeout')).toHaveLength(0);
  });

  it('pings more often than the timeout keep the tunnel; timeout tunnel replaces client/server', () => {
    expect(recordsOf(run(ws({ timeout_tunnel: '1m' })), 'lb.tunnel_idle_timeout')).toHaveLength(0);
    expect(recordsOf(run(ws({})), 'lb.tunnel_idle_timeout')).toHaveLength(0);
    // No tunnel timeout: the smaller of client (20s) and server applies; a long tunnel timeout overrides it.
    const [byClient] = recordsOf(run(ws({ timeout_client: '20s', timeout_server: '1m' })), 'lb.tunnel_idle_timeout');
    expect(byClient.timeout).toBe('client');
    expect(
      recordsOf(
        run(ws({ timeout_client: '20s', timeout_server: '1m', timeout_tunnel: '1h' })),
        'lb.tunnel_idle_timeout',
      ),
    ).toHaveLength(0);
  });
});
