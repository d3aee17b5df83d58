/**
 * lb.mode l7: the balancer's connections to its servers come from the ephemeral ports of its own
 * host, as lb.mode l4's do (lb/l7-server-conns.ts open(), closePort()). Each holds a port from
 * connect() to close, in use or idle in the pool, and leaves no TIME_WAIT on the balancer:
 * HAProxy closes its server connections with SO_LINGER 0 (FD_LINGER_RISK, src/proto_tcp.c
 * tcp_connect_server(); src/fd.c _fd_delete_orphan()), and when nginx closes first the balancer
 * is the passive closer. So connecting for every request (`pool_purge_delay: 0s`) at a high rate
 * does not exhaust the balancer's ports, but more concurrent server connections than ports does.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { explanationOf } from '../../../sim/trace/catalog.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, series } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Open-loop requests at `rate` to one VM through an L7 balancer with 1,000 ports towards it. */
function openLoop(rate: number, serviceTime: string, lb: Record<string, unknown> = {}, nginx = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    clients: { requests: { rate, timeout: '10s', retries: 0 } },
    app: { workers: 512, backlog: 4096, service_time: `const(${serviceTime})` },
    nginx,
    lb: { mode: 'l7', kernel: { ip_local_port_range: [40000, 40999] }, ...lb },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('the L7 balancer host ports towards its servers', () => {
  it('a connect per request (pool_purge_delay 0s) at 500 req/s: its RST closes leave no TIME_WAIT, no exhaustion', () => {
    // 15,000 connects through 1,000 ports in 30 s: a 60-s TIME_WAIT per close would run out in 2 s.
    const r = run(openLoop(500, '10ms', { pool_purge_delay: '0s' }));
    expect(fig(r, 'lb_conns_opened.total')).toBeGreaterThan(14_000);
    expect(fig(r, 'lb_eaddrnotavail.total')).toBe(0);
    expect(fig(r, 'req_5xx.total')).toBe(0);
    // Only the connections in use hold a port: ≈ 500/s × 10 ms.
    expect(fig(r, 'lb_ports_busy.max')).toBeGreaterThan(0);
    expect(fig(r, 'lb_ports_busy.max')).toBeLessThan(50);
    expect(fig(r, 'lb_time_wait.max')).toBe(0);
  });

  it('nginx closing every connection first (keepalive_requests 1) leaves no TIME_WAIT on the balancer either', () => {
    const r = run(openLoop(500, '10ms', { http_reuse: 'always' }, { keepalive_requests: 1 }));
    expect(fig(r, 'lb_conns_reused.total')).toBe(0);
    expect(fig(r, 'lb_conns_opened.total')).toBeGreaterThan(14_000);
    expect(fig(r, 'lb_eaddrnotavail.total')).toBe(0);
    expect(fig(r, 'lb_ports_busy.max')).toBeLessThan(50);
  });

  it('idle pooled connections hold their ports: lb_ports_busy counts in-use plus idle', () => {
    const r = run(openLoop(500, '10ms', { http_reuse: 'always' }));
    expect(fig(r, 'lb_idle_conns.max')).toBeGreaterThan(0);
    expect(fig(r, 'lb_ports_busy.max')).toBeGreaterThanOrEqual(fig(r, 'lb_idle_conns.max'));
  });

  it('more concurrent server connections than ports: connect() fails on the balancer, the client gets 503', () => {
    // 500 req/s × 3 s in service ≈ 1,500 connections in use at once, through 1,000 ports.
    const r = run(openLoop(500, '3s', { pool_purge_delay: '0s', retries: 0 }));
    expect(fig(r, 'lb_ports_busy.max')).toBe(1000);
    expect(fig(r, 'lb_eaddrnotavail.total')).toBeGreaterThan(1000);
    expect(fig(r, 'req_5xx.total')).toBe(fig(r, 'lb_eaddrnotavail.total'));
    expect(fig(r, 'err_eaddrnotavail.total')).toBe(0);
    const rec = recordsOf(r, 'lb.no_port')[0];
    expect(rec.serverConns).toBe(true);
    // Explained as the server connections' ports, not as TIME_WAITs of an L4 proxy.
    expect(explanationOf(rec)).toMatch(/held by its server connections/);
    expect(explanationOf(rec)).not.toMatch(/holds the TIME_WAIT when the client closes first/);
    // A wider range holds them all.
    const wide = run(
      openLoop(500, '3s', { pool_purge_delay: '0s', retries: 0, kernel: { ip_local_port_range: [32768, 60999] } }),
    );
    expect(fig(wide, 'lb_eaddrnotavail.total')).toBe(0);
    expect(fig(wide, 'lb_ports_busy.max')).toBeGreaterThan(1300);
  });

  it('no port leaks: every sample, ports busy = streams on the server + idle pooled connections; none after the load', () => {
    // Keep-alive clients over two servers; vm-a's nginx is reloaded (its connections close) at
    // 10 s, nginx ends connections after 7 requests, new clients stop at 20 s.
    const keepalive = (lb: Record<string, unknown>) =>
      run({
        warmup: '0s',
        horizon: '60s',
        clients: {
          http: { arrival_rate: 20, requests_per_connection: 'const(10)', think_time: 'const(500ms)', retries: 0 },
        },
        nginx: { keepalive_requests: 7 },
        app: { workers: 64, service_time: 'const(50ms)' },
        lb: { mode: 'l7', pool_purge_delay: '2s', ...lb },
        backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
        timeline: [
          { at: '10s', do: 'nginx_reload', backend: 'vm-a' },
          { at: '20s', do: 'load', http_rate: 0 },
        ],
      } as ScenarioInput);
    for (const mode of ['safe', 'always', 'never']) {
      const r = keepalive({ http_reuse: mode });
      expect(fig(r, 'lb_conns_opened.total')).toBeGreaterThan(500);
      const busy = series(r, 'lb_ports_busy');
      const active = series(r, 'active_conn');
      const idle = series(r, 'lb_idle_conns');
      expect(Math.max(...busy.map(([, v]) => v))).toBeGreaterThan(0);
      // `never` also keeps connections private to their client connection, not in the pool.
      if (mode !== 'never') busy.forEach(([, v], i) => expect(v).toBe(active[i][1] + idle[i][1]));
      expect(busy.at(-1)![1]).toBe(0);
    }
  });

  it('failed and abandoned connects give their ports back: dropped SYNs, refusals, timeouts', () => {
    // An overloaded app (2 workers, backlog 4) drops most SYNs; the clients give up after 1 s,
    // mid-retransmit; vm-b's app is killed at 10 s (refused connects, then retried); load stops at 20 s.
    const r = run({
      warmup: '0s',
      horizon: '40s',
      clients: { requests: { rate: 300, timeout: '1s', retries: 0 } },
      app: { workers: 2, backlog: 4, service_time: 'const(20ms)' },
      // abortonclose: the clients' give-ups end the connects (without it, HAProxy's default, the
      // connects of clients already gone whose final ACK was dropped wait for data copies on the
      // kernel's doubling RTO with no `timeout server`: 78 ports still busy at 80 s, session 31).
      lb: { mode: 'l7', pool_purge_delay: '0s', retries: 2, connect_timeout: '3s', abortonclose: true },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [
        { at: '10s', do: 'terminate', backend: 'vm-b', mode: 'kill' },
        { at: '20s', do: 'load', request_rate: 0 },
      ],
    } as ScenarioInput);
    expect(fig(r, 'syn_drops.total')).toBeGreaterThan(1000);
    expect(fig(r, 'reset_in.total')).toBeGreaterThan(100);
    expect(Math.max(...series(r, 'lb_ports_busy').map(([, v]) => v))).toBeGreaterThan(0);
    expect(series(r, 'lb_ports_busy').at(-1)![1]).toBe(0);
  });

  it("http-reuse never: a session's private connection that nginx's keepalive_timeout closed gives its port back", () => {
    // Client connections of 10 requests 5 s apart (~50 s each), nginx keepalive_timeout 1 s:
    // each private connection is idle 5 s, closed by nginx after 1 s. ~1,000 client connections
    // open at the end, but only those within ~1 s of their last request hold a server connection.
    const r = run({
      warmup: '0s',
      horizon: '60s',
      clients: {
        http: { arrival_rate: 20, requests_per_connection: 'const(10)', think_time: 'const(5s)', retries: 0 },
      },
      nginx: { keepalive_timeout: '1s' },
      app: { workers: 64, service_time: 'const(10ms)' },
      lb: { mode: 'l7', http_reuse: 'never' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    } as ScenarioInput);
    expect(fig(r, 'lb_conns_opened.total')).toBeGreaterThan(5000);
    // Held: ≈ 20/s × 50 s × (1 s / 5 s) ≈ 200, not one or two per open client connection.
    expect(fig(r, 'lb_ports_busy.max')).toBeGreaterThan(100);
    expect(fig(r, 'lb_ports_busy.max')).toBeLessThan(400);
  });
});
