/**
 * TLS ending in a bare app (`proxy: none`, `app.tls.terminates: app`): a connection's handshake is
 * not refused by the app's full request queue (`app.queue_limit`, whose refusal is an HTTP 503
 * answered at once). That 503 is written by the server's HTTP code, which runs only after the TLS
 * handshake: node's https server hands a socket to its HTTP connection listener at
 * 'secureConnection' (lib/https.js Server → tls.Server, lib/_tls_wrap.js), gunicorn's sync worker
 * calls the WSGI app after its ssl wrap and the request's parse (gunicorn/workers/sync.py
 * handle). Neither has a queue in front of the handshake: node's loop reads the ClientHello in its
 * turn (loop-tls.ts), a gunicorn connection waits in the kernel's accept queue, bounded by the
 * backlog (app-listener.ts). Before session 19's review fix (AppServer.tlsHandshake) a
 * handshake that met a full queue was answered "503" — a response no client can receive on a
 * connection whose handshake never ran.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/**
 * Three new connections, paced 40 ms apart (75/s for 40 ms), one request each, to one bare app
 * behind HAProxy mode tcp whose queue holds nothing (`queue_limit: 0`): 50-ms handshakes, 10-ms
 * requests, rtt 200 ms, so every handshake but the first finds the app busy with another.
 */
function busyHandshakes(acceptModel: 'event_loop' | 'worker_per_connection'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '3s',
    sample_interval: '100ms',
    clients: {
      rtt: '200ms',
      http: {
        arrival_rate: 75,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10s)',
        retries: 0,
      },
    },
    app: {
      workers: 1,
      accept_model: acceptModel,
      queue_limit: 0,
      service_time: 'const(10ms)',
      backlog: 511,
      keepalive_timeout: '60s',
      tls: { terminates: 'app', handshake_cpu: '50ms' },
    },
    lb: { mode: 'l4', balance: 'roundrobin', connect_timeout: '5s', retries: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
    timeline: [{ at: '40ms', do: 'load', http_rate: 0 }],
  } as ScenarioInput;
}

describe('TLS ending in the app: a full request queue does not answer a handshake', () => {
  for (const model of ['event_loop', 'worker_per_connection'] as const) {
    it(`${model}: the handshakes queue behind the busy app and every request is answered`, () => {
      // Now: the three handshakes run one after another, each request comes a round trip after
      // its own and finds the app free: 3 answered 2xx (latency 0.70-0.73 s event loop,
      // 0.91-1.15 s worker pool, whose worker waits each round trip). Before: the second and third
      // handshakes met the full queue and their requests were "answered" 503 (2 of 3).
      const r = run(busyHandshakes(model), 1);
      expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
      expect(r.figures['responses_2xx.total']).toBeGreaterThanOrEqual(3);
    });
  }
});
