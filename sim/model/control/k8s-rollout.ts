import type { Rng } from '../../engine/random.js';
import type { Distribution } from '../../scenario/distribution.js';
import { ScenarioError } from '../../scenario/errors.js';
import { type IntOrPercent, resolveFenceposts } from '../../scenario/rollout-fenceposts.js';
import { formatDuration } from '../../scenario/units.js';
import type { World } from '../core/world.js';
import { appCanExit } from '../vm/app-exit.js';
import type { Lifecycle } from '../vm/lifecycle.js';
import type { Kubelet } from './kubelet.js';
import { terminationTimes } from './kubelet-timing.js';
import { nextToDelete } from './pod-deletion-order.js';

export interface RolloutPlan {
  pods: number[];
  gracePeriod: number;
  preStop: number;
  propagation: Distribution;
  /** Deployment minReadySeconds: a new pod is available once Ready this long. */
  minReadySeconds: number;
  maxSurge: IntOrPercent;
  maxUnavailable: IntOrPercent;
  /** Backends that hold no pod of the Deployment: room for surge pods. */
  spares: number[];
  /** The new version's app.crash_after (undefined: each backend's own). */
  crashAfter?: number;
  /** The timeline action that started it: its index in `timeline` and its `at` as written. */
  action: { index: number; at: string };
}

/**
 * A Deployment's progressDeadlineSeconds default (pkg/apis/apps/v1/defaults.go
 * SetDefaults_Deployment: 600): with no progress that long the controller sets Progressing=False,
 * reason ProgressDeadlineExceeded (pkg/controller/deployment/progress.go syncRolloutStatus,
 * util/deployment_util.go DeploymentTimedOut).
 */
export const PROGRESS_DEADLINE_SECONDS = 600;

/**
 * The second the Deployment controller adds to its progress check's requeue
 * (pkg/controller/deployment/progress.go requeueStuckDeployment: enqueueAfter(after + 1 s), 'to
 * avoid milliseconds skew in AddAfter'): the deadline is found 1 s after it has passed.
 */
const PROGRESS_CHECK_SKEW = 1;

/** An old pod told to terminate. */
interface TerminatingPod {
  /** Its containers have exited (or were killed) and its sandbox is gone. */
  gone: boolean;
  /**
   * Its app container has exited (by itself after SIGTERM, crashed, or killed at the grace
   * period's end): the sandbox waits for its nginx container too (containersExited).
   */
  appExited: boolean;
  /** Its endpoint's removal has reached the balancer. */
  endpointRemoved: boolean;
}

/** One rolling update in progress: the Deployment controller's counts. */
interface RolloutRun {
  plan: RolloutPlan;
  surge: number;
  unavailable: number;
  /**
   * Old pods not yet told to terminate, in the scenario's order (the ranking's ties keep it): the
   * old ReplicaSet's .spec.replicas is their number, Ready or not (see step on unhealthy ones).
   */
  oldLeft: number[];
  /** New pods created (starting or Ready). */
  created: number;
  /**
   * New pods available (Ready for minReadySeconds without a break): the new ReplicaSet's
   * status.availableReplicas, which goes down as well as up.
   */
  newAvailable: number;
  /** Which backends' new pods that count holds (1: counted). */
  availableOn: Uint8Array;
  /** Backends with no pod: a new pod can start there. */
  free: number[];
  /** New pods the controller created that no backend has room for yet (Pending). */
  pending: number;
  /** Old pods terminating (their slots free when they have gone). */
  terminating: number;
  /** The stall has been logged (cleared when the rollout moves again). */
  stalled: boolean;
  /** The Progressing condition's lastUpdateTime: the rollout's start, then its last progress (progressed). */
  lastProgress: number;
  /** A progress check is scheduled (one at a time: checkDeadline re-arms it). */
  deadlineArmed: boolean;
  /** Progressing=False, reason ProgressDeadlineExceeded (cleared by the next progress). */
  timedOut: boolean;
  done: boolean;
}

