/**
 * What nginx receives when HAProxy closes a server connection itself (issue 12 gaps 1–2). HAProxy
 * marks every connection it opens FD_LINGER_RISK (tcp_connect_server(), src/proto_tcp.c); only
 * reading the server's FIN clears it (conn_sock_read0()), so closing one before nginx said
 * anything ends in close() with SO_LINGER 0 (_fd_delete_orphan(), src/fd.c): an RST, counted in
 * `reset_in`. Timeouts (lb/timeouts.ts ProxyTimeout): `timeout server` or `tunnel` (or client ==
 * server) close the server side that way; `timeout client` alone only shuts it for writing and
 * waits for nginx's FIN, so no RST and HAProxy holds that side's TIME_WAIT (`lb_ports_busy`).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt, window } from '../helpers.js';
import { refusedUpgrades } from '../refused-upgrades.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Keep-alive clients idling 40 s between 6 requests through HAProxy mode tcp (nginx keeps them 75 s). */
function idle(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '6m',
    sample_interval: '10s',
    clients: {
      // idle_timeout 0s: the clients keep their idle connections, so the balancer's timeouts close them.
      http: {
        arrival_rate: 1,
        requests_per_connection: 'const(6)',
        think_time: 'const(40s)',
        idle_timeout: '0s',
        retries: 0,
      },
    },
    lb: { mode: 'l4', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

/** WebSocket sessions that never ping, held an hour, behind `lb`. */
function tunnels(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '3m',
    sample_interval: '10s',
    clients: { ws: { initial_sessions: 100, ping_interval: 'none', lifetime: 'const(1h)' } },
    lb,
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

describe('mode tcp idle timeouts: what nginx reads', () => {
  // Each client: 5 idle periods ended by the proxy, then its own close after the 6th request.
  const proxyCloses = (r: RunResult): number => fig(r, 'closed_fin.total') - fig(r, 'new_conn.total') / 6;

  it('timeout server (30s < client 50s): nginx reads FIN then RST for every idle period the proxy ends', () => {
    const r = run(idle({ timeout_client: '50s', timeout_server: '30s' }));
    expect(recordsOf(r, 'lb.idle_timeout')[0].timeout).toBe('server');
    expect(recordsOf(r, 'lb.idle_timeout')[0].nginxReset).toBe(true);
    expect(proxyCloses(r)).toBeGreaterThan(500);
    expect(fig(r, 'reset_in.total')).toBeGreaterThan(0.9 * proxyCloses(r));
    expect(fig(r, 'reset_in.total')).toBeLessThanOrEqual(fig(r, 'closed_fin.total'));
    // The client is never reset: it reads a FIN.
    expect(fig(r, 'reset_out.total')).toBe(0);
    expect(fig(r, 'errors.total')).toBe(0);
  });

  it('timeout tunnel, and client == server: both sides time out together, RST to nginx', () => {
    for (const lb of [
      { timeout_client: '1h', timeout_tunnel: '30s' },
      { timeout_client: '30s', timeout_server: '30s' },
    ]) {
      const r = run(idle(lb));
      expect(proxyCloses(r)).toBeGreaterThan(500);
      expect(fig(r, 'reset_in.total')).toBeGreaterThan(0.9 * proxyCloses(r));
    }
  });

  it('timeout client alone (30s < server 50s): a clean FIN to nginx, no RST; HAProxy keeps the server side TIME_WAIT', () => {
    const client = run(idle({ timeout_client: '30s', timeout_server: '50s' }));
    const server = run(idle({ timeout_client: '50s', timeout_server: '30s' }));
    expect(recordsOf(client, 'lb.idle_timeout')[0].timeout).toBe('client');
    expect(recordsOf(client, 'lb.idle_timeout')[0].nginxReset).toBe(false);
    expect(proxyCloses(client)).toBeGreaterThan(500);
    expect(fig(client, 'reset_in.total')).toBe(0);
    // Same closes, same client-side TIME_WAITs on the balancer; only the server side differs: about
    // one close a second, each holding a port for 60 s.
    const t = 300;
    const closes = sum(window(client, 'closed_fin', t - 50, t));
    expect(valueAt(client, 'lb_time_wait', t)).toBeGreaterThan(0);
    expect(valueAt(client, 'lb_ports_busy', t) - valueAt(server, 'lb_ports_busy', t)).toBeGreaterThan(0.5 * closes);
  });
});

describe('streams the proxy shuts itself', () => {
  it('shutdown sessions server (mode tcp): one RST to nginx per stream, none to the client', () => {
    const r = run({
      warmup: '0s',
      horizon: '20s',
      clients: {
        http: { arrival_rate: 5, requests_per_connection: 'const(1000)', think_time: 'exp(mean=1s)', retries: 0 },
      },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [
        { at: '10s', do: 'set_server', backend: 'vm-a', state: 'drain' },
        { at: '15.5s', do: 'shutdown_sessions', backend: 'vm-a' },
      ],
    } as ScenarioInput);
    const streams = recordsOf(r, 'lb.shutdown_sessions')[0].streams;
    expect(streams).toBeGreaterThan(10);
    expect(sum(window(r, 'reset_in', 16, 16, 'vm-a'))).toBe(streams);
    expect(fig(r, 'reset_in.total')).toBe(streams);
    expect(fig(r, 'reset_out.total')).toBe(0);
  });

  for (const mode of ['l4', 'l7'] as const) {
    it(`idle WebSocket tunnels (lb.mode ${mode}): timeout tunnel resets nginx's side, timeout client alone does not`, () => {
      const tunnel = run(tunnels({ mode, timeout_tunnel: '20s' }));
      expect(fig(tunnel, 'ws_close_1006.total')).toBeGreaterThan(500);
      expect(fig(tunnel, 'reset_in.total')).toBe(fig(tunnel, 'ws_close_1006.total'));
      const client = run(tunnels({ mode, timeout_client: '20s', timeout_server: '1h' }));
      expect(fig(client, 'ws_close_1006.total')).toBeGreaterThan(500);
      expect(fig(client, 'reset_in.total')).toBe(0);
      expect(valueAt(client, 'lb_ports_busy', 180)).toBeGreaterThan(valueAt(tunnel, 'lb_ports_busy', 180) + 100);
    });
  }
});

describe('mode http server connections HAProxy closes', () => {
  it('the idle pool purge resets each connection it closes', () => {
    // 100-ms requests keep a pool of idle connections; new clients stop at 25 s, the last
    // connections end by ~46 s, then each pool_purge_delay visit closes some (as in
    // l7-server-conns.test.ts) — nothing else closes a server connection after that.
    const r = run({
      warmup: '10s',
      horizon: '90s',
      clients: {
        rtt: '30ms',
        http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'const(1s)', retries: 2 },
      },
      app: { workers: 64, service_time: 'const(100ms)' },
      lb: { mode: 'l7', http_reuse: 'always' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [{ at: '25s', do: 'load', http_rate: 0 }],
    } as ScenarioInput);
    const idleAt = valueAt(r, 'lb_idle_conns', 47);
    expect(idleAt).toBeGreaterThan(15);
    expect(valueAt(r, 'lb_idle_conns', 90)).toBe(0);
    expect(sum(window(r, 'reset_in', 48, 90))).toBe(idleAt);
  });
});

describe('lb.mode l7: a WebSocket upgrade the server answers with a 5xx', () => {
  it('is an ordinary keep-alive response: the client closes first, HAProxy resets its server connection later', () => {
    // One worker, a 2-deep queue and 50-ms handshakes: most of 100 upgrades/s are answered 503.
    const r = run(refusedUpgrades('l7'));
    const refused = fig(r, 'responses_5xx.total');
    expect(refused).toBeGreaterThan(5000);
    // Not the balancer closing the client side (it would hold a TIME_WAIT for each), nor nginx
    // closing first (the VM would): the client closes, HAProxy's idle server connection is reset.
    expect(valueAt(r, 'lb_time_wait', 30)).toBe(0);
    expect(valueAt(r, 'time_wait', 30, 'vm-a') + valueAt(r, 'time_wait', 30, 'vm-b')).toBe(0);
    expect(fig(r, 'reset_in.total')).toBe(refused);
  });

  it("the client's TIME_WAIT holds its port: one source address, 1,000 ports, no reuse within 30 s", () => {
    // Same storm of refused upgrades from one client address with 1,000 ephemeral ports. The
    // client closes first (HAProxy's client-facing socket acks its FIN), so each refused
    // upgrade leaves a 60-s TIME_WAIT on the client machine and its port cannot be taken again
    // inside the 30-s run (different destinations aside, there is one: the balancer). Were the
    // FIN answered with RST (the proxy's server end already gone), no TIME_WAIT would hold the
    // ports and the clients would open ~14,000 connections.
    const r = run(
      refusedUpgrades('l7', { clients: { source_ips: 1, kernel: { ip_local_port_range: [40000, 40999] } } }),
    );
    expect(fig(r, 'new_conn.total')).toBeLessThanOrEqual(1000);
    expect(fig(r, 'err_eaddrnotavail.total')).toBeGreaterThan(5000);
  });
});
