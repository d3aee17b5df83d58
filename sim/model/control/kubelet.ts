import type { Rng } from '../../engine/random.js';
import { AppState } from '../app/app-process.js';
import type { World } from '../core/world.js';
import { appCanExit } from '../vm/app-exit.js';
import type { Lifecycle } from '../vm/lifecycle.js';
import { ServiceEndpoints } from './k8s-endpoints.js';
import { StartupProbe } from './k8s-startup-probe.js';
import {
  CrashLoopBackoff,
  POD_WORKER_RESYNC_JITTER,
  PodWorkerRequeue,
  RESYNC_INTERVAL,
  RelistGrid,
  SYNC_TICK_PERIOD,
  terminationTimes,
  withinInitialDelay,
} from './kubelet-timing.js';
import type { DeletionFacts } from './pod-deletion-order.js';

/** What the kubelet needs of a readiness or liveness probe: to forget its streak for a new container. */
export interface ProbeStreak {
  reset(b: number, up: boolean): void;
  /** A new pod on `b`: its worker's ticker starts now. */
  podAdded(b: number): void;
  /** The first tick of the pod's worker after `t`. */
  nextTickAfter(b: number, t: number): number;
}

/**
 * A readiness probe can also be run at once, off its ticker (the worker's manualTriggerCh), which
 * resets the ticker; `probes` false: the trigger only resets it (within initialDelaySeconds).
 */
export interface ReadinessProbe extends ProbeStreak {
  probeNow(b: number, probes?: boolean): void;
}

/** A liveness probe is also held after its failure until the next container (resume). */
export interface LivenessProbe extends ProbeStreak {
  resume(b: number): void;
  /** Held since its failure (worker.go doProbe `onHold`). */
  isPaused(b: number): boolean;
}

/**
 * What of a new pod's spec the kubelet uses: the preStop sleep and terminationGracePeriodSeconds
 * of its own kills, and its version's app.crash_after (undefined: the backend's, unchanged).
 */
export interface NewPodSpec {
  preStop: number;
  gracePeriod: number;
  crashAfter?: number;
}

/**
 * The kubelet of each pod's node, for the app container: it notices that the container died
 * (a crash, at its next PLEG relist, or its own kill after a failed liveness probe, at once),
 * reports the pod NotReady and starts the container again after the CrashLoopBackOff delay.
 *
 * NotReady with no probe failing: generateAPIPodStatus marks a pod whose container is
 * not running not Ready (pkg/kubelet/status/generate.go GeneratePodReadyCondition: a terminated
 * container → ContainersNotReady) and status_manager.go syncs it to the API server; the EndpointSlice controller then moves the endpoint
 * to not ready and kube-proxy drops it. That chain is the propagation delay
 * (`kubelet.endpoint_propagation`). Before, the pod stayed an endpoint until its readiness probe
 * had failed failureThreshold times.
 */
export class Kubelet {
  private readonly rng: Rng;
  private readonly backoffs: CrashLoopBackoff[];
  /** When the pod's last container finished (NaN: none has yet): doBackOff's previous exited container. */
  private readonly lastFinishedAt: Float64Array;
  private readonly restartCount: Int32Array;
  /** Bumped for each new pod a rollout places on a backend: the old pod's timers stand down. */
  private readonly podGen: Int32Array;
  private readiness: ReadinessProbe | null = null;
  private liveness: LivenessProbe | null = null;
  /**
   * The container's Started status (pkg/kubelet/prober: true once the startup probe succeeded,
   * at once without one): until then liveness and readiness results are ignored. A pod whose
   * container runs but has not started, or has started but is not Ready yet, takes no traffic.
   */
  private readonly started: Uint8Array;
  /**
   * The kubelet's pod status shows the current container running: set at the PLEG relist after
   * the container was started (containerSeen). Probes and the no-probe Ready wait for it.
   */
  private readonly statusRunning: Uint8Array;
  /** The kubelet is killing this container (preStop running, or SIGTERM sent and the grace period running). */
  private readonly killing: Uint8Array;
  /**
   * Each pod's preStop sleep and terminationGracePeriodSeconds: `kubelet.*` for the scenario's
   * pods, the rollout's for the pods it creates (the new template's spec belongs to the new pod).
   */
  private readonly preStop: Float64Array;
  private readonly gracePeriod: Float64Array;
  /** Each pod's version's app.crash_after: the backend's, or a rollout's new version's. */
  private readonly crashAfter: Float64Array;
  /** The PLEG's relists, one grid for the kubelet (kubelet-timing.ts RelistGrid). */
  private readonly pleg: RelistGrid;
  /** The pod worker's requeue of a pod in CrashLoopBackOff: jitter, then the 1 s sync tick. */
  private readonly podWorker: PodWorkerRequeue;
  /** wait.Jitter's draws of the periodic resyncs (stream `k8s.resync`). */
  private readonly resyncJitter: Rng;
  /** Bumped at each arming of a pod's periodic resync: an earlier one stands down (Enqueue overwrites). */
  private readonly resyncGen: Int32Array;
  private readonly startup: StartupProbe | null;
  /** A rollout waits for its new pod to be Ready (cleared once called). */
  private readonly onPodReady: Array<(() => void) | null>;
  /**
   * A rollout's new pod whose endpoint the balancer does not have yet: called when its first
   * Ready reaches the balancer (after the propagation delay), cleared once called.
   */
  private readonly onEndpointReady: Array<(() => void) | null>;
  /** The pod's Ready condition as the kubelet reports it (the API's view, before propagation). */
  private readonly podReady: Uint8Array;
  /**
   * When that condition last became True (its lastTransitionTime; -Infinity: before the run, the
   * scenario's pods; NaN: never).
   */
  private readonly readySince: Float64Array;
  /** When each pod was created: a rollout's; -Infinity for the scenario's, created before the run. */
  private readonly createdAt: Float64Array;
  /**
   * A rollout follows its new pod's Ready condition after its first Ready: each later change
   * (NotReady, Ready again) is reported, as the API server's pod updates reach the ReplicaSet
   * controller (replica_set.go updatePod → enqueueRS). Cleared when another pod takes the backend.
   */
  private readonly onReadyChange: Array<((ready: boolean) => void) | null>;
  /**
   * When each container's process last started running: its startup probe's time and its run time
   * at its death are logged.
   */
  private readonly runningSince: Float64Array;
  /**
   * When the container the probes' initialDelaySeconds count from started: the kubelet's own
   * starts; -Infinity for the scenario's pods, running long before the run.
   */
  private readonly probedSince: Float64Array;
  /**
   * When the pod worker's last sync of each pod that the model follows ran (its PLEG sync of a
   * new container, the syncs after startup-probe results): the next one waits for a relist newer
   * than it (syncStart).
   */
  private readonly lastSync: Float64Array;
  /**
   * The pod on this backend is terminating (deleted by a rollout), with what to call if its
   * container dies before the rollout's own timers see it exit.
   */
  private readonly terminatingGone: Array<(() => void) | null>;
  /** The pod on each backend has been deleted after its termination and none has replaced it yet. */
  private readonly deleted: Uint8Array;
  /** The Service's endpoints (ready / serving / terminating) as kube-proxy uses them. */
  readonly endpoints: ServiceEndpoints;

