/**
 * A connect through the L4 balancer when its pool has no server (lb/l4-connect.ts noServer). HAProxy
 * mode tcp accepts the client first: its kernel answers the SYN (the client's connect() succeeds at
 * one rtt), the final ACK lands at 1.5 rtt and the listener accept()s; with no tcp-request content
 * rules the stream asks for a server at once (stream_new sets CF_AUTO_CONNECT, src/stream.c;
 * back_handle_st_req → srv_redispatch_connect → assign_server: SRV_STATUS_NOSRV, src/backend.c)
 * and closes the client side, whose FIN reaches the client at 2 rtt: EOF, counted ECONNRESET.
 * Behind a NAT (kube-proxy's REJECT for a Service without endpoints) the ICMP answer to the SYN
 * reaches the client at 1 rtt (tcp_v4_err, net/ipv4/tcp_ipv4.c: ECONNREFUSED in SYN_SENT).
 * Before, the client learnt it at the very instant of its connect(), so a zero-delay reconnect
 * looped at one simulated instant (stopped by the run's stall detector).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../sim/run-scenario.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run, scenario } from '../helpers.js';
import { scheduledWs } from './scheduled-ws.js';

const RTT = 0.1;
const CONNECT_AT = 1;

/** One WebSocket connect at 1 s to a pool vm-a left at 0.5 s; the client backs off for an hour. */
const emptyPool = (
  mode: 'l4' | 'nat',
  clients = scheduledWs([CONNECT_AT]),
  timeline: ScenarioInput['timeline'] = [{ at: '0.5s', do: 'unbind', backend: 'vm-a' }],
): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '2.9s',
  sample_interval: '10ms',
  clients: { ...clients, rtt: `${RTT * 1000}ms` },
  lb: mode === 'l4' ? { mode, retries: 0 } : { mode },
  app: { ws: { handshake_time: '0s' } },
  backends: [{ name: 'vm-a' }],
  timeline,
});

describe('l4/nat: a connect to an empty pool fails when the answer reaches the client', () => {
  it('l4 (HAProxy mode tcp): EOF two round trips after the connect, not at it', () => {
    const r = run(emptyPool('l4'), 1);
    expect(r.figures['err_econnreset.total']).toBe(1);
    expect(between(r, 'err_econnreset', 0, CONNECT_AT + 2 * RTT - 0.01)).toBe(0);
    expect(between(r, 'err_econnreset', CONNECT_AT + 2 * RTT - 0.01, CONNECT_AT + 2 * RTT)).toBe(1);
  });

  it('nat (kube-proxy REJECT): ECONNREFUSED one round trip after the SYN', () => {
    const r = run(emptyPool('nat'), 1);
    expect(r.figures['err_econnrefused.total']).toBe(1);
    expect(between(r, 'err_econnrefused', 0, CONNECT_AT + RTT - 0.01)).toBe(0);
    expect(between(r, 'err_econnrefused', CONNECT_AT + RTT - 0.01, CONNECT_AT + RTT)).toBe(1);
  });

  it('a zero-delay reconnect loop advances simulated time: one cycle per 2 rtt, not a stall', () => {
    const once = scheduledWs([CONNECT_AT]);
    const immediate = { ...once, ws: { ...once?.ws, reconnect: { policy: 'immediate' as const, base: '0s' } } };
    // A budget, as `drainsim run` has: on a loop at one instant its stall detector throws.
    const budget = { maxEvents: 1_000_000, maxBytes: 2 ** 31, file: 'l4-no-server' };
    const r = runScenario(scenario(emptyPool('l4', immediate)), { seed: 1, budget });
    // A failure every 0.2 s from the connect at 1 s: at 1.2, 1.4 … 2.8 s before the 2.9-s horizon.
    expect(r.figures['err_econnreset.total']).toBe(9);
  });
});

/** nginx stopped at 0.5 s, still in the pool at 1 s (its health checks have not failed yet): the connect is refused. */
const refusedTimeline: ScenarioInput['timeline'] = [{ at: '0.5s', do: 'nginx_stop', backend: 'vm-a' }];

describe('l4/nat: a refused connect reaches the client with its packets', () => {
  it('l4, retries 0: HAProxy gives up at once and closes the accepted client, EOF two round trips after the connect', () => {
    const r = run(emptyPool('l4', scheduledWs([CONNECT_AT]), refusedTimeline), 1);
    expect(r.figures['err_econnreset.total']).toBe(1);
    expect(between(r, 'err_econnreset', 0, CONNECT_AT + 2 * RTT - 0.01)).toBe(0);
    expect(between(r, 'err_econnreset', CONNECT_AT + 2 * RTT - 0.01, CONNECT_AT + 2 * RTT)).toBe(1);
  });

  it("nat: the VM's RST to the client's own SYN, ECONNREFUSED one round trip after it", () => {
    const r = run(emptyPool('nat', scheduledWs([CONNECT_AT]), refusedTimeline), 1);
    expect(r.figures['err_econnrefused.total']).toBe(1);
    expect(between(r, 'err_econnrefused', 0, CONNECT_AT + RTT - 0.01)).toBe(0);
    expect(between(r, 'err_econnrefused', CONNECT_AT + RTT - 0.01, CONNECT_AT + RTT)).toBe(1);
  });
});
