/**
 * `in_service` counts the endpoints really in service: a backend the balancer has as a server
 * (not detached) whose checks and readiness pass. An empty slot — a spare backend with no pod
 * yet, an old pod's backend once the pod is deleted and nothing replaced it — is no endpoint.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

// Four slots for three pods: pod-d is a node with room and no pod; the rollout moves the three
// pods one slot on, so after it pod-c's slot is the empty one.
const rollout = {
  horizon: '3m',
  clients: { requests: { rate: 300, timeout: '2s', retries: 0 } },
  app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '5s' },
  lb: { mode: 'l4', retries: 0 },
  backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }, { name: 'pod-d', state: 'detached' }],
  timeline: [
    {
      at: '30s',
      do: 'rollout',
      termination_grace_period: '30s',
      prestop_sleep: '5s',
      endpoint_propagation: '1s',
      max_surge: 0,
      max_unavailable: 1,
    },
  ],
} as ScenarioInput;

describe('in_service counts endpoints, not slots', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(rollout, 1);
  });

  it('a spare backend with no pod is not in service (it counted as 1 before)', () => {
    expect(valueAt(r, 'in_service', 20, 'pod-d')).toBe(0);
    expect(valueAt(r, 'in_service', 20)).toBe(3);
  });

  it('the new pod in the spare slot is; the slot its old pod left empty is not', () => {
    expect(valueAt(r, 'in_service', 170, 'pod-d')).toBe(1);
    expect(valueAt(r, 'in_service', 170, 'pod-c')).toBe(0);
    expect(valueAt(r, 'in_service', 170)).toBe(3);
  });
});