  constructor(
    private readonly w: World,
    private readonly life: Lifecycle,
  ) {
    this.rng = w.streams.stream('k8s.kubelet');
    const n = w.backends.length;
    this.backoffs = w.backends.map(() => new CrashLoopBackoff());
    this.lastFinishedAt = new Float64Array(n).fill(Number.NaN);
    this.restartCount = new Int32Array(n);
    this.podGen = new Int32Array(n);
    this.endpoints = new ServiceEndpoints(w);
    this.started = new Uint8Array(n).fill(1);
    this.statusRunning = new Uint8Array(n).fill(1);
    this.killing = new Uint8Array(n);
    this.preStop = new Float64Array(n).fill(w.scenario.kubelet.prestop_sleep);
    this.gracePeriod = new Float64Array(n).fill(w.scenario.kubelet.termination_grace_period);
    this.pleg = new RelistGrid(w.now, w.streams.stream('k8s.pleg').next());
    // Own streams: the syncTicker's phase (drawn once, as the PLEG's) and the requeue jitter.
    const jitter = w.streams.stream('k8s.podworker');
    this.podWorker = new PodWorkerRequeue(
      () => jitter.next(),
      new RelistGrid(w.now, w.streams.stream('k8s.synctick').next(), SYNC_TICK_PERIOD),
      this.pleg,
    );
    this.resyncJitter = w.streams.stream('k8s.resync');
    this.resyncGen = new Int32Array(n);
    this.crashAfter = Float64Array.from(w.backends, (bk) => bk.app.config.crash_after);
    this.onPodReady = w.backends.map(() => null);
    this.onEndpointReady = w.backends.map(() => null);
    this.podReady = new Uint8Array(n).fill(1);
    this.readySince = new Float64Array(n).fill(-Infinity);
    this.createdAt = new Float64Array(n).fill(-Infinity);
    this.onReadyChange = w.backends.map(() => null);
    this.terminatingGone = w.backends.map(() => null);
    this.deleted = new Uint8Array(w.backends.length);
    this.runningSince = new Float64Array(n).fill(w.now);
    this.probedSince = new Float64Array(n).fill(-Infinity);
    this.lastSync = new Float64Array(n).fill(-Infinity);
    const startupProbe = w.scenario.probes.startup;
    this.startup = startupProbe
      ? new StartupProbe(w, startupProbe, {
          firstTick: (b) => {
            this.podSynced(b, this.syncStart(b));
          },
          started: (b) => this.containerStartedProbe(b),
          failed: (b) => this.killContainer(b, 'startup'),
        })
      : null;
  }

