import type { Distribution } from '../../scenario/distribution.js';
import type { Rng } from '../../engine/random.js';
import { PoolState } from '../lb/pool.js';
import type { Lifecycle } from '../vm/lifecycle.js';
import type { World } from '../core/world.js';
import { terminationTimes } from './kubelet-timing.js';

export interface RolloutPlan {
  pods: number[];
  gracePeriod: number;
  preStop: number;
  propagation: Distribution;
  /** Pause between one pod's replacement being ready and the next pod's termination. */
  between: number;
}

/**
 * A Kubernetes rolling update, one pod at a time (maxSurge 1, maxUnavailable 0: the replacement
 * is ready before the next old pod goes). Terminating a pod starts two things at once
 * (pod-lifecycle.md "Pod Termination Flow"): the endpoint removal, which reaches the load
 * balancer only after a propagation delay, and preStop → SIGTERM → (grace period) → SIGKILL.
 * An app that stops accepting at SIGTERM refuses the connections that still arrive in the
 * propagation window; a preStop sleep longer than the delay closes that window. Requests still
 * running when the grace period ends are cut by SIGKILL.
 */
export class Rollout {
  private readonly rng: Rng;

  constructor(
    private readonly w: World,
    private readonly life: Lifecycle,
  ) {
    this.rng = w.streams.stream('k8s.endpoints');
  }

  start(plan: RolloutPlan): void {
    this.w.trace.emit({ kind: 'k8s.rollout_start', pods: plan.pods.length, gracePeriod: plan.gracePeriod, preStop: plan.preStop, propagation: plan.propagation.spec });
    this.terminatePod(plan, 0);
  }

  private terminatePod(plan: RolloutPlan, i: number): void {
    const w = this.w;
    if (i >= plan.pods.length) {
      w.trace.emit({ kind: 'k8s.rollout_complete', pods: plan.pods.length });
      return;
    }
    const b = plan.pods[i];
    const backend = w.backends[b];
    const epochAtStart = backend.app.epoch;
    const incarnationAtStart = backend.incarnation;
    const delay = plan.propagation.sample(this.rng);
    w.trace.emit({ kind: 'k8s.pod_terminating', pod: backend.name, preStop: plan.preStop, gracePeriod: plan.gracePeriod });
    let endpointRemoved = false;
    w.engine.schedule(delay, () => {
      // The replacement may already be Ready (fast startup, slow propagation): leave it alone.
      if (backend.incarnation !== incarnationAtStart) return;
      w.lb.setPoolState(b, PoolState.DETACHED);
      endpointRemoved = true;
      w.trace.emit({ kind: 'k8s.endpoint_removed', pod: backend.name, delay, preStop: plan.preStop });
    }, null);
    // Both kubelet timers belong to this pod: once it has been replaced (SIGKILL, then the new
    // pod Ready in its place) they stand down instead of signalling the replacement.
    const same = (): boolean => backend.incarnation === incarnationAtStart && backend.app.epoch === epochAtStart;
    const times = terminationTimes(plan.gracePeriod, plan.preStop);
    w.engine.schedule(times.sigterm, () => {
      if (!same() || !backend.app.up) return;
      w.trace.emit({ kind: 'k8s.pod_sigterm', pod: backend.name, gracePeriod: plan.gracePeriod, preStop: plan.preStop, endpointRemoved });
      if (times.extended) w.trace.emit({ kind: 'k8s.grace_extended', pod: backend.name, gracePeriod: plan.gracePeriod, preStop: plan.preStop, extension: times.sigkill - plan.gracePeriod });
      this.life.podSigterm(backend);
      this.exitWhenIdle(plan, i, w.now);
    }, null);
    w.engine.schedule(times.sigkill, () => {
      if (!backend.app.up || !same()) return;
      const inFlight = backend.busyWorkers + backend.appQueueLength;
      w.trace.emit({ kind: 'k8s.grace_over', pod: backend.name, gracePeriod: plan.gracePeriod, inFlight });
      this.life.killApp(backend);
      this.replace(plan, i);
    }, null);
  }

  /** After SIGTERM the app exits as soon as it has nothing in flight. */
  private exitWhenIdle(plan: RolloutPlan, i: number, since: number): void {
    const w = this.w;
    const backend = w.backends[plan.pods[i]];
    const check = (): void => {
      if (!backend.app.up) return;
      if (backend.busyWorkers === 0 && backend.appQueueLength === 0) {
        w.trace.emit({ kind: 'app.shutdown_complete', backend: backend.name, after: w.now - since, gracePeriod: plan.gracePeriod });
        this.life.appExited(backend);
        this.replace(plan, i);
        return;
      }
      w.engine.schedule(0.1, check, null);
    };
    check();
  }

  /** The replacement pod starts, becomes ready, and the next pod's turn comes. */
  private replace(plan: RolloutPlan, i: number): void {
    const w = this.w;
    const b = plan.pods[i];
    const backend = w.backends[b];
    w.engine.schedule(backend.app.config.startup_time, () => {
      this.life.podReady(b);
      w.metrics.inc(w.c.restarts, b);
      w.trace.emit({ kind: 'k8s.pod_ready', pod: backend.name, startupTime: backend.app.config.startup_time });
      w.engine.schedule(plan.between, () => this.terminatePod(plan, i + 1), null);
    }, null);
  }
}
