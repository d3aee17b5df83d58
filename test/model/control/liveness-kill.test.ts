/**
 * A liveness failure kills the container as the kubelet kills any container
 * (kuberuntime_container.go killContainer): SIGTERM, then SIGKILL after the pod's
 * terminationGracePeriodSeconds (kubelet.termination_grace_period); the restart comes after that.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** pod-a stops the world for 60 s at t = 30 s: its liveness probe (every 5 s) times out three times. */
function paused(kubelet: Record<string, unknown>, service = 'exp(mean=30ms)') {
  return run({
    warmup: '10s',
    horizon: '3m',
    clients: { requests: { rate: 200, timeout: '2m', retries: 0 } },
    app: { workers: 32, service_time: service, startup_time: '5s' },
    lb: { mode: 'nat', retries: 0 },
    kubelet,
    probes: { liveness: { type: 'http', period: '5s' } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
    timeline: [{ at: '30s', do: 'pause', backend: 'pod-a', duration: '60s' }],
  });
}

describe('a liveness kill', () => {
  it('waits the grace period (30 s by default) for a container that cannot finish its requests, then SIGKILL', () => {
    const r = paused({});
    const failed = recordsOf(r, 'k8s.liveness_failed')[0];
    const died = recordsOf(r, 'k8s.container_died')[0];
    expect(died.cause).toBe('liveness');
    expect(died.t - failed.t).toBeCloseTo(30, 6);
  });

  it('uses kubelet.termination_grace_period', () => {
    const r = paused({ termination_grace_period: '5s' });
    const failed = recordsOf(r, 'k8s.liveness_failed')[0];
    const died = recordsOf(r, 'k8s.container_died')[0];
    expect(died.t - failed.t).toBeCloseTo(5, 6);
  });

  it('restarts the container only once it is dead: the CrashLoopBackOff counts from its death', () => {
    const r = paused({});
    const died = recordsOf(r, 'k8s.container_died')[0];
    const restarted = recordsOf(r, 'k8s.container_restarted')[0];
    // First restart: no back-off, then startup_time (5 s) to listen.
    expect(restarted.t - died.t).toBeCloseTo(5, 6);
  });
});

describe('the endpoint during a liveness kill', () => {
  it('stays Ready until the container has stopped: NotReady reaches the balancer after its death, not at the kill', () => {
    // No readiness probe: only the container's death makes the pod NotReady
    // (status/generate.go GeneratePodReadyCondition: a terminated container → ContainersNotReady).
    const r = paused({});
    const failed = recordsOf(r, 'k8s.liveness_failed')[0];
    const died = recordsOf(r, 'k8s.container_died')[0];
    const notReady = recordsOf(r, 'k8s.endpoint_not_ready')[0];
    expect(died.t - failed.t).toBeCloseTo(30, 6);
    expect(notReady.t).toBeGreaterThanOrEqual(died.t);
    expect(notReady.t - notReady.delay).toBeCloseTo(died.t, 6);
  });
});

describe('the liveness probe after its failure', () => {
  it('is on hold while the container is killed (worker.go onHold): one failure logged, no probe until the next container', () => {
    const r = paused({});
    const failed = recordsOf(r, 'k8s.liveness_failed');
    const died = recordsOf(r, 'k8s.container_died')[0];
    // 30 s of grace at a 5-s period would be 6 more probes; none runs, none fails.
    expect(failed.filter((f) => f.t > failed[0].t && f.t <= died.t)).toHaveLength(0);
  });
});

/** pod-a stops the world for `pause` at t = 30 s; its liveness probe (every 5 s) times out three times meanwhile. */
function pausedFor(pause: string, kubelet: Record<string, unknown>, podA: Record<string, unknown> = {}) {
  return run({
    warmup: '10s',
    horizon: '3m',
    clients: { requests: { rate: 200, timeout: '2m', retries: 0 } },
    app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '5s' },
    lb: { mode: 'nat', retries: 0 },
    kubelet,
    probes: { liveness: { type: 'http', period: '5s' } },
    backends: [{ name: 'pod-a', ...podA }, { name: 'pod-b' }],
    timeline: [{ at: '30s', do: 'pause', backend: 'pod-a', duration: pause }],
  });
}