  /**
   * The pod is deleted (a rollout terminates it). pkg/kubelet/kubelet.go SyncTerminatingPod calls
   * probeManager.StopLivenessAndStartup before killPod: from now on no liveness or startup probe
   * runs (a draining app that stops accepting is not killed and restarted by a liveness failure),
   * while the readiness probe keeps running until the containers have stopped (RemovePod): it
   * decides the endpoint's `serving` condition. A terminating pod's container is not restarted
   * either: if it dies, `gone` is called and the pod is gone.
   *
   * A status change the kubelet sends from now on reaches kube-proxy no earlier than the deletion
   * (the rollout's endpoint removal, published before it: ServiceEndpoints.publishedAt), and every
   * EndpointSlice written after the deletion carries it — the EndpointSlice controller's
   * podToEndpoint (staging/src/k8s.io/endpointslice/utils.go) sets `terminating =
   * pod.DeletionTimestamp != nil` and `ready = serving && !terminating` from the same pod object as
   * `serving` (its Ready condition). So a readiness probe that passes in the preStop makes the
   * endpoint serving and terminating, never ready again: kube-proxy uses it only while no endpoint
   * is ready (k8s-endpoints.ts). Before session 26 a Ready sent after the deletion could arrive
   * before the removal and put the pod back among the ready endpoints until then.
   */
  podTerminating(b: number, gone: () => void): void {
    this.terminatingGone[b] = gone;
    // Its pod worker runs SyncTerminatingPod from now on, not the periodic SyncPod.
    this.resyncGen[b]++;
    this.startup?.stop(b);
  }

  /** The pod on `b` is terminating: liveness and startup probes no longer run. */
  isTerminating(b: number): boolean {
    return this.terminatingGone[b] !== null;
  }

  /** The pod on `b` has gone (exited or killed) after its termination. */
  podGone(b: number): void {
    this.terminatingGone[b] = null;
    this.deleted[b] = 1;
  }

  /**
   * The pod on `b` is gone and no new one has come: its probe workers are gone with it
   * (pkg/kubelet/prober/prober_manager.go RemovePod, called from kubelet.go HandlePodRemoves),
   * so nothing probes this backend until a new pod is created on it.
   */
  isDeleted(b: number): boolean {
    return this.deleted[b] === 1;
  }

  /** The liveness probe starts afresh for each new container. */
  watchLiveness(probe: LivenessProbe): void {
    this.liveness = probe;
  }

  /** The container's process runs (starting or serving): a probe of anything else is not run. */
  isRunning(b: number): boolean {
    const app = this.w.backends[b].app;
    return app.up || app.state === AppState.STARTING;
  }

  /** Liveness and readiness results count only once the container has started. */
  hasStarted(b: number): boolean {
    return this.started[b] === 1;
  }

  /**
   * The kubelet's status shows the current container running (its PLEG relist has seen it):
   * before that the probe workers find no running container to probe (prober/worker.go doProbe
   * reads statusManager.GetPodStatus; `c.State.Running == nil` → no probe).
   */
  seesRunning(b: number): boolean {
    return this.statusRunning[b] === 1;
  }

  /**
   * A rolling update's new pod on backend `b` (its slot is free): the container runs, the app
   * listens `startup_time` later, and the pod is Ready once it has started (startup probe) and
   * its readiness probe passed; `ready` is then called once. Without a readiness probe that is
   * the PLEG relist after the container started (containerSeen → maybeReady), not the moment
   * the app listens.
   */
  createPod(b: number, ready: () => void, spec?: NewPodSpec, endpointReady?: () => void): void {
    const w = this.w;
    const backend = w.backends[b];
    this.onPodReady[b] = ready;
    this.onEndpointReady[b] = endpointReady ?? null;
    this.podReady[b] = 0;
    this.readySince[b] = Number.NaN;
    this.createdAt[b] = w.now;
    // The new pod's own spec: a kill of the old one (still under way) does not carry over.
    this.killing[b] = 0;
    if (spec) {
      this.preStop[b] = spec.preStop;
      this.gracePeriod[b] = spec.gracePeriod;
      if (spec.crashAfter !== undefined) this.crashAfter[b] = spec.crashAfter;
    }
    this.onReadyChange[b] = null;
    this.terminatingGone[b] = null;
    this.deleted[b] = 0;
    // The new pod's probe starts afresh. The backend's endpoint is left as it is: the old pod's
    // removal still travels to the load balancer (k8s-rollout.ts), and the new pod's endpoint
    // is bound only once it is Ready.
    this.readiness?.reset(b, false);
    this.podGen[b]++;
    // The new pod's probe workers start with it (prober_manager.go AddPod): their tickers' phases.
    this.startup?.podAdded(b);
    this.readiness?.podAdded(b);
    this.liveness?.podAdded(b);
    // A new pod's container has its own CrashLoopBackOff entry and restart count: the backoff key
    // is GetStableKey(pod, container), pod name + namespace + UID + container name and hash
    // (pkg/kubelet/kuberuntime/helpers.go, used by kuberuntime_manager.go doBackOff), and
    // restartCount lives in the new pod's status.
    this.backoffs[b] = new CrashLoopBackoff();
    this.lastFinishedAt[b] = Number.NaN;
    this.restartCount[b] = 0;
    backend.app.starting();
    this.containerRunning(b);
    const epoch = backend.app.epoch;
    w.engine.schedule(
      backend.app.config.startup_time,
      () => {
        if (backend.app.epoch !== epoch) return;
        this.life.podStarted(b);
        // `app.crash_after` counts from each start of the app, a new pod's first one included.
        this.armCrash(b);
      },
      null,
    );
  }

