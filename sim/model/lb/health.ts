import type { CheckConfig, LbConfig } from '../../scenario/schema.js';
import type { AppServer } from '../app/app-server.js';
import { type Conn, ConnKind } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { World } from '../core/world.js';
import { BE_WEIGHT_SCALE } from './fwrr.js';
import { type CheckPolicy, HealthChecker } from './health-checker.js';
import type { IdleConnTask } from './idle-conn-task.js';

const BACKEND_NAME = 'be';

/**
 * HAProxy's check policy. Without `timeout check`, `inter` bounds the whole check from its start;
 * with it the connect gets min(inter, timeout connect) and `timeout check` counts from the
 * established connection (src/tcpcheck.c tcpcheck_eval_connect(): `t->expire = now + inter`,
 * `tick_first(t->expire, now + timeout.connect)` when timeout.check is set, then
 * `expire = now + timeout.check` once connected — read by the check task only when it wakes at
 * the connect deadline, so never earlier: HealthChecker.answerDeadline()).
 */
function lbPolicy(c: CheckConfig, lb: LbConfig): CheckPolicy {
  const connectTimeout = lb.connect_timeout;
  return {
    type: c.type,
    endpoint: c.endpoint,
    inter: c.inter,
    fastinter: c.fastinter ?? c.inter,
    downinter: c.downinter ?? c.inter,
    rise: c.rise,
    fall: c.fall,
    timeout: c.timeout ?? c.inter,
    connectTimeout: c.timeout === undefined ? undefined : Math.min(c.inter, connectTimeout),
    dependencyTimeout: c.dependency_timeout,
    onDependencyTimeout: c.on_dependency_timeout,
    checker: 'haproxy',
    firstCheck: c.first_check ?? -1,
    uptime: lb.uptime ?? Number.NaN,
    resolvers: lb.resolvers !== 'none',
    disableOn404: c.disable_on_404 === true,
  };
}

/**
 * The balancer's health checks of its servers (HAProxy `check`): a server going DOWN leaves the
 * rotation, one coming back UP re-enters it, with slowstart ramping its weight. Built here,
 * started by the composition root together with the kubelet's probes (control/k8s-probes.ts).
 */
