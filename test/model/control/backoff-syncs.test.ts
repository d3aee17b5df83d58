/**
 * The syncs of a pod in CrashLoopBackOff besides its own requeue. pkg/kubelet/pod_workers.go
 * completeWork enqueues the pod after every sync (work_queue.go basicWorkQueue.Enqueue overwrites
 * the pod's time), so a sync that a probe result causes during the backoff (kubelet.go
 * syncLoopIteration → handleProbeSync), in backoff too, draws the requeue afresh from its own time,
 * and one after the expiry starts the container at once. After the kubelet's own kill, the PLEG
 * relist's ContainerDied sync sees the killed container and draws the requeue toward its expiry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CrashLoopBackoff,
  PodWorkerRequeue,
  RelistGrid,
  SYNC_TICK_PERIOD,
} from '../../../sim/model/control/kubelet-timing.js';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

describe('PodWorkerRequeue.requeueWith: other syncs during the backoff', () => {
  const ticks = new RelistGrid(0, 0.25, SYNC_TICK_PERIOD);
  const relists = new RelistGrid(0, 0.5);

  it('a sync before the expiry draws the requeue afresh from its own time', () => {
    // Noticed at the relist at 20.5, expiry 30. Alone, drawn 0.999: 9.5 × 1.4995 → 34.745, tick 35.25.
    expect(new PodWorkerRequeue(() => 0.999, ticks, relists).requeue(20.5, 30)).toBeCloseTo(35.25, 9);
    // A readiness result at 29 syncs the pod (in backoff): drawn 0.999 again from there, 1 s left
    // → 30.4995, tick 31.25.
    const draws = [0.999, 0.999];
    const r = new PodWorkerRequeue(() => draws.shift()!, ticks, relists);
    expect(r.requeueWith([29])(20.5, 30)).toBeCloseTo(31.25, 9);
    expect(draws).toHaveLength(0);
  });

  it('a sync after the expiry, before the requeue is due, starts the container there', () => {
    const r = new PodWorkerRequeue(() => 0.999, ticks, relists);
    expect(r.requeueWith([32.1])(20.5, 30)).toBeCloseTo(32.1, 9);
  });

  it("waits for a relist newer than the pod's previous sync (GetNewerThan)", () => {
    // A result at 20.7 right after the relist's sync at 20.5: that sync waits for the relist at 21.5.
    const draws = [0.999, 0];
    const r = new PodWorkerRequeue(() => draws.shift()!, ticks, relists);
    // From 21.5, drawn 0: due at the expiry 30 itself, taken at the tick after it, 30.25.
    expect(r.requeueWith([20.7])(20.5, 30)).toBeCloseTo(30.25, 9);
  });

  it('two syncs asked for while the worker waits for one relist run one after the other', () => {
    // Results at 20.6 and 20.8: the first sync waits for 21.5; the second came meanwhile (the
    // pod's pendingUpdate) and runs at the relist after it, 22.5, which draws the last requeue.
    const draws = [0.999, 0.999, 0];
    const r = new PodWorkerRequeue(() => draws.shift()!, ticks, relists);
    expect(r.requeueWith([20.8, 20.6])(20.5, 30)).toBeCloseTo(30.25, 9);
    expect(draws).toHaveLength(0);
  });
});

describe('CrashLoopBackoff.restartAfterKill in backoff: the relist after the kill syncs the pod', () => {
  it("draws the requeue toward the killed container's expiry from that relist, not the previous container's from the kill", () => {
    const ticks = new RelistGrid(0, 0.25, SYNC_TICK_PERIOD);
    const b = new CrashLoopBackoff();
    b.delayAfterCrash(0); // backoff 10 s
    b.restartAfterKill(0, 30, 30); // 30 s ≥ 10 s: at once; backoff 20 s
    // Killed at 40, the previous exit at 30: in backoff (10 s < 20 s). The relist at 40.5 sees
    // the kill: 19.5 s left to 60, drawn 0.5 → 64.875, tick 65.25.
    const r = new PodWorkerRequeue(() => 0.5, ticks);
    expect(b.restartAfterKill(30, 40, 40, r.requeue, 40.5)).toBeCloseTo(65.25, 9);
  });
});

describe('a crash-looping pod with a readiness probe (period 10 s): the readiness result syncs it', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run({
      warmup: '5s',
      horizon: '12m',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      app: { workers: 8, service_time: 'exp(mean=10ms)', startup_time: '1s' },
      lb: { mode: 'nat', retries: 0 },
      probes: { readiness: { type: 'http', period: '10s' } },
      backends: [{ name: 'pod-a', app: { crash_after: '50s' } }, { name: 'pod-b' }],
    });
  });

  it("restarts at most half the time left at the readiness worker's tick after the crash, plus the sync tick, past the expiry", () => {
    const died = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a');
    const backoffs = recordsOf(r, 'k8s.crash_backoff').filter((d) => d.pod === 'pod-a');
    const restarted = recordsOf(r, 'k8s.container_restarted').filter((d) => d.pod === 'pod-a');
    const ready = recordsOf(r, 'k8s.readiness').filter((d) => d.pod === 'pod-a' && d.ready);
    let checked = 0;
    let atTick = 0;
    for (let i = 1; i < restarted.length; i++) {
      const expiry = died[i].t + backoffs[i].delay;
      if (backoffs[i].delay > 60) continue; // a longer backoff is requeued on the way anyway
      // The worker's ticks: the relist that saw this container triggered a probe and reset the
      // ticker (worker.go run: probeTicker.Reset), so its ticks are a whole number of periods
      // after that trigger, whose first pass (answered within a millisecond) made it Ready.
      const phase = ready[i - 1].t - 0.001;
      // The pod was Ready when it crashed: the worker's next tick after the relist's sync sets
      // Failure, a change that syncs the pod and draws the requeue from there (in backoff).
      const tick = phase + Math.ceil((backoffs[i].t - phase) / 10 + 1e-9) * 10;
      const started = restarted[i].t - 1; // startup_time 1 s
      if (tick >= expiry - 1e-6) {
        // That tick comes at or after the expiry: its sync starts the container at once
        // (within a relist's wait), before any requeue drawn at the crash's relist.
        expect(started).toBeGreaterThanOrEqual(expiry - 1e-6);
        expect(started).toBeLessThanOrEqual(tick + 1 + 1e-6);
        atTick++;
        continue;
      }
      const late = started - expiry;
      expect(late).toBeGreaterThan(0);
      expect(late).toBeLessThanOrEqual(0.5 * (expiry - tick) + SYNC_TICK_PERIOD + 1e-6);
      checked++;
    }
    expect(atTick).toBe(1);
    expect(checked).toBe(2);
  });
});