  /**
   * The container process runs (the app is not listening yet), but the kubelet learns it only at
   * its next PLEG relist: SyncPod's StartContainer does not write the pod status; the relist
   * (pleg/generic.go Relist, every 1 s) sees the new container running, updates the pod cache
   * and sends ContainerStarted, and the pod worker's next sync puts it in the status
   * (generateAPIPodStatus → status_manager.go SetPodStatus). The probe workers read that status
   * (prober/worker.go doProbe), and without a readiness probe the container is Ready once that
   * status shows it running (prober_manager.go UpdatePodStatus): all wait for the relist.
   */
  private containerRunning(b: number): void {
    const app = this.w.backends[b].app;
    this.runningSince[b] = this.w.now;
    this.probedSince[b] = this.w.now;
    this.statusRunning[b] = 0;
    if (this.startup) this.started[b] = 0;
    const pod = this.podGen[b];
    const epoch = app.epoch;
    this.w.engine.schedule(
      this.pleg.lagAfter(this.w.now),
      () => {
        if (this.podGen[b] !== pod || app.epoch !== epoch) return;
        this.containerSeen(b);
      },
      null,
    );
  }

  /**
   * The status shows the new container running: probes start afresh. A liveness probe held since
   * its failure resumes: prober/worker.go doProbe clears `onHold` when it sees a new container ID.
   */
  private containerSeen(b: number): void {
    this.statusRunning[b] = 1;
    this.podSynced(b, this.w.now);
    this.liveness?.resume(b);
    this.liveness?.reset(b, true);
    this.startup?.watch(b, this.probedSince[b]);
    this.afterInitialDelays(b);
    this.maybeReady(b);
    // The relist's ContainerStarted event syncs the pod: without a startup probe the container
    // counts as started at once, so that sync's UpdatePodStatus triggers the readiness probe.
    if (this.started[b]) {
      this.triggerReadiness(b);
      this.initialReadinessSync(b);
    }
  }

  /**
   * The triggered readiness probe is the worker's first look at the new container: prober/worker.go
   * doProbe, finding a container ID it has not seen, stores the worker's initial result
   * (`resultsManager.Set(w.containerID, w.initialValue, w.pod)`, Failure for readiness) before it
   * probes, and results_manager.go Set publishes it (a new container ID has no entry yet). kubelet.go
   * syncLoopIteration takes that update (readinessManager.Updates → SetContainerReadiness,
   * handleProbeSync), so the pod syncs again, after a relist newer than the sync that triggered the
   * probe (syncStart), and that sync's generateAPIPodStatus → prober_manager.go UpdatePodStatus
   * finds the result not Success and triggers the probe again (manualTriggerCh; worker.go run
   * resets the ticker). A new container whose app listens within about a relist of being seen is
   * thus Ready then, not a whole period later; within initialDelaySeconds that second trigger only
   * resets the ticker (triggerReadiness).
   *
   * Taken reading: the worker's doProbe at the first trigger already sees the new container. The
   * trigger is sent inside generateAPIPodStatus and the status that holds the container is stored
   * just after it returns (kubelet.go SyncPod → statusManager.SetPodStatus), while doProbe reads
   * statusManager.GetPodStatus from the worker's goroutine: the source orders neither first. The
   * model has always run that first probe (the trigger exists to run it: PR #97126); a worker that
   * read the status first would find no container ID, probe nothing and publish its initial result
   * at its next tick, a period later (not modelled: README Known limitations).
   */
  private initialReadinessSync(b: number): void {
    if (!this.readiness || this.podReady[b]) return;
    const at = this.syncStart(b);
    this.podSynced(b, at);
    this.triggerReadiness(b, at);
  }

  /** When a sync of the pod on `b` asked for now starts: after a relist newer than its last sync (RelistGrid.syncStart). */
  private syncStart(b: number): number {
    return this.pleg.syncStart(this.w.now, this.lastSync[b]);
  }

  /**
   * A sync of the pod whose container runs and has started, while its readiness result is not
   * Success, runs the readiness probe at once: kubelet.go SyncPod → generateAPIPodStatus →
   * prober_manager.go UpdatePodStatus sends on the readiness worker's manualTriggerCh (PR #97126,
   * "trigger a readinessProbe run immediately after the container has started"; fixed for the
   * startup probe's success by PR #101738). Kubernetes 1.35's default probe manager
   * (prober_manager.go / worker.go); the worker runs no probe within its initialDelaySeconds. The
   * worker's select resets its ticker whenever it takes the trigger (worker.go run, PR #119089):
   * its next tick is a period after the trigger, within the initial delay too.
   * Modelled syncs: the relist that sees the container (no startup probe), the one after the
   * startup probe's success, the one after a readiness result's change (readinessSync) and the
   * pod worker's periodic resync (podSynced).
   */
  private triggerReadiness(b: number, at = this.w.now): void {
    const readiness = this.w.scenario.probes.readiness;
    const probe = this.readiness;
    if (!probe || !readiness || this.podReady[b]) return;
    const pod = this.podGen[b];
    const epoch = this.w.backends[b].app.epoch;
    const fire = (): void => {
      if (this.podGen[b] !== pod || this.w.backends[b].app.epoch !== epoch || this.podReady[b]) return;
      // Within initialDelaySeconds the worker still takes the trigger and resets its ticker
      // (worker.go run), then doProbe returns before probing.
      probe.probeNow(b, !this.inInitialDelay(b, readiness.initial_delay));
    };
    if (at <= this.w.now) fire();
    else this.w.engine.schedule(at - this.w.now, fire, null);
  }

