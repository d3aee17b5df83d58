import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * One app worker busy for 60 s and an app backlog of 1 behind nginx: of three requests at 0 s the
 * first is served, the second waits in the app's accept queue, the third's SYNs (nginx → app) are
 * dropped (syn-giveup.test.ts, upstream-next-audit.test.ts). `http` and `nginx` add keys to the
 * clients' and nginx's; `synRetries` is the VM kernel's tcp_syn_retries (its default without).
 */
export function busyApp({
  http = {},
  nginx = {},
  synRetries,
}: {
  http?: Record<string, unknown>;
  nginx?: Record<string, unknown>;
  synRetries?: number;
}): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      http: { arrival_rate: 0, requests_per_connection: 'const(1)', request_timeout: '120s', retries: 0, ...http },
    },
    app: { workers: 1, backlog: 1, service_time: 'const(60s)' },
    nginx: { proxy_read_timeout: '120s', ...nginx },
    kernel: synRetries === undefined ? {} : { tcp_syn_retries: synRetries },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '0s', do: 'load', http_rate: 1000 },
      { at: '0.003s', do: 'load', http_rate: 0 },
    ],
  } as ScenarioInput;
}
