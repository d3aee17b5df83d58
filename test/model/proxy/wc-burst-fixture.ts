import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * ~20 keep-alive clients (Poisson, the first half second) in a closed loop: 1-s requests, 500-ms
 * think; a dropped one retries 200 ms later, when the others may be thinking. `nginx` and `http`
 * are merged into nginx's and the clients' settings, `timeline` follows the load's end.
 */
export function wcBurst(
  nginx: Record<string, unknown>,
  http: Record<string, unknown> = {},
  timeline: unknown[] = [],
): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '8s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      http: {
        arrival_rate: 40,
        requests_per_connection: 'const(1000)',
        think_time: 'const(500ms)',
        retries: 20,
        retry_backoff: { policy: 'exponential', base: '200ms', cap: '200ms' },
        ...http,
      },
    },
    app: { workers: 1000, service_time: 'const(1s)' },
    nginx: { keepalive_timeout: '60s', ...nginx },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '0.5s', do: 'load', http_rate: 0 }, ...timeline],
  } as ScenarioInput;
}

/** 100 WebSocket upgrades at t = 1 s (no reconnect before the 3-s horizon) to one nginx with `nginx` set. */
export function wsUpgrades(nginx: Record<string, unknown>): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '3s',
    sample_interval: '100ms',
    clients: {
      ws: {
        ping_interval: 'none',
        scheduled: Array.from({ length: 100 }, () => ({ at: '1s', lifetime: '1h' })),
        reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
      },
    },
    nginx,
    app: { ws: { handshake_time: '0s' } },
    backends: [{ name: 'vm-a' }],
  };
}