  /**
   * The container on `b` has run less than `initialDelay` (a probe's initialDelaySeconds): the
   * kubelet runs no such probe yet (kubelet-timing.ts withinInitialDelay), so a result the
   * model's checker reports now counts for nothing (k8s-probes.ts).
   */
  inInitialDelay(b: number, initialDelay: number): boolean {
    return withinInitialDelay(this.w.now - this.probedSince[b], initialDelay);
  }

  /**
   * When a readiness or liveness probe's initialDelaySeconds end, its run of results starts
   * afresh: the kubelet probed nothing before (doProbe returns before probing, lastResult and
   * resultRun untouched), while the model's checker ran its checks (and cost the app) and
   * counted them.
   */
  private afterInitialDelays(b: number): void {
    const w = this.w;
    const { readiness, liveness } = w.scenario.probes;
    const app = w.backends[b].app;
    const pod = this.podGen[b];
    const epoch = app.epoch;
    const restart = (probe: ProbeStreak | null, initialDelay: number, up: boolean): void => {
      if (!probe || !(initialDelay > 0)) return;
      // The first whole second of run time that is no longer below the delay.
      const left = this.probedSince[b] + Math.ceil(initialDelay - 1e-9) - w.now;
      if (left <= 0) return;
      w.engine.schedule(
        left,
        () => {
          if (this.podGen[b] === pod && app.epoch === epoch) probe.reset(b, up);
        },
        null,
      );
    };
    if (readiness) restart(this.readiness, readiness.initial_delay, false);
    if (liveness) restart(this.liveness, liveness.initial_delay, true);
  }

  /** The startup probe succeeded: liveness and readiness run from now on. */
  private containerStartedProbe(b: number): void {
    this.started[b] = 1;
    this.w.trace.emit({ kind: 'k8s.started', pod: this.w.backends[b].name, after: this.w.now - this.runningSince[b] });
    this.readiness?.reset(b, false);
    this.liveness?.reset(b, true);
    this.maybeReady(b);
    // kubelet.go syncLoopIteration: the startup result's update sets Started in the status manager
    // (SetContainerStartup) and syncs the pod (handleProbeSync), whose UpdatePodStatus triggers the
    // readiness probe; the worker reads that Started status, so it probes. A success at the
    // worker's first tick follows the sync of its initial result: this one waits for a relist.
    const at = this.syncStart(b);
    this.podSynced(b, at);
    this.triggerReadiness(b, at);
  }

  /**
   * A rollout follows the Ready condition of its new pod on `b` from now on: `changed(false)` when
   * it turns NotReady, `changed(true)` when it is Ready again (its lastTransitionTime then is now).
   */
  watchReady(b: number, changed: (ready: boolean) => void): void {
    this.onReadyChange[b] = changed;
  }

  /**
   * The pod's Ready condition changes (the status manager stamps a change's lastTransitionTime).
   * A Ready pod turning NotReady is reported to a rollout following it here; its Ready again is
   * reported by readyAgain, once the kubelet's own work of that instant is done.
   */
  private setPodReady(b: number, ready: boolean): void {
    const wasReady = this.podReady[b] === 1;
    if (ready && !wasReady) this.readySince[b] = this.w.now;
    this.podReady[b] = ready ? 1 : 0;
    if (wasReady && !ready) this.onReadyChange[b]?.(false);
  }

  /** When the pod's Ready condition last became True (its lastTransitionTime; NaN: never). */
  readyTransitionTime(b: number): number {
    return this.readySince[b];
  }

  /** What the ReplicaSet controller ranks the pod on `b` by when it scales down (pod-deletion-order.ts). */
  deletionFacts(b: number): DeletionFacts {
    return {
      ready: this.podReady[b] === 1,
      readySince: this.readySince[b],
      restarts: this.restartCount[b],
      createdAt: this.createdAt[b],
    };
  }

  /** The pod's Ready condition as the kubelet reports it (the Deployment controller's view). */
  isPodReady(b: number): boolean {
    return this.podReady[b] === 1;
  }

  /**
   * The readiness probe's result changed (k8s-probes.ts): the pod's Ready condition changes in
   * the kubelet's status at once, and reaches the balancer after the propagation delay like every
   * Ready change (status manager → API server → EndpointSlice controller → kube-proxy).
   */
  readinessChanged(b: number, up: boolean): void {
    this.setPodReady(b, up);
    this.propagate(b, up);
    if (up) this.readinessPassed(b);
    this.readinessSync(b);
  }

  /**
   * The readiness result's update syncs the pod (kubelet.go syncLoopIteration: SetContainerReadiness,
   * then handleProbeSync), after a relist newer than its previous sync (syncStart). A sync after a
   * Failure runs the readiness probe again at once: generateAPIPodStatus → prober_manager.go
   * UpdatePodStatus finds the running, started container's result not Success and sends on the
   * worker's manualTriggerCh (triggerReadiness). So a pod that went NotReady is probed again within
   * about a relist, not a period later, and one whose app answers again is Ready at once. A
   * terminating pod's worker is busy killing it (SyncTerminatingPod waits for its containers):
   * no such sync until it has gone. An update while a sync of the pod is still pending (it waits
   * for its relist) joins that sync: pod_workers.go UpdatePod replaces the pending update and the
   * worker's podUpdates channel holds one signal, so the pending sync is the one that runs.
   */
  private readinessSync(b: number): void {
    if (this.isTerminating(b) || this.lastSync[b] > this.w.now) return;
    const at = this.syncStart(b);
    this.podSynced(b, at);
    this.triggerReadiness(b, at);
  }

