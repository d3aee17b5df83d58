import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * Clients (`http`: their clients.http keys) behind lb `mode` (a NAT by default) to vm-a and vm-b;
 * vm-a vanishes (no FIN, no RST) at `at`. With `tcpRetries2` (3: ~7 s) the clients' kernels give up
 * on a request retransmitted to nobody sooner than the default's 15 retransmissions.
 */
export function vanishVmA({
  http,
  app,
  at,
  mode = 'nat',
  tcpRetries2,
  horizon = '40s',
}: {
  http: Record<string, unknown>;
  app: Record<string, unknown>;
  at: string;
  mode?: 'nat' | 'l4';
  tcpRetries2?: number;
  horizon?: string;
}): ScenarioInput {
  return {
    warmup: '0s',
    horizon,
    sample_interval: '1s',
    clients: { rtt: '1ms', kernel: tcpRetries2 === undefined ? {} : { tcp_retries2: tcpRetries2 }, http },
    app,
    lb: { mode },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at, do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
  } as ScenarioInput;
}

/** Keep-alive clients: 4 new a second, 200 requests a connection 500 ms apart, 2 immediate retries. */
export const KEEPALIVE_CLIENTS = {
  arrival_rate: 4,
  requests_per_connection: 'const(200)',
  think_time: 'const(500ms)',
  retries: 2,
  retry_backoff: { policy: 'immediate' },
  request_timeout: '30s',
};

/** Their app: 8 workers, 5 ms a request. */
export const KEEPALIVE_APP = { workers: 8, service_time: 'const(5ms)' };