describe('a liveness kill runs the pod preStop hook first (killContainer → executePreStopHook)', () => {
  it('SIGTERM comes preStop after the kill: a container that can finish exits then, not at once', () => {
    // The failure comes at ~41 s and the pause ends at 45 s: without preStop SIGTERM meets a
    // paused app that exits as soon as it resumes; with a 10 s preStop it exits right after the hook.
    const without = pausedFor('15s', {});
    const withHook = pausedFor('15s', { prestop_sleep: '10s' });
    const gap = (r: ReturnType<typeof run>) =>
      recordsOf(r, 'k8s.container_died')[0].t - recordsOf(r, 'k8s.liveness_failed')[0].t;
    expect(recordsOf(without, 'k8s.kill_prestop')).toHaveLength(0);
    expect(gap(without)).toBeLessThan(6);
    const hook = recordsOf(withHook, 'k8s.kill_prestop');
    expect(hook).toHaveLength(1);
    expect(hook[0]).toMatchObject({ pod: 'pod-a', cause: 'liveness', preStop: 10, gracePeriod: 30 });
    expect(hook[0].t).toBe(recordsOf(withHook, 'k8s.liveness_failed')[0].t);
    expect(gap(withHook)).toBeGreaterThanOrEqual(10);
    expect(gap(withHook)).toBeLessThan(10.5);
  });

  it('a preStop as long as the grace period gets the one-off 2 s extension before SIGKILL', () => {
    const r = pausedFor('60s', { prestop_sleep: '40s' });
    const failed = recordsOf(r, 'k8s.liveness_failed')[0];
    const died = recordsOf(r, 'k8s.container_died')[0];
    const extended = recordsOf(r, 'k8s.grace_extended');
    expect(extended.length).toBeGreaterThan(0);
    expect(extended[0].t - failed.t).toBeCloseTo(30, 6);
    expect(extended[0].extension).toBe(2);
    expect(died.t - failed.t).toBeCloseTo(32, 6);
  });

  it('belongs to the container it kills: a crash during the hook leaves the restarted container alone', () => {
    // pod-a (started at -10 s, the warm-up) crashes 60 s after its start, at 50 s, during the
    // 20 s hook of the kill at ~41 s; the restarted container (listening at 55 s) must not get
    // the old kill's SIGTERM at ~61 s.
    const r = pausedFor('15s', { prestop_sleep: '20s' }, { app: { crash_after: '60s' } });
    const failed = recordsOf(r, 'k8s.liveness_failed')[0];
    const died = recordsOf(r, 'k8s.container_died');
    expect(died[0]).toMatchObject({ cause: 'crash' });
    expect(died[0].t).toBeGreaterThan(failed.t);
    expect(died[0].t).toBeLessThan(failed.t + 20);
    // The next death is the restarted container's own crash, 50 s after it started.
    expect(died[1]).toMatchObject({ cause: 'crash' });
    expect(died[1].t - died[0].t).toBeGreaterThan(60);
  });
});

/**
 * pod-a's app needs 45 s to listen; its liveness probe (every 10 s, 3 failures, the defaults)
 * kills every container ~30 s after it starts, before it listens (nothing to finish: it dies at once).
 */
const killedBeforeListening = (horizon: string, kubelet?: Record<string, unknown>) =>
  run({
    warmup: '5s',
    horizon,
    clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
    app: { workers: 8, service_time: 'exp(mean=10ms)', startup_time: '1s' },
    lb: { mode: 'nat', retries: 0 },
    ...(kubelet ? { kubelet } : {}),
    probes: { liveness: { type: 'http', period: '10s' } },
    backends: [{ name: 'pod-a', app: { crash_after: '60s', startup_time: '45s' } }, { name: 'pod-b' }],
  });

describe('the restart after a liveness kill (computePodActions: kill and start in one SyncPod)', () => {
  let died: ReturnType<typeof recordsOf<'k8s.container_died'>>;
  let backoffs: ReturnType<typeof recordsOf<'k8s.crash_backoff'>>;
  beforeAll(() => {
    const r = killedBeforeListening('8m');
    died = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a');
    backoffs = recordsOf(r, 'k8s.crash_backoff').filter((d) => d.pod === 'pod-a');
  });

  it('starts the container again at once while the previous one finished longer than the backoff ago, then backs off', () => {
    // The first death is pod-a's crash (60 s in): restarted at once (backoff now 10 s). Each later
    // container is killed ~30 s after it starts. doBackOff reads the status taken before the
    // kill, where the newest exited container is the previous one, ~30 s old: not in backoff
    // (10 s, then 20 s), so 0, 0; once the backoff (40 s) exceeds that, the pod is requeued and
    // the killed container waits its backoff from its own finish: 40 s (backoff now 80 s). That
    // restart comes 10.4 s after the expiry (the requeue drawn at the relist's sync after the
    // kill, up to half the 39.6 s left), so the next kill (on the liveness ticker) is 80 s after
    // that one: not in backoff either, at once (backoff 160 s); then 160, 300 s. Counting every
    // kill like a crash would give 10, 20, 40, 80, 160.
    expect(died[0].cause).toBe('crash');
    expect(died.slice(1, 7).every((d) => d.cause === 'liveness')).toBe(true);
    expect(backoffs.map((b) => b.delay)).toEqual([0, 0, 0, 40, 0, 160, 300]);
    expect(died[4].t - died[3].t).toBeCloseTo(80, 6);
    // The immediate restarts come at the kill itself, not a relist later.
    for (let i = 1; i < 3; i++) expect(backoffs[i].t).toBe(died[i].t);
  });
});

