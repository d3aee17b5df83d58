import type { Rng } from '../../engine/random.js';
import type { LbConfig } from '../../scenario/schema.js';
import { markBackends, NO_BACKENDS, type PackedBackends } from '../core/backend-set.js';
import { clientAddress } from '../core/kernel-hosts.js';
import { halfClosedTimeouts, serverFinTimeout } from './fin-timeouts.js';
import { BE_WEIGHT_SCALE, FastWeightedRoundRobin, type FwrrServers, SRV_EWGHT_MAX } from './fwrr.js';
import { GoneAddresses } from './gone-addresses.js';
import type { BackendQueue } from './queue.js';
import { ConsistentRing, fullHash } from './source-hash.js';
import { ServerMap, weightGcd } from './source-map.js';
import { SourceStickTable } from './stick-table.js';

/** `balance random` without an argument: `random(2)`, two draws (backend_parse_balance(), src/backend.c: `arg_opt1 = 2`). */
const RANDOM_DRAWS = 2;

/** IPVS tcp_timeouts (net/netfilter/ipvs/ip_vs_proto_tcp.c): IP_VS_TCP_S_TIME_WAIT, 2*60*HZ. */
const IPVS_TIME_WAIT_TIMEOUT = 120;
/** IPVS tcp_timeouts: IP_VS_TCP_S_CLOSE (after an RST), 10*HZ. */
const IPVS_CLOSE_TIMEOUT = 10;

/**
 * The balancer draws a NAT's endpoints at random (lb.mode nat, balance roundrobin, `nat_scheduler`
 * random, the default): its picks take their own stream, `lb.nat-pick`, so the draws move no other
 * stream (common random numbers) — the other algorithms keep `lb.pick`.
 */
export function natRandomPicks(lb: LbConfig): boolean {
  return lb.mode === 'nat' && lb.balance === 'roundrobin' && lb.nat_scheduler !== 'rr';
}

/** Pool states of a backend, named as in the seed series (HAProxy: ready / drain / maint). */
export const PoolState = { BOUND: 0, DRAINING: 1, DETACHED: 2 } as const;
export type PoolState = (typeof PoolState)[keyof typeof PoolState];

export function parsePoolState(s: string): PoolState {
  switch (s) {
    case 'bound':
    case 'ready':
      return PoolState.BOUND;
    case 'draining':
    case 'drain':
      return PoolState.DRAINING;
    default:
      return PoolState.DETACHED;
  }
}

/**
 * The L4 balancer's control plane: pool state and weight per backend, flows per backend, and
 * the balance algorithm choosing a backend for each new flow. Only BOUND backends that are
 * in service (health checks, when present) get new flows; DRAINING keeps existing flows.
 */
export class LoadBalancer {
  readonly state: Uint8Array;
  readonly weight: Float64Array;
  /**
   * HAProxy `served` per server: flows tracked, including ones forgotten by a hard removal but
   * not yet reset, and streams still connecting (a stream counts in its server's `served` from
   * assignment, sess_change_server(), src/stream.c, called by assign_server_and_queue(),
   * src/backend.c, before connect_server()) — so leastconn (fwlc_get_next_server(), src/lb_fwlc.c),
   * fwrr's saturation and maxconn see them.
   */
  readonly active: Int32Array;
  /** New flows per backend since the start (a drain gate's `new` is the difference between polls). */
  readonly newFlows: Float64Array;
  /** LB health checks say UP (1) or DOWN (0). */
  readonly hcUp: Uint8Array;
  /**
   * HAProxy SRV_ST_STOPPING (1), "NOLB": a check answered 404 under `http-check disable-on-404`
   * (health-checker.ts). Out of load balancing as a drained server is (srv_willbe_usable(),
   * include/haproxy/backend.h: STOPPING is not usable), still persistent (`cur_state !=
   * SRV_ST_STOPPED`), and running for stream_choose_redispatch() (`cur_state < SRV_ST_RUNNING` is
   * false: SRV_ST_STOPPING comes after SRV_ST_RUNNING in enum srv_state, include/haproxy/server-t.h),
   * as a drained server (an admin flag, cur_state RUNNING) is. Set through setStopping().
   */
  readonly stopping: Uint8Array;
  /** Kubernetes readiness: the endpoint is ready (1) or not (0). */
  readonly ready: Uint8Array;
  /** Configured weights; `weight` is the effective one (slowstart ramps it). */
  readonly baseWeight: Float64Array;
  /** When each backend's current slowstart ramp began. */
  readonly rampStart: Float64Array;
  /**
   * HAProxy SRV_ST_STARTING (1): UP by its checks, slowstart's warmup not yet at its end
   * (srv_set_running(), src/server.c; server_recalc_eweight() makes it SRV_ST_RUNNING). Set and
   * cleared through setStarting() by health.ts startSlowstart.
   */
  readonly starting: Uint8Array;
  /** While STARTING: the ramp's `last_change` (whole seconds) and slowstart (whole seconds), for effectiveMaxconn(). */
  private readonly rampLastChange: Float64Array;
  private readonly rampSlowstart: Float64Array;
  /**
   * Which HAProxy process takes new connections: 0 at the start, one more at each reload
   * (`lb_reload`, hard-stop.ts ProxyReload: the master re-executes and forks a new worker with
   * its own SSL_CTXs, whose random ticket keys open none of the old process's tickets). Set
   * through reloaded().
   */
  private processGen = 0;
  get process(): number {
    return this.processGen;
  }
  /** A reload (ProxyReload.reload) started a new process: it takes every new connection. */
  reloaded(): void {
    this.processGen++;
  }
  /**
   * The simulated clock (the world's engine; buildModel sets it): slowstart's maxconn ramp and IPVS
   * entries' timers read it. Null (a pool without a run): the configured maxconn throughout, and no
   * closed flow counts as inactive.
   */
  clock: { readonly now: number } | null = null;
  private rrCurrent: Float64Array;
  /** HAProxy's roundrobin (l4 and l7 modes); a NAT's (IPVS, kube-proxy) keeps the smooth one. */
  private readonly fwrr: FastWeightedRoundRobin | null;
  /**
   * Streams of each server waiting out a turn-around pause after a failed connect: still
   * `served` (they keep their slot) but not in `cur_sess`, which back_handle_st_cer()
   * (src/backend.c) decrements on the error and connect_server() raises again.
   */
  readonly turnAround: Int32Array;
  /**
   * Streams of each server counted in `active` before their connect succeeded (l4-connect.ts
   * Attempt.servedOn: in `l4` from the assignment — refused, retried, SYNs dropped or
   * unanswered —, behind a NAT while the SYNs go unanswered): what a server's `served` holds
   * beyond its flows (the model's conservation check reads it; no pick does).
   */
  readonly connecting: Int32Array;
  /** Deleted pods' addresses that a bridge CNI answers with host unreachable (gone-addresses.ts). */
  readonly goneAddresses: GoneAddresses;
  /**
   * IPVS wlc (lb.mode nat, leastconn) only: each target's closed flows whose connection entry has
   * not expired yet — its `inactconns` besides the connecting ones (natInactive()) — as expiry
   * times in two FIFOs (each monotone: one timeout per queue; `head` the first not yet expired).
   */
  private readonly natClosed: { expires: number[]; head: number }[][] | null;
  /** HAProxy server maxconn (0: no limit). */
  readonly maxconn: number;
  /** HAProxy server maxqueue (0: no limit; only with maxconn, which makes server queues). */
  readonly maxqueue: number;
  /** Only `balance leastconn` reads the fwlc tree order: other algorithms skip its bookkeeping on every take and drop. */
  private readonly tracksFwlc: boolean;
  /**
   * HAProxy's leastconn tree (src/lb_fwlc.c), two counters per server: the key the server holds
   * in the eb32 tree (`lb_node.key`, as fwlc_queue_srv() / fwlc_srv_reposition() last set it)
   * and when it was (re)inserted (`fwlcInserted` at the time). The tree holds duplicates "in the
   * exact same order they were inserted" (include/import/ebtree.h), so among equal keys
   * fwlc_get_next_server() takes the server inserted earliest: the longest idle.
   */
  private readonly fwlcKey: Float64Array;
  private readonly fwlcOrder: Float64Array;
  private fwlcInserted = 0;
  /** `lb.sticky: source`: the backend's stick table on the client's address (`stick on src`); null otherwise. */
  readonly stickTable: SourceStickTable | null;
  /**
   * Backends the pick in progress must skip (1), marked from its exclusion set on entry and
   * cleared on exit. The algorithms' loops read one byte per backend: asking the set itself
   * (`exclude.excludes(b)`, a call on whichever set was passed) inside the loop cost hc-cascade
   * a few per cent of its CPU against the 32-bit mask it replaced (README, issue 10's refactor).
   */
  private readonly skip: Uint8Array;