/**
 * A Kubernetes rolling update as the Deployment controller runs it (pkg/controller/deployment/
 * rolling.go: reconcileNewReplicaSet scales the new pods up while old + new ≤ replicas + maxSurge,
 * reconcileOldReplicaSets scales old pods down while available ≥ replicas − maxUnavailable; both
 * fenceposts resolved by ResolveFenceposts). A new pod needs a backend with no pod on it: the
 * scenario's spare backends (not in `pods`, not bound) or the slot of an old pod that has exited.
 * A new pod with no such backend is Pending (the scheduler's FailedScheduling) and is scheduled
 * when a slot frees; with no spare and maxUnavailable 0 nothing frees one, and the rollout stalls
 * as a real one does (step()).
 *
 * Terminating a pod starts two things at once (pod-lifecycle.md "Pod Termination Flow"): the
 * endpoint removal, which reaches the load balancer only after a propagation delay, and preStop →
 * SIGTERM → (grace period) → SIGKILL, for each of the pod's containers in parallel (its nginx
 * quits gracefully at the same moment: lifecycle.ts podNginxStopSignal). The pod's nginx closes its
 * listener at that signal and the app stops accepting, so the connections that still arrive in the
 * propagation window are refused; a preStop sleep longer than the delay closes that window.
 * Requests still running when the grace period ends are cut by SIGKILL.
 */
export class Rollout {
  private readonly rng: Rng;
  /** Propagation of gone pods' deletions: a stream of its own, so the removals' draws stay as they were. */
  private readonly deletionRng: Rng;
  /** The rollout started last (one at a time: start). */
  private current: RolloutRun | null = null;
  /** What to do when the nginx of a terminating pod on each backend exits (terminatePod); null: nothing. */
  private readonly nginxExitWatch: ((() => void) | null)[];

  constructor(
    private readonly w: World,
    private readonly life: Lifecycle,
    private readonly kubelet: Kubelet,
  ) {
    this.rng = w.streams.stream('k8s.endpoints');
    this.deletionRng = w.streams.stream('k8s.endpoint-deletion');
    this.nginxExitWatch = w.backends.map(() => null);
    life.whenNginxExits((b) => this.nginxExitWatch[b]?.());
  }

  /**
   * A rollout starts. One that starts while another is still in progress stops the run (exit 2):
   * Kubernetes would roll over (the previous new ReplicaSet becomes an old one: sync.go
   * getAllReplicaSetsAndSyncRevision, rolling.go rolloutRolling scales it down with the first),
   * which is not modelled; run on, both runs would act on the same backends, and the first would
   * never complete. Validation refuses the overlaps the scenario shows (scenario/rollout-overlap.ts).
   */
  start(plan: RolloutPlan): void {
    const w = this.w;
    const previous = this.current;
    if (previous && !previous.done) this.refuseOverlap(plan, previous);
    const replicas = plan.pods.length;
    const { surge, unavailable } = resolveFenceposts(plan.maxSurge, plan.maxUnavailable, replicas);
    w.trace.emit({
      kind: 'k8s.rollout_start',
      pods: replicas,
      gracePeriod: plan.gracePeriod,
      preStop: plan.preStop,
      propagation: plan.propagation.spec,
      surge,
      unavailable,
      spares: plan.spares.length,
      crashAfter: plan.crashAfter ?? null,
    });
    const run: RolloutRun = {
      plan,
      surge,
      unavailable,
      oldLeft: [...plan.pods],
      created: 0,
      newAvailable: 0,
      availableOn: new Uint8Array(w.backends.length),
      free: [...plan.spares],
      pending: 0,
      terminating: 0,
      stalled: false,
      // The new ReplicaSet's creation sets Progressing=True, reason NewReplicaSetCreated, with
      // lastUpdateTime now (sync.go getNewReplicaSet): the deadline counts from the start.
      lastProgress: w.now,
      deadlineArmed: false,
      timedOut: false,
      done: false,
    };
    this.current = run;
    // An old pod Ready again raises the old ReplicaSet's readyReplicas: progress too.
    for (const b of plan.pods) {
      const pod = this.kubelet.podGeneration(b);
      this.kubelet.watchReady(b, (ready) => {
        if (ready && run.oldLeft.includes(b)) this.readyAgain(run, b, pod, true);
      });
    }
    this.armDeadline(run);
    this.step(run);
  }

