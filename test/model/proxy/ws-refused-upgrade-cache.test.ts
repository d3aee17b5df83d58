/**
 * An upgrade the app refuses (it no longer takes WebSockets: SIGTERMed, here by the kubelet after a
 * failed liveness probe, nginx left running) takes a connection from nginx's upstream keep-alive
 * cache only if the draining app still reads it (app/ws-endpoint.ts cachedFor; session 27: node
 * keeps those busy at its SIGTERM), and gives it back after the app's 503 (cacheAgain): a cached
 * connection taken and not given back would belong to nobody — never used, never closed with the
 * cache when the app dies (proxy/upstream.ts closeCached), its port held for good. Regime: one pod,
 * nginx with upstream keepalive 32 and one worker, keep-alive clients (one request each, 2 a
 * second, half of them 600 ms, half 6 s long) behind kube-proxy; a maintenance file at 2.2 s fails
 * the liveness probe at 3 s, the app drains its slow requests until the kill. Its SIGTERM closed
 * the connections idle then (AppServer.onServerClose); the 600-ms request sent at 2.5 s ends at
 * 3.1 s and nginx caches its connection again (node keeps it alive while draining), so an
 * upgrade at 3.3 s is refused while nginx's cache holds it. The load stops at 3.1 s: no request
 * takes that connection before the upgrade (a draining app serves requests on cached connections,
 * upstream-draining-cached.test.ts), and the app is idle, so killed, once its slow requests end.
 * Catches review41 WS2: cachedFor taking a cached connection whatever the app (the port of the one
 * it took is still busy at the end).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';

describe('a WebSocket upgrade refused by a SIGTERMed app behind nginx with upstream keepalive', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(
      {
        warmup: '0s',
        horizon: '10s',
        clients: {
          rtt: '1ms',
          http: {
            arrival_rate: 2,
            arrivals: 'paced',
            requests_per_connection: 'const(1)',
            think_time: 'const(10ms)',
            retries: 0,
          },
          ws: { initial_sessions: 0, ping_interval: 0, scheduled: [{ at: '3.3s', lifetime: '1s' }] },
        },
        app: {
          workers: 8,
          service_time: 'mix(0.5 const(600ms), 0.5 const(6s))',
          // The app closes a socket idle for 1 s (node's keepAliveTimeout): its SIGTERMed process
          // exits once its slow requests end and nginx's cached connections to it are closed
          // (vm/app-exit.ts, node's server.close() callback), well before the horizon.
          keepalive_timeout: '1s',
          ws: { handshake_time: '1ms' },
        },
        nginx: { worker_processes: 1, upstream_keepalive: 32 },
        lb: { mode: 'nat', retries: 0 },
        probes: { liveness: { type: 'http', period: '1s', failure_threshold: 1 } },
        backends: [{ name: 'pod-a' }],
        timeline: [
          { at: '2.2s', do: 'health_404', backend: 'pod-a' },
          { at: '3.1s', do: 'load', http_rate: 0 },
        ],
      } as ScenarioInput,
      1,
    );
  });

  it("takes no cached connection: every nginx upstream port is free once the app's container is gone", () => {
    // The regime: the liveness failure (3 s) before the upgrade, the container killed after it.
    const [failed] = recordsOf(r, 'k8s.liveness_failed');
    expect(failed.t).toBeLessThan(3.3);
    const [died] = recordsOf(r, 'k8s.container_died');
    expect(died.t).toBeGreaterThan(3.3);
    expect(died.t).toBeLessThan(9.5);
    // Ports were held by the upstream connections (cached and in flight) until the kill.
    expect(valueAt(r, 'upstream_ports_busy', 4)).toBeGreaterThan(0);
    expect(valueAt(r, 'upstream_ports_busy', 10)).toBe(0);
  });
});
