/**
 * The pod's SIGTERM line names nginx's stop signal only when it reaches a running nginx (review40
 * #4): an nginx stopped before the pod's SIGTERM (timeline nginx_stop during the preStop) gets none.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function rollout(extra: unknown[]): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    clients: { requests: { rate: 20, timeout: '10s', retries: 0 } },
    app: { workers: 16, service_time: 'const(10ms)' },
    lb: { mode: 'nat', retries: 0 },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
    timeline: [...extra, { at: '30s', do: 'rollout', max_surge: 0, max_unavailable: 1, prestop_sleep: '10s' }],
  } as ScenarioInput;
}

describe("the pod's SIGTERM record and nginx", () => {
  it('nginx running: the record names its SIGQUIT', () => {
    const first = recordsOf(run(rollout([])), 'k8s.pod_sigterm')[0];
    expect(first.nginx).toBe('quit');
  });

  it('nginx stopped during the preStop: no nginx signal in the record', () => {
    const r = run(rollout([{ at: '35s', do: 'nginx_stop', backend: 'pod-a' }]));
    const a = recordsOf(r, 'k8s.pod_sigterm').find((x) => x.pod === 'pod-a');
    expect(a).toBeDefined();
    expect(a!.nginx).toBeUndefined();
  });
});
