import type { ProbeConfig } from '../../scenario/schema.js';
import type { World } from '../core/world.js';
import { RelistGrid, withinInitialDelay } from './kubelet-timing.js';

/** What the startup probe reports to the kubelet. */
export interface StartupListener {
  /**
   * The worker's first tick for a new container: doProbe stores its initial result (Unknown) for
   * the new container ID, a change the results manager publishes, so the kubelet syncs the pod.
   */
  firstTick(b: number): void;
  /** The probe succeeded: the container has started. */
  started(b: number): void;
  /** failureThreshold failures in a row: the kubelet kills the container. */
  failed(b: number): void;
}

/**
 * The startup probe of each container (pkg/kubelet/prober/worker.go): it runs until it succeeds
 * once (the API requires successThreshold 1 for it); failureThreshold failures in a row make the
 * kubelet kill the container, as a liveness failure does. While it has not succeeded the kubelet
 * skips the liveness and readiness probes (doProbe: `if !started && probeType != startup
 * { return }`).
 *
 * Its ticks belong to the pod, not to the container: prober_manager.go AddPod starts one worker
 * per probe when the pod comes to the node, and worker.go run probes at once, then on
 * `time.NewTicker(periodSeconds)` for the pod's whole life; a new container is probed at the
 * worker's next tick after the kubelet's status shows it running (doProbe reads the status
 * manager), not periodSeconds after its start. So the first probe comes within (0, period] of
 * that, and a container that never listens is killed after (failureThreshold − 1) × period plus
 * that first wait, not failureThreshold × period: an app that needs nearly failureThreshold ×
 * periodSeconds to start is killed or not depending on where its start falls on the ticker. A
 * rollout's new pod's ticker starts at its creation (AddPod); the scenario's pods were added
 * before the run, at a phase drawn once per pod (stream `k8s.startup`). The jitter run() adds
 * only in a kubelet's first period after its own start is left out.
 *
 * The probe passes when the app listens: a TCP probe then connects, an HTTP one of a starting app
 * is answered at once (the probe's worker time and any timeout under load are left out: it runs
 * while the pod takes no traffic).
 */
export class StartupProbe {
  /** The container incarnation (app epoch) each backend's probe runs for; -1: none. */
  private readonly watching: Int32Array;
  private readonly failures: Int32Array;
  /** Ticks of the watched container so far (within its initial delay too). */
  private readonly ticks: Int32Array;
  /** Each pod's worker ticker: ticks at `ticker[b].phase + k × period`. */
  private readonly ticker: RelistGrid[];
  /** When the probed container's process started (its initialDelaySeconds count from then). */
  private readonly startedAt: Float64Array;

  constructor(
    private readonly w: World,
    private readonly probe: ProbeConfig,
    private readonly listener: StartupListener,
  ) {
    this.watching = new Int32Array(w.backends.length).fill(-1);
    this.failures = new Int32Array(w.backends.length);
    this.ticks = new Int32Array(w.backends.length);
    this.startedAt = new Float64Array(w.backends.length);
    const rng = w.streams.stream('k8s.startup');
    this.ticker = w.backends.map(() => new RelistGrid(w.now, rng.next(), probe.period));
  }

  /** A new pod on `b` (a rollout's): its worker starts now, its ticker with it. */
  podAdded(b: number): void {
    this.ticker[b] = new RelistGrid(this.w.now, 0, this.probe.period);
  }

  /**
   * The status shows a new container running (its process started at `startedAt`): probe it at
   * the pod's ticks until it starts, fails, or dies.
   */
  watch(b: number, startedAt: number): void {
    const epoch = this.w.backends[b].app.epoch;
    this.watching[b] = epoch;
    this.failures[b] = 0;
    this.ticks[b] = 0;
    this.startedAt[b] = startedAt;
    this.w.engine.schedule(this.ticker[b].lagAfter(this.w.now), this.tick, b);
  }

  /**
   * The worker probes a container that has not started yet, nor failed: not on hold (worker.go
   * doProbe holds the worker after its success, and after failureThreshold failures, until a
   * new container). Such a worker reports the container's exit at its next tick (a non-running
   * container's result is Failure, a change from Unknown).
   */
  awaitsStart(b: number): boolean {
    return this.watching[b] !== -1;
  }

  /** The pod's worker's first tick after `t`. */
  nextTickAfter(b: number, t: number): number {
    return t + this.ticker[b].lagAfter(t);
  }

  /** The pod is terminating (SyncTerminatingPod → StopLivenessAndStartup): no more probes. */
  stop(b: number): void {
    this.watching[b] = -1;
  }

  private readonly tick = (b: number): void => {
    const app = this.w.backends[b].app;
    // The container this probe was for is gone (killed, crashed, replaced): stand down.
    if (this.watching[b] !== app.epoch) return;
    if (++this.ticks[b] === 1) this.listener.firstTick(b);
    // Within initialDelaySeconds of the container's start: no probe at this tick (doProbe).
    if (withinInitialDelay(this.w.now - this.startedAt[b], this.probe.initial_delay)) {
      this.w.engine.schedule(this.probe.period, this.tick, b);
      return;
    }
    if (app.accepting) {
      this.watching[b] = -1;
      this.listener.started(b);
      return;
    }
    if (++this.failures[b] >= this.probe.failure_threshold) {
      this.watching[b] = -1;
      this.listener.failed(b);
      return;
    }
    this.w.engine.schedule(this.probe.period, this.tick, b);
  };
}