  constructor(
    readonly config: LbConfig,
    readonly count: number,
  ) {
    this.state = new Uint8Array(count);
    this.weight = new Float64Array(count).fill(1);
    this.active = new Int32Array(count);
    this.turnAround = new Int32Array(count);
    this.connecting = new Int32Array(count);
    this.goneAddresses = new GoneAddresses(count);
    this.newFlows = new Float64Array(count);
    this.hcUp = new Uint8Array(count).fill(1);
    this.ready = new Uint8Array(count).fill(1);
    this.stopping = new Uint8Array(count);
    this.baseWeight = new Float64Array(count).fill(1);
    this.rrCurrent = new Float64Array(count);
    this.rampStart = new Float64Array(count).fill(-Infinity);
    this.starting = new Uint8Array(count);
    this.rampLastChange = new Float64Array(count);
    this.rampSlowstart = new Float64Array(count);
    this.skip = new Uint8Array(count);
    // fwlc_init_server_tree(): every usable server queued with no connection (key 0), in server order.
    this.tracksFwlc = config.balance === 'leastconn';
    this.fwlcKey = new Float64Array(count);
    this.fwlcOrder = new Float64Array(count);
    for (let b = 0; b < count; b++) this.fwlcOrder[b] = b - count;
    this.maxconn = config.mode === 'nat' ? 0 : (config.maxconn ?? 0);
    this.maxqueue = this.maxconn > 0 ? (config.maxqueue ?? 0) : 0;
    this.fwrr = config.mode === 'nat' ? null : new FastWeightedRoundRobin(this.fwrrView());
    this.natClosed =
      config.mode === 'nat' && config.balance === 'leastconn'
        ? Array.from({ length: count }, () => [
            { expires: [], head: 0 },
            { expires: [], head: 0 },
          ])
        : null;
    this.stickTable = config.sticky === 'source' && config.mode !== 'nat' ? new SourceStickTable() : null;
  }

  /**
   * What fwrr reads of a server: its effective weight while usable (`srv_willbe_usable()`: UP,
   * neither drained nor in maint, weight > 0; eweight = weight × BE_WEIGHT_SCALE, slowstart's
   * 16ths included: server_recalc_eweight(), src/server.c), and whether it is saturated.
   */
  private fwrrView(): FwrrServers {
    return {
      count: this.count,
      eweightOf: (b) => (this.balanced(b) && this.weight[b] > 0 ? Math.round(this.weight[b] * BE_WEIGHT_SCALE) : 0),
      saturated: (b) => this.maxconn > 0 && (this.queuedOn(b) > 0 || this.active[b] >= this.effectiveMaxconn(b)),
    };
  }

  /**
   * A stream starts counting in server `b`'s `served` (sess_change_server(), src/stream.c, and
   * process_srv_queue(), src/queue.c: `lbprm.server_take_conn()`, fwlc_srv_reposition()).
   */
  takeConn(b: number): void {
    this.active[b]++;
    if (this.tracksFwlc) this.fwlcReposition(b);
  }

  /**
   * A retry stays on server `b`, where its stream already counts: sess_change_server()
   * (src/stream.c) returns at `oldsrv == newsrv` (served unchanged, no drop, no take), and
   * connect_server()'s `lbprm.server_take_conn()` (src/backend.c) only repositions — a no-op
   * unless the key changed meanwhile (a queue's length), so the server keeps its place among
   * its equal-key peers.
   */
  keepConn(b: number): void {
    if (this.tracksFwlc) this.fwlcReposition(b);
  }

