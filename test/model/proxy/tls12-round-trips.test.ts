/**
 * `app.tls.protocol: "1.2"` where TLS ends in nginx or at the balancer (proxy/worker-cpu.ts,
 * app/tls-protocol.ts). A full TLS 1.2 handshake (RFC 5246 §7.3, ECDHE) has the client's first
 * request two round trips after the server's flight — its ClientKeyExchange and Finished answer
 * the flight, the server's Finished answers them (OpenSSL ssl/statem/statem_srvr.c
 * ossl_statem_server_write_transition: TLS_ST_SR_FINISHED → TLS_ST_SW_SESSION_TICKET →
 * TLS_ST_SW_CHANGE → TLS_ST_SW_FINISHED), then the request; a ticket-resumed one (RFC 5077 §3.1)
 * one round trip, as TLS 1.3. Before session 20 every handshake was TLS 1.3's one round trip.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

/** One new keep-alive connection a second (paced), one request each: 50-ms handshakes, 10-ms requests, rtt 100 ms. */
function paced(protocol: '1.2' | '1.3'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '100ms',
    clients: {
      rtt: '100ms',
      http: {
        arrival_rate: 1,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(1s)',
        retries: 0,
      },
    },
    nginx: { worker_processes: 1 },
    app: { workers: 1, service_time: 'const(10ms)', tls: { terminates: 'nginx', handshake_cpu: '50ms', protocol } },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

/**
 * One WebSocket session connecting at 1 s (1-ms handshakes, rtt 100 ms), ended by the balancer at
 * 3 s (`shutdown_sessions`) and reconnecting 10 s later with the ticket its first handshake got.
 */
function upgrade(protocol: '1.2' | '1.3', atBalancer = false): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '14s',
    sample_interval: '10ms',
    clients: {
      rtt: '100ms',
      ws: {
        ping_interval: 'none',
        scheduled: [{ at: '1s', lifetime: '1h' }],
        reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
      },
    },
    nginx: { worker_processes: 1 },
    app: {
      ws: { handshake_time: '0s' },
      tls: { terminates: atBalancer ? 'lb' : 'nginx', handshake_cpu: '1ms', protocol },
    },
    lb: atBalancer ? { nbthread: 1 } : {},
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '3s', do: 'shutdown_sessions', backend: 'vm-a' }],
  } as ScenarioInput;
}

/** The session is not up at `before` and is at `after` (ws_sessions, 10-ms samples). */
function upBetween(input: ScenarioInput, before: number, after: number): void {
  const r = run(input, 1);
  expect(valueAt(r, 'ws_sessions', before)).toBe(0);
  expect(valueAt(r, 'ws_sessions', after)).toBe(1);
}

describe('TLS 1.2 ending in nginx: a full handshake puts the first request two round trips after the flight', () => {
  it('first-request latency: connect, handshake, two round trips, the request (0.46 s; TLS 1.3: 0.36 s)', () => {
    // SYN at 0, connected at 0.1 s, flight written by 0.15 s; ClientKeyExchange and Finished at
    // 0.25 s, the server's Finished back at the client by 0.3 s, the request at nginx at 0.35 s,
    // answered at 0.36 s + the response's trip. Before: 0.36 s whatever the protocol.
    const tls12 = run(paced('1.2'), 1).histograms.request_latency;
    expect(tls12.count).toBeGreaterThanOrEqual(3);
    expect(tls12.max - tls12.p50).toBeLessThan(1e-9);
    expect(tls12.p50).toBeCloseTo(0.46, 6);
    expect(run(paced('1.3'), 1).histograms.request_latency.p50).toBeCloseTo(0.36, 6);
  });

  it('a WebSocket upgrade: at 1.301 s after a full handshake, at 13.2 s after the resumed one (one round trip)', () => {
    // Connected at 1.1 s, flight by 1.101 s: the upgrade at 1.301 s (TLS 1.3: 1.201 s). The
    // reconnect at 13 s offers the ticket nginx sent with its Finished: resumed (no public-key
    // work: 0 ms by default with 1.2), ServerHello … Finished at 13.1 s, the upgrade one round
    // trip later, 13.2 s (a full handshake's would be 13.301 s).
    upBetween(upgrade('1.2'), 1.3, 1.31);
    upBetween(upgrade('1.3'), 1.2, 1.21);
    upBetween(upgrade('1.2'), 13.19, 13.21);
  });

  it('a resumed TLS 1.2 handshake sends no new ticket: the first one expires ssl_session_timeout after its own handshake', () => {
    // session_timeout 20 s: the ticket of the 1.1-s handshake resumes the 13-s reconnect; ended
    // again at 14 s, the client reconnects at 24 s. TLS 1.3 renewed its ticket at 13.2 s: resumed
    // again, the upgrade at 24.2 s. TLS 1.2 kept the first (tls_decrypt_ticket: no renewal), dead
    // since ~21.2 s: a full handshake, the upgrade at 24.301 s.
    const twice = (protocol: '1.2' | '1.3'): ScenarioInput => {
      const input = upgrade(protocol);
      input.horizon = '25s';
      input.app!.tls = { ...input.app!.tls, session_timeout: '20s' };
      input.timeline = [...input.timeline!, { at: '14s', do: 'shutdown_sessions', backend: 'vm-a' }];
      return input;
    };
    upBetween(twice('1.2'), 13.19, 13.21);
    upBetween(twice('1.3'), 24.19, 24.21);
    upBetween(twice('1.2'), 24.3, 24.31);
  });
});

describe('TLS ending at the balancer (lb.nbthread): the round trips after the flight, as in nginx', () => {
  it('TLS 1.3 at 1.201 s, a full TLS 1.2 handshake at 1.301 s, the resumed one at 13.2 s', () => {
    // The ClientHello reaches the balancer with the final ACK (1.1 s), its thread writes the flight
    // by 1.101 s (HAProxy ssl_sock_handshake → SSL_do_handshake), and the client's Finished and
    // upgrade come one round trip later, 1.201 s (TLS 1.2 full: two, 1.301 s). The resumed
    // reconnect at 13 s: ServerHello … Finished at 13.1 s, the upgrade at 13.2 s. Before session
    // 20 the flight was charged at the SYN and TLS 1.3's round trip taken as the connect's:
    // 1.1 s, 1.201 s and 13.1 s, one round trip early.
    upBetween(upgrade('1.3', true), 1.2, 1.21);
    upBetween(upgrade('1.2', true), 1.3, 1.31);
    upBetween(upgrade('1.2', true), 13.19, 13.21);
  });
});
