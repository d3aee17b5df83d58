/**
 * The kubelet's timing rules, as pure functions and one small state object so they can be tested
 * without a run: when a terminating pod gets SIGTERM and SIGKILL, and how long a crashed
 * container waits before it is started again.
 */

/**
 * pkg/kubelet/kuberuntime/kuberuntime_container.go: `minimumGracePeriodInSeconds = 2`. In
 * killContainer the preStop hook's run time is subtracted from the grace period
 * (`gracePeriod = gracePeriod - m.executePreStopHook(...)`) and what is left is raised to this
 * minimum, so SIGKILL never follows SIGTERM by less than 2 s.
 */
export const MINIMUM_GRACE_PERIOD = 2;

export interface TerminationTimes {
  /** Seconds after the deletion: the preStop hook is over (or cut short) and SIGTERM is sent. */
  sigterm: number;
  /** Seconds after the deletion: SIGKILL for whatever still runs. */
  sigkill: number;
  /** The kubelet had to extend the grace period: preStop used (nearly) all of it. */
  extended: boolean;
}

/**
 * executePreStopHook waits for the hook at most the grace period (it runs the hook in a goroutine
 * and selects on `time.After(gracePeriod)`), then SIGTERM is sent with the grace period that is
 * left, at least MINIMUM_GRACE_PERIOD. The hook's run time is subtracted in whole seconds:
 * executePreStopHook returns `int64(metav1.Now().Sub(start.Time).Seconds())`, truncated, and
 * the grace period is an int64 of seconds, so a 10.5 s preStop leaves 30 − 10 = 20 s after
 * SIGTERM, not 19.5 s.
 */
export function terminationTimes(gracePeriod: number, preStop: number): TerminationTimes {
  const sigterm = Math.min(preStop, gracePeriod);
  // 1e-9 guards a whole-second sleep held as a float.
  const left = gracePeriod - Math.floor(sigterm + 1e-9);
  const extended = left < MINIMUM_GRACE_PERIOD;
  return { sigterm, sigkill: sigterm + (extended ? MINIMUM_GRACE_PERIOD : left), extended };
}

/**
 * A probe's initialDelaySeconds: pkg/kubelet/prober/worker.go doProbe skips the probe (no
 * result, the run of results untouched) while `int32(time.Since(StartedAt).Seconds()) <
 * InitialDelaySeconds`, StartedAt being the container's start: the whole seconds the container
 * has run, below the delay. 1e-9 guards a whole-second run time held as a float.
 */
export function withinInitialDelay(ranFor: number, initialDelay: number): boolean {
  return Math.floor(ranFor + 1e-9) < initialDelay;
}

/**
 * pkg/kubelet/kubelet.go: `genericPlegRelistPeriod = time.Second * 1`. The generic PLEG
 * (pkg/kubelet/pleg/generic.go) learns of container changes only by listing the runtime's
 * containers (`go wait.Until(g.Relist, RelistPeriod, …)` in Start): a container that exits by
 * itself is seen at the next relist, which sends ContainerDied and updates the pod cache; only then
 * does the pod worker sync the pod (NotReady status, restart). The Evented PLEG that would learn
 * it at once from CRI events is a feature gate off by default.
 */
export const PLEG_RELIST_PERIOD = 1;

/**
 * The relists of one kubelet's PLEG: one grid, `phase + k·period`. pleg/generic.go Start runs
 * `go wait.Until(g.Relist, g.relistPeriod, wait.NeverStop)`, a single loop per kubelet that starts
 * each period when the previous Relist returns, so every container on the node is seen on the
 * same grid. A container's exit falls anywhere on it; a container the pod worker starts in the
 * sync that follows a relist (a restart without backoff) starts just after a relist and is seen
 * at the next one, a whole period later. The relist's own run time (a CRI list call, milliseconds)
 * is not modelled: the grid does not drift. The phase (where the kubelet's loop began) is drawn
 * once per kubelet (kubelet.ts, stream `k8s.pleg`). Any other fixed ticker of the kubelet is such
 * a grid too: its sync loop's 1 s syncTicker (PodWorkerRequeue), a probe worker's ticker
 * (k8s-startup-probe.ts).
 */