  /** A stream leaves server `b`'s `served` (sess_change_server(): `lbprm.server_drop_conn()`). */
  dropConn(b: number): void {
    this.active[b]--;
    if (this.tracksFwlc) this.fwlcReposition(b);
  }

  /**
   * A flow through an IPVS NAT (lb.mode nat, leastconn: wlc) to target `b` has closed: its
   * connection entry stays, counted in the target's `inactconns`, until its timer expires
   * (ip_vs_conn_expire() → ip_vs_unbind_dest(), net/netfilter/ipvs/ip_vs_conn.c). set_tcp_state()
   * (ip_vs_proto_tcp.c) moved it from activeconns to inactconns as it left ESTABLISHED; the state
   * its last packets leave it in sets the timer (tcp_timeouts): a FIN exchange, either side first,
   * ends in TIME_WAIT (client FIN: ES → CLOSE_WAIT, then the server's FIN → TIME_WAIT; server
   * FIN: ES → FIN_WAIT, then the client's → TIME_WAIT), 2 min, re-armed by the last ACK; an RST
   * ends in CLOSE, 10 s. The model closes the flow in one instant, so the entry lives that long
   * from the close. Other balancers keep no such entry: a no-op.
   */
  natFlowClosed(b: number, reset: boolean): void {
    if (this.natClosed === null || this.clock === null) return;
    const q = this.natClosed[b][reset ? 1 : 0];
    q.expires.push(this.clock.now + (reset ? IPVS_CLOSE_TIMEOUT : IPVS_TIME_WAIT_TIMEOUT));
  }

  /**
   * Target `b`'s `inactconns` under IPVS: its closed flows' entries not yet expired (natFlowClosed)
   * and its flows still connecting — an entry is inactive from the client's SYN (NONE → SYN_RECV,
   * not ESTABLISHED: set_tcp_state()) until the handshake's last ACK; the model's NAT flows count in
   * `connecting` only while their SYNs go unanswered (l4-connect.ts).
   */
  natInactive(b: number): number {
    if (this.natClosed === null) return 0;
    const now = this.clock === null ? 0 : this.clock.now;
    let closed = 0;
    for (const q of this.natClosed[b]) {
      while (q.head < q.expires.length && q.expires[q.head] <= now) q.head++;
      if (q.head > 1024 && q.head * 2 > q.expires.length) {
        q.expires = q.expires.slice(q.head);
        q.head = 0;
      }
      closed += q.expires.length - q.head;
    }
    return closed + this.connecting[b];
  }

  /**
   * fwlc_srv_reposition() (src/lb_fwlc.c): a server in the tree whose key changed is deleted and
   * inserted again — behind the servers already holding that key; "some calls will be made for
   * no change", and those keep their place (`s->lb_node.key == new_key` returns). Out of the
   * tree (not usable: `s->lb_tree` NULL) nothing moves: the UP queues it afresh (fwlcRequeue()).
   * A queue's length counts in the key but its changes reposition nothing (pendconn_add() and
   * pendconn_redistribute(), src/queue.c, call no lbprm hook): the key waits for the next take
   * or drop. Called only under `balance leastconn` (tracksFwlc): the guard sits in the callers, so
   * in every other run takeConn / keepConn / dropConn stay a counter step V8 inlines at the
   * connect and close paths instead of a call that returns at once (session 28, perf28).
   */
  private fwlcReposition(b: number): void {
    if (!this.hashUsable(b)) return;
    const key = this.leastConnKey(b);
    if (key === this.fwlcKey[b]) return;
    this.fwlcKey[b] = key;
    this.fwlcOrder[b] = this.fwlcInserted++;
  }

  /** Server `b`'s eweight while in the leastconn tree (usable), else 0: what fwlcRequeue() compares. */
  private fwlcEweight(b: number): number {
    return this.tracksFwlc && this.hashUsable(b) ? this.eweight(b) : 0;
  }

  /**
   * After a state or weight change of server `b` (its tree eweight before: `was`, 0 when out):
   * fwlc_set_server_status_up() and fwlc_update_server_weight() (src/lb_fwlc.c) queue a server
   * that enters the tree, or stays in it with another eweight, at the end of its key
   * (fwlc_queue_srv()); one leaving it is dequeued (fwlc_set_server_status_down()); nothing
   * changed, nothing moves (srv_lb_status_changed()).
   */
  private fwlcRequeue(b: number, was: number): void {
    const now = this.fwlcEweight(b);
    if (now === 0 || now === was) return;
    this.fwlcKey[b] = this.leastConnKey(b);
    this.fwlcOrder[b] = this.fwlcInserted++;
  }

  /** Bind, drain or detach a backend (HAProxy `set server state ready|drain|maint`). */
  setPoolState(b: number, state: PoolState): void {
    const was = this.state[b];
    const inTree = this.fwlcEweight(b);
    this.fwrr?.start();
    this.state[b] = state;
    this.failOpen = null;
    this.fwrr?.changed(b, false);
    this.fwlcRequeue(b, inTree);
    // srv_set_admin_flag() (src/server.c) returns at once when the flag is already set: a second
    // drain (or maint) of the same server redistributes nothing (review29 #4).
    if (state !== PoolState.BOUND && state !== was) this.redistribute(b);
  }

  /**
   * The balancer's own health checks mark a server UP or DOWN. Returns the streams a DOWN
   * handed back from the queues (HAProxy's "requeued").
   */
  setHealth(b: number, up: boolean): number {
    const inTree = this.fwlcEweight(b);
    this.fwrr?.start();
    this.hcUp[b] = up ? 1 : 0;
    this.failOpen = null;
    this.fwrr?.changed(b, false);
    this.fwlcRequeue(b, inTree);
    return up ? 0 : this.redistribute(b);
  }