export function lbHealthChecks(
  w: World,
  app: AppServer,
  shutdownSessions: (b: number) => void = () => {},
  /** HAProxy http mode's server pools: their `idle_conn_task` (L7ServerConns.idleTask). */
  idleTask: IdleConnTask | null = null,
  /** An L4 NAT's reset of a DOWN target's flows (topology.ts: each flow's next packet meets an RST). */
  forgetFlows: (b: number) => void = () => {},
): HealthChecker[] {
  const checkers: HealthChecker[] = [];
  const s = w.scenario;
  if (s.health_check) {
    const policy = lbPolicy(s.health_check, s.lb);
    // AWS NLB, target group attribute target_health_state.unhealthy.connection_termination.enabled
    // (default true): "If a target becomes unhealthy, the load balancer sends a TCP RST for packets
    // received on the client connections associated with the target, unless the unhealthy target
    // triggers the load balancer to fail open" (NLB docs, target-group-health-checks).
    const natResetsUnhealthy = s.lb.mode === 'nat' && s.lb.nat_unhealthy_termination !== false;
    // Each server's DOWN / UP as HAProxy logs and acts on it (srv_update_status(), src/server.c).
    const onTransition = (b: number, up: boolean, reason: string, duration: number): void => {
      // Out of NOLB either way (srv_set_running() / srv_set_stopped() from SRV_ST_STOPPING); back
      // from it is no re-add: a drained server's return is not counted either.
      const fromNolb = w.lb.stopping[b] === 1;
      w.lb.setStopping(b, false);
      // A DOWN hands the server's queue back with option redispatch (pendconn_redistribute(), v2.6.0
      // src/queue.c): "requeued".
      const requeued = w.lb.setHealth(b, up);
      if (!(up && fromNolb)) w.metrics.inc(up ? w.c.readds : w.c.removals, b);
      const active = countUp(w);
      const name = w.backends[b].name;
      const ms = Math.round(duration * 1000);
      if (up) {
        w.trace.emit({
          kind: 'hc.up',
          pool: BACKEND_NAME,
          backend: name,
          reason,
          durationMs: ms,
          active,
          rise: policy.rise,
          ...(fromNolb ? { fromNolb: true as const } : {}),
        });
        startSlowstart(w, b);
      } else {
        // The pool decides the fail-open (bound, ready, weighted targets none of which is UP), not
        // countUp's HAProxy count, which also counts removed and weight-0 servers UP by their checks.
        const natOpen = s.lb.mode === 'nat' && w.lb.natFailsOpen();
        const natResets = natResetsUnhealthy && !natOpen;
        w.trace.emit({
          kind: 'hc.down',
          pool: BACKEND_NAME,
          backend: name,
          reason,
          durationMs: ms,
          active,
          // srv_append_more(), src/server.c: the server's streams (cur_sess), the streams handed
          // back, and the server's own queue after that (queueslength).
          sessions: w.lb.currentSessions(b),
          requeued,
          queued: w.lb.queue?.serverQueued(b) ?? 0,
          fall: policy.fall,
          inter: policy.inter,
          ...(natResets ? { natResets: true as const } : {}),
        });
        if (active === 0 || natOpen) w.trace.emit({ kind: 'hc.no_server', pool: BACKEND_NAME, ...failOpen(w) });
        // Established streams carry on unless `on-marked-down shutdown-sessions` (srv_update_status(), src/server.c).
        if (s.health_check!.on_marked_down === 'shutdown-sessions') shutdownSessions(b);
        // An NLB target group resets them instead, unless this DOWN made it fail open.
        if (natResets) forgetFlows(b);
      }
    };
    const hc = new HealthChecker(w, app, policy, onTransition, true, idleTask);
    // `http-check disable-on-404`: a 404 takes the server to NOLB at once (srv_update_status(),
    // src/server.c, "is stopping"): out of load balancing, its queue handed back as a DOWN does,
    // its streams and persistent users kept; no shutdown-sessions (that is the DOWN branch's).
    hc.onStopping = (b, reason, duration) => {
      const requeued = w.lb.setStopping(b, true);
      const active = countUp(w);
      w.trace.emit({
        kind: 'hc.stopping',
        pool: BACKEND_NAME,
        backend: w.backends[b].name,
        reason,
        durationMs: Math.round(duration * 1000),
        active,
        requeued,
        queued: w.lb.queue?.serverQueued(b) ?? 0,
        sessions: w.lb.currentSessions(b),
      });
      // set_backend_down() from the same branch when it was the last server in load balancing.
      if (active === 0) w.trace.emit({ kind: 'hc.no_server', pool: BACKEND_NAME, ...failOpen(w) });
    };
    checkers.push(hc);
  }
  return checkers;
}

/**
 * `set server … state ready|drain` of a server in maintenance (HAProxy 2.6 src/server.c
 * `srv_update_status()`, "leaving maintenance"): its checks resume with health = rise, so it is UP
 * at once (STARTING, `last_change` = now, the warmup task scheduled in the same branch) and
 * slowstart ramps it from there, as after a DOWN. Without checks it is UP all the same.
 */
export function leaveMaintenance(w: World, b: number, checks: HealthChecker | null): void {
  checks?.resume(b);
  w.lb.setStopping(b, false);
  w.lb.setHealth(b, true);
  startSlowstart(w, b);
}

/** `set server … state maint`: the server's checks pause (HealthChecker.pause). */
export function enterMaintenance(b: number, checks: HealthChecker | null): void {
  checks?.pause(b);
}

/**
 * An L4 NAT forgets target `b`'s flows (an NLB resetting an unhealthy target's connections): the
 * next packet of each, from either side, is answered with RST, as after a hard `remove`
 * (vm/lifecycle.ts remove); a WebSocket client learns at its next ping (`flowForgotten`).
 */
export function natForgetFlows(w: World, b: number, ws: { flowForgotten(conn: Conn): void }): void {
  const backend = w.backends[b];
  for (const conn of [...backend.conns]) {
    conn.lbFlow = LbFlow.FORGOTTEN;
    if (conn.kind === ConnKind.WS && backend.wsSessions.has(conn)) ws.flowForgotten(conn);
  }
}

/** What `hc.no_server` adds for an L4 NAT, which fails open then (LoadBalancer.natFailsOpen). */
function failOpen(w: World): { failOpen?: true } {
  return w.lb.natFailsOpen() ? { failOpen: true } : {};
}

