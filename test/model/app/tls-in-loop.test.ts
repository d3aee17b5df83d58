/**
 * TLS ending in a bare app that is one event loop (node's https server, `proxy: none`,
 * `app.tls.terminates: app`; app/loop-tls.ts): the handshake is read as loop work where the
 * connection's first data is read — one iteration after its accept, behind what became readable
 * first (lib/_tls_wrap.js tlsConnectionListener → TLSSocket initRead → readStart; TLSWrap::OnStreamRead,
 * src/crypto/crypto_tls.cc) — and the first request comes one round trip after the server's flight
 * (RFC 8446 §2: the client's Finished, then its data). Before session 19 the handshake was a job
 * queued in the app at the connection's SYN (app/tls.ts TlsHandshakes, World.attach), so a storm's
 * handshakes all ran before any first request, and ahead of connections accepted before them.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { between, run } from '../helpers.js';
import { tlsAppClients } from './tls-app-clients.js';

/**
 * ~25 new connections in the first 100 ms (200/s), one request each, to one bare node app behind
 * HAProxy mode tcp: 50 ms a full handshake, 10 ms a request.
 */
function storm(rtt: string, arrivalRate = 200, arrivals: 'paced' | undefined = undefined): ScenarioInput {
  return {
    ...tlsAppClients({ rtt, handshake: '50ms', arrivalRate, arrivals }),
    timeline: [{ at: '100ms', do: 'load', http_rate: 0 }],
  } as ScenarioInput;
}

describe('TLS ending in an event-loop app: the handshake is loop work where its ClientHello is read', () => {
  it('a storm: each iteration reads one ClientHello and the first requests that came since (interleaved)', () => {
    // After the first connection's handshake (50 ms) the loop accepts one connection per
    // iteration, reads its ClientHello, and the requests of the connections handshaken before it
    // (one round trip after their flight) in the same iteration: ~60 ms per connection, the first
    // answer at ~0.22 s, median latency 0.78 s. Before: the 25 handshakes were queued at their SYNs
    // (1.25 s of work) and every first request waited for all of them (the first answer at 1.27 s,
    // median latency 1.32 s).
    const r = run(storm('2ms'), 1);
    const requests = r.histograms.request_latency;
    expect(requests.count).toBeGreaterThan(20);
    expect(between(r, 'responses_2xx', 0, 0.6, 'vm-a')).toBeGreaterThanOrEqual(5);
    expect(requests.p50).toBeLessThan(1);
    // The work is the same: every handshake is still charged (25 × 60 ms ends by ~1.5 s).
    expect(requests.max).toBeGreaterThan(1.2);
  });

  it("a connection's first request waits for its handshake's read and one round trip more", () => {
    // One connection a second (paced, rtt 100 ms): SYN at 0, connected and ClientHello read at
    // 0.1 s (50 ms), the client's Finished and request at 0.25 s, answered 0.26 s; request_latency
    // adds the response's trip (clients.rtt): 0.36 s. Before: the handshake ran at the SYN, inside
    // the connect's round trip, and the request was answered at 0.11 s (0.21 s).
    const r = run({ ...storm('100ms', 1, 'paced'), timeline: [] } as ScenarioInput, 1);
    const requests = r.histograms.request_latency;
    expect(requests.count).toBeGreaterThanOrEqual(3);
    expect(requests.max - requests.p50).toBeLessThan(1e-9);
    expect(requests.p50).toBeCloseTo(0.36, 9);
  });
});

/**
 * A bare node app ending TLS behind HAProxy mode http: a WebSocket upgrade at 0 whose ClientHello
 * blocks the idle loop 1 s (handshake_cpu), an HTTP check connecting at 0.1 s (timeout 2 s), two
 * more upgrades at 0.2 and 0.3 s (as test/model/app/first-request-after-accept.test.ts).
 */
function upgradesAfterCheck(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      ws: {
        initial_sessions: 0,
        ping_interval: 0,
        scheduled: ['0s', '200ms', '300ms'].map((at) => ({ at, lifetime: '1h' })),
      },
    },
    app: {
      workers: 1,
      service_time: 'const(100ms)',
      health_check_time: '1ms',
      ws: { handshake_time: '1ms' },
      tls: { terminates: 'app', handshake_cpu: '1s' },
    },
    lb: {
      mode: 'l7',
      balance: 'roundrobin',
      connect_timeout: '5s',
      retries: 3,
      timeout_server: '30s',
      timeout_tunnel: '1h',
    },
    // The check is HTTPS too (check-ssl): its own first handshake takes the loop 1 s (app/tls.ts
    // CheckTlsHandshakes), so it gets 3 s instead of 2.
    health_check: { type: 'http', inter: '2s', timeout: '3s', rise: 2, fall: 3, first_check: '100ms' },
    backends: [{ name: 'vm-a', proxy: 'none' }],
  } as ScenarioInput;
}

describe('TLS ending in an event-loop app: WebSocket upgrades', () => {
  it('the ClientHellos of upgrades connected after a check are read after it: the check passes', () => {
    // At 1 s the loop accepts the check's connection and reads its ClientHello (1 s: the check is
    // HTTPS too, session 20) before the later upgrades' (each 1 s), and its request before its
    // 3-s timeout. Before session 19 their handshakes were queued at their SYNs (0.2, 0.3 s) and
    // ran 1-3 s, ahead of the check, which timed out (Layer7 timeout).
    const r = run(upgradesAfterCheck(), 1);
    expect(totalIn(r, 'check_failures', 0, 4)).toBe(0);
  });
});