  /**
   * Server `b` left load balancing (`pendconn_redistribute()`, v2.6.0 src/queue.c, called by
   * `srv_update_status()`, src/server.c, on DOWN, drain and maint): its own queued streams go back
   * to the dispatcher only with `option redispatch` but not `option persist` (`(options &
   * (PR_O_REDISP|PR_O_PERSIST)) != PR_O_REDISP` returns 0), maint included; the backend queue is
   * left to `timeout queue` even when no server is left. HAProxy 2.6.12, the recordings' version;
   * HAProxy >= 3.1 differs (1385e33eb: maint always; 53f52e67a: the backend queue with the last
   * server). Returns how many (0 without a queue).
   */
  private redistribute(b: number): number {
    if (this.queue === null) return 0;
    return this.queue.redistribute(b, this.config.redispatch && this.config.persist !== true);
  }

  /**
   * The checks take server `b` to NOLB (true: srv_update_status(), src/server.c, "is stopping":
   * `lbprm.set_server_status_down()` and pendconn_redistribute(), as a DOWN does) or back out of it
   * (false: the UP or DOWN that follows says the rest). Returns the streams handed back.
   */
  setStopping(b: number, stopping: boolean): number {
    const was = this.stopping[b];
    const inTree = this.fwlcEweight(b);
    this.fwrr?.start();
    this.stopping[b] = stopping ? 1 : 0;
    this.failOpen = null;
    this.fwrr?.changed(b, false);
    this.fwlcRequeue(b, inTree);
    return stopping && was === 0 ? this.redistribute(b) : 0;
  }

  /**
   * In load balancing, weight aside: bound (not drained, not in maint), in service, not NOLB
   * (srv_willbe_usable()).
   */
  private balanced(b: number): boolean {
    if (this.state[b] !== PoolState.BOUND || this.ready[b] === 0 || this.stopping[b] === 1) return false;
    return this.hcUp[b] === 1 || this.natFailsOpen();
  }

  /**
   * An AWS NLB target group with no healthy target fails open: "If all targets fail health checks
   * at the same time in all enabled Availability Zones, the load balancer fails open. … The effect
   * of the fail-open is to allow traffic to all targets in all enabled Availability Zones,
   * regardless of their health status" (NLB docs, target-group-health-checks). lb.mode nat only
   * (HAProxy has `hc.no_server` and refuses): true when some target is bound and ready yet none of
   * them is UP by its checks. Kept until a health, pool state, readiness or weight changes.
   */
  natFailsOpen(): boolean {
    if (this.failOpen === null) this.failOpen = this.config.mode === 'nat' && this.noTargetHealthy();
    return this.failOpen;
  }
  /** natFailsOpen()'s cache: reset right after each verb's write (a read before it, e.g. fwlcEweight, fills it from the old state). */
  private failOpen: boolean | null = null;

  private noTargetHealthy(): boolean {
    let targets = 0;
    for (let b = 0; b < this.count; b++) {
      if (this.state[b] !== PoolState.BOUND || this.ready[b] === 0 || this.stopping[b] === 1 || this.weight[b] <= 0)
        continue;
      if (this.hcUp[b] === 1) return false;
      targets++;
    }
    return targets > 0;
  }

  /** Kubernetes adds the endpoint to the Service (ready) or removes it. */
  setReady(b: number, ready: boolean): void {
    const inTree = this.fwlcEweight(b);
    this.fwrr?.start();
    this.ready[b] = ready ? 1 : 0;
    this.failOpen = null;
    this.fwrr?.changed(b, false);
    this.fwlcRequeue(b, inTree);
  }

  /**
   * The effective weight changes (slowstart's ramp: server_recalc_eweight(), src/server.c, each
   * step its own fwrr_update_server_weight()). `rampStart`: the first step, computed in the same
   * srv_update_status() as the UP just made (LB notified once, with this weight).
   */
  setWeight(b: number, weight: number, rampStart = false): void {
    const inTree = this.fwlcEweight(b);
    this.fwrr?.start();
    this.weight[b] = weight;
    this.failOpen = null;
    this.fwrr?.changed(b, rampStart);
    this.fwlcRequeue(b, inTree);
  }

  eligible(b: number): boolean {
    return this.balanced(b) && this.weight[b] > 0 && !this.full(b);
  }

  private leastConnEligible(b: number): boolean {
    if (!this.balanced(b) || this.weight[b] <= 0) return false;
    return this.maxconn === 0 || this.active[b] + this.queuedOn(b) < this.effectiveMaxconn(b) + this.maxqueue;
  }

  /**
   * The server has its (effective) maxconn connections: the algorithms skip it (HAProxy's lb trees
   * hold only servers below `srv_dynamic_maxconn()`, `fwrr_get_next_server()`,
   * assign_server_and_queue()).
   */
  full(b: number): boolean {
    return this.maxconn > 0 && this.active[b] >= this.effectiveMaxconn(b);
  }

  /**
   * HAProxy 2.6 srv_dynamic_maxconn() (src/queue.c), every place a server's maxconn is compared
   * (assign_server_and_queue(), the lb algorithms, process_srv_queue(), pendconn_grab_from_px()).
   * Without `minconn` (cfgparse.c sets it to maxconn: "static limit") the base is the configured
   * maxconn; while SRV_ST_STARTING and `last_change <= now.tv_sec < last_change + slowstart` it is
   * ramped: `ratio = 100 × (now.tv_sec − last_change) / slowstart`, `max(1, maxconn × ratio / 100)`,
   * integer divisions on whole seconds of the clock (1, 1, 2, 4, 5, 6 for maxconn 8, slowstart
   * 6s). 0: no limit.
   */
  effectiveMaxconn(b: number): number {
    if (this.maxconn === 0 || this.starting[b] === 0 || this.clock === null) return this.maxconn;
    const nowS = Math.floor(this.clock.now + 1e-9);
    const since = this.rampLastChange[b];
    const slowstart = this.rampSlowstart[b];
    if (nowS < since || nowS >= since + slowstart) return this.maxconn;
    const ratio = Math.floor((100 * (nowS - since)) / slowstart);
    return Math.max(1, Math.floor((this.maxconn * ratio) / 100));
  }

  /** Slots server `b` has below its effective maxconn now (Infinity without a limit). */
  freeSlots(b: number): number {
    return this.maxconn === 0 ? Infinity : Math.max(0, this.effectiveMaxconn(b) - this.active[b]);
  }

