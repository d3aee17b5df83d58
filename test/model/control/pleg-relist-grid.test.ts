/**
 * One kubelet, one PLEG relist loop (pkg/kubelet/pleg/generic.go Start: `go wait.Until(g.Relist,
 * g.relistPeriod, …)`, 1 s): every exit is seen on the same grid, and a container the pod worker
 * starts in the sync right after a relist (a restart without backoff) is seen a whole period
 * later, at the next relist (kubelet-timing.ts RelistGrid). A lag drawn afresh for each event
 * (uniform in (0, 1]) fails both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

// Two pods crash at unrelated times; their apps listen at once when restarted (startup_time 0),
// and the startup probe (period 1 s) passes at its first probe: the pod's own ticker's next tick
// after the kubelet sees the container running, a fixed offset from the relist grid per pod.
const twoCrashers = {
  horizon: '70s',
  warmup: '0s',
  clients: { requests: { rate: 20, timeout: '2s', retries: 0 } },
  app: { startup_time: '0s' },
  lb: { mode: 'nat', retries: 0 },
  probes: { startup: { type: 'http', period: '1s', failure_threshold: 30 } },
  backends: [
    { name: 'pod-a', app: { crash_after: '20s' } },
    { name: 'pod-b', app: { crash_after: '27.3s' } },
    { name: 'pod-c' },
  ],
} as ScenarioInput;

const frac = (t: number): number => t - Math.floor(t);

describe('the PLEG relists on one grid per kubelet', () => {
  const runs: RunResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= 4; seed++) runs.push(run(twoCrashers, seed));
  });

  it('notices every exit, of either pod, at a relist of the same 1-s grid (before: a fresh lag each)', () => {
    for (const r of runs) {
      const noticed = recordsOf(r, 'k8s.crash_backoff');
      expect(new Set(noticed.map((c) => c.pod)).size).toBe(2);
      expect(noticed.length).toBeGreaterThanOrEqual(4);
      const phase = frac(noticed[0].t);
      for (const c of noticed) {
        expect(c.noticed).toBeGreaterThan(0);
        expect(c.noticed).toBeLessThanOrEqual(1 + 1e-9);
        // Same phase modulo 1 s (allowing a wrap at the boundary).
        const d = Math.abs(frac(c.t) - phase);
        expect(Math.min(d, 1 - d)).toBeLessThan(1e-6);
      }
    }
  });

  it('sees a container restarted at once (backoff 0) exactly one period after its restart (before: 0-1 s)', () => {
    let checked = 0;
    for (const r of runs) {
      const offset = new Map<string, number>();
      for (const c of recordsOf(r, 'k8s.crash_backoff').filter((x) => x.delay === 0 && !x.killed)) {
        const started = recordsOf(r, 'k8s.started').find((s) => s.pod === c.pod && s.t > c.t)!;
        // Restarted at the relist that saw the exit; seen at the next relist (1 s), probed at the
        // pod's startup tick after that, within 1 s: the same offset for each restart of the pod,
        // both grids being fixed (a seen lag drawn afresh would vary it).
        const late = started.t - c.t;
        expect(late).toBeGreaterThan(1);
        expect(late).toBeLessThanOrEqual(2 + 1e-9);
        expect(started.after).toBeCloseTo(late, 6);
        const first = offset.get(c.pod) ?? late;
        offset.set(c.pod, first);
        expect(late).toBeCloseTo(first, 6);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2 * runs.length);
  });
});
