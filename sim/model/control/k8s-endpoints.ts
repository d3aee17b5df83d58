import type { World } from '../core/world.js';
import { PoolState } from '../lb/pool.js';

/**
 * The Service's endpoints as kube-proxy sees them once the EndpointSlice reached it, with their
 * three conditions (discovery/v1 EndpointConditions, set by the EndpointSlice controller's
 * podToEndpoint): `serving` is the pod's Ready condition (the balancer's `ready` flag here: the
 * readiness probe, or the kubelet's NotReady when the container died), `terminating` is the
 * pod's deletion, and `ready` is serving and not terminating.
 *
 * kube-proxy's choice (pkg/proxy/topology.go CategorizeEndpoints, ProxyTerminatingEndpoints GA
 * in 1.28): the ready endpoints; only when there is none anywhere, the endpoints that are serving
 * and terminating. So a terminating pod leaves the set at once while another pod is ready, and a
 * Service whose every pod is terminating keeps sending to the ones still passing readiness (their
 * preStop sleep, their drain) instead of to nothing.
 */
export class ServiceEndpoints {
  /** The pod on this backend is terminating, as kube-proxy knows it (after the propagation delay). */
  private readonly terminating: Uint8Array;
  /** kube-proxy sends to this terminating endpoint (no endpoint is ready). */
  private readonly used: Uint8Array;
  private readonly loggedUse: Uint8Array;
  /** When the Service's last published change reaches kube-proxy (publishedAt). */
  private lastArrival = Number.NEGATIVE_INFINITY;

  constructor(private readonly w: World) {
    const n = w.backends.length;
    this.terminating = new Uint8Array(n);
    this.used = new Uint8Array(n);
    this.loggedUse = new Uint8Array(n);
  }

  /**
   * When a change to one of the Service's pods, written to the API server now, reaches kube-proxy,
   * its own draw of the propagation being `delay`: never before a change written earlier to any
   * pod of the Service. The EndpointSlice controller syncs the Service, not the pod
   * (pkg/controller/endpointslice/endpointslice_controller.go: addPod / updatePod / deletePod
   * queue the Service's key, the work queue never runs one key twice at once, and syncService
   * lists all the Service's pods from the informer's cache and reconciles its slices from them).
   * That cache holds the pod watch's events in the order the API server wrote them (client-go
   * tools/cache/delta_fifo.go: a key joins the queue at its first pending delta and Pop takes the
   * oldest), so a sync that sees a later write sees every earlier one, whichever pod it was of.
   * A Service of up to 100 endpoints (maxEndpointsPerSlice) has one slice, written whole
   * (staging/src/k8s.io/endpointslice/reconciler.go finalize), and kube-proxy applies a slice's
   * versions in order (pkg/proxy/endpointslicecache.go). So the pod's Ready or NotReady
   * (status_manager.go syncPod, per pod UID), a rollout's deletion (the terminating condition)
   * and the deleted pod's removal from the API reach kube-proxy in the order they were written,
   * across pods: a rollout's replacement on the old pod's slot is never added before the old
   * pod's termination and deletion have landed. Before session 27 the order was kept per
   * backend slot, and only between a pod's own status changes and its deletion.
   *
   * A change written while an earlier one is still on its way lands with it, not after a draw of
   * its own: the same pipeline carries both. The EndpointSlice controller's sync of the Service
   * that has not yet run sees both pods' writes in its cache and writes them in one slice
   * (syncService → reconciler.go reconcile), and kube-proxy applies whatever its slice cache
   * holds at its next sync (pkg/proxy/endpointschangetracker.go / endpointslicecache.go
   * checkoutChanges, the syncs at most once per minSyncPeriod, 1 s by default:
   * pkg/proxy/apis/config/v1alpha1/defaults.go), the whole current state, not one update at a
   * time. So a deletion written at the instant a new pod's Ready is (a rollout going on at once)
   * reaches kube-proxy with that Ready; before session 29 it waited for the later of two
   * independent draws, max(d1, d2), which inflated such delays (k8s-rolling-naive's uniform(1 s,
   * 5 s): mean 3.7 s instead of 3, P(> 4 s) 0.44 instead of 0.25). An isolated change (none in
   * flight) still takes its own draw, the delay the scenario states. Which later kube-proxy sync
   * a change written just before an earlier one lands would really miss is below the model's
   * resolution (one lumped delay per change): it lands with it.
   */
  publishedAt(delay: number): number {
    const arrival = this.w.now < this.lastArrival ? this.lastArrival : this.w.now + delay;
    this.lastArrival = arrival;
    return arrival;
  }

  isTerminating(b: number): boolean {
    return this.terminating[b] === 1;
  }

  /** The pod's deletion reached kube-proxy: it leaves the ready set. */
  podTerminating(b: number): void {
    this.terminating[b] = 1;
    this.sync();
  }

  /** kube-proxy sends new connections to this terminating endpoint now (no endpoint is ready). */
  isUsed(b: number): boolean {
    return this.used[b] === 1;
  }

  /**
   * The gone pod's deletion reached kube-proxy: its endpoint leaves the Service, serving or not.
   * Until then kube-proxy's EndpointSliceCache still holds it as terminating and keeps DNATing to
   * it while it is the fallback (the pod's exit changes nothing there: k8s-rollout.ts podGone).
   * Returns whether kube-proxy was sending to it.
   */
  podDeleted(b: number): boolean {
    if (this.terminating[b] === 0) return false;
    const wasUsed = this.used[b] === 1;
    this.forget(b);
    this.w.lb.setPoolState(b, PoolState.DETACHED);
    this.sync();
    return wasUsed;
  }

  private forget(b: number): void {
    this.terminating[b] = 0;
    this.used[b] = 0;
    this.loggedUse[b] = 0;
  }

  /** A ready endpoint: a pod bound and serving that is not terminating. */
  private ready(b: number): boolean {
    return this.terminating[b] === 0 && this.w.lb.state[b] === PoolState.BOUND && this.w.lb.inService(b);
  }

  /**
   * Recompute kube-proxy's choice after any change of the ready set (a probe, a pod Ready, a
   * deletion): terminating endpoints take traffic only while no endpoint is ready. The serving
   * condition needs no filter here: a terminating pod that is not serving is out of service
   * (`LoadBalancer.inService`) whatever its pool state.
   */
  sync(): void {
    const lb = this.w.lb;
    let anyTerminating = false;
    let anyReady = false;
    for (let b = 0; b < this.terminating.length; b++) {
      if (this.terminating[b] === 1) anyTerminating = true;
      else if (this.ready(b)) anyReady = true;
    }
    if (!anyTerminating) return;
    const used = anyReady ? 0 : 1;
    for (let b = 0; b < this.terminating.length; b++) {
      if (this.terminating[b] === 0) continue;
      lb.setPoolState(b, used ? PoolState.BOUND : PoolState.DETACHED);
      if (this.used[b] === used) continue;
      this.used[b] = used;
      // Logged when kube-proxy starts or stops using it (a first "not used" is the plain removal).
      if (used || this.loggedUse[b]) {
        this.loggedUse[b] = 1;
        this.w.trace.emit({ kind: 'k8s.terminating_fallback', pod: this.w.backends[b].name, used: used === 1 });
      }
    }
  }
}