  /** Streams waiting in server `b`'s own queue (`queueslength`). */
  queuedOn(b: number): number {
    return this.queue === null ? 0 : this.queue.serverQueued(b);
  }

  /**
   * A stream assigned to full server `b` finds its queue at `maxqueue` (assign_server_and_queue(),
   * src/backend.c: `srv->maxqueue > 0 && srv->queueslength >= srv->maxqueue` → SRV_STATUS_FULL).
   */
  serverQueueFull(b: number): boolean {
    return this.maxqueue > 0 && this.queuedOn(b) >= this.maxqueue;
  }

  /** Usable servers, full ones included (`be->srv_act`: maxconn does not take a server out). */
  usableCount(): number {
    let n = 0;
    for (let b = 0; b < this.count; b++) if (this.balanced(b) && this.weight[b] > 0) n++;
    return n;
  }

  /** The backend queue of streams waiting for a slot (lb.maxconn; null without a limit). */
  queue: BackendQueue | null = null;

  /**
   * What a `timeout queue` expiry states, in tcp and http mode alike: the timeout in force
   * (`timeout queue`, else `timeout connect`, as HAProxy defaults it), the limit, and the streams
   * still waiting. `lb` is the configuration in force now (a timeline `set` may have changed it).
   */
  queueTimeoutFacts(lb: LbConfig): { timeout: number; maxconn: number; queued: number } {
    return { timeout: lb.timeout_queue ?? lb.connect_timeout, maxconn: this.maxconn, queued: this.queue!.size };
  }

  /** A flow on `b` ended: its slot is free (`process_srv_queue()` hands it on; null = no queue). */
  slotFreed: ((b: number) => void) | null = null;

  /** Streams beyond `maxconn` wait in `queue`, which a freed slot serves. */
  useQueue(queue: BackendQueue): void {
    this.queue = queue;
    this.slotFreed = queue.slotFreed;
  }

  /**
   * Server `b` enters (true) or leaves (false) slowstart's SRV_ST_STARTING: an UP or the leaving
   * of maint with slowstart sets it, the warmup step that reaches the full weight clears it.
   * `lastChange` and `slowstart` (whole seconds) ramp its maxconn meanwhile (effectiveMaxconn()).
   */
  setStarting(b: number, starting: boolean, lastChange = 0, slowstart = 0): void {
    this.starting[b] = starting ? 1 : 0;
    this.rampLastChange[b] = lastChange;
    this.rampSlowstart[b] = slowstart;
  }

  /**
   * Server `b` is running as stream_choose_redispatch() (include/haproxy/stream.h) reads it,
   * `cur_state >= SRV_ST_RUNNING` (drain's SRV_ADMF_DRAIN leaves cur_state alone): its checks
   * say UP, it is not in maint — entering maint takes a running server to SRV_ST_STOPPED
   * (srv_update_status(), src/server.c, "going DOWN for maintenance": `s->next_state =
   * SRV_ST_STOPPED`, committed by srv_lb_commit_status(), include/haproxy/backend.h) whatever its
   * checks said — and it is not in slowstart's ramp: SRV_ST_STARTING (enum srv_state,
   * include/haproxy/server-t.h) is below SRV_ST_RUNNING, so a retry from a server still warming
   * up is redispatched at once, whatever the algorithm (the state is set for static maps too).
   * Persistence (`cur_state != SRV_ST_STOPPED`) and `srv_act` (srv_willbe_usable()) count a
   * STARTING server as up: only this rule tells it apart. A NOLB server (SRV_ST_STOPPING, the
   * enum's last value, above RUNNING) is running here: its retries stay on it as a drained one's do
   * (review32 #1; session 23 had it below RUNNING).
   */
  running(b: number): boolean {
    return this.hcUp[b] === 1 && this.state[b] !== PoolState.DETACHED && this.starting[b] === 0;
  }

  /** HAProxy `be->srv_act`: servers in load balancing (UP, neither drained nor in maintenance). */
  activeCount(): number {
    return this.usableCount();
  }

  /**
   * A persistent (cookie or stick-table) request may still go to `b`: HAProxy honours the cookie
   * while the server's `cur_state != SRV_ST_STOPPED` (`http_manage_client_side_cookies()`,
   * src/http_ana.c), a stick-table entry on the same test (sticking_rule_find_target(),
   * src/stream.c) — a drained server keeps its persistent users, a DOWN or maint one does not —
   * or always with `option persist` (`|| (s->be->options & PR_O_PERSIST)` there: DOWN and maint,
   * whose cur_state is STOPPED too, keep them). A NOLB server (disable-on-404's SRV_ST_STOPPING)
   * keeps them as a drained one does.
   */
  persistsTo(b: number): boolean {
    if (this.config.persist === true) return this.ready[b] === 1;
    return this.state[b] !== PoolState.DETACHED && this.inService(b);
  }

  /**
   * `stick on src` (lb.sticky: source): the server a new stream from `clientIp` goes to before any
   * balancing — the one its stick-table entry names, on the cookie's rule (sticking_rule_find_target(),
   * src/stream.c: `srv->cur_state != SRV_ST_STOPPED || (px->options & PR_O_PERSIST)`, persistsTo) —
   * or -1: no entry (or no table), or its server is DOWN or in maint without `option persist`,
   * and the stream is load-balanced (lb/stick-table.ts).
   */
  stuckTo(clientIp: number): number {
    const b = this.stickTable === null ? -1 : this.stickTable.serverOf(clientIp);
    return b >= 0 && this.persistsTo(b) ? b : -1;
  }

  /**
   * HAProxy `cur_sess` of server `b`: its streams connecting or connected (the DOWN line's
   * "sessions active"): `served` less the streams waiting out a turn-around pause.
   */
  currentSessions(b: number): number {
    return this.active[b] - this.turnAround[b];
  }