  /**
   * A sync of the pod on `b` at `at` returned no error: its pod worker requeues it for the
   * periodic resync (PodWorkerRequeue.resyncAfter, 60–90 s later, at a sync tick), overwriting
   * any earlier time. That sync waits for a relist newer than this one (syncStart) and, while the
   * container runs, has started and is not Ready, runs the readiness probe at once (prober_manager.go
   * UpdatePodStatus, as every sync does), then is requeued in turn. A pod that stays NotReady is
   * thus probed off its ticker every 60–90 s; a Ready one's resync changes nothing modelled.
   */
  private podSynced(b: number, at: number): void {
    this.lastSync[b] = at;
    if (this.readiness) this.armResync(b, this.podWorker.resyncAfter(at, this.resyncJitter.next()));
  }

  /**
   * The pod's work-queue time for its periodic resync is `at` (taken then). Only the readiness
   * trigger of a resync is modelled: without a readiness probe no timer is kept.
   */
  private armResync(b: number, at: number): void {
    const gen = ++this.resyncGen[b];
    if (!this.readiness) return;
    const pod = this.podGen[b];
    this.w.engine.schedule(
      Math.max(0, at - this.w.now),
      () => {
        if (this.resyncGen[b] !== gen || this.podGen[b] !== pod || this.isTerminating(b) || this.isDeleted(b)) return;
        const syncAt = this.syncStart(b);
        this.podSynced(b, syncAt);
        if (this.started[b] && this.statusRunning[b] && this.isRunning(b)) this.triggerReadiness(b, syncAt);
      },
      null,
    );
  }

  /** The readiness probe passed: a rollout waiting for this pod goes on. */
  private readinessPassed(b: number): void {
    this.readyAgain(b);
    const ready = this.onPodReady[b];
    if (!ready) return;
    this.onPodReady[b] = null;
    ready();
  }

  /**
   * Without a readiness probe a container is Ready as soon as it runs and has started
   * (pkg/kubelet/prober/prober_manager.go UpdatePodStatus: `ready = !exists // no readinessProbe
   * -> always ready` once `c.State.Running != nil` and Started; Started is true at once without a
   * startup probe). Whether the app listens yet plays no part: a new pod takes connections for
   * its whole `startup_time` and refuses them. Its Ready reaches the balancer after the
   * propagation delay (a rollout's pod: its endpoint is added then), while a rollout waiting for
   * it goes on at once. With a readiness probe, the probe decides (readinessChanged).
   */
  private maybeReady(b: number): void {
    if (this.readiness || !this.started[b] || !this.statusRunning[b] || !this.isRunning(b)) return;
    this.setPodReady(b, true);
    this.propagate(b, true);
    const ready = this.onPodReady[b];
    if (ready) {
      this.onPodReady[b] = null;
      ready();
    } else this.readyAgain(b);
  }

  private readyAgain(b: number): void {
    this.onReadyChange[b]?.(true);
  }

  /** The readiness probe decides when a restarted container is Ready again. */
  watchReadiness(probe: ReadinessProbe): void {
    this.readiness = probe;
  }

  /** Containers that crash by themselves (`app.crash_after`) get their first crash scheduled, each pod its next resync. */
  start(): void {
    for (let b = 0; b < this.w.backends.length; b++) this.armCrash(b);
    // The scenario's pods were synced before the run: each one's last sync anywhere in its current
    // resync interval, its next resync due at that interval's end.
    for (let b = 0; b < this.w.backends.length && this.readiness; b++) {
      const u = this.resyncJitter.next();
      const last = this.w.now - this.resyncJitter.next() * RESYNC_INTERVAL * (1 + POD_WORKER_RESYNC_JITTER * u);
      this.armResync(b, this.podWorker.resyncAfter(last, u));
    }
  }