export class RelistGrid {
  /** `u` in [0, 1) places the first relist at `origin + u·period`. */
  constructor(
    readonly origin: number,
    u: number,
    readonly period = PLEG_RELIST_PERIOD,
  ) {
    this.phase = origin + u * period;
  }

  readonly phase: number;

  /**
   * How long after time `t` the next relist runs: in (0, period]. A change at a relist time
   * itself (within 1e-9 periods, float noise) is seen at the following relist, a period later:
   * the relist that ran then had already listed the containers.
   */
  lagAfter(t: number): number {
    const k = Math.floor((t - this.phase) / this.period + 1e-9) + 1;
    return this.phase + k * this.period - t;
  }

  /**
   * When a pod's sync asked for at `at` starts, the pod's previous sync having ended at `lastSync`
   * (-Infinity: none yet): the pod worker first waits for a pod cache newer than the end of its
   * previous sync (pkg/kubelet/pod_workers.go podWorkerLoop: `podCache.GetNewerThan(uid,
   * lastSyncTime)`, `lastSyncTime` set as each sync ends), i.e. for a relist that started after it
   * (pleg/generic.go Relist stamps the cache with its start). A pod last synced more than a relist
   * ago syncs at once. The sync's own duration is left out.
   */
  syncStart(at: number, lastSync: number): number {
    return lastSync === -Infinity ? at : Math.max(at, lastSync + this.lagAfter(lastSync));
  }
}

/**
 * pkg/kubelet/kubelet.go: `backOffPeriod = 10s`, `MaxContainerBackOff = 300s`, used with
 * client-go util/flowcontrol.Backoff keyed per container.
 */
export const CRASH_BACKOFF_INITIAL = 10;
export const CRASH_BACKOFF_MAX = 300;

/**
 * CrashLoopBackOff of one container: kuberuntime_manager.go doBackOff with client-go
 * util/flowcontrol.Backoff. At each pod sync the kubelet asks IsInBackOffSince(key, finishedAt):
 * the container is held back while `now - finishedAt < backoff`, unless the entry has expired.
 * When it starts the container it calls Next(key, finishedAt): the first time (or after expiry)
 * the backoff becomes 10 s, else it doubles, capped at 300 s; and `lastUpdate = Clock.Now()`,
 * the moment of the restart, not the crash. hasExpired(eventTime, lastUpdate) is
 * `eventTime - lastUpdate > 2 × max`: the container's next finish comes more than 10 minutes
 * after its last restart, i.e. it ran more than 10 minutes. The very first start calls neither
 * (doBackOff finds no exited container). So the first restart is immediate, the next ones wait
 * 10, 20, 40, … 300 s after the crash, and a container that ran over 10 minutes starts over.
 * The restart is not at the backoff's expiry: Kubernetes 1.35's pod worker requeues a pod in
 * backoff for the expiry with jitter on top (PodWorkerRequeue; pod_workers.go completeWork,
 * kubernetes PR #133066); older kubelets retried every 10–15 s (issue #123602).
 */
export class CrashLoopBackoff {
  /** The current backoff (0: no entry yet). */
  private backoff = 0;
  /** When Next was last called: the last restart. */
  private lastUpdate = -Infinity;

  constructor(
    private readonly initial = CRASH_BACKOFF_INITIAL,
    private readonly max = CRASH_BACKOFF_MAX,
  ) {}

  private expired(eventTime: number): boolean {
    return eventTime - this.lastUpdate > 2 * this.max;
  }

  /** IsInBackOffSince(key, finishedAt) asked at `now`: the container may not start yet. */
  inBackOffSince(finishedAt: number, now: number): boolean {
    if (this.backoff === 0 || this.expired(finishedAt)) return false;
    return now - finishedAt < this.backoff - 1e-9;
  }

  /** When the container that finished at `finishedAt` may start at the earliest. */
  earliestRestart(finishedAt: number): number {
    if (this.backoff === 0 || this.expired(finishedAt)) return finishedAt;
    return finishedAt + this.backoff;
  }

  /** Next(key, finishedAt): the kubelet starts the container at `now`. */
  next(finishedAt: number, now: number): void {
    this.backoff = this.backoff === 0 || this.expired(finishedAt) ? this.initial : Math.min(this.backoff * 2, this.max);
    this.lastUpdate = now;
  }