  /**
   * How much longer HAProxy (mode tcp, lb.mode l4) keeps a stream whose client closed its side
   * while the server stays silent (a vanished host: nothing comes back, not even an ACK), its last
   * exchange with the server at `lastServerIo`; 0 where the stream ends now (the server answers the
   * relayed FIN, or another mode). The client's FIN shuts the request channel and, CF_AUTO_CLOSE,
   * the server side's write: sc_app_shutw_conn() (src/stconn.c) sends a clean FIN and returns while
   * the response channel is still open (`if (!(ic->flags & (CF_SHUTR|CF_DONT_READ))) return;`), so
   * the stream — in its server's `cur_sess` and `served`: the DOWN line's "sessions active",
   * leastconn's count, a maxconn slot — lasts until that side's read timeout expires in
   * process_stream() (src/stream.c): `timeout server`, or `timeout tunnel` once set (tcp mode), from
   * the last I/O with the server (the FIN is no write activity: sc_notify() re-arms the read timeout
   * on CF_WRITE_ACTIVITY only, src/stconn.c) — or `timeout server-fin` from the FIN itself
   * where set (sc->hcto, no default: lb/fin-timeouts.ts serverFinTimeout). With none, Infinity:
   * the stream lasts until the balancer host's kernel gives up on the data it cannot deliver (lb.kernel.tcp_retries2: core/held-streams.ts, which ends
   * every held stream at that give-up if it comes first), an error HAProxy reads on the server side.
   */
  clientClosedStreamHold(lastServerIo: number, now: number): number {
    if (this.config.mode !== 'l4') return 0;
    // `timeout server-fin` set: armed at the relayed FIN (lb/fin-timeouts.ts serverFinTimeout).
    const fin = serverFinTimeout(this.config);
    if (fin !== null) return fin;
    return Math.max(0, lastServerIo + this.serverSideTimeout() - now);
  }

  /**
   * The server side's read timeout in tcp mode once the client's FIN is relayed: `timeout
   * server-fin`, else `timeout tunnel`, else `timeout server`, else none (Infinity).
   */
  serverSideTimeout(): number {
    return halfClosedTimeouts(this.config).afterClientFin;
  }

  /** `timeout server-fin` is set: a held stream's hold was timed from the relayed FIN. */
  serverFinArmed(): boolean {
    return serverFinTimeout(this.config) !== null;
  }

  /** Health checks and readiness both let the backend take traffic. */
  inService(b: number): boolean {
    return this.hcUp[b] === 1 && this.ready[b] === 1;
  }

  /**
   * Choose a backend for a new flow, or -1 when none is eligible. `exclude` holds the backends
   * already tried (a redispatch must go elsewhere).
   */
  pick(rng: Rng, clientIp: number, exclude: PackedBackends = NO_BACKENDS): number {
    if (this.queuedBehind()) return -1;
    if (exclude === NO_BACKENDS) return this.pickSkipping(rng, clientIp, false);
    markBackends(this.skip, exclude, 1);
    const b = this.pickSkipping(rng, clientIp, true);
    markBackends(this.skip, exclude, 0);
    return b;
  }

  /**
   * A redispatch's pick: avoiding the servers in `avoid` (the one that just failed), any server
   * when that finds none. fwrr falls back to the avoided server itself and returns -1 only when
   * every server is saturated: HAProxy calls fwrr_get_next_server() once per assign_server()
   * (src/backend.c), a NULL queues the stream, so a second pick — which would move fwrr's
   * positions again — is not made. `balance random` neither: get_server_rnd() is called once, its ring
   * lookups return the avoided server when only it is left, and its -1 (the drawn server full) queues
   * the stream (randomDraws()). The other algorithms here return -1 when only the avoided
   * server is left, and pick again without avoiding it; map-based `balance source` never avoids
   * (sourceHash()).
   */
  pickAvoiding(rng: Rng, clientIp: number, avoid: PackedBackends): number {
    const b = this.pick(rng, clientIp, avoid);
    return b >= 0 || this.fwrrPicks() || this.config.balance === 'random' ? b : this.pick(rng, clientIp);
  }

  /**
   * assign_server() (HAProxy 2.6 src/backend.c), before the algorithm runs: "if there's some
   * queue on the backend, with certain algos we know it's because all servers are full" —
   * `balance roundrobin` (with first and static-rr) is not asked while streams wait in the backend
   * queue (`be->queue.length && be->queue.length != be->beconn`; in 2.6 `beconn` already counts
   * the stream being assigned, stream_set_backend() in src/proxy.c, so the second test always
   * holds: the rule is "the backend queue is not empty" — ca275d99c, HAProxy 3.1, later added
   * `be->served &&`, not modelled: the recordings run 2.6.12): the stream gets SRV_STATUS_FULL and
   * queues behind them (assign_server_and_queue()), a new one and a
   * redispatched retry alike, and fwrr's turns do not move. The other algorithms look at each
   * server as before (leastconn, random, the hashes). It matters where a server has room the queue
   * did not fill: one set ready from drain (srv_update_status() grabs nothing there, and a server
   * with no stream never runs process_srv_queue()), a slowstart maxconn stepping up before the
   * warmup task, the slot a retry just left on a dead server.
   */
  private queuedBehind(): boolean {
    const queue = this.queue;
    return queue !== null && queue.size > 0 && this.fwrrPicks();
  }

  /** Whether the balance algorithm in force is fwrr (roundrobin outside a NAT). */
  private fwrrPicks(): boolean {
    return this.fwrr !== null && this.config.balance === 'roundrobin';
  }

  /** The balance algorithm, skipping the backends marked in `skip` (`avoiding`: some are). */
  private pickSkipping(rng: Rng, clientIp: number, avoiding: boolean): number {
    switch (this.config.balance) {
      case 'leastconn':
        return this.leastConn();
      case 'random':
        return this.randomDraws(rng);
      case 'source':
        return this.sourceHash(clientIp);
      default:
        return this.fwrr === null ? this.natSchedule(rng, avoiding) : this.fwrr.pick(avoiding ? this.skip : null);
    }
  }

