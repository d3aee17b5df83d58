import type { Rng } from '../../engine/random.js';
import type { World } from '../core/world.js';
import type { Lifecycle } from '../vm/lifecycle.js';
import { ServiceEndpoints } from './k8s-endpoints.js';
import { CrashLoopBackoff } from './kubelet-timing.js';

/** What the kubelet needs of a readiness probe: to forget its streak when a container dies. */
export interface ReadinessProbe {
  reset(b: number, up: boolean): void;
}

/**
 * The kubelet of each pod's node, for the app container: it notices that the container died
 * (a crash, or its own kill after a failed liveness probe), reports the pod NotReady at once and
 * starts the container again after the CrashLoopBackOff delay.
 *
 * NotReady at once, with no probe failing: generateAPIPodStatus marks a pod whose container is
 * not running not Ready (pkg/kubelet/status/generate.go GeneratePodReadyCondition: a terminated
 * container → ContainersNotReady) and status_manager.go syncs it to the API server; the EndpointSlice controller then moves the endpoint
 * to not ready and kube-proxy drops it. That chain is the propagation delay
 * (`kubelet.endpoint_propagation`). Before, the pod stayed an endpoint until its readiness probe
 * had failed failureThreshold times.
 */
export class Kubelet {
  private readonly rng: Rng;
  private readonly backoffs: CrashLoopBackoff[];
  /** When each container last started (its run time is logged at its death). */
  private readonly startedAt: Float64Array;
  private readonly restartCount: Int32Array;
  /** Bumped at each status change of a pod, so a late-arriving older one is dropped. */
  private readonly statusGen: Int32Array;
  private readiness: ReadinessProbe | null = null;
  /** The Service's endpoints (ready / serving / terminating) as kube-proxy uses them. */
  readonly endpoints: ServiceEndpoints;

  constructor(
    private readonly w: World,
    private readonly life: Lifecycle,
  ) {
    this.rng = w.streams.stream('k8s.kubelet');
    const n = w.backends.length;
    this.backoffs = w.backends.map(() => new CrashLoopBackoff());
    this.startedAt = new Float64Array(n).fill(w.now);
    this.restartCount = new Int32Array(n);
    this.statusGen = new Int32Array(n);
    this.endpoints = new ServiceEndpoints(w);
  }

  /** The readiness probe decides when a restarted container is Ready again. */
  watchReadiness(probe: ReadinessProbe): void {
    this.readiness = probe;
  }

  /** Containers that crash by themselves (`app.crash_after`) get their first crash scheduled. */
  start(): void {
    for (let b = 0; b < this.w.backends.length; b++) this.armCrash(b);
  }

  private armCrash(b: number): void {
    const backend = this.w.backends[b];
    const after = backend.app.config.crash_after;
    if (!(after > 0) || after === Infinity) return;
    const epoch = backend.app.epoch;
    this.w.engine.schedule(
      after,
      () => {
        if (backend.app.epoch !== epoch || !backend.app.up) return;
        this.containerDied(b, 'crash');
      },
      null,
    );
  }

  /** A failed liveness probe: the kubelet kills the container; a container not running is left alone. */
  restartApp(b: number): void {
    if (!this.w.backends[b].app.up) return;
    this.containerDied(b, 'liveness');
  }

  private containerDied(b: number, cause: 'crash' | 'liveness'): void {
    const w = this.w;
    const backend = w.backends[b];
    const ranFor = w.now - this.startedAt[b];
    w.trace.emit({ kind: 'k8s.container_died', pod: backend.name, cause, ranFor, restarts: this.restartCount[b] });
    this.life.killApp(backend);
    this.readiness?.reset(b, false);
    this.propagate(b, false);
    const delay = this.backoffs[b].delayAfterCrash(w.now);
    w.trace.emit({ kind: 'k8s.crash_backoff', pod: backend.name, delay, restarts: this.restartCount[b] });
    const epoch = backend.app.epoch;
    w.engine.schedule(
      delay,
      () => {
        if (backend.app.epoch !== epoch) return;
        backend.app.starting();
        w.engine.schedule(backend.app.config.startup_time, () => this.containerStarted(b, epoch), null);
      },
      null,
    );
  }

  private containerStarted(b: number, epoch: number): void {
    const w = this.w;
    const backend = w.backends[b];
    if (backend.app.epoch !== epoch) return;
    this.restartCount[b]++;
    w.metrics.inc(w.c.restarts, b);
    this.life.containerStarted(backend);
    this.startedAt[b] = w.now;
    w.trace.emit({ kind: 'k8s.container_restarted', pod: backend.name });
    // Without a readiness probe a running container is Ready; with one, the probe says when.
    if (!this.readiness) this.propagate(b, true);
    this.armCrash(b);
  }

  /** A pod's Ready condition reaches the load balancer after the propagation delay. */
  private propagate(b: number, ready: boolean): void {
    const w = this.w;
    const gen = ++this.statusGen[b];
    const delay = w.scenario.kubelet.endpoint_propagation.sample(this.rng);
    w.engine.schedule(
      delay,
      () => {
        if (this.statusGen[b] !== gen) return;
        w.lb.setReady(b, ready);
        this.endpoints.sync();
        if (!ready) w.trace.emit({ kind: 'k8s.endpoint_not_ready', pod: w.backends[b].name, delay });
      },
      null,
    );
  }
}
