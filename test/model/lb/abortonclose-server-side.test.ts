/**
 * `option abortonclose` closes the server side at the client's close (lb/l7-dispatch.ts
 * closeServerSide): HAProxy reads the FIN at once and
 *
 * - aborts a connect under way there — process_stream() (src/stream.c) sets CF_SHUTW_NOW during
 *   SC_ST_CON only with PR_O_ABRT_CLOSE, back_handle_st_con() (src/backend.c) closes the socket
 *   with SC_FL_NOLINGER (CC) —, not at the SYN's next retransmission: the balancer's ports held
 *   during a stop are the connects of the clients' last 800 ms, not of the last second;
 * - resets an established server connection — http_request_forward_body() (src/http_ana.c) sets
 *   SC_FL_NOLINGER at the client's read0, sc_app_shutw_conn() (src/stconn.c) shuts it silently and
 *   the FD_LINGER_RISK socket closes with SO_LINGER 0 (src/fd.c _fd_delete_orphan()): an RST, never
 *   pooled —, while the app still reads the request it received and serves it for nobody.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run, valueAt } from '../helpers.js';

/**
 * Held-out round 26's regime (calibration/scenarios/haproxy-holdout26b-*.yaml): one bare node app,
 * accept queue of 2, stopped 3 s under 20 requests a second each given up after 800 ms, within the
 * 1-s SYN retransmission and the 5-s `timeout connect`.
 */
const stopped = (abortonclose: boolean): ScenarioInput => ({
  warmup: '0s',
  horizon: '9s',
  sample_interval: '25ms',
  clients: { rtt: '0.1ms', requests: { rate: 0, arrivals: 'paced', timeout: '800ms', retries: 0 } },
  app: { workers: 1, service_time: 'const(0.5ms)', backlog: 1, keepalive: 'close', keepalive_timeout: '6s' },
  lb: { mode: 'l7', retries: 3, connect_timeout: '5s', timeout_server: '30s', abortonclose },
  backends: [{ name: 's1', proxy: 'none' }],
  timeline: [
    { at: '0s', do: 'load', request_rate: 20 },
    { at: '1.525s', do: 'pause', backend: 's1', duration: '3s' },
    { at: '4.47s', do: 'load', request_rate: 0 },
  ],
});

describe("option abortonclose: the server side closes at the client's close", () => {
  it('a connect under way is given up at the close (800 ms), not at its SYN’s next firing (1 s)', () => {
    const r = run(stopped(true), 1);
    // Every SYN during the stop is dropped; with the option each connect's socket lives from its
    // SYN to its client's close: 20/s × 0.8 s = 16. Freed at the next SYN firing it was 20/s × 1 s
    // plus the 2 queued connections: 23 (held-out round 26 B recorded 16).
    for (const t of [3, 4]) expect(valueAt(r, 'lb_ports_busy', t)).toBe(16);
    // The last requests (sent until 4.45 s) are given up by 5.25 s: none held at 6 s.
    expect(valueAt(r, 'lb_ports_busy', 5.5)).toBeLessThanOrEqual(1);
    // Every count the option decided before is unchanged: 57 given up (CC), 2 served for nobody.
    expect(between(r, 'req_timeouts', 0, 9)).toBe(59);
    expect(between(r, 'wasted', 0, 9)).toBe(2);
    expect(between(r, 'syn_drops', 0, 9)).toBe(57);
  });

  it('the 2 connections in the stopped app’s accept queue are reset at their clients’ close and still served', () => {
    const r = run(stopped(true), 1);
    // Their RSTs (reset_in) at 2.35 and 2.4 s; the app reads both requests after the SIGCONT.
    expect(between(r, 'reset_in', 2.3, 2.45)).toBe(2);
    expect(between(r, 'wasted', 4.5, 4.6)).toBe(2);
    // Without the option nothing is reset: every ghost is served.
    const goesOn = run(stopped(false), 1);
    expect(between(goesOn, 'reset_in', 0, 9)).toBe(0);
    expect(between(goesOn, 'wasted', 0, 9)).toBe(59);
  });

  it('a connection whose final ACK the full accept queue dropped is reset with its request: the app never serves it', () => {
    // Ten times the load (200 a second) and a 2.5-s patience: after the SIGCONT the ghosts' SYNs
    // come back in timer-wheel batches that all pass the SYN check, and the final ACKs beyond the
    // queue's room are dropped — HAProxy is connected and has sent the request, the app's request
    // sock waits in SYN_RECV for a data copy. The client's close makes HAProxy reset the connection
    // (tcp_check_req() → embryonic_reset drops the request sock): nothing reaches the app. Before,
    // the model kept waiting and the next copy got the request served for nobody (168 on seed 1).
    const input = {
      ...stopped(true),
      horizon: '12s',
      clients: { rtt: '0.1ms', requests: { rate: 0, arrivals: 'paced' as const, timeout: '2500ms', retries: 0 } },
      timeline: [
        { at: '0s', do: 'load' as const, request_rate: 200 },
        { at: '1.525s', do: 'pause' as const, backend: 's1', duration: '3s' },
        { at: '4.47s', do: 'load' as const, request_rate: 0 },
      ],
    };
    const r = run(input, 1);
    expect(between(r, 'req_timeouts', 0, 12)).toBeGreaterThan(300);
    // Only the 2 connections in the accept queue at the stop are served for nobody.
    expect(between(r, 'wasted', 0, 12)).toBe(2);
    expect(between(r, 'reset_in', 0, 12)).toBeGreaterThan(100);
  });

  it('an established stream’s connection is reset, not pooled: the next stream connects anew', () => {
    // 2 requests a second to a 3-s app, each given up after 1 s; `http-reuse always` would hand the
    // connection of an answered request to the next one.
    const input = (abortonclose: boolean): ScenarioInput => ({
      warmup: '0s',
      horizon: '30s',
      sample_interval: '1s',
      clients: { requests: { rate: 2, timeout: '1s', retries: 0 } },
      app: { workers: 16, service_time: 'const(3s)' },
      lb: { mode: 'l7', http_reuse: 'always', abortonclose },
      backends: [{ name: 'vm-a' }],
    });
    const r = run(input(true), 1);
    const attempts = between(r, 'attempts', 0, 30);
    expect(attempts).toBeGreaterThan(50);
    // Each stream's connection is reset at its client's close (1 s) and a new one opened for the next.
    expect(between(r, 'lb_conns_reused', 0, 30)).toBe(0);
    expect(between(r, 'lb_conns_opened', 0, 30)).toBe(attempts);
    expect(between(r, 'reset_in', 0, 30)).toBeGreaterThanOrEqual(attempts - 2);
    // The app still does each request, for nobody.
    expect(between(r, 'wasted', 0, 30)).toBeGreaterThanOrEqual(attempts - 6);
    // Each port is held 1 s (to the client's close), not 3 s and then idle.
    expect(valueAt(r, 'lb_ports_busy', 20)).toBeLessThanOrEqual(3);
  });
});