  private refuseOverlap(plan: RolloutPlan, previous: RolloutRun): never {
    const first = previous.plan.action;
    const state = `${previous.newAvailable} of ${previous.plan.pods.length} new pods available, ${previous.oldLeft.length} old pod${previous.oldLeft.length === 1 ? '' : 's'} left`;
    throw new ScenarioError([
      {
        file: this.w.scenario.name ?? 'scenario',
        path: `timeline[${plan.action.index}].at`,
        message: `rollout at ${plan.action.at} starts ${formatDuration(this.w.now)} into the run while the rollout at ${first.at} (timeline[${first.index}]) is still in progress (${state}). Kubernetes would roll over (the previous new ReplicaSet becomes an old one), which drainsim does not model: start it after the first has completed (its 'rolling update complete' line), or drop one`,
        expected: `a rollout starting after the one at ${first.at} has completed`,
        found: JSON.stringify(plan.action.at),
      },
    ]);
  }

  /**
   * The controller's syncs at one instant: start new pods where the surge allows, terminate old
   * ones where availability allows, and again until neither changes. rolling.go rolloutRolling
   * does one of the two per sync (reconcileNewReplicaSet; if it scaled up, return; else
   * reconcileOldReplicaSets) and the ReplicaSet update it makes requeues the Deployment at once
   * (deployment_controller.go updateReplicaSet → enqueueDeployment), so the model runs those
   * syncs in zero time. Scaling the old ReplicaSet down frees surge room at once: NewRSNewReplicas
   * counts GetReplicaCountForReplicaSets, the sum of .Spec.Replicas, in which a terminating pod
   * no longer counts (util/deployment_util.go). With maxSurge 0 the replacement is thus created
   * when the old pod starts terminating, not when it has gone (if a backend has room for it).
   */
  private step(run: RolloutRun): void {
    const w = this.w;
    const replicas = run.plan.pods.length;
    if (run.done) return;
    for (let changed = true; changed && !run.done; ) {
      changed = false;
      // A Pending pod goes to the first backend that frees (the scheduler binds it there).
      // createPod may re-enter step (a pod Ready at creation with minReadySeconds 0): the inner
      // step then runs to its own fixed point, and this loop finds nothing left to do.
      // No progress: the pod was already in the new ReplicaSet's status.replicas while Pending.
      while (run.pending > 0 && run.free.length > 0) {
        run.pending--;
        this.createPod(run, run.free.shift()!);
        changed = true;
      }
      // reconcileNewReplicaSet: the new ReplicaSet grows while old + new ≤ replicas + maxSurge,
      // whether or not a node has room (NewRSNewReplicas counts ReplicaSet specs, Pending pods
      // included); a pod with no backend stays Pending.
      while (
        run.created + run.pending < replicas &&
        run.oldLeft.length + run.created + run.pending < replicas + run.surge
      ) {
        if (run.free.length > 0) this.createPod(run, run.free.shift()!);
        else {
          run.pending++;
          w.trace.emit({ kind: 'k8s.pod_pending', pending: run.pending, terminating: run.terminating });
        }
        changed = true;
        // The new ReplicaSet's status.replicas (the Deployment's updatedReplicas) rose.
        this.progressed(run);
      }
      // reconcileOldReplicaSets: maxScaledDown = allPods − minAvailable − newRSUnavailable, where
      // allPods = old + created + Pending and newRSUnavailable = created + Pending − newAvailable:
      // an old pod may go while old + newAvailable > replicas − maxUnavailable (Pending pods hold
      // nothing back and let nothing go). Old pods count whether Ready or not: the sync first
      // scales down min(maxScaledDown, u) of the u unhealthy old pods (cleanupUnhealthyReplicas),
      // then max(0, (old − u) + newAvailable − minAvailable) more by the old ReplicaSets' available
      // pods (scaleDownOldReplicaSetsForRollingUpdate, on the status read before the cleanup):
      // maxScaledDown in all, whatever u. Which pods go is the ReplicaSet controller's ranking,
      // NotReady ones first (pod-deletion-order.ts), as cleanupUnhealthyReplicas relies on.
      while (run.oldLeft.length > 0 && run.oldLeft.length + run.newAvailable - 1 >= replicas - run.unavailable) {
        // The ReplicaSet controller picks which old pod goes (pod-deletion-order.ts).
        const next = nextToDelete(run.oldLeft, (b) => this.kubelet.deletionFacts(b), w.now);
        this.terminatePod(run, run.oldLeft.splice(next, 1)[0]);
        changed = true;
        // A terminating pod leaves its ReplicaSet's status.replicas (FilterActivePods): the old
        // replicas went down.
        this.progressed(run);
      }
    }
    // Stalled: Pending pods, no old pod terminating to free a slot, and none allowed to go. The
    // model can tell at once that this one cannot move; the Deployment says so only at its
    // progress deadline (checkDeadline), as for a rollout waiting on a new pod that never
    // becomes Ready, which the model cannot tell from a slow one.
    const stalled = run.pending > 0 && run.terminating === 0 && !run.done;
    if (stalled && !run.stalled) {
      w.trace.emit({
        kind: 'k8s.rollout_stalled',
        pending: run.pending,
        surge: run.surge,
        unavailable: run.unavailable,
        oldPods: run.oldLeft.length,
      });
    }
    run.stalled = stalled;
    // Done as the controller sees it: every new pod available, no old pod left (terminating ones do not count).
    // (A new pod Ready at its creation with minReadySeconds 0 re-enters step from createPod: once.)
    if (!run.done && run.newAvailable === replicas && run.oldLeft.length === 0) {
      run.done = true;
      w.trace.emit({ kind: 'k8s.rollout_complete', pods: replicas });
    }
  }

