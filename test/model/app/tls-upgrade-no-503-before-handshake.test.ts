/**
 * A WebSocket upgrade to a bare app that ends TLS itself (`proxy: none`, `app.tls.terminates:
 * app`): no 503 before the handshake. The upgrade is an HTTP request on the TLS connection, read
 * only once the handshake is done — node's https server hands a socket to its HTTP connection
 * listener (and so to 'upgrade') only at 'secureConnection' (lib/https.js Server → tls.Server;
 * lib/_tls_wrap.js tlsConnectionListener: the TLSSocket's handshake in TLSWrap first), gunicorn's
 * sync worker after its ssl wrap (gunicorn/workers/sync.py handle). Before session 20
 * (ws-endpoint.ts handshakeWork) the upgrade met `app.queue_limit` at its connect and was
 * answered 503 with no handshake run; HTTP requests had that fixed in session 19
 * (tls-no-503-before-handshake.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series, valueAt } from '../helpers.js';

/**
 * One HTTP request at 0 s that holds the one-worker app from 0.45 s to 0.95 s (connected at 0.2 s,
 * a 50-ms handshake, its request a round trip later, 500 ms of service), and a WebSocket client
 * connecting at `wsAt` behind HAProxy mode tcp, rtt 200 ms, a queue that holds nothing
 * (`queue_limit: 0`).
 */
function upgradeWhileBusy(model: 'event_loop' | 'worker_per_connection', wsAt: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '3s',
    sample_interval: '50ms',
    clients: {
      rtt: '200ms',
      ws: { initial_sessions: 0, ping_interval: 0, scheduled: [{ at: wsAt, lifetime: '1h' }] },
      http: {
        arrival_rate: 1,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10s)',
        retries: 0,
      },
    },
    app: {
      workers: 1,
      accept_model: model,
      queue_limit: 0,
      service_time: 'const(500ms)',
      backlog: 511,
      keepalive_timeout: '60s',
      ws: { handshake_time: '1ms' },
      tls: { terminates: 'app', handshake_cpu: '50ms' },
    },
    lb: { mode: 'l4', balance: 'roundrobin', connect_timeout: '5s', retries: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
    timeline: [{ at: '10ms', do: 'load', http_rate: 0 }],
  } as ScenarioInput;
}

describe('TLS ending in a bare app: a WebSocket upgrade is not refused before its handshake', () => {
  for (const model of ['event_loop', 'worker_per_connection'] as const) {
    it(`${model}: an upgrade connecting while the app is busy gets its handshake, then its session`, () => {
      // Connected at 0.7 s, the app busy until 0.95 s: the ClientHello waits for it (its
      // handshake holds no place under queue_limit), the upgrade follows a round trip after the
      // flight and finds the app free. Before: 503 at 0.7 s, and at the retry too (2 refused, no session).
      const r = run(upgradeWhileBusy(model, '0.5s'), 1);
      expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
      expect(valueAt(r, 'ws_sessions', 1.5)).toBe(1);
      expect(valueAt(r, 'ws_sessions', 2.9)).toBe(1);
    });
  }

  it('event_loop: a full queue refuses the upgrade when it is read, a round trip after the handshake', () => {
    // Connected at 0.25 s, ClientHello read and flight out by 0.3 s, the upgrade at 0.5 s finds the
    // loop serving the request (0.45–0.95 s) and nothing may queue: 503 then, on the secured
    // connection; the client backs off and its next upgrade gets a session. The refused upgrade
    // never was a session: no duration recorded; its client read the 503 (an HTTP 5xx error, session 27).
    const r = run(upgradeWhileBusy('event_loop', '0.05s'), 1);
    expect(r.figures['responses_5xx.total']).toBe(1);
    expect(r.figures['errors.total']).toBe(1);
    expect(series(r, 'responses_5xx').filter(([, v]) => v > 0)).toEqual([[0.5, 1]]);
    expect(valueAt(r, 'ws_sessions', 2.9)).toBe(1);
    expect(r.figures['ws_session_duration.count']).toBe(0);
  });

  it('event_loop: the refused upgrade is not a session the server closed (ws_moved_again)', () => {
    // The same refusal, then the session the retry got is closed by its 1-s TTL (1001): the
    // server closed this user's session once. Before session 27 the refusal counted as a first
    // server close (closedByServer) and the TTL's as the second: ws_moved_again 1.
    const input = upgradeWhileBusy('event_loop', '0.05s');
    input.app = { ...input.app, ws: { handshake_time: '1ms', session_ttl: '1s' } };
    const r = run(input, 1);
    expect(r.figures['responses_5xx.total']).toBe(1);
    expect(r.figures['ws_close_1001.total']).toBeGreaterThanOrEqual(1);
    expect(r.figures['ws_moved_again.total']).toBe(0);
  });
});