  /**
   * A NAT's choice of endpoint for a new flow (lb.mode nat, balance roundrobin), `lb.nat_scheduler`:
   * `random` (the default) draws one of the usable endpoints at random, as kube-proxy's iptables
   * mode does — writeServiceToEndpointRules() (kubernetes pkg/proxy/iptables/proxier.go) writes one
   * rule per endpoint, `-m statistic --mode random --probability 1/(n−i)` for the i-th of n, the
   * last unconditional, so each of the n is taken with probability 1/n, independently of earlier
   * flows — and as an AWS NLB does (a flow hash of the 5-tuple: each new connection's source port
   * lands on a target no earlier connection decides). `rr` is IPVS's `rr` scheduler (ipvsadm -s
   * rr), the only one of these that rotates: the smooth round robin below.
   */
  private natSchedule(rng: Rng, avoiding: boolean): number {
    return this.config.nat_scheduler === 'rr' ? this.smoothRoundRobin(avoiding) : this.randomEndpoint(rng, avoiding);
  }

  /**
   * One uniform draw (from the caller's stream, `lb.nat-pick`) over the usable endpoints, each
   * counted by its weight: kube-proxy and NLB have no weights, so with the default weight 1 each of
   * the n endpoints gets 1/n; a weight w counts as w endpoints. -1 when none is usable.
   */
  private randomEndpoint(rng: Rng, avoiding: boolean): number {
    let total = 0;
    for (let b = 0; b < this.count; b++) if (this.natCandidate(b, avoiding)) total += this.weight[b];
    if (total <= 0) return -1;
    let point = rng.next() * total;
    let last = -1;
    for (let b = 0; b < this.count; b++) {
      if (!this.natCandidate(b, avoiding)) continue;
      last = b;
      point -= this.weight[b];
      if (point < 0) return b;
    }
    // Rounding left the point at the very end: the last endpoint (kube-proxy's unconditional rule).
    return last;
  }

  private natCandidate(b: number, avoiding: boolean): boolean {
    return !(avoiding && this.skip[b] === 1) && this.eligible(b);
  }

  /**
   * A NAT's round robin avoiding the servers in `exclude` (a redispatch) as HAProxy's
   * `fwrr_get_next_server(p, srvtoavoid)` (src/lb_fwrr.c) does: the server whose turn it is is
   * taken out of the tree; if it is the one to avoid it is skipped, yet requeued "just as if
   * [it was] consumed", and the next server in round-robin order is chosen. The avoided
   * server's turn is used up, so the stream after a redispatch tries it again. (With s1 dead but
   * not yet DOWN and option redispatch, every request tries s1 first:
   * haproxy-kill-restart-http-redispatch, s1 `wredis` 335 of ≈ 340 requests.)
   */
  private smoothRoundRobin(avoiding: boolean): number {
    const b = this.nextRoundRobin(false);
    return b < 0 || !avoiding || this.skip[b] === 0 ? b : this.nextRoundRobin(true);
  }

  /** nginx-style smooth weighted round robin: deterministic, spreads weights evenly (lb.mode nat, `nat_scheduler: rr`). */
  private nextRoundRobin(skipping: boolean): number {
    let best = -1;
    let total = 0;
    for (let b = 0; b < this.count; b++) {
      if ((skipping && this.skip[b] === 1) || !this.eligible(b)) continue;
      this.rrCurrent[b] += this.weight[b];
      total += this.weight[b];
      if (best < 0 || this.rrCurrent[b] > this.rrCurrent[best]) best = b;
    }
    if (best >= 0) this.rrCurrent[best] -= total;
    return best;
  }

  /**
   * The first server of HAProxy's leastconn tree, fwlc_get_next_server() (src/lb_fwlc.c): the
   * lowest key, and among equal keys the one inserted earliest (fwlcOrder: the tree keeps
   * duplicates in insertion order, include/import/ebtree.h) — of idle servers, the one idle
   * longest, not the next in turn. The key is fwlc_queue_srv()'s (leastConnKey()), as the tree
   * holds it (fwlcReposition()). A NAT (IPVS wlc) keeps its rule (natLeastConn()). Under maxconn
   * a server is skipped only once `served + queue.length ≥ maxconn + maxqueue`: with `maxqueue`
   * a full server may be picked, its queue taking the stream.
   */
  private leastConn(): number {
    if (this.config.mode === 'nat') return this.natLeastConn();
    let best = -1;
    for (let b = 0; b < this.count; b++) {
      if (this.skip[b] === 1 || !this.leastConnEligible(b)) continue;
      if (
        best < 0 ||
        this.fwlcKey[b] < this.fwlcKey[best] ||
        (this.fwlcKey[b] === this.fwlcKey[best] && this.fwlcOrder[b] < this.fwlcOrder[best])
      )
        best = b;
    }
    return best;
  }

  /**
   * A NAT's least-connection pick (IPVS wlc): the lowest flows per weight, ties to the first in
   * list order. ip_vs_wlc_schedule() (net/netfilter/ipvs/ip_vs_wlc.c) starts from the first
   * usable destination and replaces it only on a strict `loh * dest->weight > doh * least->weight`
   * (overhead: ip_vs_dest_conn_overhead(), include/net/ip_vs.h, `(activeconns << 8) + inactconns`:
   * established flows 256 each, connecting ones and closed ones whose entry has not expired 1
   * each, natInactive()): equal loads keep the earlier destination, with no rotation — so among
   * targets with as many established flows, the one with fewer recent closes wins.
   */
  private natLeastConn(): number {
    let best = -1;
    let bestLoad = Infinity;
    for (let b = 0; b < this.count; b++) {
      if (this.skip[b] === 1 || !this.leastConnEligible(b)) continue;
      const load = this.leastConnKey(b);
      if (load < bestLoad) {
        best = b;
        bestLoad = load;
      }
    }
    return best;
  }