  /**
   * A new pod is scheduled onto a backend with no pod: the kubelet starts it (startup, then
   * readiness probes when the scenario has them) and it is Ready; from then on the rollout follows
   * its Ready condition (availableAfter, unavailable).
   */
  private createPod(run: RolloutRun, b: number): void {
    const w = this.w;
    const backend = w.backends[b];
    run.created++;
    // A spare backend's process stands for "no pod here": it gives way to the new pod.
    if (backend.app.up) this.life.appExited(backend);
    // The new pod's sandbox (its network namespace and address) comes first, at once: the kubelet
    // probes the new pod there. What the balancer still sends to the old pod's address stays
    // unanswered meanwhile (Backend.answersBalancer).
    this.life.podSandboxUp(b);
    this.kubelet.createPod(
      b,
      () => {
        const pod = this.kubelet.podGeneration(b);
        w.metrics.inc(w.c.restarts, b);
        w.trace.emit({
          kind: 'k8s.pod_ready',
          pod: backend.name,
          startupTime: backend.app.config.startup_time,
          listening: backend.app.accepting,
        });
        this.kubelet.watchReady(b, (ready) => {
          if (ready) this.readyAgain(run, b, pod, false);
          else this.unavailable(run, b, pod);
        });
        this.readyAgain(run, b, pod, false);
      },
      { preStop: run.plan.preStop, gracePeriod: run.plan.gracePeriod, crashAfter: run.plan.crashAfter },
      // Its endpoint reaches the balancer with its first Ready (kubelet.ts propagate), never before
      // the deletion of the pod that had this slot, written at its exit, before this pod's Ready
      // (ServiceEndpoints.publishedAt): what the balancer sends here reaches the new pod.
      () => {
        this.balancerEntryRenewed(b);
        this.life.podReady(b);
      },
    );
  }