  private armCrash(b: number): void {
    const backend = this.w.backends[b];
    const after = this.crashAfter[b];
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

  /**
   * A failed liveness probe: the kubelet kills the container, also one still starting (its process
   * runs: the failure a startup probe prevents); a container not running is left alone.
   */
  restartApp(b: number): void {
    if (!this.isRunning(b) || this.isTerminating(b) || this.killing[b] === 1) return;
    this.killContainer(b, 'liveness');
  }

  /**
   * The kubelet kills a container that failed its liveness or startup probe as it kills any
   * container (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer, reason
   * "Container failed liveness probe"), with the pod's terminationGracePeriodSeconds
   * (setTerminationGracePeriod): first the preStop hook, if the pod has one and the grace period
   * is above 0 (`containerSpec.Lifecycle.PreStop != nil && gracePeriod > 0` → executePreStopHook,
   * which waits for it at most the grace period) — the container keeps running and serving
   * meanwhile; then StopContainer with what is left of the grace period, raised to
   * minimumGracePeriodInSeconds (2 s): SIGTERM, SIGKILL when that is over
   * (kubelet-timing.ts terminationTimes, the rule a rollout's deletion follows too). The app
   * stops accepting at SIGTERM and finishes the requests it holds; the container is dead when it
   * has exited (or been killed), and only then restarted after its CrashLoopBackOff delay. A
   * container whose app does not listen yet has nothing to finish: it exits at SIGTERM, after the
   * preStop hook, which runs in a starting container as in any other (at once without one).
   *
   * Both timers belong to this container of this pod: if it dies meanwhile (a crash) or a
   * rollout puts a new pod on the backend, they stand down instead of signalling the next one.
   */
  private killContainer(b: number, cause: 'liveness' | 'startup'): void {
    const w = this.w;
    const backend = w.backends[b];
    // setTerminationGracePeriod: the failing probe's own terminationGracePeriodSeconds if set, else the pod's.
    const probe = cause === 'liveness' ? this.w.scenario.probes.liveness : this.w.scenario.probes.startup;
    const gracePeriod = probe?.termination_grace_period ?? this.gracePeriod[b];
    const preStop = this.preStop[b];
    const times = terminationTimes(gracePeriod, preStop);
    if (!backend.app.up && !(times.sigterm > 0 && this.isRunning(b))) return this.containerDied(b, cause);
    this.killing[b] = 1;
    const epoch = backend.app.epoch;
    const pod = this.podGen[b];
    const same = (): boolean => backend.app.epoch === epoch && this.podGen[b] === pod;
    const killedAt = w.now;
    const check = (): void => {
      if (!same()) return;
      // Nothing in flight, and no socket left open: kept-alive ones included (app-exit.ts).
      const idle = appCanExit(backend);
      const left = killedAt + times.sigkill - w.now;
      if (idle || left <= 1e-9) return this.containerDied(b, cause);
      w.engine.schedule(Math.min(0.1, left), check, null);
    };
    const sigterm = (): void => {
      if (!same()) return;
      if (!backend.app.up) return this.containerDied(b, cause);
      if (times.extended && times.sigterm > 0)
        w.trace.emit({
          kind: 'k8s.grace_extended',
          pod: backend.name,
          gracePeriod,
          preStop,
          extension: times.sigkill - gracePeriod,
        });
      this.life.podSigterm(backend);
      check();
    };
    if (times.sigterm > 0) {
      w.trace.emit({ kind: 'k8s.kill_prestop', pod: backend.name, cause, preStop, gracePeriod });
      w.engine.schedule(times.sigterm, sigterm, null);
    } else sigterm();
  }

  /**
   * The container is dead: its process is gone at once (connections refused). The kubelet acts on
   * it when it learns of it: a container that exited by itself is seen at the node's next PLEG
   * relist (pleg/generic.go Relist, every 1 s: ContainerDied, then the pod worker syncs the pod),
   * while the kubelet's own kill (liveness, startup) returns to the pod worker when StopContainer
   * does, so it acts at once.
   */
  private containerDied(b: number, cause: 'crash' | 'liveness' | 'startup'): void {
    const w = this.w;
    this.killing[b] = 0;
    const backend = w.backends[b];
    // How long this container's process ran (kubectl's startedAt → finishedAt), its start-up included.
    const ranFor = w.now - this.runningSince[b];
    w.trace.emit({ kind: 'k8s.container_died', pod: backend.name, cause, ranFor, restarts: this.restartCount[b] });
    this.life.killApp(backend);
    const finishedAt = w.now;
    if (cause !== 'crash') return this.containerNoticed(b, finishedAt, true);
    const pod = this.podGen[b];
    const epoch = backend.app.epoch;
    w.engine.schedule(
      this.pleg.lagAfter(this.w.now),
      () => {
        if (this.podGen[b] !== pod || backend.app.epoch !== epoch) return;
        this.containerNoticed(b, finishedAt, false);
      },
      null,
    );
  }

  /**
   * The kubelet's pod worker syncs the pod whose container finished at `finishedAt`: the pod is
   * NotReady (the status travels to the balancer), and the container is started again at once or,
   * in CrashLoopBackOff, at the pod worker's sync after the expiry (its requeue adds up to half
   * the time left, then the kubelet's 1 s sync tick: kubelet-timing.ts PodWorkerRequeue); after the kubelet's own kill
   * (`killed`) the backoff is judged from the previous container's finish
   * (CrashLoopBackoff.restartAfterKill).
   */
  private containerNoticed(b: number, finishedAt: number, killed: boolean): void {
    const w = this.w;
    const backend = w.backends[b];
    const gone = this.terminatingGone[b];
    if (gone) {
      // A terminating pod is not started again (its pod worker only kills it): it is gone.
      this.terminatingGone[b] = null;
      gone();
      return;
    }
    const wasReady = this.podReady[b] === 1;
    this.readiness?.reset(b, false);
    this.setPodReady(b, false);
    this.propagate(b, false, finishedAt);
    const backoff = this.backoffs[b];
    const previous = this.lastFinishedAt[b];
    this.lastFinishedAt[b] = finishedAt;
    // The wait the log states: the backoff counted from this container's finish.
    const earliest = backoff.earliestRestart(finishedAt);
    // The sync whose status shows the container exited: this one after a crash (the relist's);
    // after a kill, the one the next relist's ContainerDied brings (CrashLoopBackoff.restartAfterKill).
    const seenAt = killed ? w.now + this.pleg.lagAfter(w.now) : w.now;
    const requeue = this.podWorker.requeueWith(this.probeSyncsAfter(b, seenAt, wasReady));
    const at = killed
      ? backoff.restartAfterKill(Number.isNaN(previous) ? null : previous, finishedAt, w.now, requeue, seenAt)
      : backoff.restartAt(finishedAt, w.now, requeue);
    // A killed container restarted in the same sync waits nothing; else the backoff, as the
    // kubelet's "Back-off 40s restarting failed container" states it (the requeue's jitter is not in it).
    const wait = killed && at === w.now ? 0 : earliest - finishedAt;
    // This sync's requeue overwrites the resync: in backoff the syncs return the BackoffError and
    // the backoff's requeue owns the work queue until the sync that starts the container, which
    // (no error) requeues the resync (below).
    this.resyncGen[b]++;
    w.trace.emit({
      kind: 'k8s.crash_backoff',
      pod: backend.name,
      delay: wait,
      noticed: w.now - finishedAt,
      killed,
      restarts: this.restartCount[b],
    });
    const epoch = backend.app.epoch;
    w.engine.schedule(
      at - w.now,
      () => {
        // A pod deleted meanwhile is not started again: its pod worker runs SyncTerminatingPod,
        // which only kills (pod_workers.go; review40): k8s-rollout.ts ends it at its SIGTERM.
        if (backend.app.epoch !== epoch || this.isTerminating(b)) return;
        // restartCount counts containers started again (startContainer: status RestartCount + 1),
        // listening or not; the `restarts` figure counts apps serving again (containerStarted).
        this.restartCount[b]++;
        this.podSynced(b, w.now);
        backend.app.starting();
        this.containerRunning(b);
        w.engine.schedule(backend.app.config.startup_time, () => this.containerStarted(b, epoch), null);
      },
      null,
    );
  }

  /**
   * The syncs the probe workers cause once the pod's status (written by the sync at `seenAt`)
   * shows its container exited: worker.go doProbe sets a non-running container's result to
   * Failure, and the results manager publishes a change (results_manager.go Set: only when the
   * result differs), which syncs the pod (kubelet.go syncLoopIteration → handleProbeSync; a
   * liveness update only when it is a Failure, which it is). So each worker not on hold whose
   * result was not Failure already asks for a sync at its next tick: readiness when the pod was
   * Ready, liveness unless its failure had it killed (on hold), the startup probe while the
   * container had not started (Unknown). A worker that never saw the container (it ran less than
   * a tick) publishes its initial result instead, a sync too: left out.
   */
  private probeSyncsAfter(b: number, seenAt: number, wasReady: boolean): number[] {
    const requests: number[] = [];
    if (this.readiness && wasReady) requests.push(this.readiness.nextTickAfter(b, seenAt));
    if (this.liveness && !this.liveness.isPaused(b)) requests.push(this.liveness.nextTickAfter(b, seenAt));
    if (this.startup && !this.started[b] && this.startup.awaitsStart(b))
      requests.push(this.startup.nextTickAfter(b, seenAt));
    return requests;
  }

  private containerStarted(b: number, epoch: number): void {
    const w = this.w;
    const backend = w.backends[b];
    if (backend.app.epoch !== epoch) return;
    w.metrics.inc(w.c.restarts, b);
    this.life.containerStarted(backend);
    w.trace.emit({ kind: 'k8s.container_restarted', pod: backend.name });
    this.armCrash(b);
  }

  /**
   * A pod's Ready condition reaches the load balancer after the propagation delay, and never
   * before a change to any pod of the Service written earlier (ServiceEndpoints.publishedAt: the
   * EndpointSlice controller syncs the Service from its pods' current state): a Ready sent right
   * after a NotReady does not overtake it, nor a rollout's new pod's first Ready the old pod's
   * termination. A dead container's NotReady is logged at its arrival, its delay counted from
   * `diedAt` (a readiness failure's is not: the probe's own line said it). A rollout's new pod's
   * endpoint is added by its first Ready's arrival. A change of a pod that has been replaced
   * meanwhile is dropped: its endpoint is the rollout's to remove.
   */
  private propagate(b: number, ready: boolean, diedAt: number | null = null): void {
    const w = this.w;
    const sent = w.now;
    const pod = this.podGen[b];
    const arrival = this.endpoints.publishedAt(w.scenario.kubelet.endpoint_propagation.sample(this.rng));
    w.engine.at(
      arrival,
      () => {
        if (this.podGen[b] !== pod) return;
        w.lb.setReady(b, ready);
        const bind = ready ? this.onEndpointReady[b] : null;
        if (bind) {
          this.onEndpointReady[b] = null;
          bind();
          w.trace.emit({ kind: 'k8s.endpoint_added', pod: w.backends[b].name, delay: w.now - sent });
        }
        this.endpoints.sync();
        if (diedAt !== null)
          w.trace.emit({ kind: 'k8s.endpoint_not_ready', pod: w.backends[b].name, delay: w.now - diedAt });
      },
      null,
    );
  }

  /** Which pod runs on backend `b` (bumped by each rollout pod placed there). */
  podGeneration(b: number): number {
    return this.podGen[b];
  }
}
