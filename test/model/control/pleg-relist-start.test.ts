/**
 * The kubelet learns that the container it started runs only at its next PLEG relist
 * (pleg/generic.go Relist, every 1 s): the probe workers read the pod status (prober/worker.go
 * doProbe) and find no running container before it, so a restarted container's first readiness
 * probe comes at the first probe tick after the relist, not after the restart.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

// pod-a crashes 20 s after its start; its app listens at once when restarted (startup_time 0),
// and its readiness probe runs every second: without the relist, Ready at the first tick after
// the restart (within 1 s); with it, at the first tick after the relist (within 2 s), and past the
// first tick whenever the relist comes after it.
const crashOnce = {
  horizon: '60s',
  warmup: '0s',
  clients: { requests: { rate: 20, timeout: '2s', retries: 0 } },
  app: { startup_time: '0s' },
  lb: { mode: 'nat', retries: 0 },
  probes: { readiness: { type: 'http', period: '1s' } },
  backends: [{ name: 'pod-a', app: { crash_after: '20s' } }, { name: 'pod-b' }],
} as ScenarioInput;

describe('a restarted container is probed only once the PLEG relist has seen it running', () => {
  const lags: number[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= 8; seed++) {
      const r: RunResult = run(crashOnce, seed);
      // The first crash restarts at once, at the relist that saw it die (k8s.crash_backoff).
      const restart = recordsOf(r, 'k8s.crash_backoff').find((c) => c.pod === 'pod-a')!;
      expect(restart.delay).toBe(0);
      const ready = recordsOf(r, 'k8s.readiness').find((p) => p.pod === 'pod-a' && p.ready && p.t > restart.t)!;
      lags.push(ready.t - restart.t);
    }
  });

  it('is Ready within two probe periods of its restart, never at once', () => {
    for (const lag of lags) {
      expect(lag).toBeGreaterThan(0);
      expect(lag).toBeLessThanOrEqual(2 + 1e-9);
    }
  });

  it('misses the first probe tick after its restart when the relist comes later (before: never)', () => {
    expect(lags.some((lag) => lag > 1 + 1e-9)).toBe(true);
  });
});
