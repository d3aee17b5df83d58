/**
 * A draining gunicorn (app.sigterm_keepalive: gunicorn) that nginx outlives (a pod's liveness kill)
 * does not exit while nginx still caches a connection to it: its gthread worker loops while
 * nr_conns > 0 (workers/gthread.py run()), serving the next request on a kept connection
 * (`Connection: close`) — node's `server.close()` callback waits the same way for its
 * _connections (lib/net.js _emitCloseIfDrained). review47 A7: sim/model/vm/app-exit.ts
 * appCanExit(), the servesKeptConnsDraining / upstreamPool clause.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/**
 * One pod behind nginx (upstream keepalive 32), 20 one-request client connections/s of 1 ms behind
 * kube-proxy; a maintenance file at 2.2 s fails the liveness probe at 3 s: SIGTERM with nginx
 * running and, the app idle between requests, nginx's cached connection idle.
 */
const input = {
  warmup: '0s',
  horizon: '6s',
  clients: {
    rtt: '1ms',
    http: { arrival_rate: 20, requests_per_connection: 'const(1)', think_time: 'const(10ms)', retries: 0 },
  },
  app: {
    workers: 32,
    service_time: 'const(1ms)',
    sigterm_keepalive: 'gunicorn',
    keepalive_timeout: '2s',
    graceful_shutdown: true,
    shutdown_grace: '30s',
  },
  nginx: { worker_processes: 1, upstream_keepalive: 32 },
  lb: { mode: 'nat', retries: 0 },
  probes: { liveness: { type: 'http', period: '1s', failure_threshold: 1 } },
  backends: [{ name: 'pod-a' }],
  timeline: [{ at: '2.2s', do: 'health_404', backend: 'pod-a' }],
} as ScenarioInput;

describe('a draining gunicorn waits for the connections nginx caches before it exits', () => {
  it('idle at its SIGTERM, it stays up to serve nginx’s next request on the cached connection', () => {
    const r = run(input, 1);
    const kill = r.events.find((l) => l.record.kind === 'k8s.liveness_failed');
    const died = r.events.find((l) => l.record.kind === 'k8s.container_died');
    expect(kill?.t).toBeCloseTo(3.001, 6);
    // Exiting when idle, it died at its SIGTERM (3.001 s) and nginx's next request met a refused
    // connect instead: here it serves that request (one 2xx after the SIGTERM), then exits.
    expect(died?.t ?? 0).toBeGreaterThan((kill?.t ?? 0) + 0.05);
    expect(between(r, 'responses_2xx', 3, 4)).toBeGreaterThanOrEqual(1);
    // None of nginx's requests met a reset on a cached connection.
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
  });
});
