/**
 * An HTTPS check's connection to a bare app with `app.tls.protocol: "1.2"` (app/tls.ts
 * CheckTlsHandshakes): the checker is a TLS client like any other, so after a full TLS 1.2
 * handshake its request comes two round trips after the app's flight (its ClientKeyExchange and
 * Finished, the app's Finished, then the request: RFC 5246 §7.3; tls-protocol.ts
 * roundTripsToRequest), as a client's connection does (loop-tls.ts). The kubelet's Go client
 * never resumes (pkg/probe/http/http.go: no ClientSessionCache): every probe is a full handshake.
 * Before, the check's request came one round trip after the flight whatever the protocol.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/**
 * Whether a kubelet HTTPS readiness probe of timeout `timeout` ever fails against a bare app (one
 * event loop, or gunicorn-like workers) that answers in 1 ms after a 1-ms handshake, 1 s away (the
 * Kubernetes API takes probe timeouts in whole seconds: a round trip of 1 s tells 1 from 2 apart).
 */
function probeFails(protocol: string, timeout: string, acceptModel = 'event_loop'): boolean {
  const r = run({
    warmup: '0s',
    horizon: '20s',
    clients: { rtt: '1s', requests: { rate: 1, timeout: '10s', retries: 0 } },
    app: {
      workers: 1,
      accept_model: acceptModel,
      service_time: 'const(1ms)',
      tls: { terminates: 'app', handshake_cpu: '1ms', protocol },
    },
    probes: { readiness: { type: 'http', period: '5s', timeout } },
    backends: [{ name: 'vm-a', proxy: 'none' }],
  } as ScenarioInput);
  return r.events.some((l) => l.record.kind === 'k8s.readiness' && !(l.record as { ready: boolean }).ready);
}

describe('an HTTPS probe of a bare app with TLS 1.2', () => {
  it('reaches a bare event loop two round trips after the flight: 1 ms + 2 × 1 s + 1 ms', () => {
    // TLS 1.3: 1 ms flight + 1 s + 1 ms service, inside 2 s.
    expect(probeFails('1.3', '2s')).toBe(false);
    // TLS 1.2: the request comes at 2.001 s, answered at 2.002 s (before: at 1.001 s, inside 2 s).
    expect(probeFails('1.2', '2s')).toBe(true);
    expect(probeFails('1.2', '3s')).toBe(false);
  });

  it("holds a worker-per-connection app's worker over both round trips (workerHandshakeHold's rule)", () => {
    expect(probeFails('1.3', '2s', 'worker_per_connection')).toBe(false);
    expect(probeFails('1.2', '2s', 'worker_per_connection')).toBe(true);
    expect(probeFails('1.2', '3s', 'worker_per_connection')).toBe(false);
  });

  it("HAProxy check-ssl's resumed TLS 1.2 handshakes bring no ticket: the saved session expires session_timeout after its full one", () => {
    // A node app serving 50 open-loop requests/s of 1 ms, checked every second; a full handshake
    // blocks the loop 300 ms (a slow certificate, exaggerated to see it), a resumed one 1 ms.
    const p99 = (protocol: string) =>
      run({
        warmup: '0s',
        horizon: '60s',
        clients: { requests: { rate: 50, timeout: '10s', retries: 0 } },
        app: {
          workers: 1,
          service_time: 'const(1ms)',
          tls: {
            terminates: 'app',
            handshake_cpu: '300ms',
            resumed_handshake_cpu: '1ms',
            session_timeout: '5s',
            protocol,
          },
        },
        lb: { mode: 'l4' },
        health_check: { type: 'http', inter: '1s', timeout: '900ms' },
        backends: [{ name: 'vm-a', proxy: 'none' }],
      } as ScenarioInput).figures['open_loop_latency.p99'] ?? Number.NaN;
    // Each request's latency holds its client's two round trips (clients.rtt 30 ms: a new
    // connection's handshake, then the request; clients/open-loop.ts).
    const roundTrips = 2 * 0.03;
    // TLS 1.3 renews the session at each check: only the first is full.
    expect(p99('1.3')).toBeLessThan(roundTrips + 0.05);
    // TLS 1.2: a full handshake every ~6 s (before: renewed at each resumed check, as 1.3).
    expect(p99('1.2')).toBeGreaterThan(roundTrips + 0.1);
  });
});
