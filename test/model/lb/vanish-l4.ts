import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * lb.mode l4 (HAProxy mode tcp) in front of vm-a and vm-b, 2-s client request timeouts: new
 * clients stop at 4 s and vm-a vanishes at 5 s, so its clients' requests time out by ≈ 7.2 s and
 * their streams are held (core/held-streams.ts); checks take vm-a DOWN later. `lb` adds to the
 * balancer's settings, `timeline` follows the vanish.
 */
export function vanishL4(lb: Record<string, unknown>, timeline: unknown[] = [], horizon = '25s'): ScenarioInput {
  return {
    warmup: '0s',
    horizon,
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 4,
        requests_per_connection: 'const(1000)',
        think_time: 'const(200ms)',
        retries: 0,
        request_timeout: '2s',
        // Each client ends with its timed-out request, so the held streams all date from the
        // vanish; going on (next_request) it would open new connections, some to vm-a until its DOWN.
        after_failure: 'leave',
      },
    },
    app: { workers: 16, service_time: 'const(1ms)' },
    lb: { mode: 'l4', balance: 'roundrobin', connect_timeout: '1s', retries: 0, timeout_client: '30s', ...lb },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [
      { at: '4s', do: 'load', http_rate: 0 },
      { at: '5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
      ...timeline,
    ],
  } as ScenarioInput;
}
