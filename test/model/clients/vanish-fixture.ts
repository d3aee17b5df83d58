import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * Clients (`http`: their clients.http keys) behind a NAT to vm-a and vm-b, their kernels giving up
 * on a request retransmitted to nobody after tcp_retries2 3 (~7 s); vm-a vanishes at `at`. 40 s.
 */
export function vanishBehindNat(
  http: Record<string, unknown>,
  app: Record<string, unknown>,
  at: string,
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    sample_interval: '1s',
    clients: { rtt: '1ms', kernel: { tcp_retries2: 3 }, http },
    app,
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at, do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
  } as ScenarioInput;
}
