/**
 * A WebSocket opening handshake is an HTTP request the app serves (RFC 6455 §4), plus the TLS
 * handshake of nginx's upstream connection when TLS ends in the app (app.tls; resumed with nginx's
 * saved session after each nginx worker's first, app/tls.ts TlsHandshakes.upstream): a reconnect storm takes the app's workers from the
 * requests queued behind it (ws-endpoint.ts handshakeWork).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

/** 600 new sessions/s on one VM with 2 workers (an event-loop app on two cores). */
function storm(app: Record<string, unknown>): RunResult {
  return run({
    warmup: '0s',
    horizon: '30s',
    clients: {
      http: { arrival_rate: 5, requests_per_connection: 'const(10)', think_time: 'const(500ms)' },
      ws: { arrival_rate: 600, lifetime: 'const(10s)' },
    },
    app: { workers: 2, service_time: 'const(2ms)', ...app },
    // As ingress-nginx: 6,000 sessions of 10 s hold 12,000 connections on the one worker; this test
    // is about the handshakes' CPU, not the connection limit.
    nginx: { worker_connections: 16384 },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput);
}

const busy = (r: RunResult) => Math.max(...window(r, 'app_busy', 10, 30, 'vm-a'));
const queued = (r: RunResult) => Math.max(...window(r, 'app_queue', 10, 30, 'vm-a'));

describe('the CPU cost of a WebSocket handshake and of TLS', () => {
  it('without cost (handshake_time 0, no TLS) a storm of 600/s leaves the workers idle', () => {
    const r = storm({ ws: { handshake_time: '0s' } });
    expect(queued(r)).toBe(0);
  });

  it('1 ms handshakes plus TLS at the app (0.1 ms resumed) need 0.66 of 2 workers: busy, no queue build-up', () => {
    const r = storm({ tls: { terminates: 'app' } });
    expect(busy(r)).toBeGreaterThanOrEqual(1);
    expect(queued(r)).toBeLessThan(50);
  });

  it('5 ms of auth per handshake plus TLS overloads 2 workers (600 × 5.1 ms = 3.1 worker-s/s): the queue fills and upgrades fail', () => {
    const r = storm({ ws: { handshake_time: '5ms' }, tls: { terminates: 'app' }, queue_limit: 200 });
    expect(queued(r)).toBeGreaterThanOrEqual(150);
    expect(r.figures['responses_5xx.total']).toBeGreaterThan(1000);
  });
});
