/**
 * A rollout's new pod's liveness worker starts with the pod (pkg/kubelet/prober/prober_manager.go
 * AddPod → worker.go run: time.NewTicker(periodSeconds) from then) and, unlike readiness, no
 * relist trigger resets it (prober_manager.go UpdatePodStatus triggers only the readiness worker's
 * manualTriggerCh), so its probes run a whole number of periods after the pod's creation. Regime:
 * the new pod's app takes 40 s to listen, so its liveness probes are refused and the third
 * failure (failure_threshold 3, period 10 s) comes exactly 30 s after the creation, whatever the
 * backend's previous pod's ticker was. Catches review41 R2: lb/health-checker.ts podAdded
 * returning at once (the new pod inherits the old pod's ticker: its failures fall on that phase).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function rolloutAt(at: number): RunResult {
  return run({
    warmup: '0s',
    horizon: '2m',
    clients: { requests: { rate: 50, timeout: '5s', retries: 0 } },
    app: { startup_time: '40s' },
    lb: { mode: 'nat' },
    probes: { liveness: { type: 'http', period: '10s', failure_threshold: 3 } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c', state: 'detached' }],
    timeline: [{ at: `${at}s`, do: 'rollout', pods: ['pod-a'], endpoint_propagation: 'const(1s)' }],
  } as ScenarioInput);
}

describe("a new pod's liveness ticker starts at its creation", () => {
  const AT = [30, 33, 37.5];
  const runs = new Map<number, RunResult>();
  beforeAll(() => {
    for (const at of AT) runs.set(at, rolloutAt(at));
  });

  it('its failing probes come 10, 20 and 30 s after the creation; the third fails the probe', () => {
    for (const [at, r] of runs) {
      // pod-c is the new pod (the spare slot), created at `at`.
      const failed = recordsOf(r, 'k8s.liveness_failed').filter((x) => x.pod === 'pod-c');
      expect(failed.length, `rollout at ${at}`).toBeGreaterThan(0);
      expect(failed[0].t, `rollout at ${at}`).toBeCloseTo(at + 30, 3);
    }
  });
});
