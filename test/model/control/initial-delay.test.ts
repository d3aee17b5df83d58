/**
 * A probe's initialDelaySeconds (`probes.*.initial_delay`; pkg/kubelet/prober/worker.go doProbe:
 * no probe while the container has run fewer whole seconds than the delay). The older fix for a
 * slow starter: a liveness probe whose delay outlasts most of the app's start-up does not kill it.
 */
import { describe, expect, it } from 'vitest';
import { withinInitialDelay } from '../../../sim/model/control/kubelet-timing.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** pod-a crashes 60 s in; its app then needs 45 s to listen; liveness every 10 s × 3 (the defaults). */
function slowStarter(liveness: Record<string, unknown>, readiness?: Record<string, unknown>): RunResult {
  return run({
    warmup: '0s',
    horizon: '4m',
    clients: { requests: { rate: 50, timeout: '5s', retries: 0 } },
    lb: { mode: 'nat' },
    probes: { liveness: { period: '10s', ...liveness }, ...(readiness ? { readiness } : {}) },
    backends: [{ name: 'pod-a', app: { crash_after: '60s', startup_time: '45s' } }, { name: 'pod-b' }],
  } as ScenarioInput);
}

const kills = (r: RunResult) => recordsOf(r, 'k8s.container_died').filter((d) => d.cause === 'liveness');

describe('initialDelaySeconds', () => {
  it('counts whole seconds of run time below the delay, as doProbe does (int32 of the seconds)', () => {
    expect(withinInitialDelay(24.999, 25)).toBe(true);
    expect(withinInitialDelay(25, 25)).toBe(false);
    expect(withinInitialDelay(25 - 1e-12, 25)).toBe(false);
    expect(withinInitialDelay(0, 0)).toBe(false);
  });

  it('without it the liveness probe kills the restarted container before it listens', () => {
    expect(kills(slowStarter({})).length).toBeGreaterThanOrEqual(1);
  });

  it('with 25 s the failures before it do not count: 2 failures after it, then the app answers — no kill', () => {
    // Failures at the ticks within 25 s of the start would reach 3 with the first one after it if
    // they counted; the kubelet ran no probe then, so the run starts afresh at 25 s.
    const r = slowStarter({ initial_delay: '25s' });
    expect(kills(r)).toEqual([]);
    expect(r.events.some((e) => e.text.includes('pod pod-a: container restarted'))).toBe(true);
  });

  it("delays a readiness probe's first pass too: the restarted pod is Ready no sooner than the delay", () => {
    const r = slowStarter({ initial_delay: '50s' }, { period: '5s', initial_delay: '70s' });
    const restarted = r.events.find((e) => e.text.includes('pod pod-a: container restarted'))!;
    const crashed = recordsOf(r, 'k8s.container_died').find((d) => d.pod === 'pod-a')!;
    const ready = recordsOf(r, 'k8s.readiness').find((x) => x.pod === 'pod-a' && x.ready && x.t > crashed.t)!;
    expect(restarted).toBeDefined();
    // Restarted within 1 s of the crash (the relist), listening 45 s later; Ready only at the
    // first readiness pass 70 s or more after the container started.
    expect(ready.t - crashed.t).toBeGreaterThanOrEqual(70);
    expect(ready.t - crashed.t).toBeLessThanOrEqual(71 + 5 + 1e-9);
  });

  it('holds the startup probe back too: a container listening at once starts no sooner than the delay', () => {
    const r = run({
      warmup: '0s',
      horizon: '2m',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      lb: { mode: 'nat' },
      probes: { startup: { period: '1s', failure_threshold: 30, initial_delay: '20s' } },
      backends: [{ name: 'pod-a', app: { crash_after: '30s', startup_time: '1s' } }, { name: 'pod-b' }],
    } as ScenarioInput);
    const started = recordsOf(r, 'k8s.started').filter((x) => x.pod === 'pod-a');
    expect(started.length).toBeGreaterThanOrEqual(1);
    // Listening 1 s after its start, probed first at the pod's tick once 20 whole seconds have run.
    for (const s of started) {
      expect(s.after).toBeGreaterThanOrEqual(20);
      expect(s.after).toBeLessThanOrEqual(21 + 1e-9);
    }
  });
});
