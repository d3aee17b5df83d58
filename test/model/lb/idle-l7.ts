import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/** Keep-alive clients idling 40 s between 6 requests behind an L7 balancer over vm-a and vm-b. */
export function idleL7(lb: Record<string, unknown>, horizon: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon,
    sample_interval: '10s',
    clients: {
      // idle_timeout 0s: the clients keep their idle connections, so the balancer's timeouts close them.
      http: {
        arrival_rate: 1,
        requests_per_connection: 'const(6)',
        think_time: 'const(40s)',
        idle_timeout: '0s',
        retries: 0,
      },
    },
    lb: { mode: 'l7', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}
