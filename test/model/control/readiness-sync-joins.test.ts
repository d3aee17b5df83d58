/**
 * A readiness update while a sync of the pod is still pending joins it (kubelet.ts readinessSync):
 * pkg/kubelet/pod_workers.go UpdatePod replaces the pod's pending update and its podUpdates
 * channel holds one signal, so the pending sync is the one that runs — no second sync a relist
 * after it. Regime where that decides a figure: a new pod whose app listens before the relist
 * that sees it (s) is Ready at once (the relist's triggered probe), while the sync its initial
 * Failure asked for is pending for the next relist (s + 1, initialReadinessSync); the Ready joins
 * it. With a readiness period of 2 s the ticker (reset by that trigger) probes at s + 2: a
 * maintenance file from s + 1.5 to s + 2.5 makes that probe fail. The NotReady's sync runs at
 * once (the pod last synced at s + 1, a relist ago), its trigger probes while the file is still
 * there and resets the ticker: Ready again at s + 4. Had the Ready started a sync of its own
 * (s + 2), the NotReady would wait for the relist after it (s + 3) and that probe, after the
 * file's removal, would make the pod Ready a second early.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { RelistGrid } from '../../../sim/model/control/kubelet-timing.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

const AT = 30;

function rollout(seed: number) {
  const pleg = new RelistGrid(0, new RandomStreams(seed).stream('k8s.pleg').next());
  const seen = AT + pleg.lagAfter(AT);
  const at = (dt: number) => `${(seen + dt).toFixed(6)}s`;
  const r = run(
    {
      warmup: '0s',
      horizon: '1m',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      // Listening before the relist that sees the container.
      app: { startup_time: `${((seen - AT) / 2).toFixed(6)}s` },
      lb: { mode: 'nat' },
      probes: { readiness: { period: '2s', failure_threshold: 1 } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c', state: 'detached' }],
      timeline: [
        { at: `${AT}s`, do: 'rollout', pods: ['pod-a'], endpoint_propagation: 'const(1s)' },
        { at: at(1.5), do: 'health_404', backend: 'pod-c' },
        { at: at(2.5), do: 'health_200', backend: 'pod-c' },
      ],
    } as ScenarioInput,
    seed,
  );
  const records = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-c');
  return { seen, records };
}

describe('a readiness update joins the sync of the pod still pending', () => {
  for (const seed of [1, 2, 3])
    it(`a new pod Ready at its first probe, NotReady at s + 2: the NotReady's sync runs at once, Ready again at s + 4, not s + 3 (seed ${seed})`, () => {
      const { seen, records } = rollout(seed);
      expect(records.map((x) => x.ready)).toEqual([true, false, true]);
      const [ready, notReady, again] = records.map((x) => x.t - seen);
      // The relist's probe answered in 1 ms; the ticker's probe at s + 2 met the file.
      expect(ready).toBeLessThan(0.01);
      expect(notReady! - 2).toBeGreaterThanOrEqual(0);
      expect(notReady! - 2).toBeLessThan(0.01);
      // The NotReady's trigger at s + 2 met the file too and reset the ticker: the next probe is
      // at s + 4. A second sync after the joined one would have probed at s + 3 (3.001).
      expect(again! - 4).toBeGreaterThanOrEqual(0);
      expect(again! - 4).toBeLessThan(0.01);
    });
});