/** Servers UP by their checks and readiness, NOLB ones not counted (`srv_act`: srv_willbe_usable()). */
function countUp(w: World): number {
  let n = 0;
  for (let b = 0; b < w.backends.length; b++) if (w.lb.inService(b) && w.lb.stopping[b] === 0) n++;
  return n;
}

/** HAProxy's weight scale of the dynamic algorithms' `lbprm.wdiv` (defined with the round robin that uses it). */
export { BE_WEIGHT_SCALE };

/**
 * HAProxy slowstart (HAProxy 2.6 src/server.c): a server turning UP (`srv_set_running()`) or
 * leaving maintenance (`srv_update_status()`) enters STARTING with `last_change` = now in whole
 * seconds; `server_recalc_eweight()` gives it the integer step
 * `w = (BE_WEIGHT_SCALE × (now_s − last_change) + slowstart) / slowstart` out of BE_WEIGHT_SCALE
 * (slowstart in whole seconds, rounded up: `srv_parse_slowstart()`), so it starts at 1/16, never
 * 0, and reaches 16/16 (RUNNING) once `now_s ≥ last_change + slowstart`. The `server_warmup()`
 * task re-evaluates it every `MAX(1000, slowstart / 20)` ms — slowstart is in seconds there, so
 * every 1 s in practice. Static algorithms (`balance source`'s map) have no dynamic weight
 * (`BE_LB_PROP_DYN`): the server gets its full weight at once; `hash-type consistent` is dynamic
 * (check_config_validity(), src/cfgparse.c: BE_LB_LKUP_CHTREE | BE_LB_PROP_DYN), so its ring
 * points follow the ramp (source-hash.ts). now_s is the simulated clock's whole second.
 * The server's state is SRV_ST_STARTING from the UP until the step that reaches the full weight
 * (server_recalc_eweight(): `next_state = SRV_ST_RUNNING` once `now_s ≥ last_change + slowstart`),
 * for static maps too (server_warmup() runs whatever the algorithm): LoadBalancer.running() reads
 * it for stream_choose_redispatch().
 */
export function startSlowstart(w: World, b: number): void {
  const configured = w.scenario.lb.slowstart;
  const staticMap = w.scenario.lb.balance === 'source' && w.scenario.lb.hash_type !== 'consistent';
  if (!(configured > 0) || configured === Infinity) {
    w.lb.setStarting(b, false);
    w.lb.setWeight(b, w.lb.baseWeight[b]);
    // srv_update_status() (src/server.c), for a server UP or leaving maintenance, with or without
    // slowstart: "check if we can handle some connections queued at the proxy. We will take as
    // many as we can handle" (pendconn_grab_from_px()).
    w.lb.queue?.grabFromBackend(b, w.lb.freeSlots(b));
    return;
  }
  const slowstart = Math.ceil(configured - 1e-9);
  // One ramp per backend: a newer UP (after a flap) replaces the one still running.
  const begins = w.lb.rampStart;
  const lastChange = Math.floor(w.now + 1e-9);
  const begin = w.now;
  begins[b] = begin;
  w.lb.setStarting(b, true, lastChange, slowstart);
  if (staticMap) w.lb.setWeight(b, w.lb.baseWeight[b]);
  // The first step belongs to the UP that started the ramp (one LB update: LoadBalancer.setWeight).
  let first = true;
  const step = (): void => {
    if (begins[b] !== begin) return;
    const elapsed = Math.floor(w.now + 1e-9) - lastChange;
    const rampStart = first;
    first = false;
    if (elapsed >= slowstart || !w.lb.hcUp[b]) {
      w.lb.setStarting(b, false);
      if (!staticMap) w.lb.setWeight(b, w.lb.baseWeight[b], rampStart);
      w.lb.queue?.grabFromBackend(b, w.lb.freeSlots(b));
      return;
    }
    if (!staticMap) {
      const steps = Math.floor((BE_WEIGHT_SCALE * elapsed + slowstart) / slowstart);
      w.lb.setWeight(b, (w.lb.baseWeight[b] * steps) / BE_WEIGHT_SCALE, rampStart);
    }
    // "probably that we can refill this server with a bit more connections" (server_warmup()):
    // the ramped maxconn (LoadBalancer.effectiveMaxconn) takes what waits in the backend queue.
    w.lb.queue?.grabFromBackend(b, w.lb.freeSlots(b));
    w.engine.schedule(1, step, null);
  };
  step();
}