  /**
   * The new pod `pod` on `b` has just turned Ready: it counts as available once its Ready
   * condition has stood minReadySeconds since this transition (pkg/api/v1/pod/util.go
   * IsPodAvailable: Ready, and minReadySeconds == 0 or the Ready condition's lastTransitionTime +
   * minReadySeconds has passed). The ReplicaSet controller computes status.availableReplicas that
   * way from every pod at each sync (replica_set_utils.go calculateStatus); the Deployment
   * controller reads that status (rolling.go reconcileOldReplicaSets). A NotReady in between
   * moves nothing at the check: the next Ready stamps a new lastTransitionTime, and the wait
   * starts again from it (its own availableAfter).
   *
   * The check runs exactly minReadySeconds after the Ready: the sync that the pod's update
   * brings requeues the ReplicaSet minReadySeconds later when all its pods are Ready
   * (replica_set.go syncReplicaSet's AddAfter), as in the built-ins, whose new pods start one at
   * a time. Not modelled: with another new pod not Ready yet the requeue is updatePod's
   * enqueueRSAfter, minReadySeconds + 1 s; the work queue keeps only the earliest of a
   * ReplicaSet's pending AddAfters (client-go delaying_queue.go insert); any sync of the new
   * ReplicaSet in between (another pod's update, a scale) counts the pod as soon as it qualifies;
   * and the kubelet stores lastTransitionTime to the second (pkg/kubelet/status/status_manager.go
   * normalizeStatus: Rfc3339Copy), which lets such a sync count it up to 1 s early.
   */
  private availableAfter(run: RolloutRun, b: number, pod: number, old: boolean): void {
    const since = this.kubelet.readyTransitionTime(b);
    const available = (): void => {
      if (this.kubelet.podGeneration(b) !== pod) return;
      // Ready without a break since `since`: no NotReady → Ready moved the transition time.
      if (!this.kubelet.isPodReady(b) || this.kubelet.readyTransitionTime(b) !== since) return;
      // An old pod available again, still in its ReplicaSet (not terminating): the old
      // ReplicaSet's availableReplicas rose.
      if (old) {
        if (run.oldLeft.includes(b)) this.progressed(run);
        return;
      }
      if (run.availableOn[b]) return;
      run.availableOn[b] = 1;
      run.newAvailable++;
      this.progressed(run);
      this.step(run);
    };
    if (run.plan.minReadySeconds > 0) this.w.engine.schedule(run.plan.minReadySeconds, available, null);
    else available();
  }

  /**
   * The pod `pod` on `b` (a new pod, or an old one not yet told to go) has just turned Ready: its
   * ReplicaSet's readyReplicas rose, which is progress (DeploymentProgressing), and it will be
   * available minReadySeconds later if it stays Ready (availableAfter). For an old pod the
   * Deployment's minReadySeconds is taken as its old ReplicaSet's (the scenario has no other).
   */
  private readyAgain(run: RolloutRun, b: number, pod: number, old: boolean): void {
    this.progressed(run);
    this.availableAfter(run, b, pod, old);
  }

  /**
   * The Deployment made progress now. Progress is what pkg/controller/deployment/util/
   * deployment_util.go DeploymentProgressing compares between the Deployment's last status and
   * the one just computed from its ReplicaSets (progress.go syncRolloutStatus): updatedReplicas
   * (the new ReplicaSet's pods, Pending ones included) up, old replicas (active pods of the old
   * ReplicaSets: a terminating one no longer counts) down, readyReplicas up, or
   * availableReplicas up, summed over all the ReplicaSets. Progress sets the Progressing
   * condition's lastUpdateTime to now (and Progressing=True again after a timeout: that case
   * comes first in syncRolloutStatus's switch). So a pod that keeps coming back Ready keeps the
   * deadline away, and a Pending pod scheduled, or an old pod's exit, does not count. The model
   * counts each rise on its own; two changes in one ReplicaSet sync that cancel out (one pod
   * NotReady, another Ready) count once here and not at all in Kubernetes.
   */
  private progressed(run: RolloutRun): void {
    run.lastProgress = this.w.now;
    run.timedOut = false;
    this.armDeadline(run);
  }

  /**
   * The Deployment controller's progress check: with no progress for progressDeadlineSeconds
   * the condition turns Progressing=False, reason ProgressDeadlineExceeded (deployment_util.go
   * DeploymentTimedOut: lastUpdateTime + deadline before now), whatever holds the rollout: a
   * Pending pod, a new pod never Ready (a slow startup, a failing readiness probe, a crash
   * loop) or one that never stays Ready minReadySeconds. The sync that finds it is the one
   * requeueStuckDeployment schedules for lastUpdateTime + deadline + 1 s. lastUpdateTime is
   * stored to the second (metav1.Time), which can bring the check up to 1 s earlier: not modelled.
   * Nothing else changes: no rollback.
   */
  private armDeadline(run: RolloutRun): void {
    if (run.deadlineArmed || run.done || run.timedOut) return;
    run.deadlineArmed = true;
    const due = run.lastProgress + PROGRESS_DEADLINE_SECONDS + PROGRESS_CHECK_SKEW;
    this.w.engine.schedule(due - this.w.now, () => this.checkDeadline(run), null);
  }