  /**
   * The container finished at `finishedAt`, and the kubelet starts it as soon as the backoff
   * allows: how long after `finishedAt` that is (Next is called then).
   */
  delayAfterCrash(finishedAt: number): number {
    return this.restartAt(finishedAt, finishedAt) - finishedAt;
  }

  /**
   * The container finished at `finishedAt` and the kubelet learnt of it at `noticedAt` (its PLEG
   * relist): it starts the container then, or, in backoff, at the pod worker's sync that
   * `requeue` finds once the backoff has expired (exactly at the expiry when none is given);
   * Next is called at that moment. Returns when.
   */
  restartAt(finishedAt: number, noticedAt: number, requeue: Requeue = atExpiry): number {
    const expiry = this.earliestRestart(finishedAt);
    const at = expiry > noticedAt ? requeue(noticedAt, expiry) : noticedAt;
    this.next(finishedAt, at);
    return at;
  }

  /**
   * The kubelet killed the container (failed liveness or startup probe) and it finished at
   * `finishedAt` = `now`: when it starts it again. computePodActions put the container in both
   * ContainersToKill and ContainersToStart, so the same SyncPod starts it right after the kill,
   * and its doBackOff reads the pod status taken before the kill, where the newest exited
   * container of that name is the previous one (finished at `previousFinishedAt`; null: none,
   * then doBackOff returns at once without calling Next). Not in backoff since that one: start
   * now and Next(key, previousFinishedAt). In backoff: the SyncPod that killed it returns the
   * previous container's backoff error and the pod is requeued toward that expiry, but the next
   * PLEG relist (at `seenAt`) sees the killed container exit and its ContainerDied syncs the pod
   * first (any other sync waits for that relist: GetNewerThan): that sync sees the killed
   * container as the newest exited one, in backoff in turn, and from there it goes as after a
   * crash noticed then (the requeue drawn from that sync overwrites the kill's).
   */
  restartAfterKill(
    previousFinishedAt: number | null,
    finishedAt: number,
    now: number,
    requeue: Requeue = atExpiry,
    seenAt = now,
  ): number {
    if (previousFinishedAt === null) return now;
    if (!this.inBackOffSince(previousFinishedAt, now)) {
      this.next(previousFinishedAt, now);
      return now;
    }
    return this.restartAt(finishedAt, seenAt, requeue);
  }
}

/**
 * When the pod worker of a pod in backoff at `now` syncs it again, the backoff expiring at
 * `expiry` (> now): the first sync at or after the expiry, where the container is started.
 */
export type Requeue = (now: number, expiry: number) => number;

/** A requeue exactly at the expiry (no jitter, no sync tick): the backoff rule alone. */
export const atExpiry: Requeue = (_now, expiry) => expiry;

/**
 * pkg/kubelet/pod_workers.go: `workerBackOffPeriodJitterFactor = 0.5`, and the pod worker's
 * resyncInterval, the kubelet's syncFrequency (KubeletConfiguration default 1 min).
 */
export const POD_WORKER_BACKOFF_JITTER = 0.5;
export const RESYNC_INTERVAL = 60;

/** pkg/kubelet/pod_workers.go: `workerResyncIntervalJitterFactor = 0.5`. */
export const POD_WORKER_RESYNC_JITTER = 0.5;

/**
 * pkg/kubelet/kubelet.go syncLoop: `syncTicker := time.NewTicker(time.Second)`; each tick
 * getPodsToSync takes the pods whose workQueue time has passed.
 */
export const SYNC_TICK_PERIOD = 1;

