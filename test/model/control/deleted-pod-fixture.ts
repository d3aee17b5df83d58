import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * Two pods; pod-a is deleted at 30 s with no preStop (SIGTERM at once, the app exits ~0.1 s
 * later); its endpoint's removal reaches the balancer 4 s after the deletion. The replacement (no
 * room for a surge pod: the same slot) listens 1 s after its creation. `extra` adds or replaces
 * top-level keys (clients, lb, kubernetes).
 */
export function deletedPodRollout(extra: Partial<ScenarioInput>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    app: { workers: 32, service_time: 'const(10ms)', startup_time: '1s' },
    probes: { readiness: { type: 'http' } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
    timeline: [
      {
        at: '30s',
        do: 'rollout',
        pods: ['pod-a'],
        max_surge: 0,
        max_unavailable: 1,
        termination_grace_period: '30s',
        prestop_sleep: '0s',
        endpoint_propagation: 'const(4s)',
      },
    ],
    ...extra,
  } as ScenarioInput;
}
