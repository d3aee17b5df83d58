/**
 * The pod worker's periodic resync (pkg/kubelet/pod_workers.go completeWork: a sync without error
 * is requeued wait.Jitter(resyncInterval 60 s, 0.5) later, taken at the kubelet's 1 s sync tick).
 * Each such sync runs prober_manager.go UpdatePodStatus, which runs the readiness probe at once
 * while the running, started container is not Ready: a pod whose readiness probe has a long
 * period is probed again within 60-90 s of its last sync.
 */
import { describe, expect, it } from 'vitest';
import { PodWorkerRequeue, RelistGrid, SYNC_TICK_PERIOD } from '../../../sim/model/control/kubelet-timing.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

describe('PodWorkerRequeue.resyncAfter', () => {
  it('requeues a sync without error 60-90 s later, at the next sync tick', () => {
    const r = new PodWorkerRequeue(() => 0, new RelistGrid(0, 0.25, SYNC_TICK_PERIOD));
    expect(r.resyncAfter(10.5, 0)).toBeCloseTo(71.25, 9);
    expect(r.resyncAfter(10.5, 0.5)).toBeCloseTo(86.25, 9);
    expect(r.resyncAfter(10.5, 0.999)).toBeCloseTo(101.25, 9);
  });
});

describe('a NotReady pod whose readiness probe ticks every 180 s', () => {
  it('is probed again at its resync, 60-90 s after the NotReady sync, not at the next tick', () => {
    // pod-a's probe ticks at 0, 180, 360 s; its app stops the world 170-230 s. The tick at 180 s
    // times out: NotReady at 181 s, and the sync that causes probes again at once (still paused).
    // That sync's resync comes 60-90 s later, after the app resumed: Ready then. Before: at 360 s.
    const r = run({
      warmup: '0s',
      horizon: '7m',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      lb: { mode: 'nat' },
      probes: { readiness: { type: 'http', period: '180s', failure_threshold: 1 } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
      timeline: [{ at: '170s', do: 'pause', backend: 'pod-a', duration: '60s' }],
    });
    const changes = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-a');
    expect(changes.map((x) => x.ready)).toEqual([false, true]);
    expect(changes[0].t).toBeCloseTo(181, 3);
    expect(changes[1].t).toBeGreaterThan(181 + 60);
    expect(changes[1].t).toBeLessThan(181 + 1 + 90 + 1 + 0.1);
  });
});
