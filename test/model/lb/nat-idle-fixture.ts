import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * Keep-alive clients that wait `think` between requests behind an L4 balancer; nginx keeps idle
 * connections 20 min, so only the balancer's NAT table (lb.nat_idle_timeout, lb/nat-idle.ts) can
 * forget a flow. `http` adds to clients.http (clients.http.library: http-library.test.ts).
 */
export function idleClients(
  mode: 'nat' | 'l4',
  think: string,
  natIdle?: string,
  http: Record<string, unknown> = {},
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30m',
    sample_interval: '10s',
    nginx: { keepalive_timeout: '20m' },
    clients: {
      http: {
        arrival_rate: 0.2,
        requests_per_connection: 'const(4)',
        think_time: `const(${think})`,
        // A client that keeps its idle connection (not a library's own idle timeout): the NAT's
        // idle timeout decides.
        idle_timeout: '0s',
        retries: 0,
        ...http,
      },
    },
    lb: natIdle === undefined ? { mode } : { mode, nat_idle_timeout: natIdle },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}
