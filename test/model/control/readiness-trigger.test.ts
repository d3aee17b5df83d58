/**
 * The readiness probe the kubelet runs at once (pkg/kubelet/prober/prober_manager.go
 * UpdatePodStatus → the worker's manualTriggerCh) on the pod sync after the startup probe succeeds
 * and, without a startup probe, on the PLEG relist's sync that sees the container running: Ready
 * follows at once, not at the readiness worker's next tick.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** pod-a crashes 30 s in and is restarted at once; its app then needs `startup` to listen. */
function crashOnce(startup: string, probes: Record<string, unknown>, seed = 1): RunResult {
  return run({
    seed,
    warmup: '0s',
    horizon: '2m',
    clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
    lb: { mode: 'nat' },
    probes: { readiness: { period: '10s' }, ...probes },
    backends: [{ name: 'pod-a', app: { crash_after: '30s', startup_time: startup } }, { name: 'pod-b' }],
  } as ScenarioInput);
}

/** pod-a's first Ready after its crash, and the crash's records. */
function afterCrash(r: RunResult) {
  const died = recordsOf(r, 'k8s.container_died').find((d) => d.pod === 'pod-a')!;
  const noticed = recordsOf(r, 'k8s.crash_backoff').find((x) => x.pod === 'pod-a')!;
  const ready = recordsOf(r, 'k8s.readiness').find((x) => x.pod === 'pod-a' && x.ready && x.t > died.t)!;
  const started = recordsOf(r, 'k8s.started').find((x) => x.pod === 'pod-a' && x.t > died.t);
  return { died, noticed, ready, started };
}

describe('the readiness probe triggered by the pod sync', () => {
  it('Ready follows the startup probe success at once (a later tick: the sync runs at once)', () => {
    for (const seed of [1, 2, 3]) {
      // The app needs 25 s: the startup probe (every 10 s) fails before it succeeds.
      const { ready, started } = afterCrash(
        crashOnce('25s', { startup: { period: '10s', failure_threshold: 12 } }, seed),
      );
      expect(started).toBeDefined();
      // Before: at the readiness worker's next tick, up to 10 s later.
      expect(ready.t - started!.t).toBeGreaterThanOrEqual(0);
      expect(ready.t - started!.t).toBeLessThan(0.05);
    }
  });

  it("a success at the startup worker's first tick waits for the next relist (its initial result's sync came first)", () => {
    for (const seed of [1, 2, 3]) {
      // Listening 0.2 s after its start: the first startup tick (0-10 s after the relist saw it) passes.
      const { ready, started } = afterCrash(crashOnce('0.2s', { startup: { period: '10s' } }, seed));
      expect(started).toBeDefined();
      expect(ready.t - started!.t).toBeGreaterThan(0);
      expect(ready.t - started!.t).toBeLessThan(1 + 0.05);
    }
  });

  it('without a startup probe, Ready at the relist that sees the restarted container running', () => {
    for (const seed of [1, 2, 3]) {
      const { died, noticed, ready, started } = afterCrash(crashOnce('0.2s', {}, seed));
      expect(started).toBeUndefined();
      // Restarted at the relist that noticed the crash, seen running at the next one (1 s later),
      // whose sync triggers the probe; the app has listened since 0.2 s after its start.
      const seen = died.t + noticed.noticed + 1;
      expect(ready.t - seen).toBeGreaterThanOrEqual(0);
      expect(ready.t - seen).toBeLessThan(0.05);
    }
  });

  it('the trigger within initialDelaySeconds runs no probe: Ready at the first tick after the delay', () => {
    const { died, noticed, ready } = afterCrash(
      crashOnce('0.2s', { readiness: { period: '10s', initial_delay: '5s' } }),
    );
    const seen = died.t + noticed.noticed + 1;
    // Not at the relist (a probe then would be within the delay), at a tick 5-15 s after the start.
    expect(ready.t - seen).toBeGreaterThan(3);
  });
});
