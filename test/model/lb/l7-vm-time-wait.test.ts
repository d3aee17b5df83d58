/**
 * lb.mode l7: the VM's end of the balancer's server connections (lb/l7-server-conns.ts). nginx's
 * accepted socket is on the VM's kernel; whoever closes first decides where the TIME_WAIT lands.
 * nginx closes with a FIN (keepalive_timeout, keepalive_requests, a reload's idle connections:
 * ngx_http_set_keepalive(), ngx_close_idle_connections()), so the VM holds the TIME_WAIT
 * (tcp_time_wait(), net/ipv4/tcp_minisocks.c); HAProxy closes its own with SO_LINGER 0
 * (FD_LINGER_RISK, src/proto_tcp.c; H1C_F_SILENT_SHUT, src/mux_h1.c h1_detach()), an RST, and no
 * host keeps one. The balancer's host, the passive side or the resetting one, never holds one,
 * so its port walk hands a port out again while the VM still holds its TIME_WAIT: the SYN
 * reopens it (tcp_timewait_state_process() TCP_TW_SYN).
 */
import { describe, expect, it } from 'vitest';
import { LB_ADDRESS } from '../../../sim/model/core/kernel-hosts.js';
import type { RunResult } from '../../../sim/result.js';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, scenario, series, valueAt } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Open-loop requests at `rate` to one VM through an L7 balancer with 1,000 ports towards it. */
function openLoop(rate: number, lb: Record<string, unknown>, nginx = {}, extra: Partial<ScenarioInput> = {}) {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: { requests: { rate, timeout: '10s', retries: 0 } },
    app: { workers: 512, backlog: 4096, service_time: 'const(10ms)' },
    nginx,
    lb: { mode: 'l7', kernel: { ip_local_port_range: [40000, 40999] }, ...lb },
    backends: [{ name: 'vm-a' }],
    ...extra,
  } as ScenarioInput;
}

describe("the VM's TIME_WAITs of the L7 balancer's server connections", () => {
  it('nginx closing every connection (keepalive_requests 1): one TIME_WAIT on the VM per connection, reopened by the reused ports', () => {
    const r = run(openLoop(500, { http_reuse: 'always' }, { keepalive_requests: 1 }));
    const opened = fig(r, 'lb_conns_opened.total');
    expect(opened).toBeGreaterThan(14_000);
    // Every connection nginx closed in the last 60 s (the whole run) is in TIME_WAIT on the VM,
    // except the ones the balancer's 1,000 ports took again: their SYN reopened the TIME_WAIT.
    const reopened = fig(r, 'tw_reopened.total');
    expect(reopened).toBeGreaterThan(10_000);
    // The walk's first pass takes the 500 ports of one parity (__inet_hash_connect()).
    expect(valueAt(r, 'time_wait', 30)).toBeGreaterThan(450);
    expect(valueAt(r, 'time_wait', 30)).toBeLessThanOrEqual(1000);
    expect(opened - reopened - valueAt(r, 'time_wait', 30)).toBeLessThan(20);
    // Nothing failed: the reopened 4-tuples are accepted (newer timestamps).
    expect(fig(r, 'req_5xx.total')).toBe(0);
    expect(fig(r, 'lb_eaddrnotavail.total')).toBe(0);
  });

  it('HAProxy closing every connection (pool_purge_delay 0s: not pooled) leaves no TIME_WAIT on the VM', () => {
    const r = run(openLoop(500, { pool_purge_delay: '0s' }));
    expect(fig(r, 'lb_conns_opened.total')).toBeGreaterThan(14_000);
    expect(fig(r, 'time_wait.max')).toBe(0);
    expect(fig(r, 'tw_reopened.total')).toBe(0);
  });

  it("nginx's keepalive_timeout closes the idle pool after the load: the VM holds those TIME_WAITs for 60 s", () => {
    // Load stops at 20 s; HAProxy would purge only every hour, nginx closes after 5 s idle.
    const r = run(
      openLoop(200, { http_reuse: 'always', pool_purge_delay: '3600s' }, { keepalive_timeout: '5s' }, {
        horizon: '90s',
        timeline: [{ at: '20s', do: 'load', request_rate: 0 }],
      } as Partial<ScenarioInput>),
    );
    const idle = valueAt(r, 'lb_idle_conns', 21);
    expect(idle).toBeGreaterThan(0);
    expect(valueAt(r, 'lb_idle_conns', 26)).toBe(0);
    const before = valueAt(r, 'time_wait', 21);
    expect(valueAt(r, 'time_wait', 26) - before).toBe(idle);
    // TCP_TIMEWAIT_LEN after nginx's close: gone by 20 + 5 + 60 s.
    expect(valueAt(r, 'time_wait', 84)).toBeGreaterThanOrEqual(idle);
    expect(valueAt(r, 'time_wait', 87)).toBe(0);
  });

  it('HAProxy purging the idle pool first (pool_purge_delay 1s < keepalive_timeout 75s): no TIME_WAIT on the VM', () => {
    const r = run(
      openLoop(200, { http_reuse: 'always', pool_purge_delay: '1s' }, {}, {
        horizon: '40s',
        timeline: [{ at: '20s', do: 'load', request_rate: 0 }],
      } as Partial<ScenarioInput>),
    );
    expect(valueAt(r, 'lb_idle_conns', 21)).toBeGreaterThan(0);
    expect(valueAt(r, 'lb_idle_conns', 39)).toBe(0);
    expect(fig(r, 'time_wait.max')).toBe(0);
  });

  it("an nginx reload closes the old workers' idle connections at once: TIME_WAIT on the VM without a further request", () => {
    const r = run(
      openLoop(200, { http_reuse: 'always', pool_purge_delay: '3600s' }, {}, {
        horizon: '20s',
        timeline: [
          { at: '5s', do: 'load', request_rate: 0 },
          { at: '10s', do: 'nginx_reload', backend: 'vm-a' },
        ],
      } as Partial<ScenarioInput>),
    );
    const idle = valueAt(r, 'lb_idle_conns', 9);
    expect(idle).toBeGreaterThan(0);
    expect(valueAt(r, 'time_wait', 9)).toBe(0);
    expect(valueAt(r, 'lb_idle_conns', 11)).toBe(0);
    expect(valueAt(r, 'lb_ports_busy', 11)).toBe(0);
    expect(valueAt(r, 'time_wait', 11)).toBe(idle);
  });
});