  private checkDeadline(run: RolloutRun): void {
    run.deadlineArmed = false;
    if (run.done || run.timedOut) return;
    const due = run.lastProgress + PROGRESS_DEADLINE_SECONDS + PROGRESS_CHECK_SKEW;
    // Progress since this check was scheduled: the next one is due from it.
    if (due - this.w.now > 1e-9) {
      this.armDeadline(run);
      return;
    }
    run.timedOut = true;
    this.w.trace.emit({ kind: 'k8s.progress_deadline', deadline: PROGRESS_DEADLINE_SECONDS });
  }

  /**
   * The new pod `pod` on `b` is NotReady (its readiness probe failed, its container died or was
   * killed): IsPodAvailable is false for it at the ReplicaSet controller's next sync (the pod
   * update enqueues it), so status.availableReplicas goes down and reconcileOldReplicaSets'
   * newRSUnavailablePodCount up. A lower count can only hold old pods back, so the Deployment
   * controller's sync has nothing to do at this instant: step is not run.
   */
  private unavailable(run: RolloutRun, b: number, pod: number): void {
    if (this.kubelet.podGeneration(b) !== pod || !run.availableOn[b]) return;
    run.availableOn[b] = 0;
    run.newAvailable--;
  }

  /**
   * An old pod is gone (all its containers exited, or SIGKILL: containersExited): the kubelet
   * tears its sandbox down right after its containers (kuberuntime_manager.go
   * killPodWithSyncResult: killContainersWithSyncResult, then StopPodSandbox; the CNI releases its
   * IP; the connections its processes held were closed at their exits), and its backend can hold
   * a new pod. kube-proxy still lists the endpoint — not yet terminating if the removal has not
   * reached it, else terminating, and then the fallback it sends to while no endpoint is ready
   * (k8s-endpoints.ts) — until the deletion reaches it (deletionPropagates). Until then connections it sends to the old address go
   * unanswered: no RST, the connect times out (Backend.balancerEntryStale). A container restart
   * (restartPolicy Always) keeps the sandbox: its refusals stay (kubelet.ts).
   */
  private podGone(run: RolloutRun, b: number, pod: TerminatingPod): void {
    if (pod.gone) return;
    pod.gone = true;
    run.terminating--;
    this.kubelet.podGone(b);
    const w = this.w;
    const backend = w.backends[b];
    const unreachable = w.scenario.kubernetes.deleted_pod_ip === 'unreachable';
    const fallback = pod.endpointRemoved && this.kubelet.endpoints.isUsed(b);
    this.nginxExitWatch[b] = null;
    w.trace.emit({
      kind: 'k8s.pod_ip_gone',
      pod: backend.name,
      stillSent: !pod.endpointRemoved || fallback,
      ...(unreachable ? { unreachable } : {}),
      ...(fallback ? { fallback } : {}),
    });
    this.life.podSandboxGone(b);
    backend.balancerEntryStale();
    // A bridge CNI's node ARPs for the gone address in vain, then answers host unreachable: set
    // and cleared with the stale entry only (balancerEntryRenewed; review35 #6).
    if (unreachable) w.lb.goneAddresses.podGone(b);
    this.deletionPropagates(run, b);
    run.free.push(b);
    this.step(run);
  }

