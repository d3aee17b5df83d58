import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * 60 users in the first second on one bare app (`proxy: none`, 500 ms a request), each keeping its
 * connection, behind lb.mode l4 or nat; a TCP check every 2 s. The burst that fills an event
 * loop's accept queue (test/model/app/event-loop-accepts.test.ts, client-ack-overflow.test.ts).
 */
export function bareBurst(
  mode: 'l4' | 'nat',
  workers: number,
  backlog: number,
  acceptModel?: 'event_loop' | 'worker_per_connection',
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 60, requests_per_connection: 'const(1000)', think_time: 'const(1s)', retries: 0 },
    },
    app: { workers, service_time: 'const(500ms)', backlog, keepalive_timeout: '60s', accept_model: acceptModel },
    lb: { mode, balance: 'roundrobin', connect_timeout: '5s', retries: 3 },
    health_check: { type: 'tcp', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
    timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
  } as ScenarioInput;
}
