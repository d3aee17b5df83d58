/**
 * TLS ending in a bare app whose workers each take one connection (`proxy: none`,
 * `app.accept_model: worker_per_connection`, `app.tls.terminates: app`: gunicorn sync workers with
 * a certfile; app/tls.ts tlsInWorker, AppServer.submitAfterHandshake): the worker that accepts
 * a connection does its handshake (gunicorn/workers/sync.py SyncWorker.accept → handle → the
 * socket wrapped by ssl, its handshake in the worker), waits a round trip for the client's
 * Finished and request (RFC 8446 §2), then reads the request — serving no one else meanwhile.
 * Before session 19 the handshake was a job queued at the connection's SYN (World.attach →
 * TlsHandshakes.accepted), its worker free again before the request came.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { tlsAppClients } from './tls-app-clients.js';

/** New connections (one request each) to one bare worker-per-connection app behind HAProxy mode tcp. */
const clients = (rtt: string, handshake: string, arrivalRate: number, arrivals?: 'paced'): ScenarioInput =>
  tlsAppClients({ rtt, handshake, arrivalRate, arrivals, acceptModel: 'worker_per_connection' });

describe('TLS ending in a worker-per-connection app: the accepting worker does the handshake', () => {
  it("a connection's first request waits for its handshake and one round trip more", () => {
    // One connection a second (paced, rtt 100 ms): SYN at 0, connected at 0.1 s, the worker
    // computes the flight by 0.15 s and waits for the client's Finished and request (0.25 s),
    // answered 0.26 s, + the response's trip: 0.36 s. Before: the handshake ran at the SYN
    // (0-0.05 s) and the request was answered at 0.11 s (0.21 s).
    const r = run(clients('100ms', '50ms', 1, 'paced'), 1);
    const requests = r.histograms.request_latency;
    expect(requests.count).toBeGreaterThanOrEqual(3);
    expect(requests.max - requests.p50).toBeLessThan(1e-9);
    expect(requests.p50).toBeCloseTo(0.36, 6);
  });

  it('the round trip holds the worker: far clients cut a thread-per-connection server’s throughput', () => {
    // ~20 new connections in 100 ms to one worker, 1-ms handshakes, 10-ms requests, rtt 100 ms:
    // each connection holds the worker 111 ms (1 + 100 + 10), so the last is answered after
    // ~2.3 s. Before: 20 × 11 ms of work, all answered by ~0.45 s.
    const input = clients('100ms', '1ms', 200);
    input.timeline = [{ at: '100ms', do: 'load', http_rate: 0 }];
    const r = run(input, 1);
    const requests = r.histograms.request_latency;
    expect(requests.count).toBeGreaterThanOrEqual(15);
    expect(requests.max).toBeGreaterThan(1.5);
  });
});
