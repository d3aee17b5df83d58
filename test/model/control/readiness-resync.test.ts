/**
 * The pod sync that a readiness result's change causes (kubelet.go syncLoopIteration: the
 * readiness update → handleProbeSync) runs the readiness probe again at once when the result is
 * Failure: generateAPIPodStatus → prober_manager.go UpdatePodStatus finds the running, started
 * container not Ready and sends on the worker's manualTriggerCh. A pod that goes NotReady is
 * probed again within about a relist, not at the worker's next tick.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** pod-a's app stops the world at 30 s for `pause`; its readiness probe ticks at 0, 10, 20 … s. */
function pausedPod(pause: string): RunResult {
  return run({
    warmup: '0s',
    horizon: '2m',
    clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
    lb: { mode: 'nat' },
    probes: { readiness: { type: 'http', period: '10s' } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
    timeline: [{ at: '30s', do: 'pause', backend: 'pod-a', duration: pause }],
  });
}

describe('the readiness probe after Ready → NotReady', () => {
  it('runs again at the sync the NotReady causes: an app that answers again is Ready at once, not a period later', () => {
    // Probes at 30, 40, 50 s time out (1 s): NotReady at 51 s. The app resumes at 51.5 s and
    // answers the probe the sync triggered at 51 s: Ready at 51.5 s. Before: at the tick at 60 s.
    const r = pausedPod('21.5s');
    const changes = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-a');
    expect(changes.map((x) => x.ready)).toEqual([false, true]);
    expect(changes[0].t).toBeCloseTo(51, 3);
    expect(changes[1].t - changes[0].t).toBeLessThan(1);
  });

  it('probes once more at that sync while the app still fails, and that probe restarts the ticker', () => {
    // Paused 30-90 s: the ticks at 30, 40, 50 s fail (NotReady at 51 s), then the probe at the
    // NotReady's sync (51 s), which resets the worker's ticker (worker.go run: probeTicker.Reset):
    // its ticks at 61, 71, 81 s fail (7 failures) and the one at 91 s passes. A ticker kept on its
    // phase failed at 60, 70, 80 s (also 7) and passed at 90 s.
    const r = pausedPod('60s');
    const changes = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-a');
    expect(changes.map((x) => x.ready)).toEqual([false, true]);
    expect(r.figures['check_failures.total']).toBe(7);
    expect(changes[1].t).toBeGreaterThan(91);
    expect(changes[1].t).toBeLessThan(91.05);
  });
});
