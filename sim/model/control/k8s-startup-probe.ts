import type { ProbeConfig } from '../../scenario/schema.js';
import type { World } from '../core/world.js';

/** What the startup probe reports to the kubelet. */
export interface StartupListener {
  /** The probe succeeded: the container has started. */
  started(b: number): void;
  /** failureThreshold failures in a row: the kubelet kills the container. */
  failed(b: number): void;
}

/**
 * The startup probe of each container (pkg/kubelet/prober/worker.go): it runs on the probe's
 * ticker from the container's start until it succeeds once (the API requires successThreshold 1
 * for it); failureThreshold failures in a row make the kubelet kill the container, as a liveness
 * failure does. While it has not succeeded the kubelet skips the liveness and readiness probes
 * (doProbe: `if !started && probeType != startup { return }`), so an app may take up to
 * failureThreshold × periodSeconds to start without a liveness kill.
 *
 * The probe passes when the app listens: a TCP probe then connects, an HTTP one of a starting app
 * is answered at once (the probe's worker time and any timeout under load are left out: it runs
 * while the pod takes no traffic).
 */
export class StartupProbe {
  /** The container incarnation (app epoch) each backend's probe runs for; -1: none. */
  private readonly watching: Int32Array;
  private readonly failures: Int32Array;

  constructor(
    private readonly w: World,
    private readonly probe: ProbeConfig,
    private readonly listener: StartupListener,
  ) {
    this.watching = new Int32Array(w.backends.length).fill(-1);
    this.failures = new Int32Array(w.backends.length);
  }

  /** A container started: probe it every period until it starts, fails, or dies. */
  watch(b: number): void {
    const epoch = this.w.backends[b].app.epoch;
    this.watching[b] = epoch;
    this.failures[b] = 0;
    this.w.engine.schedule(this.probe.period, this.tick, b);
  }

  /** The pod is terminating (SyncTerminatingPod → StopLivenessAndStartup): no more probes. */
  stop(b: number): void {
    this.watching[b] = -1;
  }

  private readonly tick = (b: number): void => {
    const app = this.w.backends[b].app;
    // The container this probe was for is gone (killed, crashed, replaced): stand down.
    if (this.watching[b] !== app.epoch) return;
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
