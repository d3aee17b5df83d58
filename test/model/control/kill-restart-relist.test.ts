/**
 * After a liveness kill in CrashLoopBackOff the kubelet learns of the killed container's exit at
 * the next PLEG relist (kubelet.ts containerNoticed `seenAt`; CrashLoopBackoff.restartAfterKill):
 * the SyncPod that killed it read the pod status taken before the kill, and the sync that finds
 * the killed container in backoff is the one the relist's ContainerDied brings. Its requeue
 * (pod_workers.go completeWork: wait.Jitter(expiry − sync, 0.5)) counts from that sync, and the
 * kubelet's 1-s syncTicker takes the pod after it: the restart is at the first tick at or after
 * seenAt + (expiry − seenAt)·(1 + 0.5·u). The draws are the run's own named streams (RandomStreams:
 * each depends only on the seed and its name): the PLEG's and the syncTicker's phases, and the
 * requeue's u (the pod worker's first requeue in this run: the earlier restarts wait for nothing).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { POD_WORKER_BACKOFF_JITTER, RelistGrid, SYNC_TICK_PERIOD } from '../../../sim/model/control/kubelet-timing.js';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/**
 * pod-a crashes 60 s in and is restarted at once; each later container needs 45 s to listen and
 * its liveness probe (every 10 s, 3 failures) kills it ~30 s after its start: at once twice (the
 * previous container finished longer than the backoff ago), then in backoff (40 s).
 */
const killedInBackoff = (seed: number) =>
  run(
    {
      warmup: '5s',
      horizon: '4m',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      app: { workers: 8, service_time: 'exp(mean=10ms)', startup_time: '1s' },
      lb: { mode: 'nat', retries: 0 },
      probes: { liveness: { type: 'http', period: '10s' } },
      backends: [{ name: 'pod-a', app: { crash_after: '60s', startup_time: '45s' } }, { name: 'pod-b' }],
    },
    seed,
  );

const SEEDS = [1, 2, 3, 4, 5, 6];

describe('the restart after a liveness kill in CrashLoopBackOff counts from the next PLEG relist', () => {
  const runs = new Map<number, RunResult>();
  beforeAll(() => {
    for (const seed of SEEDS) runs.set(seed, killedInBackoff(seed));
  });

  for (const seed of SEEDS) {
    it(`restarts at the syncTicker's tick after relist + the jittered time left to the expiry (seed ${seed})`, () => {
      const r = runs.get(seed)!;
      const died = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a');
      const backoffs = recordsOf(r, 'k8s.crash_backoff').filter((d) => d.pod === 'pod-a');
      const streams = new RandomStreams(seed);
      const pleg = new RelistGrid(0, streams.stream('k8s.pleg').next());
      const ticks = new RelistGrid(0, streams.stream('k8s.synctick').next(), SYNC_TICK_PERIOD);
      const u = streams.stream('k8s.podworker').next();
      // The crash (a container that exits by itself) is noticed at a relist: the same grid.
      expect(died[0].cause).toBe('crash');
      expect(backoffs[0].noticed).toBeCloseTo(pleg.lagAfter(died[0].t), 9);

      const i = backoffs.findIndex((b) => b.killed && b.delay > 0);
      expect(i).toBe(3);
      const kill = died[i];
      expect(kill.cause).toBe('liveness');
      const expiry = kill.t + backoffs[i].delay;
      const seenAt = kill.t + pleg.lagAfter(kill.t);
      const due = seenAt + (expiry - seenAt) * (1 + POD_WORKER_BACKOFF_JITTER * u);
      const restart = died[i + 1].t - died[i + 1].ranFor;
      expect(restart).toBeCloseTo(due + ticks.lagAfter(due), 6);
      expect(restart).toBeGreaterThanOrEqual(expiry);
    });
  }
});