  /**
   * The gone pod's deletion travels to kube-proxy as any EndpointSlice update does: the kubelet's
   * final status and the API object's deletion, the EndpointSlice controller dropping the endpoint,
   * kube-proxy's informer and its next sync (pkg/proxy/endpointslicecache.go: updatePending holds
   * the slice until checkoutChanges applies it; until then the applied slice lists the endpoint as
   * it was, and pkg/proxy/topology.go CategorizeEndpoints keeps choosing a serving, terminating
   * endpoint while none is ready). It takes the rollout's propagation delay from the exit, and
   * comes no earlier than a change to the Service's pods written before it, the pod's own removal
   * (the terminating condition) included: one slice, updates applied in order
   * (ServiceEndpoints.publishedAt).
   */
  private deletionPropagates(run: RolloutRun, b: number): void {
    const w = this.w;
    const exitedAt = w.now;
    const arrival = this.kubelet.endpoints.publishedAt(run.plan.propagation.sample(this.deletionRng));
    w.engine.at(
      arrival,
      () => {
        // No new pod's endpoint has taken the slot yet: its Ready, written after this deletion,
        // lands no earlier (ServiceEndpoints.publishedAt; at the same instant, after it).
        const wasUsed = this.kubelet.endpoints.podDeleted(b);
        this.balancerEntryRenewed(b);
        if (wasUsed) w.trace.emit({ kind: 'k8s.endpoint_deleted', pod: w.backends[b].name, delay: w.now - exitedAt });
      },
      null,
    );
  }

  /**
   * The balancer's entry on `b` no longer addresses the gone pod (its removal landed, or the new
   * pod's endpoint took it): what the balancer sends to the slot reaches the new pod's address,
   * which no ARP lookup of the old one stands for (lb/gone-addresses.ts).
   */
  private balancerEntryRenewed(b: number): void {
    this.w.lb.goneAddresses.podBack(b);
    this.w.backends[b].balancerEntryRenewed();
  }

  private terminatePod(run: RolloutRun, b: number): void {
    const w = this.w;
    const plan = run.plan;
    const backend = w.backends[b];
    const incarnationAtStart = backend.incarnation;
    const podAtStart = this.kubelet.podGeneration(b);
    const delay = plan.propagation.sample(this.rng);
    w.trace.emit({
      kind: 'k8s.pod_terminating',
      pod: backend.name,
      preStop: plan.preStop,
      gracePeriod: plan.gracePeriod,
    });
    // The deletion's terminating condition reaches kube-proxy after its own draw, and not before a
    // change to the Service's pods written earlier (a pod's NotReady, an earlier deletion).
    const deletedAt = w.now;
    const removalAt = this.kubelet.endpoints.publishedAt(delay);
    const pod: TerminatingPod = { gone: false, appExited: false, endpointRemoved: false };
    run.terminating++;
    // Liveness and startup probes stop; an app container that dies now is not restarted: it has
    // exited, and the pod is gone once its nginx has too.
    this.kubelet.podTerminating(b, () => this.appContainerExited(run, b, pod));
    // nginx's exit (its graceful quit's last connection) may be the pod's last container's: the
    // sandbox's stop follows, out of nginx's own call (its connection's close is still under way).
    this.nginxExitWatch[b] = () => {
      if (pod.appExited && !pod.gone) w.engine.schedule(0, () => this.containersExited(run, b, pod), null);
    };
    w.engine.at(
      removalAt,
      () => {
        // No replacement's endpoint is on this slot yet: one comes only after the pod's exit, and
        // its Ready, written after this deletion, lands no earlier (ServiceEndpoints.publishedAt).
        // Not ready any more; kube-proxy still uses it while no other endpoint is ready
        // (k8s-endpoints.ts), even when the pod has already gone: its deletion comes after this
        // update (deletionPropagates), and until then the entry addresses the released IP.
        this.kubelet.endpoints.podTerminating(b);
        pod.endpointRemoved = true;
        const fallback = this.kubelet.endpoints.isUsed(b);
        w.trace.emit({
          kind: 'k8s.endpoint_removed',
          pod: backend.name,
          delay: w.now - deletedAt,
          preStop: plan.preStop,
          podGone: pod.gone,
          ...(fallback ? { fallback } : {}),
        });
      },
      null,
    );
    // Both kubelet timers belong to this pod: once it has gone (and maybe been replaced) they
    // stand down instead of signalling the replacement. Its app may have died meanwhile (a crash
    // in the preStop): its nginx still gets its stop signal and its kill.
    const same = (): boolean =>
      !pod.gone && backend.incarnation === incarnationAtStart && this.kubelet.podGeneration(b) === podAtStart;
    const times = terminationTimes(plan.gracePeriod, plan.preStop);
    w.engine.schedule(
      times.sigterm,
      () => {
        if (!same()) return;
        if (!backend.app.up) {
          // The app container is not running (it crashed, before the deletion or in the preStop;
          // CrashLoopBackOff's wait) and a terminating pod's container is not started again
          // (kubelet.ts): killContainersWithSyncResult has only nginx to stop — its stop signal
          // after its preStop (review40) — and the pod is gone once nginx has exited.
          this.life.podNginxStopSignal(backend);
          this.life.killApp(backend);
          this.appContainerExited(run, b, pod);
          return;
        }
        w.trace.emit({
          kind: 'k8s.pod_sigterm',
          pod: backend.name,
          gracePeriod: plan.gracePeriod,
          preStop: plan.preStop,
          endpointRemoved: pod.endpointRemoved,
          ...(backend.app.config.shutdown_delay ? { shutdownDelay: backend.app.config.shutdown_delay } : {}),
          // Only when the signal reaches a running nginx (review40 #4).
          ...(this.life.podNginxTakesSignal(backend) ? { nginx: w.scenario.kubernetes.nginx_stop_signal } : {}),
        });
        if (times.extended)
          w.trace.emit({
            kind: 'k8s.grace_extended',
            pod: backend.name,
            gracePeriod: plan.gracePeriod,
            preStop: plan.preStop,
            extension: times.sigkill - plan.gracePeriod,
          });
        // Every container of the pod gets its stop signal at once (killContainersWithSyncResult):
        // nginx its image's STOPSIGNAL (SIGQUIT), the app SIGTERM.
        this.life.podNginxStopSignal(backend);
        this.life.podSigterm(backend);
        this.exitWhenIdle(run, b, w.now, pod);
      },
      null,
    );
    w.engine.schedule(
      times.sigkill,
      () => {
        if (!same()) return;
        // SIGKILL to every container still running (each StopContainer's timeout: the same
        // preStop on both, so the same instant), then the sandbox's stop.
        if (backend.app.up) {
          const inFlight = backend.busyWorkers + backend.appQueueLength;
          w.trace.emit({ kind: 'k8s.grace_over', pod: backend.name, gracePeriod: plan.gracePeriod, inFlight });
          this.life.killApp(backend);
        }
        this.life.podNginxKilled(backend);
        pod.appExited = true;
        this.podGone(run, b, pod);
      },
      null,
    );
  }

