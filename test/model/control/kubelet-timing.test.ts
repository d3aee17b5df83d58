import { describe, expect, it } from 'vitest';
import {
  CrashLoopBackoff,
  MINIMUM_GRACE_PERIOD,
  PLEG_RELIST_PERIOD,
  POD_WORKER_BACKOFF_JITTER,
  PodWorkerRequeue,
  RESYNC_INTERVAL,
  RelistGrid,
  SYNC_TICK_PERIOD,
  terminationTimes,
} from '../../../sim/model/control/kubelet-timing.js';
import { resolveFenceposts } from '../../../sim/scenario/rollout-fenceposts.js';

describe('CrashLoopBackOff (kuberuntime_manager.go doBackOff + flowcontrol.Backoff)', () => {
  it('restarts at once the first time, then waits 10, 20, 40 … s capped at 300 s', () => {
    const b = new CrashLoopBackoff();
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 9; i++) {
      const d = b.delayAfterCrash(t);
      delays.push(d);
      t += d + 15; // the container runs 15 s before it crashes again
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('starts the sequence again once a container ran longer than 2 × the cap (10 minutes)', () => {
    const b = new CrashLoopBackoff();
    expect(b.delayAfterCrash(0)).toBe(0);
    expect(b.delayAfterCrash(20)).toBe(10);
    expect(b.delayAfterCrash(50)).toBe(20);
    // Ran 9 minutes since the last crash: still in the sequence.
    expect(b.delayAfterCrash(50 + 540)).toBe(40);
    // Ran 11 minutes: the entry expired, restart at once and the next wait is 10 s again.
    expect(b.delayAfterCrash(590 + 660)).toBe(0);
    expect(b.delayAfterCrash(1260)).toBe(10);
  });

  it('counts the 10 minutes from the last restart (Next sets lastUpdate = now), not from the last crash', () => {
    const b = new CrashLoopBackoff();
    let t = 0;
    // Crash every 15 s of running until the wait is capped at 300 s.
    for (const want of [0, 10, 20, 40, 80, 160, 300]) {
      expect(b.delayAfterCrash(t)).toBe(want);
      t += want + 15;
    }
    // Restarted at t - 15; runs 400 s: 700 s after the previous crash but only 400 s after the
    // restart, so the entry has not expired and the wait stays at the cap.
    const restart = t - 15;
    expect(b.delayAfterCrash(restart + 400)).toBe(300);
    // Restarted at restart + 700; runs 601 s: expired, restarted at once, next wait 10 s.
    expect(b.delayAfterCrash(restart + 700 + 601)).toBe(0);
    expect(b.delayAfterCrash(restart + 700 + 601 + 5)).toBe(10);
  });

  it('holds the container back while now - finishedAt < backoff (IsInBackOffSince)', () => {
    const b = new CrashLoopBackoff();
    expect(b.inBackOffSince(0, 0)).toBe(false); // no entry: the first restart is immediate
    b.next(0, 0);
    expect(b.inBackOffSince(20, 25)).toBe(true);
    expect(b.inBackOffSince(20, 29.99)).toBe(true);
    expect(b.inBackOffSince(20, 30)).toBe(false);
    expect(b.earliestRestart(20)).toBe(30);
  });
});

describe('killContainer timing (kuberuntime_container.go)', () => {
  it('sends SIGTERM after preStop and SIGKILL at the grace period when preStop is short', () => {
    expect(terminationTimes(30, 10)).toEqual({ sigterm: 10, sigkill: 30, extended: false });
    expect(terminationTimes(30, 0)).toEqual({ sigterm: 0, sigkill: 30, extended: false });
  });

  it('cuts a preStop longer than the grace period short and grants the one-off 2 s extension', () => {
    expect(terminationTimes(30, 40)).toEqual({ sigterm: 30, sigkill: 30 + MINIMUM_GRACE_PERIOD, extended: true });
    // 29 s of preStop leave 1 s: raised to the 2 s minimum.
    expect(terminationTimes(30, 29)).toEqual({ sigterm: 29, sigkill: 31, extended: true });
  });

  it('subtracts the preStop run time in whole seconds (executePreStopHook returns int64 seconds)', () => {
    // 10.5 s of preStop: 30 − 10 = 20 s after SIGTERM, SIGKILL at 30.5 s (not 30 s).
    expect(terminationTimes(30, 10.5)).toEqual({ sigterm: 10.5, sigkill: 30.5, extended: false });
    // 28.9 s: 30 − 28 = 2 s, the minimum itself, not raised to it.
    expect(terminationTimes(30, 28.9).sigkill).toBeCloseTo(30.9, 9);
    expect(terminationTimes(30, 28.9).extended).toBe(false);
  });
});

describe('ResolveFenceposts (deployment_util.go)', () => {
  it('rounds maxSurge up and maxUnavailable down', () => {
    expect(resolveFenceposts('25%', '25%', 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('25%', '25%', 4)).toEqual({ surge: 1, unavailable: 1 });
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0 });
  });
  it('makes maxUnavailable 1 when both are 0, and takes integers as they are', () => {
    expect(resolveFenceposts(0, '10%', 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(0, 1, 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(2, 0, 3)).toEqual({ surge: 2, unavailable: 0 });
  });
});

describe('the generic PLEG relist (pkg/kubelet/pleg/generic.go, genericPlegRelistPeriod 1 s)', () => {
  it('relists every second', () => {
    expect(PLEG_RELIST_PERIOD).toBe(1);
  });

  it("sees an exit at the next relist of the kubelet's one grid, never at the exit itself", () => {
    const grid = new RelistGrid(0, 0.25);
    expect(grid.phase).toBe(0.25);
    expect(grid.lagAfter(0)).toBeCloseTo(0.25, 12);
    expect(grid.lagAfter(0.5)).toBeCloseTo(0.75, 12);
    expect(grid.lagAfter(1000.2)).toBeCloseTo(0.05, 9);
    expect(grid.lagAfter(1000.2499999)).toBeGreaterThan(0);
  });

  it('sees a container started at a relist (in the sync after it) a whole period later', () => {
    const grid = new RelistGrid(3, 0.4);
    for (const k of [0, 1, 7, 3600]) expect(grid.lagAfter(grid.phase + k)).toBeCloseTo(1, 9);
    // Float noise around a relist time counts as the relist time.
    expect(grid.lagAfter(3.4 + 1 + 1e-12)).toBeCloseTo(1, 9);
    expect(grid.lagAfter(0.1 + 0.2 + 4.1)).toBeCloseTo(1, 9);
  });
});

describe('CrashLoopBackoff.restartAt: the kubelet learns of the exit late', () => {
  it('starts at the notice when there is no wait, at the expiry when the wait is longer', () => {
    const b = new CrashLoopBackoff();
    expect(b.restartAt(0, 0.7)).toBeCloseTo(0.7, 9);
    // The second crash waits 10 s from its finish, whatever the relist lag.
    expect(b.restartAt(20, 20.4)).toBeCloseTo(30, 9);
    expect(b.restartAt(50, 50.9)).toBeCloseTo(70, 9);
  });
});

describe('CrashLoopBackoff.restartAfterKill: doBackOff in the SyncPod that killed the container', () => {
  it('restarts at once without touching the backoff when no earlier container exited', () => {
    const b = new CrashLoopBackoff();
    expect(b.restartAfterKill(null, 30, 30)).toBe(30);
    // No Next was called: the next crash still restarts at once.
    expect(b.delayAfterCrash(60)).toBe(0);
  });

  it('restarts at once when the previous exit is older than the backoff, calling Next with its finish', () => {
    const b = new CrashLoopBackoff();
    expect(b.delayAfterCrash(0)).toBe(0); // backoff 10 s
    expect(b.restartAfterKill(0, 30, 30)).toBe(30); // 30 s ≥ 10 s; backoff 20 s
    expect(b.restartAfterKill(30, 60, 60)).toBe(60); // 30 s ≥ 20 s; backoff 40 s
    // 30 s < 40 s: in backoff; the killed container (finished at 90) waits 40 s.
    expect(b.restartAfterKill(60, 90, 90)).toBe(130);
  });
});

describe('PodWorkerRequeue: a pod in CrashLoopBackOff is synced again after the expiry, not at it', () => {
  // pod_workers.go completeWork (1.35, PR #133066): Enqueue(wait.Jitter(min(left, resyncInterval), 0.5)),
  // taken at the kubelet's next 1 s syncTicker tick (kubelet.go syncLoop).
  const ticks = new RelistGrid(0, 0.25, SYNC_TICK_PERIOD);

  it('adds up to half the time left, then the next sync tick', () => {
    expect(new PodWorkerRequeue(() => 0, ticks).requeue(20.4, 30)).toBeCloseTo(30.25, 9);
    // 9.6 s left, drawn 0.5: 2.4 s of jitter, then the tick at 33.25.
    expect(new PodWorkerRequeue(() => 0.5, ticks).requeue(20.4, 30)).toBeCloseTo(33.25, 9);
    expect(new PodWorkerRequeue(() => 0.999, ticks).requeue(20.4, 30)).toBeCloseTo(35.25, 9);
  });

  it('clamps each requeue to the 60 s resyncInterval: a long backoff is synced (in backoff) on the way', () => {
    expect(RESYNC_INTERVAL).toBe(60);
    expect(POD_WORKER_BACKOFF_JITTER).toBe(0.5);
    const draws = [0.5, 0.5, 0.5, 0.5, 0.5];
    const r = new PodWorkerRequeue(() => draws.shift()!, ticks);
    // 300 s left: 60 × 1.25 = 75 s → due 75.5, tick 76.25 (in backoff); due 151.25 is a tick
    // itself, taken at the next (GetWork: times before now) 152.25; then 228.25; 72.25 s left,
    // clamped to 60 → due 303.25 → 304.25, past the expiry: started there, after four syncs.
    expect(r.requeue(0.5, 300.5)).toBeCloseTo(304.25, 9);
    expect(draws).toHaveLength(1);
  });

  it('never starts before the expiry', () => {
    let u = 0;
    const r = new PodWorkerRequeue(() => (u = (u + 0.37) % 1), ticks);
    for (const left of [0.3, 10, 20, 40, 80, 160, 300])
      expect(r.requeue(100, 100 + left)).toBeGreaterThanOrEqual(100 + left);
  });

  it('moves CrashLoopBackoff.restartAt off the expiry, and Next stamps that later restart', () => {
    const b = new CrashLoopBackoff();
    const r = new PodWorkerRequeue(() => 0.5, ticks);
    expect(b.restartAt(0, 0.7, r.requeue)).toBeCloseTo(0.7, 9);
    // 10 s backoff from 20, noticed at 20.4: 9.6 × 1.25 → 32.4, tick 33.25.
    expect(b.restartAt(20, 20.4, r.requeue)).toBeCloseTo(33.25, 9);
  });
});
