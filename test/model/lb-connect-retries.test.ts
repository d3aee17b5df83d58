/**
 * The open-loop L7 balancer's connection retries, as HAProxy makes them: a SYN dropped by a full
 * accept queue is retransmitted by the balancer's kernel (1 s apart for the first five with
 * tcp_syn_linear_timeouts=4) to the same server until `timeout connect`; then HAProxy retries the
 * same server, and only with `option redispatch` does its last retry go to another one.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { run, window } from './helpers.js';

const total = (r: ReturnType<typeof run>, name: string, backend: string) =>
  window(r, name, 0, 40, backend).reduce((a, b) => a + b, 0);

/** vm-a stops for 60 s with a one-slot accept queue, so nearly every SYN to it is dropped. */
function stalledBackend(lb: Record<string, unknown>): ScenarioInput {
  return {
    horizon: '40s',
    clients: { requests: { rate: 20, timeout: '60s', retries: 0 } },
    app: { workers: 1, service_time: 'const(1ms)', backlog: 1 },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 1, connect_timeout: '5s', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '5s', do: 'pause', backend: 'vm-a', duration: '60s' }],
  } as ScenarioInput;
}

describe('open-loop L7 balancer: connection retries to a full accept queue', () => {
  it('without redispatch: five SYNs per connect, two connects to the same server, then a 503 after 10 s', () => {
    const r = run(stalledBackend({ redispatch: false }));
    const attemptsA = total(r, 'attempts', 'vm-a');
    // Every request sent to vm-a after its queue filled is tried twice there and nowhere else.
    expect(total(r, 'attempts', 'vm-b')).toBeLessThan(0.6 * r.figures['offered.total']!);
    // Five SYNs (at 0, 1, 2, 3, 4 s) per connect; connects still running at the end sent fewer.
    expect(total(r, 'syn_drops', 'vm-a')).toBeGreaterThan(4 * attemptsA);
    expect(total(r, 'syn_drops', 'vm-a')).toBeLessThanOrEqual(5 * attemptsA);
    // Requests sent to vm-a from 5 s to 30 s have failed by 40 s (10 s each); none was served.
    expect(r.figures['req_failed.total']!).toBeGreaterThan(200);
    expect(window(r, 'goodput', 6, 40, 'vm-a').reduce((a, b) => a + b, 0)).toBeLessThan(5);
    expect(r.figures['open_loop_latency.max']!).toBeLessThan(0.1);
  });

  it('with redispatch: the retry after `timeout connect` goes to vm-b and is served 5 s late', () => {
    const r = run(stalledBackend({ redispatch: true }));
    expect(r.figures['req_failed.total']).toBe(0);
    expect(r.figures['open_loop_latency.max']!).toBeGreaterThan(5);
    expect(r.figures['open_loop_latency.max']!).toBeLessThan(5.1);
  });
});
