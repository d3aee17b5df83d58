import type { ScenarioInput } from '../../sim/scenario/schema.js';

/**
 * 100 WebSocket upgrades/s on one app worker with a 2-deep queue and 50-ms handshakes, for 30 s:
 * most are answered 503 (ws-endpoint.ts reject()). `nginx` and `clients` add settings (e.g.
 * keepalive_timeout 0, one source address) to the storm's own.
 */
export function refusedUpgrades(
  mode: 'l4' | 'nat' | 'l7',
  more: { nginx?: Record<string, unknown>; clients?: Record<string, unknown> } = {},
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    // worker_connections as ingress-nginx: the refusals and the sessions let in outgrow 512 on a
    // worker; these tests are about who closes a refused upgrade, not the connection limit.
    nginx: { worker_connections: 16384, ...more.nginx },
    clients: {
      rtt: '30ms',
      ...more.clients,
      ws: {
        initial_sessions: 0,
        arrival_rate: 100,
        lifetime: 'const(1h)',
        ping_interval: '10s',
        reconnect: { policy: 'full_jitter', base: '500ms', cap: '5s' },
      },
    },
    app: { workers: 1, queue_limit: 2, ws: { handshake_time: '50ms' } },
    lb: { mode },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}