/**
 * How a pod in CrashLoopBackOff is synced again (Kubernetes 1.35, PR #133066): the SyncPod that
 * found the container in backoff returns a BackoffError carrying the expiry, and
 * pod_workers.go completeWork enqueues the pod `wait.Jitter(backoff, 0.5)` later, `backoff`
 * being the time left to the expiry clamped to [0, resyncInterval]: the left time plus up to
 * half of it again (apimachinery wait.Jitter: `d + rand·0.5·d`). The kubelet's syncLoop takes
 * the pod at the next tick of its 1 s syncTicker after that (workQueue GetWork: times before
 * now). A sync that comes before the expiry (only when more than resyncInterval was left) is in
 * backoff again and requeues the same way. So a 10 s backoff restarts 10–15 s after the crash
 * (+ the tick), a 300 s one after up to four requeues. Before 1.35 the requeue was a plain
 * `wait.Jitter(backOffPeriod 10 s, 0.5)` whatever the backoff (issue #123602): retries every
 * 10–15 s, the first one after the expiry starting the container.
 *
 * The work queue holds one time per pod, and every sync's completeWork overwrites it
 * (pkg/kubelet/util/queue/work_queue.go basicWorkQueue.Enqueue: `q.queue[item] = now + delay`).
 * So a sync that something else causes during the backoff (`requests`: a probe result that
 * changes, kubelet.go syncLoopIteration → handleProbeSync) is in backoff too and draws the
 * requeue afresh from its own time, and one that comes after the expiry starts the container
 * there. Every sync waits for a pod cache newer than the end of the pod's previous sync
 * (pod_workers.go podWorkerLoop `GetNewerThan(lastSyncTime)`): for a PLEG relist that started
 * after it (`relists`; left out when not given). A request that comes while the worker waits
 * (the work queue's own tick included, which GetWork then removes) is the pod's pendingUpdate:
 * completeWork sends it at once, so it is one more sync, at the relist after.
 */
export class PodWorkerRequeue {
  constructor(
    /** A uniform draw in [0, 1) per requeue: wait.Jitter's rand.Float64(). */
    private readonly draw: () => number,
    /** The kubelet's syncTicker. */
    private readonly ticks: RelistGrid,
    /** The PLEG's relists (the pod cache's times); null: syncs do not wait for one. */
    private readonly relists: RelistGrid | null = null,
  ) {}

  /**
   * The periodic resync: a sync at `t` that returned no error is requeued
   * `wait.Jitter(resyncInterval, 0.5)` later (pod_workers.go completeWork, `syncErr == nil`), 60–90 s,
   * and taken at the next sync tick after that; `u` is wait.Jitter's draw. Any later sync
   * overwrites it (the caller re-arms at each).
   */
  resyncAfter(t: number, u: number): number {
    const due = t + RESYNC_INTERVAL * (1 + POD_WORKER_RESYNC_JITTER * u);
    return due + this.ticks.lagAfter(due);
  }

  /** The backoff's requeue alone: no other sync comes. */
  readonly requeue: Requeue = (now, expiry) => this.restartSync(now, expiry, []);

  /** The requeue with other syncs requested at the times `requests` (any order). */
  requeueWith(requests: readonly number[]): Requeue {
    return (now, expiry) => this.restartSync(now, expiry, requests);
  }

  /** When a sync asked for at `at` starts, the pod's previous sync having run at `last` (RelistGrid.syncStart). */
  private syncStart(at: number, last: number): number {
    return this.relists ? this.relists.syncStart(at, last) : at;
  }

  /** completeWork's requeue of a sync at `t` in backoff until `expiry`: when it is due. */
  private due(t: number, expiry: number): number {
    const backoff = Math.min(expiry - t, RESYNC_INTERVAL);
    return t + backoff * (1 + POD_WORKER_BACKOFF_JITTER * this.draw());
  }

  /** A sync at `now` found the container in backoff until `expiry`: the sync that starts it. */
  private restartSync(now: number, expiry: number, requests: readonly number[]): number {
    const pending = requests.filter((q) => q > now - 1e-9).sort((a, b) => a - b);
    let last = now;
    let due = this.due(now, expiry);
    for (;;) {
      const taken = due + this.ticks.lagAfter(due);
      const asked = pending.length > 0 && pending[0] <= taken ? (pending.shift() as number) : taken;
      const t = this.syncStart(asked, last);
      if (t >= expiry - 1e-9) return t;
      // Asked for while the worker waited for the relist: the pendingUpdate's sync after this one.
      let again = false;
      while (pending.length > 0 && pending[0] < t) {
        pending.shift();
        again = true;
      }
      if (asked !== taken && taken < t) again = true;
      last = t;
      due = this.due(t, expiry);
      if (again) {
        const next = this.syncStart(t, last);
        if (next >= expiry - 1e-9) return next;
        last = next;
        due = this.due(next, expiry);
      }
    }
  }
}
