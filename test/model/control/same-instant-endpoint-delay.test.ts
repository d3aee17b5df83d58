/**
 * A change to a Service's pods written while an earlier one is still on its way reaches kube-proxy
 * with it (control/k8s-endpoints.ts ServiceEndpoints.publishedAt): one EndpointSlice sync writes
 * both, one kube-proxy sync applies the whole state. A rollout deletes the next old pod at the
 * instant its new pod's Ready is written, so that deletion's removal takes the Ready's delay,
 * drawn from the stated distribution, not the later of two independent draws (max of two
 * uniform(1 s, 5 s): mean 3.67 s, P(> 4 s) 0.44, the model before session 29).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/**
 * pod-a is replaced first (nothing else in flight), then pod-b, deleted at the instant pod-a's
 * replacement is Ready: its app listens 8 s after its start, well after pod-a's own removal and
 * deletion have landed (≤ 5 s after its exit).
 */
function removalDelayOfSecond(seed: number): number {
  const r = run(
    {
      warmup: '0s',
      horizon: '70s',
      clients: { requests: { rate: 5, timeout: '5s', retries: 0 } },
      app: { workers: 4, service_time: 'const(5ms)', startup_time: '8s' },
      lb: { mode: 'nat', retries: 0 },
      probes: { readiness: { type: 'http' } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }],
      timeline: [
        {
          at: '20s',
          do: 'rollout',
          pods: ['pod-a', 'pod-b'],
          endpoint_propagation: 'uniform(1s, 5s)',
          max_surge: 0,
          max_unavailable: 1,
        },
      ],
    } as ScenarioInput,
    seed,
  );
  const removed = recordsOf(r, 'k8s.endpoint_removed').filter((x) => x.pod === 'pod-b');
  expect(removed).toHaveLength(1);
  return removed[0].delay;
}

describe('a deletion written with a Ready lands with it', () => {
  it('its removal delay follows the stated uniform(1 s, 5 s) over 200 seeds, not the max of two draws', () => {
    const delays = Array.from({ length: 200 }, (_, i) => removalDelayOfSecond(i + 1));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    const over4 = delays.filter((d) => d > 4).length / delays.length;
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(1 - 1e-9);
      expect(d).toBeLessThanOrEqual(5 + 1e-9);
    }
    // uniform(1, 5): mean 3 (standard error 0.08 over 200), P(> 4 s) 0.25 (0.03). The max of two
    // draws: 3.67 and 0.44.
    expect(mean).toBeGreaterThan(2.7);
    expect(mean).toBeLessThan(3.3);
    expect(over4).toBeGreaterThan(0.15);
    expect(over4).toBeLessThan(0.35);
  });
});
