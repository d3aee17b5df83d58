/**
 * lb.mode l4 (HAProxy `mode tcp`) is two TCP connections per flow, client ↔ balancer and
 * balancer ↔ nginx (core/world.ts proxyClientSideClose()). When nginx closes first (its
 * keepalive_timeout), HAProxy reads its FIN and relays it as a FIN to the client
 * (src/stream.c process_stream(): res CF_SHUTR -> sc_shutw(scf)): the balancer's client-facing
 * socket closes first and its host holds that TIME_WAIT (`lb_time_wait`) for 60 s. When the
 * client closes first, HAProxy's server side closes first (lb_ports_busy), not its client side.
 * A NAT (lb.mode nat) has no sockets: no lb_time_wait ever.
 */
import { describe, expect, it } from 'vitest';
import { ConnKind } from '../../../sim/model/core/conn.js';
import { EndKind } from '../../../sim/model/core/world.js';
import { buildModel } from '../../../sim/model/topology.js';
import { TcpState } from '../../../sim/net/tcp.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, scenario, valueAt, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const closesIn = (r: RunResult, t: number): number => sum(window(r, 'closed_fin', t - 50, t));

/** Keep-alive clients sending `requests` requests `think` apart; nginx closes connections idle 10 s. */
function clients(mode: 'l4' | 'nat', think: string, requests = 1000): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '3m',
    sample_interval: '10s',
    nginx: { keepalive_timeout: '10s' },
    clients: {
      http: {
        arrival_rate: 5,
        requests_per_connection: `const(${requests})`,
        think_time: `const(${think})`,
        // A client that keeps its idle connection: nginx's keepalive_timeout decides who closes.
        idle_timeout: '0s',
        retries: 0,
      },
    },
    lb: { mode },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

describe('lb.mode l4: the TIME_WAIT of the client-facing connection', () => {
  it('nginx closes first (keepalive_timeout 10 s < think 30 s): the balancer holds the client side TIME_WAITs for 60 s', () => {
    const r = run(clients('l4', '30s'));
    for (const t of [120, 180]) {
      const closes = closesIn(r, t);
      expect(closes).toBeGreaterThan(100);
      expect(valueAt(r, 'lb_time_wait', t)).toBe(closes);
    }
    // The VM holds nginx's side; HAProxy's server side closed passively.
    expect(valueAt(r, 'time_wait', 180)).toBeGreaterThan(100);
  });

  it('the client closes first (think 1 s, 4 requests): no client side TIME_WAIT on the balancer', () => {
    const r = run(clients('l4', '1s', 4));
    const closes = closesIn(r, 180);
    expect(closes).toBeGreaterThan(100);
    expect(valueAt(r, 'lb_time_wait', 180)).toBe(0);
    // HAProxy relayed the FIN to nginx first: its server-side ports stay busy in TIME_WAIT.
    expect(valueAt(r, 'lb_ports_busy', 180)).toBeGreaterThanOrEqual(closes);
  });

  it('lb.mode nat: nginx closes first, but a NAT has no socket to hold a TIME_WAIT', () => {
    const r = run(clients('nat', '30s'));
    expect(closesIn(r, 180)).toBeGreaterThan(100);
    expect(valueAt(r, 'lb_time_wait', 180)).toBe(0);
  });
});

describe("nginx closes first after the client's socket is gone", () => {
  /** One flow through `mode` to vm-a whose client socket is already gone, then nginx's FIN. */
  function nginxClosesAfterClient(mode: 'l4' | 'nat') {
    const { world: w } = buildModel(scenario({ lb: { mode }, backends: [{ name: 'vm-a' }] } as ScenarioInput));
    const conn = w.newConn(ConnKind.HTTP);
    expect(w.assignTuple(conn)).toBe(true);
    expect(w.lbConnect(conn, 0)).toBe(true);
    expect(w.attach(conn, 0)).toBe('new');
    conn.clientTcp = TcpState.CLOSED;
    w.end(conn, EndKind.SERVER_FIN);
    return { vmTimeWait: w.backends[0].timeWaitCount(w.now), lbTimeWait: w.lbHost?.clientTimeWaits(w.now) ?? 0 };
  }

  it("l4: HAProxy's server-side socket is still open and answers nginx's FIN: nginx holds the TIME_WAIT", () => {
    expect(nginxClosesAfterClient('l4')).toEqual({ vmTimeWait: 1, lbTimeWait: 0 });
  });

  it("nat: nginx's FIN reaches the gone client socket, which answers RST: no TIME_WAIT", () => {
    expect(nginxClosesAfterClient('nat')).toEqual({ vmTimeWait: 0, lbTimeWait: 0 });
  });
});