describe("the VM's TIME_WAIT of a connection nginx closed is stamped when nginx closed it", () => {
  it('a reload with no traffic and no sample until long after: the TIME_WAITs start at the QUIT, not at the next look', () => {
    // ngx_close_idle_connections() runs in the old workers at QUIT (reload + 100 ms); the VM holds
    // each TIME_WAIT for 60 s from then (TCP_TIMEWAIT_LEN), whenever the balancer learns of it.
    const input = openLoop(200, { http_reuse: 'always', pool_purge_delay: '3600s' }, {}, {
      horizon: '100s',
      sample_interval: '50s',
      timeline: [
        { at: '5s', do: 'load', request_rate: 0 },
        { at: '10s', do: 'nginx_reload', backend: 'vm-a' },
      ],
    } as Partial<ScenarioInput>);
    const r = run(input);
    // The first sample (50 s) flushes the pool: the TIME_WAITs, closed at 10.1 s, are still held.
    expect(valueAt(r, 'lb_idle_conns', 50)).toBe(0);
    const held = valueAt(r, 'time_wait', 50);
    expect(held).toBeGreaterThan(0);
    // At 100 s they are gone (10.1 + 60 s); stamped at the 50 s sample they would last to 110 s.
    expect(valueAt(r, 'time_wait', 100)).toBe(0);
  });
});

describe('a SYN on a 4-tuple the VM still holds open', () => {
  it("is challenged: the balancer's RST resets the stale socket and its SYN, sent again 2 jiffies later, connects", () => {
    // The VM's kernel answers a SYN for an established 4-tuple with a challenge ACK
    // (tcp_validate_incoming() → tcp_send_challenge_ack(), net/ipv4/tcp_input.c), the balancer's
    // kernel in SYN_SENT answers RST, which resets that socket (tcp_reset()), and sends its SYN again
    // TCP_TIMEOUT_MIN later (tcp_rcv_synsent_state_process()): L7ServerConns.vmAccepts,
    // World.resetStaleVmEnd. Before session 35 the SYN was not taken and retransmitted after 1 s,
    // the stale socket left open: every attempt on vm-a waited out timeout connect (1 s) and was
    // redispatched to vm-b, and vm-a served nothing.
    const input = openLoop(
      50,
      { connect_timeout: '1s', retries: 1, redispatch: true, kernel: { ip_local_port_range: [40000, 40099] } },
      {},
      { horizon: '10s', backends: [{ name: 'vm-a' }, { name: 'vm-b' }] },
    );
    const model = buildModel(scenario(input));
    const { world } = model;
    // vm-a holds every 4-tuple from the balancer's 100 ports open (a stale peer the balancer forgot).
    const vm = world.backends[0];
    for (let port = 40000; port <= 40099; port++) vm.acceptFrom(LB_ADDRESS, port, 0);
    startModel(model);
    world.engine.run(10);
    const { timeline, histograms } = world.metrics.result();
    const r = { timeline } as RunResult;
    const total = (name: string, entity: string) => series(r, name, entity).reduce((a, [, v]) => a + v, 0);
    // vm-a serves its share (about half of the 500 requests), each first connect on a stale port 2
    // jiffies (8-12 ms at HZ 250) after its challenge ACK.
    expect(total('goodput', 'vm-a')).toBeGreaterThan(150);
    expect(total('lb_conns_opened', 'vm-a')).toBeGreaterThan(50);
    expect(total('syn_drops', 'vm-a')).toBe(0);
    expect(total('goodput', 'vm-a') + total('goodput', 'vm-b')).toBeGreaterThan(450);
    expect(histograms.get('connect_latency')!.summary().max).toBeLessThan(0.05);
    // The walk's first pass takes the 50 ports of one parity (__inet_hash_connect()), and an RST
    // close leaves no TIME_WAIT to move it on: their stale sockets went, the other 50 stay.
    let open = 0;
    for (let port = 40000; port <= 40099; port++)
      if (vm.host.stateOf(vm.sourcePair(LB_ADDRESS), port, world.now) === 'open') open++;
    expect(open).toBeLessThanOrEqual(55);
  });
});