  /** The terminating pod's app container has exited (by itself, or it crashed): the pod waits for its nginx. */
  private appContainerExited(run: RolloutRun, b: number, pod: TerminatingPod): void {
    pod.appExited = true;
    this.containersExited(run, b, pod);
  }

  /**
   * The pod is gone once every container has exited: killPodWithSyncResult
   * (kuberuntime_manager.go) stops the sandbox only after killContainersWithSyncResult's
   * `wg.Wait()` for every container's killContainer (kuberuntime_container.go), and each of those
   * returns when its StopContainer does — its container exited, or was killed at the grace
   * period's end. So an nginx still finishing its graceful quit keeps the pod (and its IP) up
   * after its app has exited, and its requests in flight are answered; a bare pod has only the app.
   */
  private containersExited(run: RolloutRun, b: number, pod: TerminatingPod): void {
    if (pod.gone || !pod.appExited || this.life.podNginxRunning(this.w.backends[b])) return;
    this.podGone(run, b, pod);
  }

  /** After SIGTERM the app exits as soon as it has nothing in flight and no socket open (app-exit.ts). */
  private exitWhenIdle(run: RolloutRun, b: number, since: number, pod: TerminatingPod): void {
    const w = this.w;
    const backend = w.backends[b];
    const check = (): void => {
      if (!backend.app.up) return;
      // Nothing in flight, and no socket left open: kept-alive ones included (app-exit.ts).
      if (appCanExit(backend)) {
        w.trace.emit({
          kind: 'app.shutdown_complete',
          backend: backend.name,
          after: w.now - since,
          gracePeriod: run.plan.gracePeriod,
        });
        this.life.podAppExited(backend);
        this.appContainerExited(run, b, pod);
        return;
      }
      w.engine.schedule(0.1, check, null);
    };
    check();
  }
}
