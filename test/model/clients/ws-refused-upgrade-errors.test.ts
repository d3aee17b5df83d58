/**
 * A refused WebSocket upgrade is a client-visible error (`errors`, README Outputs): `ws`
 * (lib/websocket.js initAsClient()) emits 'error' — "Unexpected server response: 503" for a
 * non-101 answer (abortHandshake()), ECONNRESET for a reset or an EOF before the answer (Node's
 * http client: "socket hang up", lib/_http_client.js socketOnEnd) — before its 'close', as
 * HAProxy's own 503 to an upgrade (clients/websocket.ts connectFailed) and a keep-alive client's
 * 5xx (http-keepalive.ts failedWith5xx) are counted. Before session 27 an upgrade refused by
 * nginx or the app (app/ws-endpoint.ts handshake(): reject(), nginx's reset at its accept with
 * worker_connections full) was reconnected without an error: 16,517 resets, 0 errors.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { refusedUpgrades } from '../refused-upgrades.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * 50 new sessions/s of an hour against nginx's default worker_connections (512 per worker, the
 * client's and the app's connection each taking one): after ~10 s each worker is full and nginx
 * closes every new connection at its accept (ngx_event_accept → ngx_get_connection fails:
 * "worker_connections are not enough", the socket closed before the upgrade came: FIN). The
 * clients back off (full jitter, 0.5–5 s) and try again: many refusals, each an error.
 */
function workerConnectionsFull(mode: 'nat' | 'l4' | 'l7'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    clients: {
      rtt: '20ms',
      ws: {
        initial_sessions: 0,
        arrival_rate: 50,
        lifetime: 'const(1h)',
        ping_interval: '30s',
        reconnect: { policy: 'full_jitter', base: '500ms', cap: '5s' },
      },
    },
    nginx: { proxy_read_timeout: '1h' },
    lb: { mode },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('a WebSocket upgrade refused by nginx or the app is a client error', () => {
  it("nginx's close at its accept (worker_connections full, lb.mode nat): one ECONNRESET per refusal", () => {
    const r = run(workerConnectionsFull('nat'), 1);
    const refused = fig(r, 'err_econnreset.total');
    expect(refused).toBeGreaterThan(1000);
    expect(fig(r, 'reconnects.total')).toBeGreaterThan(1000);
    // Nothing else errs in this run: every error is a refusal's. nginx's idle worker closes before
    // the upgrade arrives (worker-connections.ts refusedClose: FIN, EOF before any answer, which
    // `ws` reads through Node's http client as ECONNRESET, "socket hang up"); the upgrade then meets
    // the kernel's RST, not one of nginx's resets.
    expect(fig(r, 'errors.total')).toBe(refused);
    expect(fig(r, 'reset_out.total')).toBe(0);
  });

  it('the same through HAProxy mode tcp: the close reaches the client (ECONNRESET)', () => {
    const r = run(workerConnectionsFull('l4'), 1);
    const refused = fig(r, 'err_econnreset.total');
    expect(refused).toBeGreaterThan(1000);
    expect(fig(r, 'errors.total')).toBe(refused);
    expect(fig(r, 'reset_out.total')).toBe(0);
  });

  it('through HAProxy mode http the reset is answered 502: one HTTP 5xx error per refusal', () => {
    const r = run(workerConnectionsFull('l7'), 1);
    const refused = fig(r, 'responses_5xx.total');
    expect(refused).toBeGreaterThan(1000);
    expect(fig(r, 'err_econnreset.total')).toBe(0);
    expect(fig(r, 'errors.total')).toBe(refused);
  });

  it("the app's 503 (its request queue full): one HTTP 5xx error per refusal", () => {
    for (const mode of ['nat', 'l4', 'l7'] as const) {
      const r = run(refusedUpgrades(mode));
      const refused = fig(r, 'responses_5xx.total');
      expect(refused, mode).toBeGreaterThan(5000);
      expect(fig(r, 'errors.total'), mode).toBe(refused);
    }
  });
});
