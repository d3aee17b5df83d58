/**
 * A request's timeout due at the same instant as its answer: which comes first is decided by the
 * engine's sequence numbers, and the timer's is taken when it is armed — before the app's service
 * end is scheduled, at the same instant (rtt 0, a kept-alive upstream connection). So the timeout
 * wins the tie, as it did when each timer was a heap entry cancelled by the answer (session 29) and
 * as it must now that a timer is a deadline cell in the client record, given up by a store
 * (engine.ts scheduleFixed, session 30): a timer armed late, or ordered after the heap's events on
 * ties, would let every answer through. nginx's proxy_read_timeout (504) and the client's
 * request_timeout (err_client_timeout) alike; a service time 1 ms shorter lets every answer through.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { run } from './helpers.js';

function tied(service: string, timeouts: { nginx?: string; client?: string }): ScenarioInput {
  return {
    name: 'timeout-answer-tie',
    seed: 3,
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    nginx: {
      ...(timeouts.nginx ? { proxy_read_timeout: timeouts.nginx } : {}),
      upstream_keepalive: 1000,
      worker_connections: 0,
    },
    app: { workers: 10000, service_time: service, queue_limit: 10000 },
    lb: { mode: 'l4', balance: 'roundrobin' },
    clients: {
      rtt: '0ms',
      http: {
        ...(timeouts.client ? { request_timeout: timeouts.client } : {}),
        arrival_rate: 20,
        requests_per_connection: 'exp(mean=5)',
        think_time: 'exp(mean=200ms)',
      },
    },
    backends: [{ name: 'b0' }, { name: 'b1' }],
  } as unknown as ScenarioInput;
}

describe('a timeout tied with its answer', () => {
  it("nginx's proxy_read_timeout at the service end's instant: every answer is a 504", () => {
    const f = run(tied('const(250ms)', { nginx: '250ms' })).figures;
    // Every answered request (those still in service at the horizon aside): 504.
    expect(f['responses_5xx.total']).toBeGreaterThan(0.9 * f['requests.total']!);
    expect(f['responses_2xx.total'] ?? 0).toBe(0);
  });

  it("the client's request_timeout at the answer's instant: every request times out, none is answered", () => {
    const f = run(tied('const(250ms)', { client: '250ms' })).figures;
    expect(f['err_client_timeout.total']).toBeGreaterThan(0.9 * f['requests.total']!);
    expect(f['responses_2xx.total'] ?? 0).toBe(0);
  });

  it('a service 1 ms shorter than either timeout: every answer comes first', () => {
    for (const timeouts of [{ nginx: '250ms' }, { client: '250ms' }]) {
      const f = run(tied('const(249ms)', timeouts)).figures;
      expect(f['responses_2xx.total']).toBeGreaterThan(0.9 * f['requests.total']!);
      expect((f['responses_5xx.total'] ?? 0) + (f['err_client_timeout.total'] ?? 0)).toBe(0);
    }
  });
});
