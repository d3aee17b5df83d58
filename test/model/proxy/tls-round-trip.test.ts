/**
 * TLS ending in nginx (`app.tls.terminates: nginx`, worker-cpu.ts): the client's first data after
 * its handshake — the Finished and, right behind it, its first request or WebSocket upgrade —
 * comes one round trip (clients.rtt) after the worker wrote the server's flight. TLS 1.3 (nginx
 * 1.22.1 with OpenSSL 3; ssl_early_data off by default, so a resumed handshake is one round trip
 * too): ngx_http_ssl_handshake (src/http/ngx_http_request.c) reads the ClientHello at the
 * connection's first read event, SSL_do_handshake (ngx_ssl_handshake, src/event/ngx_event_openssl.c)
 * computes and writes the whole flight and wants to read; RFC 8446 §2 figure 1. Before session 19
 * the request was read as soon as the worker's handshake work ended, as if the client answered
 * the flight at no distance.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

/** One new keep-alive connection a second (paced), one request each: 50-ms handshakes, 10-ms requests. */
function paced(rtt: string, tls: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '100ms',
    clients: {
      rtt,
      http: {
        arrival_rate: 1,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(1s)',
        retries: 0,
      },
    },
    nginx: { worker_processes: 1 },
    app: { workers: 1, service_time: 'const(10ms)', tls: { terminates: 'nginx', handshake_cpu: '50ms', ...tls } },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe("TLS in nginx: a new connection's first request comes a round trip after its handshake", () => {
  it('first-request latency: connect, handshake, the round trip of the Finished, the request', () => {
    // SYN at 0, connected at 0.1 s, ClientHello read and flight written by 0.15 s; the Finished
    // and request reach nginx at 0.25 s, answered at 0.26 s + the response's trip: 0.36 s.
    // Before: the request was read at 0.15 s (0.26 s).
    const r = run(paced('100ms'), 1);
    const requests = r.histograms.request_latency;
    expect(requests.count).toBeGreaterThanOrEqual(3);
    expect(requests.max - requests.p50).toBeLessThan(1e-9);
    expect(requests.p50).toBeCloseTo(0.36, 6);
  });

  it('on loopback (rtt ~0) nothing is added: the request follows the handshake at once', () => {
    const r = run(paced('0s'), 1);
    expect(r.histograms.request_latency.p50).toBeCloseTo(0.06, 6);
  });

  it('the round trip is no worker backlog: a handshake on an idle worker logs no late read', () => {
    const r = run(paced('100ms'), 1);
    expect(r.events.some((l) => l.record.kind === 'nginx.worker_tls_backlog')).toBe(false);
  });
});

/** One WebSocket session connecting at 1 s through nginx ending TLS (1-ms handshake), rtt 100 ms. */
function upgrade(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '2s',
    sample_interval: '10ms',
    clients: {
      rtt: '100ms',
      ws: { ping_interval: 'none', scheduled: [{ at: '1s', lifetime: '1h' }] },
    },
    nginx: { worker_processes: 1 },
    app: { ws: { handshake_time: '0s' }, tls: { terminates: 'nginx', handshake_cpu: '1ms' } },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('TLS in nginx: a WebSocket upgrade comes a round trip after the handshake', () => {
  it('connected at 1.1 s, flight written at 1.101 s: the upgrade reaches nginx at 1.201 s, not 1.101 s', () => {
    const r = run(upgrade(), 1);
    expect(valueAt(r, 'ws_sessions', 1.15)).toBe(0);
    expect(valueAt(r, 'ws_sessions', 1.25)).toBe(1);
  });
});
