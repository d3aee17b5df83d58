/**
 * `app.tls.protocol: "1.2"` where TLS ends in a bare app (`proxy: none`, `app.tls.terminates:
 * app`; app/tls-protocol.ts). A full TLS 1.2 handshake (RFC 5246 §7.3, ECDHE) has the client's
 * first request two round trips after the server's flight: its ClientKeyExchange and Finished
 * answer the flight, the server's Finished answers them, then the request. An event loop (node's
 * https server, app/loop-tls.ts) reads the request two round trips after its ClientHello job; a
 * worker that takes one connection (gunicorn's sync worker, app/tls.ts workerHandshakeHold) is
 * held for both round trips. Every handshake in the app is full. Before session 20: one round
 * trip, as TLS 1.3.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/** One new connection a second (paced, rtt 100 ms), one request each: 50-ms handshakes, 10-ms requests. */
function paced(model: 'event_loop' | 'worker_per_connection', protocol: '1.2' | '1.3'): ScenarioInput {
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
    app: {
      workers: 1,
      accept_model: model,
      service_time: 'const(10ms)',
      backlog: 511,
      keepalive_timeout: '60s',
      tls: { terminates: 'app', handshake_cpu: '50ms', protocol },
    },
    lb: { mode: 'l4', balance: 'roundrobin', connect_timeout: '5s', retries: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
  } as ScenarioInput;
}

describe('TLS 1.2 ending in a bare app: the first request two round trips after the flight', () => {
  for (const model of ['event_loop', 'worker_per_connection'] as const) {
    it(`${model}: first-request latency 0.46 s (TLS 1.3: 0.36 s)`, () => {
      // SYN at 0, connected at 0.1 s, flight by 0.15 s; ClientKeyExchange and Finished back at
      // 0.25 s, the server's Finished at the client by 0.3 s, the request at the app at 0.35 s,
      // answered 0.36 s + the response's trip (TLS 1.3: the request at 0.25 s).
      const tls12 = run(paced(model, '1.2'), 1).histograms.request_latency;
      expect(tls12.count).toBeGreaterThanOrEqual(3);
      expect(tls12.max - tls12.p50).toBeLessThan(1e-9);
      expect(tls12.p50).toBeCloseTo(0.46, 9);
      expect(run(paced(model, '1.3'), 1).histograms.request_latency.p50).toBeCloseTo(0.36, 9);
    });
  }

  it('worker_per_connection: both round trips hold the worker (20 connections in 100 ms, 1-ms handshakes)', () => {
    // Each connection holds the one worker 1 + 2 × 100 + 10 ms with TLS 1.2 (111 ms with 1.3):
    // the last is answered after 5.38 s instead of 2.88 s.
    const burst = (protocol: '1.2' | '1.3'): number => {
      const input = paced('worker_per_connection', protocol);
      input.clients!.http = { ...input.clients!.http, arrival_rate: 200, arrivals: undefined };
      input.app!.tls = { terminates: 'app', handshake_cpu: '1ms', protocol };
      input.horizon = '8s';
      input.timeline = [{ at: '100ms', do: 'load', http_rate: 0 }];
      return run(input, 1).histograms.request_latency.max;
    };
    const tls13 = burst('1.3');
    const tls12 = burst('1.2');
    expect(tls13).toBeGreaterThan(1.5);
    expect(tls12).toBeGreaterThan(tls13 * 1.6);
  });
});