describe('what the log says of a container killed before it listened', () => {
  it("states the container's own run time and the kubelet's restart count, as kubectl shows them", () => {
    const r = killedBeforeListening('3m');
    const died = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a');
    // Each restarted container is killed ~30 s after its process started (3 failures × 10 s), not
    // 30 s more than the last one that listened; and each restart counts, listening or not.
    for (let i = 1; i < died.length; i++) {
      expect(died[i].ranFor).toBeGreaterThan(29);
      expect(died[i].ranFor).toBeLessThan(32);
      expect(died[i].restarts).toBe(i);
    }
    expect(died.length).toBeGreaterThan(3);
    // The `restarts` figure counts apps serving again: none of these ever listened.
    expect(r.figures['restarts.total'] ?? 0).toBe(0);
  });
});

describe('a kill of a container that does not listen yet', () => {
  it('runs the preStop hook too (the container runs): it exits at SIGTERM, preStop after the kill', () => {
    const starting = (kubelet: Record<string, unknown>) => killedBeforeListening('3m', kubelet);
    const gaps = (r: ReturnType<typeof run>) => {
      const failed = recordsOf(r, 'k8s.liveness_failed').filter((f) => f.pod === 'pod-a');
      const died = recordsOf(r, 'k8s.container_died').filter((d) => d.pod === 'pod-a' && d.cause === 'liveness');
      return died.map((d, i) => d.t - failed[i].t);
    };
    expect(gaps(starting({}))[0]).toBeCloseTo(0, 9);
    const hooked = starting({ prestop_sleep: '5s' });
    expect(recordsOf(hooked, 'k8s.kill_prestop').length).toBeGreaterThan(0);
    expect(gaps(hooked)[0]).toBeCloseTo(5, 9);
  });
});

describe("a rollout's new pod keeps the rollout's preStop and grace period for the kubelet's kills", () => {
  it('its liveness kill runs the rollout prestop_sleep, not kubelet.prestop_sleep', () => {
    const r = run({
      warmup: '10s',
      horizon: '4m',
      clients: { requests: { rate: 100, timeout: '2m', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '5s' },
      lb: { mode: 'nat', retries: 0 },
      kubelet: { prestop_sleep: '3s', termination_grace_period: '20s' },
      probes: { liveness: { type: 'http', period: '5s' } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
      timeline: [
        {
          at: '10s',
          do: 'rollout',
          // No backend has room for a surge pod: one old pod at a time (the defaults would stall).
          max_surge: 0,
          max_unavailable: 1,
          pods: ['pod-a'],
          prestop_sleep: '7s',
          termination_grace_period: '40s',
          endpoint_propagation: 'uniform(1s, 2s)',
        },
        // pod-a's new pod (Ready by ~30 s) stops the world; pod-b's old one too, later.
        { at: '60s', do: 'pause', backend: 'pod-a', duration: '60s' },
        { at: '150s', do: 'pause', backend: 'pod-b', duration: '60s' },
      ],
    });
    const hooks = recordsOf(r, 'k8s.kill_prestop');
    expect(hooks.find((h) => h.pod === 'pod-a')).toMatchObject({ preStop: 7, gracePeriod: 40 });
    expect(hooks.find((h) => h.pod === 'pod-b')).toMatchObject({ preStop: 3, gracePeriod: 20 });
  });
});

describe("a probe's own terminationGracePeriodSeconds (setTerminationGracePeriod)", () => {
  it('sets the grace period of the kill its failure causes, instead of the pod one', () => {
    const r = run({
      warmup: '10s',
      horizon: '3m',
      clients: { requests: { rate: 200, timeout: '2m', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '5s' },
      lb: { mode: 'nat', retries: 0 },
      kubelet: { termination_grace_period: '30s' },
      probes: { liveness: { type: 'http', period: '5s', termination_grace_period: '5s' } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
      timeline: [{ at: '30s', do: 'pause', backend: 'pod-a', duration: '60s' }],
    });
    const failed = recordsOf(r, 'k8s.liveness_failed')[0];
    const died = recordsOf(r, 'k8s.container_died')[0];
    expect(died.t - failed.t).toBeCloseTo(5, 6);
  });

  it('is a scenario error on a readiness probe (the API server rejects it there)', () => {
    const res = ScenarioSchema.safeParse({ probes: { readiness: { termination_grace_period: '5s' } } });
    expect(res.success).toBe(false);
    const issue = res.error?.issues.find((i) => i.path.join('.') === 'probes.readiness.termination_grace_period');
    expect(issue?.message).toMatch(/only a liveness or startup probe has one/);
    expect(ScenarioSchema.safeParse({ probes: { startup: { termination_grace_period: '5s' } } }).success).toBe(true);
  });
});