  /**
   * A server's rank under leastconn: HAProxy's fwlc key (lb.mode l4 / l7) — fwlc_queue_srv(),
   * src/lb_fwlc.c: with `inflight = served + queue.length`, 0 for an idle server, else
   * `(inflight + 1) × SRV_EWGHT_MAX / eweight` in integers, so a server in slowstart (a small
   * eweight) with one stream in flight ranks behind fully weighted ones with a few: it gets its
   * second concurrent stream only once `2 / eweight < (j + 1) / 16` for the others' j (held-out
   * round 4, haproxy-holdout4-slowstart-lc-http) — or flows per weight
   * for a NAT (IPVS wlc, ip_vs_wlc_schedule(): overhead / weight).
   */
  private leastConnKey(b: number): number {
    const inflight = this.active[b] + this.queuedOn(b);
    if (this.config.mode === 'nat') {
      // ip_vs_dest_conn_overhead(): `(activeconns << 8) + inactconns`; `active` holds the
      // connecting flows too, which IPVS counts inactive.
      const inactive = this.natInactive(b);
      return ((inflight - this.connecting[b]) * 256 + inactive) / this.weight[b];
    }
    const eweight = Math.round(this.weight[b] * BE_WEIGHT_SCALE);
    return inflight > 0 ? Math.floor(((inflight + 1) * SRV_EWGHT_MAX) / eweight) : 0;
  }

  /**
   * HAProxy 2.6 `balance random(<draws>)` (`random` alone: 2 draws; `lb.random_draws`),
   * get_server_rnd() (src/backend.c): each draw is a
   * uniform 32-bit statistical_prng() value looked up on the consistent-hash ring
   * (chash_get_server_hash(), src/lb_chash.c — the ring of `hash-type consistent`, source-hash.ts), so
   * a server gets the share of the 32-bit circle its points are nearest to, not its weight share
   * (two equal servers: 0.431 / 0.569 at puids 1, 2). Each draw is compared with the best so far
   * (`do { … } while (--draws > 0)`): the later one is kept unless it serves more per weight
   * (`curr->served * prev->cur_eweight > prev->served * curr->cur_eweight` keeps the earlier), so
   * a tie goes to the later draw. A server not usable
   * (DOWN, drained, maint, weight 0) has no points; the one to avoid is passed over to the next
   * points (returned when only it is left); a full server stays on the ring and, if it wins, the
   * stream goes to the backend queue (`curr->queue.length || served >= maxconn` → NULL), -1 here.
   */
  private randomDraws(rng: Rng): number {
    const ring = this.chashRing();
    const draws = this.config.random_draws ?? RANDOM_DRAWS;
    let chosen = -1;
    for (let draw = 0; draw < draws; draw++) {
      const prev = chosen;
      chosen = ring.lookup(Math.floor(rng.next() * 2 ** 32), this.ringNodes, this.hashAvoided);
      if (chosen < 0) break;
      if (
        prev >= 0 &&
        prev !== chosen &&
        this.active[chosen] * this.eweight(prev) > this.active[prev] * this.eweight(chosen)
      )
        chosen = prev;
    }
    if (chosen >= 0 && (this.full(chosen) || this.queuedOn(chosen) > 0)) return -1;
    return chosen;
  }

  /** A server's cur_eweight: weight × BE_WEIGHT_SCALE (slowstart's ramp included). */
  private eweight(b: number): number {
    return Math.round(this.weight[b] * BE_WEIGHT_SCALE);
  }

  /**
   * `balance source` (source-hash.ts): HAProxy hashes the client's IPv4 address — client address
   * number `clientIp`, clientAddress() — to the address itself, or to full_hash() of it with the
   * `avalanche` modifier (`get_server_sh()`, src/backend.c), then takes `map[hash % tot_weight]`
   * (source-map.ts: `map_get_server_hash()`, src/lb_map.c — the same address gets the same server
   * until a server enters or leaves the map, which remaps most addresses) or, with `hash-type
   * consistent`, the nearest point of the ring (`chash_get_server_hash()`, src/lb_chash.c: only
   * the addresses of the server that left move). map_get_server_hash() takes no server to avoid:
   * get_server_sh() passes `avoid` to chash_get_server_hash() only, so a redispatch hashed to the
   * server that just failed (dead, not yet DOWN) gets that server again and, its connect failing
   * again, ends in a 503 — the map ignores `skip`; the ring honours it.
   */
  private sourceHash(clientIp: number): number {
    const address = clientAddress(clientIp);
    const consistent = this.config.hash_type === 'consistent';
    const hash = (this.config.hash_avalanche ?? consistent) ? fullHash(address) : address;
    if (consistent) {
      return this.chashRing().lookup(hash, this.ringNodes, this.hashAvoided);
    }
    return this.sourceMap().lookup(hash, this.mapWeights());
  }

  /** The ring of `hash-type consistent` and of `balance random`, placed at the first pick from the configured weights. */
  private ring: ConsistentRing | null = null;
  private chashRing(): ConsistentRing {
    this.ring ??= new ConsistentRing(this.baseWeight);
    return this.ring;
  }
  /** A server's points in the ring: its eweight (weight × 16, slowstart's ramp included) while usable. */
  private readonly ringNodes = (b: number): number =>
    this.hashUsable(b) ? Math.round(this.weight[b] * BE_WEIGHT_SCALE) : 0;

  /**
   * In the map or on the ring: srv_willbe_usable() (UP, neither drained nor in maint, weight > 0).
   * A server at maxconn stays: neither map_get_server_hash() nor chash_get_server_hash() (without
   * hash-balance-factor) looks at its load, and the stream waits in its queue
   * (assign_server_and_queue(), src/backend.c).
   */
  private hashUsable(b: number): boolean {
    return this.balanced(b) && this.weight[b] > 0;
  }
  private readonly hashAvoided = (b: number): boolean => this.skip[b] === 1;

  /** The map of `hash-type map-based` and its weight divisor (init_server_map()'s `wmult`), made at the first pick. */
  private map: ServerMap | null = null;
  private mapDivisor = 1;
  private mapEweight: Int32Array | null = null;

  private sourceMap(): ServerMap {
    if (this.map === null) {
      this.mapDivisor = weightGcd(this.baseWeight);
      this.mapEweight = new Int32Array(this.count);
      this.map = new ServerMap(this.count);
    }
    return this.map;
  }

  /** Each server's weight in the map: `next_eweight = ceil(uweight / wmult)` while usable (hashUsable()), else 0. */
  private mapWeights(): Int32Array {
    const eweight = this.mapEweight!;
    for (let b = 0; b < this.count; b++) {
      eweight[b] = this.hashUsable(b) ? Math.ceil(this.weight[b] / this.mapDivisor) : 0;
    }
    return eweight;
  }
}
