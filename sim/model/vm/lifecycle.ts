import type { WsEndpoint } from '../app/ws-endpoint.js';
import { type AppJob, ReqPhase, Status } from '../core/app-job.js';
import { Conn, ConnKind } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import { EndKind, type World } from '../core/world.js';
import { ProxyReload } from '../lb/hard-stop.js';
import { enterMaintenance, leaveMaintenance } from '../lb/health.js';
import type { HealthChecker } from '../lb/health-checker.js';
import type { RequestBalancer } from '../lb/l7-dispatch.js';
import type { L7HttpFront } from '../lb/l7-http-front.js';
import type { L7ServerConns } from '../lb/l7-server-conns.js';
import { PoolState } from '../lb/pool.js';
import type { NginxMaster } from '../proxy/master.js';
import type { RequestPath } from '../proxy/upstream.js';
import { appCanExit } from './app-exit.js';
import { type Backend, Boot } from './backend.js';

export type TerminateMode = 'graceful' | 'kill' | 'vanish';

/**
 * What happens to a backend's connections when the control plane or the host acts:
 * bind / unbind (drain) / hard removal at the LB, and the three ways a VM ends —
 * SIGTERM (graceful quit), kill -9 (the kernel closes every socket: FIN, or RST where data was
 * unread) and a vanished host (no FIN, no RST: peers learn by timeout).
 */
/**
 * gunicorn 20.1-23.0's gthread worker's poll timeout: ThreadWorker.run() `self.poller.select(1.0)`
 * (workers/gthread.py; 24.0.0 keeps 1.0 but wakes the poller at SIGTERM).
 */
const GTHREAD_POLL_TIMEOUT = 1.0;

export class Lifecycle {
  /**
   * VMs whose SIGTERM waits in the app's lame-duck delay with nginx's stop held back for it: if the
   * app dies first (a kill -9, the supervisor's kill after shutdown_grace), the VM's shutdown goes
   * on and nginx stops through its unit at that death (killApp; review34 #3, review35 #3).
   */
  private readonly nginxStopHeld = new Map<Backend, number>();

  constructor(
    private readonly w: World,
    private readonly ws: WsEndpoint,
    private readonly path: RequestPath,
    /** nginx's master: what its signals do to open connections. */
    private readonly nginx: NginxMaster,
  ) {
    path.app.onWakeUp((vm) => this.gthreadLeavesLoop(this.w.backends[vm.index]));
    // A sync worker gunicorn's arbiter killed under a request (worker_timeout): its connection
    // closed with the request read, as a killed process's in service.
    path.app.onWorkerKilled((vm, job) => this.jobLost(this.w.backends[vm.index], job, false));
  }

  bind(b: number): void {
    const w = this.w;
    const backend = w.backends[b];
    if (!backend.hostUp || !backend.nginx.listening || !backend.app.accepting) this.freshStart(backend);
    w.lb.setPoolState(b, PoolState.BOUND);
    // Put back after `set server … state maint`: as `state ready` (health.ts leaveMaintenance).
    if (this.lbChecks?.isPaused(b)) leaveMaintenance(w, b, this.lbChecks);
    w.trace.emit({ kind: 'lb.bound', backend: backend.name, balance: w.scenario.lb.balance });
  }

  unbind(b: number): void {
    const w = this.w;
    w.lb.setPoolState(b, PoolState.DRAINING);
    if (this.lbChecks?.isPaused(b)) leaveMaintenance(w, b, this.lbChecks);
    const backend = w.backends[b];
    w.trace.emit({
      kind: 'lb.drain',
      backend: backend.name,
      // The figure active_conn, the gate and set_server's line read: scur (LoadBalancer.currentSessions).
      active: w.lb.currentSessions(b),
      wsSessions: backend.wsSessions.size,
      keepaliveTimeout: backend.nginx.config.keepalive_timeout,
    });
  }

  /**
   * The runtime API's `set server be/<b> state ready|drain|maint` (management.txt; src/server.c
   * `srv_update_status()`): ready puts the server back in load balancing; drain and maint both take
   * it out and keep its established streams — maint shuts them under `on-marked-down
   * shutdown-sessions` (enterMaint); drain still honours persistence (cookie), maint does
   * not (`LoadBalancer.persistsTo`). Nothing is restarted or reset.
   */
  setServerState(b: number, state: 'ready' | 'drain' | 'maint'): void {
    const w = this.w;
    const wasMaint = w.lb.state[b] === PoolState.DETACHED;
    w.lb.setPoolState(
      b,
      state === 'ready' ? PoolState.BOUND : state === 'drain' ? PoolState.DRAINING : PoolState.DETACHED,
    );
    w.trace.emit({
      kind: 'lb.set_state',
      backend: w.backends[b].name,
      state,
      // srv_append_status() (src/server.c): "%d sessions active" is `s->cur_sess`.
      active: w.lb.currentSessions(b),
      left: w.lb.activeCount(),
    });
    // Checks pause in maint; leaving it makes the server UP at once, slowstart ramping
    // (health.ts); drain → ready does neither.
    if (state === 'maint' && !wasMaint) this.enterMaint(b);
    else if (state !== 'maint' && wasMaint) leaveMaintenance(w, b, this.lbChecks);
  }

  /**
   * A server enters maintenance (`set server … state maint`, an l7 `remove`): srv_update_status()
   * (HAProxy 2.6 src/server.c, the "server was still running" branch of entering maint) pauses its
   * checks and, when it was not already DOWN (`cur_state != SRV_ST_STOPPED`: UP, draining or
   * NOLB), shuts its streams under `on-marked-down shutdown-sessions` —
   * `srv_shutdown_streams(s, SF_ERR_DOWN)`, the same stream_shutdown() as a DOWN by checks: each
   * client reads a FIN; then srv_cleanup_connections() closes its idle server connections (lb.mode
   * l7). A server already DOWN was shut (or not) by that DOWN, and keeps its idle connections.
   */
  private enterMaint(b: number): void {
    const w = this.w;
    const running = w.lb.hcUp[b] === 1;
    enterMaintenance(b, this.lbChecks);
    if (!running) return;
    if (w.scenario.health_check?.on_marked_down === 'shutdown-sessions') this.shutdownSessions(b, 'maint');
    // Then srv_cleanup_connections(): its idle server connections close now (L7ServerConns).
    this.serverConns?.cleanupConnections(b);
  }

  /** HAProxy http mode's server connections (lb.mode l7), null otherwise. */
  private serverConns: L7ServerConns | null = null;

  /** The composition root hands over the l7 balancer's server connections (topology.ts buildModel). */
  useServerConns(conns: L7ServerConns | null): void {
    this.serverConns = conns;
  }

  /** The balancer's own health checks (HAProxy `check`), null without `health_check`. */
  private lbChecks: HealthChecker | null = null;

  /** The composition root hands over the balancer's checker once built (topology.ts startModel). */
  useLbChecks(checks: HealthChecker | null): void {
    this.lbChecks = checks;
  }

  /**
   * `shutdown sessions server be/<b>` and `on-marked-down shutdown-sessions`
   * (`srv_shutdown_streams()`, src/server.c → `stream_shutdown()`, src/stream.c): every stream
   * attached to the server is shut both ways at once. Idle pooled server connections are not
   * streams and stay. In http mode (lb.mode l7) the streams are the balancers' requests attached
   * to the server (lb/l7-dispatch.ts shutdownStreams). Streams held after
   * their client closed towards a vanished server (core/held-streams.ts) are not in
   * backend.conns and stay: stream_shutdown() returns at once on a request channel already shut
   * (`CF_SHUTW|CF_SHUTW_NOW`, HAProxy 2.6.0 src/stream.c, unchanged through 2.6.12).
   */
  shutdownSessions(b: number, cause: 'command' | 'down' | 'maint'): void {
    const w = this.w;
    const backend = w.backends[b];
    let streams = 0;
    for (const conn of [...backend.conns]) {
      if (conn.lbFlow !== LbFlow.TRACKED) continue;
      streams++;
      this.proxyShutsStream(backend, conn);
    }
    for (const balancer of this.requestBalancers) streams += balancer.shutdownStreams(b);
    w.trace.emit({ kind: 'lb.shutdown_sessions', backend: backend.name, streams, cause });
  }

  /**
   * HAProxy's `stream_shutdown()` (src/stream.c), the one path of `shutdown sessions`,
   * on-marked-down and hard-stop-after: `channel_shutw_now(req)` + `channel_shutr_now(res)`, which
   * process_stream() turns into a FIN to the server and, once the response side is shut, a FIN to
   * the client after buffered data (no NOLINGER on this path). The proxy closes first on both
   * sides — EndKind.PROXY_FIN: the client and nginx close passively, neither holds a TIME_WAIT;
   * the server socket closes before nginx's FIN came back, so nginx reads FIN then RST (FD_LINGER_RISK).
   * Measured (calibration/data/haproxy-sockets-shutdown-sessions-*.json, ss every second): the
   * TIME_WAITs are HAProxy's own client-facing sockets (13 of 13), none on the client or the server.
   */
  private proxyShutsStream(backend: Backend, conn: Conn): void {
    this.nginx.serverEnds(backend, conn, EndKind.PROXY_FIN);
  }

  /**
   * The proxy's reload (`lb_reload`): hard-stop-after shuts the old process's streams as `shutdown
   * sessions` does; in http mode (l7) the old process's client connections close at its soft stop.
   */
  lbReload(): void {
    this.proxyReload ??= new ProxyReload(
      this.w,
      (backend, conn) => this.proxyShutsStream(backend, conn),
      () => this.clientFront?.softStop(),
    );
    this.proxyReload.reload();
  }

  private proxyReload: ProxyReload | null = null;
  /** HAProxy http mode's frontend of the keep-alive clients (lb.mode l7), null otherwise. */
  private clientFront: L7HttpFront | null = null;

  /** lb.mode l7: the balancers whose HTTP streams count on the servers (keep-alive and open-loop clients'). */
  private requestBalancers: readonly RequestBalancer[] = [];

  /** The composition root hands over the l7 balancers (topology.ts buildModel). */
  useRequestBalancers(balancers: readonly RequestBalancer[]): void {
    this.requestBalancers = balancers;
  }

  /** The composition root hands over the l7 frontend (topology.ts buildModel). */
  useClientFront(front: L7HttpFront): void {
    this.clientFront = front;
  }

  /**
   * Hard cut: the LB removes the backend and forgets its flows; each side's next packet gets RST.
   * An L7 balancer forgets nothing: its `remove` is maint, which keeps the server's streams and
   * tunnels (`srv_update_status()`, src/server.c) unless `on-marked-down shutdown-sessions` shuts
   * them (enterMaint) — the client connections end at the LB.
   */
  remove(b: number): void {
    const w = this.w;
    const backend = w.backends[b];
    const wasMaint = w.lb.state[b] === PoolState.DETACHED;
    w.lb.setPoolState(b, PoolState.DETACHED);
    // An l7 `remove` is HAProxy's maint, so its checks pause too (srv_update_status(), src/server.c:
    // entering maint sets CHK_ST_PAUSED), as `set_server … maint` does; `bind` leaves it (above).
    w.trace.emit({
      kind: 'lb.remove',
      backend: backend.name,
      // scur, as active_conn (LoadBalancer.currentSessions).
      active: w.lb.currentSessions(b),
      resetsFlows: w.scenario.lb.remove_resets_flows && w.scenario.lb.mode !== 'l7',
    });
    if (w.scenario.lb.mode === 'l7' && !wasMaint) this.enterMaint(b);
    if (!w.scenario.lb.remove_resets_flows || w.scenario.lb.mode === 'l7') return;
    this.watchResets(b);
    for (const conn of [...backend.conns]) {
      conn.lbFlow = LbFlow.FORGOTTEN;
      if (conn.kind === ConnKind.WS && backend.wsSessions.has(conn)) this.ws.flowForgotten(conn);
    }
  }

  /** After a hard removal, summarise the next 10 s the way the seed's LB log does. */
  private watchResets(b: number): void {
    const w = this.w;
    const watch = {
      b,
      // The gauge it is labelled by (active_conn: scur, LoadBalancer.currentSessions).
      activeBefore: w.lb.currentSessions(b),
      last: w.metrics.runningTotal(w.c.resetOut, b),
      peak: 0,
      seconds: 0,
    };
    const probe = (s: typeof watch): void => {
      const now = w.metrics.runningTotal(w.c.resetOut, s.b);
      s.peak = Math.max(s.peak, now - s.last);
      s.last = now;
      if (++s.seconds < 10) {
        w.engine.schedule(1, probe, s);
        return;
      }
      w.trace.emit({
        kind: 'lb.reset_summary',
        backend: w.backends[s.b].name,
        peak: s.peak,
        activeBefore: s.activeBefore,
        activeAfter: w.lb.currentSessions(s.b),
      });
    };
    w.engine.schedule(1, probe, watch);
  }

  terminate(b: number, mode: TerminateMode): void {
    const w = this.w;
    const backend = w.backends[b];
    if (mode === 'vanish') return this.vanish(backend);
    if (mode === 'kill') {
      w.trace.emit({
        kind: 'app.killed',
        backend: backend.name,
        inFlight: backend.busyWorkers + backend.appQueueLength,
        ...(backend.bare ? { bare: true as const } : {}),
      });
      return this.killApp(backend);
    }
    const app = backend.app.config;
    const delay = app.shutdown_delay ?? 0;
    w.trace.emit({
      kind: 'app.sigterm',
      backend: backend.name,
      graceful: app.graceful_shutdown,
      shutdownGrace: app.shutdown_grace,
      workerShutdownTimeout: backend.nginx.config.worker_shutdown_timeout,
      wsSessions: backend.wsSessions.size,
      wsHook: app.ws.drain_notice || app.ws.close_on_shutdown,
      closeOnShutdown: app.ws.close_on_shutdown,
      drainHookDone: backend.app.drainHookDone,
      ...(backend.bare ? { bare: true as const } : {}),
      ...(delay > 0 ? { shutdownDelay: delay } : {}),
    });
    if (delay > 0) {
      // A second SIGTERM in the delay: the shutdown is already under way (terminus's cleanup() runs once).
      if (backend.app.lameDuck) return;
      const then = (): void => {
        this.nginxStopHeld.delete(backend);
        this.vmSigtermActs(backend);
      };
      if (this.lameDuck(backend, delay, false, then)) {
        if (!backend.bare) this.nginxStopHeld.set(backend, backend.incarnation);
        // The supervisor's kill counts from its SIGTERM (systemd's TimeoutStopSec), the delay included.
        this.killAfterGraceFromNow(backend);
        return;
      }
    }
    if (this.vmSigtermActs(backend)) this.killAfterGraceFromNow(backend);
  }

  /**
   * What a VM's SIGTERM does to its processes: nginx's graceful quit, and the app's graceful
   * shutdown (or its exit at once without `graceful_shutdown`). True: the app drains, and its
   * supervisor's kill after shutdown_grace is to come.
   */
  private vmSigtermActs(backend: Backend): boolean {
    // A bare app server (proxy: none) gets the SIGTERM itself: no nginx to quit first. nginx stops
    // through its systemd unit: QUIT, then SIGTERM nginx.stop_timeout later (master.ts unitStop).
    if (!backend.bare) this.nginx.unitStop(backend);
    if (!backend.app.config.graceful_shutdown) {
      this.killApp(backend);
      return false;
    }
    this.appSigterm(backend);
    // gunicorn closes none at SIGTERM (app-process.ts closesIdleAtSigterm): each ends at its idle
    // timeout (bare-client-conns.ts idleCloseAfter), or after a request that comes on it first.
    if (backend.app.closesIdleAtSigterm) this.bareAppClosesIdle(backend);
    this.ws.sigterm(backend);
    this.gthreadExitsWhenIdle(backend);
    this.gthread23Exit(backend);
    // stoppable's stop() ends at once every socket with no request pending (endIfIdle): an upgraded
    // socket's count stays 0 — its 'upgrade' is not a 'request' (hunterloftis/stoppable
    // lib/stoppable.js onConnection / onRequest) — so a session the app does not close itself
    // (`ws.close_on_shutdown`) ends now with the app's FIN, 1006, not at the destroy (review39 #1).
    if (backend.app.destroysAllAfter !== Infinity && !backend.app.config.ws.close_on_shutdown)
      this.closeWsSockets(backend);
    this.destroyAllAfterStop(backend);
    this.arbiterKillsAfterGracefulTimeout(backend);
    return true;
  }

  /**
   * stoppable's stop() (hunterloftis/stoppable lib/stoppable.js, as terminus calls it: lib/terminus.js
   * decorateWithSignalHandler() `stoppable(server, timeout)`, 1000 ms by default): `grace` after it,
   * destroyAll() ends and destroys every socket still open — the requests in flight on them get no
   * response — and server.close()'s callback lets terminus re-raise the signal: the process is
   * gone then, not at shutdown_grace's kill (app-process.ts destroysAllAfter; only with
   * `app.sigterm_keepalive: stoppable`). The kernel closes its sockets as at a kill (killApp).
   */
  private destroyAllAfterStop(backend: Backend): void {
    const grace = backend.app.destroysAllAfter;
    if (grace === Infinity) return;
    const epoch = backend.app.epoch;
    this.w.engine.schedule(
      grace,
      (bk: Backend) => {
        if (!bk.app.up || bk.app.epoch !== epoch) return;
        const held = this.heldAtKill(bk);
        if (held !== null) this.w.trace.emit({ kind: 'app.stoppable_destroyed', backend: bk.name, grace, ...held });
        this.killApp(bk);
      },
      backend,
    );
  }

  /**
   * gunicorn's arbiter (`sigterm_keepalive: gunicorn` or `gunicorn-23`): Arbiter.stop() (arbiter.py,
   * 20.1.0 to 24.x) closes its listeners, SIGTERMs the workers, waits while any is alive up to
   * `graceful_timeout` (`app.graceful_timeout`, 30 s: gunicorn/config.py GracefulTimeout) and
   * SIGKILLs the rest (kill_workers(signal.SIGKILL)): the model's kill (killApp), its requests in
   * hand failing, unless the worker exited first or shutdown_grace's kill comes sooner. Before
   * session 29 only shutdown_grace's kill bounded a gunicorn app's drain.
   */
  private arbiterKillsAfterGracefulTimeout(backend: Backend): void {
    const after = backend.app.killsWorkersAfter;
    if (after === Infinity || after >= backend.app.config.shutdown_grace) return;
    const epoch = backend.app.epoch;
    this.w.engine.schedule(
      after,
      (bk: Backend) => bk.app.up && bk.app.epoch === epoch && this.arbiterKills(bk),
      backend,
    );
  }

  /** The arbiter's SIGKILL (arbiterKillsAfterGracefulTimeout): a record of what it cuts (mut30's audit: none before), then the kill. */
  private arbiterKills(backend: Backend): void {
    const held = this.heldAtKill(backend);
    if (held !== null)
      this.w.trace.emit({
        kind: 'app.arbiter_killed',
        backend: backend.name,
        gracefulTimeout: backend.app.killsWorkersAfter,
        ...held,
      });
    this.killApp(backend);
  }

  /**
   * gunicorn's gthread worker on a VM (`sigterm_keepalive: gunicorn`, app-process.ts
   * keepsListenerDraining) exits once it has no connection left: workers/gthread.py run() (24.0–26.1)
   * loops `while self.nr_conns > 0` after `alive` went False, each wake-up of its poller (at most
   * graceful_timeout apart) checking, then closes its listening sockets and returns; the process
   * exits and the last close of the listener resets every child still in its accept queue
   * (inet_csk_listen_stop → inet_child_forget, net/ipv4/inet_connection_sock.c: the parked ones,
   * AppServer.park). nr_conns counts the connections it accept()ed and still holds: those busy,
   * and those kept alive idle (until murder_keepalived closes them at `keepalive` or one more
   * request is served on them with `Connection: close`). Here: the model's kill (killApp, as
   * stoppable's exit) once no request is in hand or queued, no WebSocket session is open, and no
   * accepted connection is left — nginx's cached ones (app-exit.ts), HAProxy's idle server ones
   * (lb.mode l7), or, bare behind l4/nat, the clients' connections open at the SIGTERM and not
   * parked — checked every 100 ms (as the kubelet's check of a pod, control/kubelet.ts). Bounded
   * by the arbiter's SIGKILL after graceful_timeout (arbiterKillsAfterGracefulTimeout) and
   * shutdown_grace's kill.
   * Before session 28 (fin28) a VM's gunicorn app exited only at shutdown_grace's kill.
   */
  private gthreadExitsWhenIdle(backend: Backend): void {
    if (!backend.app.keepsListenerDraining || backend.app.waitsForWakeUp) return;
    // The clients' connections the worker holds at the SIGTERM; every later one is parked unread.
    const held = new Map<Conn, number>();
    if (backend.bare)
      for (const conn of backend.conns) if (conn.kind === ConnKind.HTTP) held.set(conn, conn.connectStartedAt);
    this.killAtFirstCheck(backend, () => !this.gthreadHoldsConns(backend, held));
  }

  /**
   * gunicorn 20.1-23.0's gthread worker (`sigterm_keepalive: gunicorn-23`, app-process.ts
   * waitsForWakeUp) after SIGTERM: its loop ends at the poller's next wake-up — a connect
   * (AppServer.park → gthreadLeavesLoop) or `self.poller.select(1.0)`'s timeout
   * (workers/gthread.py ThreadWorker.run(), 20.1.0 line 200 / 23.0.0 line 210). The select in
   * progress began at the loop's last wake-up, 0-1 s before the SIGTERM; the model has no phase for
   * it and takes the bound, 1 s after the SIGTERM. Then `futures.wait(self.futures,
   * timeout=self.cfg.graceful_timeout)` waits for the requests in hand — not the idle kept-alive
   * connections, which are no futures — and run() returns: the process exits (here the model's
   * kill, killApp, once no request is in hand or queued, app-exit.ts appCanExit, and no
   * WebSocket session is open, checked every 100 ms as gthreadExitsWhenIdle does). Bounded by
   * the arbiter's SIGKILL after graceful_timeout (arbiterKillsAfterGracefulTimeout) and
   * shutdown_grace's kill.
   */
  private gthread23Exit(backend: Backend): void {
    if (!backend.app.waitsForWakeUp) return;
    this.killAtFirstCheck(
      backend,
      () => backend.app.exitsAfterRequestsInHand && appCanExit(backend) && backend.wsSessions.size === 0,
    );
  }

  /**
   * The model's kill (killApp: the process exits) at the first check, every 100 ms from now,
   * where `exits` holds — gunicorn's worker returning from run() (gthreadExitsWhenIdle,
   * gthread23Exit); no more checks once the app has gone or been restarted (its epoch).
   */
  private killAtFirstCheck(backend: Backend, exits: () => boolean): void {
    const epoch = backend.app.epoch;
    const check = (): void => {
      if (!backend.app.up || backend.app.epoch !== epoch) return;
      if (exits()) this.killApp(backend);
      else this.w.engine.schedule(0.1, check, null);
    };
    this.w.engine.schedule(0.1, check, null);
  }

  /**
   * The SIGTERMed gunicorn-23 gthread worker leaves its loop (app-process.ts leaveLoop): its
   * listener closes — connects are refused from now on; the worker accept()ed every connection
   * the kernel had completed (accept() up to worker_connections, 1000; the model's queued first
   * requests stand for its thread pool's queue, run to the end: `tpool.shutdown(False)` cancels
   * none), so none is reset. Its idle kept-alive connections are no longer read (the poller is
   * closed); the real process closes them at its exit, the model here (a FIN now; a request its
   * client sends on one in between would be reset at the exit instead: README Known limitations).
   */
  private gthreadLeavesLoop(backend: Backend): void {
    if (!backend.app.leaveLoop()) return;
    // After the caller's turn: a connect that woke the worker is the caller's to submit first
    // (AppServer.park), and is no idle connection. On 21.0-23.x that connect was parked unread
    // (only registered with the poller): `self.poller.close()` drops it, an RST, as the loop ends.
    const epoch = backend.app.epoch;
    this.w.engine.schedule(0, (bk: Backend) => bk.app.epoch === epoch && this.gthreadLoopEnded(bk), backend);
  }

  /** After gthreadLeavesLoop: the idle kept-alive connections close (FIN), the unread waking connect is reset. */
  private gthreadLoopEnded(backend: Backend): void {
    this.bareAppClosesIdle(backend);
    for (const job of this.path.app.resetParked(backend)) this.jobLost(backend, job, true);
  }

  /** The draining gthread worker still has a connection it accept()ed (gthreadExitsWhenIdle's nr_conns > 0). */
  private gthreadHoldsConns(backend: Backend, held: Map<Conn, number>): boolean {
    if (!appCanExit(backend) || backend.wsSessions.size > 0) return true;
    if (!backend.bare) return false;
    if ((this.serverConns?.idleCount(backend.index) ?? 0) > 0) return true;
    for (const [conn, connect] of held) {
      const open = backend.conns.has(conn) && conn.connectStartedAt === connect && conn.backend === backend.index;
      if (open && !this.path.app.isParked(backend, conn)) return true;
      held.delete(conn);
    }
    return false;
  }

  private killAfterGraceFromNow(backend: Backend): void {
    const life = backend.incarnation;
    this.w.engine.schedule(
      backend.app.config.shutdown_grace,
      (bk: Backend) => bk.app.up && bk.incarnation === life && this.killAfterGrace(bk),
      backend,
    );
  }

  /**
   * `app.shutdown_delay`: the lame-duck phase SREs are told to run — fail the health check first,
   * keep serving while the balancer notices, then close. terminus (godaddy/terminus lib/terminus.js
   * decorateWithSignalHandler() cleanup()) sets `state.isShuttingDown`, from which its health
   * endpoint answers 503, then awaits `beforeShutdown` (its README's Kubernetes recipe: a 5-s sleep)
   * before stoppable's server.stop(); lightship (src/factories/createLightship.ts shutdown()) sets
   * readiness false and awaits `shutdownDelay` (5000 ms by default) before its handlers. The
   * listener stays open all along. `then` runs the SIGTERM's own steps when the delay ends, unless
   * the process ended meanwhile (a kill -9, the supervisor's kill, a lost host). False: the app was
   * not serving (starting, already draining): the SIGTERM acts at once, as without a delay.
   */
  private lameDuck(backend: Backend, delay: number, pod: boolean, then: () => void): boolean {
    const app = backend.app;
    const status = app.config.shutdown_health_status ?? 503;
    if (!app.enterLameDuck(status)) return false;
    const w = this.w;
    const tags = { ...(pod ? { pod: true as const } : {}), ...(backend.bare ? { bare: true as const } : {}) };
    w.trace.emit({ kind: 'app.lame_duck', backend: backend.name, status, delay, ...tags });
    const epoch = app.epoch;
    w.engine.schedule(
      delay,
      () => {
        if (app.epoch !== epoch || !app.lameDuck) return;
        const graceful = pod || app.config.graceful_shutdown;
        w.trace.emit({ kind: 'app.lame_duck_over', backend: backend.name, delay, graceful, ...tags });
        then();
      },
      null,
    );
    return true;
  }

  /**
   * The app outlived shutdown_grace after its SIGTERM: its supervisor sends SIGKILL — the kubelet
   * at the end of the grace period (killContainer, pkg/kubelet/kuberuntime/kuberuntime_container.go),
   * systemd at TimeoutStopSec (service_dispatch_timer, src/core/service.c: stop-sigterm timed out →
   * service_enter_signal SIGKILL). The supervisor logs that kill, so the trace does too — when it
   * cuts something: an app with nothing left would have exited by itself (the model keeps it up
   * until the grace runs out, which no client sees).
   */
  private killAfterGrace(backend: Backend): void {
    const held = this.heldAtKill(backend);
    if (held !== null)
      this.w.trace.emit({
        kind: 'app.grace_killed',
        backend: backend.name,
        shutdownGrace: backend.app.config.shutdown_grace,
        ...held,
      });
    this.killApp(backend);
  }

  /** What a kill of the app now cuts (requests in flight or queued, WebSocket sessions); null: nothing. */
  private heldAtKill(backend: Backend): { inFlight: number; wsSessions: number; bare?: true } | null {
    const inFlight = backend.busyWorkers + backend.appQueueLength;
    const wsSessions = backend.wsSessions.size;
    if (inFlight + wsSessions === 0) return null;
    return { inFlight, wsSessions, ...(backend.bare ? { bare: true as const } : {}) };
  }

  /** The drain started: the app's drain API sends its notice, if it has one (ws-endpoint.ts). */
  drainStarted(backend: Backend): void {
    this.ws.drainNotice(backend);
  }

  /**
   * A bare app server holding the clients' own connections (lb.mode l4 or nat) closes the idle
   * ones itself: at SIGTERM node's server.close() closes every idle connection (lib/_http_server.js
   * closeIdleConnections(), node >= 19) and at its exit the kernel closes them all, each with a FIN
   * (nothing unread: tcp_close(), net/ipv4/tcp.c), which the client reads (through HAProxy mode
   * tcp, relayed). Those with a request in the app are the app's to end (jobLost). Behind an L7
   * balancer the idle connections are the balancer's (lb/l7-server-conns.ts). A request its client
   * wrote before the FIN arrived (on its way, or in the rtt/2 after the close) meets the closed
   * socket: RST, ECONNRESET, as at nginx's closes (NginxMaster.closesIdle); before session 26 one
   * written after the close was sent again on a new connection, unharmed.
   */
  private bareAppClosesIdle(backend: Backend): void {
    if (!backend.bare || this.w.scenario.lb.mode === 'l7') return;
    for (const conn of [...backend.conns])
      if (conn.kind === ConnKind.HTTP && conn.phase === ReqPhase.NONE && conn.lbFlow === LbFlow.TRACKED)
        this.nginx.closesIdle(backend, conn);
  }

  /**
   * The app closes every WebSocket session's socket without a Close frame (a kill's tcp_close,
   * or stoppable's socket.end()): its FIN reaches nginx, which closes the client side — 1006 for the
   * client (ws-endpoint.ts appKilled). A flow the LB forgot still has its app socket: closed all the same.
   */
  private closeWsSockets(backend: Backend): void {
    for (const conn of [...backend.wsSessions]) {
      if (conn.lbFlow !== LbFlow.FORGOTTEN) this.ws.appKilled(conn);
      else this.ws.appKilledBehindForgottenFlow(conn);
    }
  }

  /** kill -9 of the app: FIN on sockets with nothing unread, RST where requests sat unread. */
  killApp(backend: Backend): void {
    // Killed in its lame-duck delay: the VM's shutdown goes on, nginx stops now (nginxStopHeld).
    const held = this.nginxStopHeld.get(backend);
    if (held !== undefined) {
      this.nginxStopHeld.delete(backend);
      // The same machine (not one rebuilt after a lost host), still up.
      if (held === backend.incarnation && backend.hostUp) this.nginx.unitStop(backend);
    }
    backend.app.exit();
    this.bareAppClosesIdle(backend);
    this.path.closeCached(backend, false);
    this.closeWsSockets(backend);
    const { serving, queued } = this.path.app.drop(backend);
    for (const job of serving) this.jobLost(backend, job, false);
    for (const job of queued) this.jobLost(backend, job, true);
  }

  /**
   * A job the dead app held: nginx sees FIN (in service) or RST (unread in the queue) and answers
   * 502 — after one more try for a GET it had sent on a cached connection (RequestPath.retriesLostOnCached). On a bare app server (proxy: none) the balancer's own connection sees them: no response
   * (Status.NO_RESPONSE), which the balancer answers itself (lb/l7-dispatch.ts serverAborted).
   */
  private jobLost(backend: Backend, job: AppJob, unread: boolean): void {
    const w = this.w;
    job.phase = ReqPhase.NONE;
    job.status = !backend.bare ? Status.BAD_GATEWAY : unread ? Status.RESET : Status.NO_RESPONSE;
    if (unread) w.metrics.inc(w.c.resetIn, backend.index);
    if (backend.bare) return job.onDone(job);
    // nginx's side of it (its trace, the retry on a cached connection or the next address, 502):
    // proxy/upstream.ts RequestPath.appLost.
    if (job instanceof Conn) return this.path.appLost(backend, job, unread);
    // A request nginx passed for someone else (a health check through nginx): its FIN or RST, 502.
    this.path.traceAppLost(backend, unread, false);
    job.onDone(job);
  }

  /** The host disappears: no FIN, no RST. Everything on it stops; peers find out by timeout. */
  private vanish(backend: Backend): void {
    const w = this.w;
    w.trace.emit({
      kind: 'deploy.vanish',
      backend: backend.name,
      // scur, as active_conn (LoadBalancer.currentSessions).
      active: w.lb.currentSessions(backend.index),
      requestTimeout: w.scenario.clients.http.request_timeout,
    });
    this.hostGone(backend);
  }

  /**
   * The backend's host stops answering (a vanished VM, a pod's deleted sandbox): its processes
   * stop, the app's requests get no answer and every connection on it is dropped without FIN or
   * RST; its peers find out by timeout.
   */
  private hostGone(backend: Backend): void {
    const w = this.w;
    backend.vanish();
    const { serving, queued } = this.path.app.drop(backend);
    for (const job of [...serving, ...queued]) {
      job.phase = ReqPhase.NONE;
      // No answer will come: the waiting client's own request timeout fires (clients/http-keepalive.ts,
      // running since it sent; an open-loop attempt's likewise).
      if (job instanceof Conn) job.upstream = null;
    }
    for (const conn of [...backend.conns]) {
      if (conn.kind === ConnKind.WS && backend.wsSessions.has(conn)) this.ws.serverGone(conn, EndKind.SILENT);
      else if (conn.phase === ReqPhase.CONNECTING) {
        // nginx's connect() to the app dies with the host; the client's request timeout is running.
        w.engine.cancel(conn.timer);
        conn.timer = -1;
        conn.phase = ReqPhase.NONE;
      }
      w.dropServerEnd(conn, false);
    }
    this.path.forgetCached(backend);
  }

  /**
   * A deleted pod's sandbox is torn down once all its containers have exited: the kubelet's
   * killPodWithSyncResult (pkg/kubelet/kuberuntime/kuberuntime_manager.go) waits in
   * killContainersWithSyncResult (kuberuntime_container.go: one goroutine per container, each
   * killContainer — its preStop, StopContainer with the image's STOPSIGNAL and the rest of the
   * grace period, then SIGKILL — and `wg.Wait()` for all of them), then calls StopPodSandbox for
   * each of the pod's sandboxes, whose CNI DEL removes the pod's interface and releases its IP.
   * The containers' processes are gone by then (podAppExited, nginx's own exit or podNginxKilled),
   * the kernel having closed their sockets at their exits. Only then does the address go: a
   * packet still sent to it meets no socket and no kernel to answer it, no RST
   * (control/k8s-rollout.ts decides whether the balancer still sends there: Backend.answersBalancer).
   */
  podSandboxGone(b: number): void {
    this.hostGone(this.w.backends[b]);
  }

  /**
   * A deleted pod's app container exited by itself after its SIGTERM (nothing left in flight): the
   * kernel closes its sockets as at any process exit (tcp_close, net/ipv4/tcp.c: FIN, RST where
   * data sat unread), as a kill does (killApp) — its WebSocket sessions end now (1006 at their
   * clients through nginx), nginx's cached upstream connections to it close.
   */
  podAppExited(backend: Backend): void {
    this.killApp(backend);
  }

  /** The pod's nginx container is running: a process the pod's sandbox waits for (not a bare pod's). */
  podNginxRunning(backend: Backend): boolean {
    return !backend.bare && backend.hostUp && backend.nginx.running;
  }

  /**
   * The grace period ran out on the pod's nginx container (its StopContainer's timeout): the
   * runtime's SIGKILL. nginx got its STOPSIGNAL after its preStop (podNginxStopSignal); what it still
   * holds is closed by the kernel as NginxMaster.stop does (keep-alive clients read EOF, WebSocket
   * clients 1006): `nginx container killed (SIGKILL) with its pod`.
   */
  podNginxKilled(backend: Backend): void {
    if (this.podNginxRunning(backend)) this.nginx.stop(backend, undefined, true);
  }

  /** `listener` is told with the backend's index when its nginx process has exited (NginxMaster.onExit). */
  whenNginxExits(listener: (b: number) => void): void {
    this.nginx.onExit((backend) => listener(backend.index));
  }

  /**
   * A deleted pod's nginx container gets its stop signal when the app container gets its SIGTERM:
   * the kubelet's killPodWithSyncResult (pkg/kubelet/kuberuntime/kuberuntime_manager.go) calls
   * killContainersWithSyncResult (kuberuntime_container.go), whose goroutine per container runs
   * killContainer for every container of the pod in parallel, each
   * its own preStop hook (the same sleep on both: the model's `prestop_sleep`), then StopContainer
   * with what is left of the grace period, the runtime sending the image's STOPSIGNAL. The official
   * nginx image's is `STOPSIGNAL SIGQUIT` (nginxinc/docker-nginx mainline/debian/Dockerfile, since
   * 3fb70dd "Use SIGQUIT instead of SIGTERM for graceful shutdown of nginx", image 1.19.5):
   * nginx's graceful quit (NginxMaster.quit) — its listeners close at once, so the connections
   * the balancer still sends are refused by the pod's kernel while the app finishes; idle
   * keep-alive connections close, requests in flight are answered. `kubernetes.nginx_stop_signal:
   * term` (an image stopping it with SIGTERM): the fast stop (NginxMaster.stop), even of an nginx
   * already quitting (podNginxTakesSignal: SIGTERM overrides a graceful quit). Not the app
   * container's own kill (a failed liveness probe: kubelet.ts killContainer), which leaves nginx running.
   */
  podNginxStopSignal(backend: Backend): void {
    if (!this.podNginxTakesSignal(backend)) return;
    if (this.w.scenario.kubernetes.nginx_stop_signal === 'term') this.nginx.stop(backend);
    else this.nginx.quit(backend, true);
  }

  /**
   * The pod's nginx is running and its stop signal would change something (podNginxStopSignal).
   * A second SIGQUIT to a master already quitting (a timeline `nginx_quit` during the preStop)
   * changes nothing: ngx_quit is set again and the workers are already exiting. SIGTERM does:
   * nginx 1.22.1's ngx_signal_handler (src/os/unix/ngx_process.c) sets ngx_terminate in the master
   * whatever ngx_quit is, ngx_master_process_cycle (src/os/unix/ngx_process_cycle.c) tests
   * ngx_terminate before ngx_quit and sends SIGTERM to the workers (SIGKILL once its 50 ms
   * delay, doubled at each SIGALRM, passes 1 s), and a worker with ngx_terminate exits after its
   * current event-loop pass (ngx_worker_process_cycle → ngx_worker_process_exit) even while
   * exiting gracefully: the fast stop cuts what the quit still held. A VM's nginx follows the same
   * rule (master.ts stop acts on any running nginx: systemd's SIGTERM after the unit's QUIT).
   */
  podNginxTakesSignal(backend: Backend): boolean {
    if (!this.podNginxRunning(backend)) return false;
    return this.w.scenario.kubernetes.nginx_stop_signal === 'term' || !backend.nginx.quitting;
  }

  /** A pod's new sandbox in the slot answers at its own address (Backend.sandboxCreated). */
  podSandboxUp(b: number): void {
    this.w.backends[b].sandboxCreated();
  }

  /** The kubelet started the app container again (after a crash or a liveness kill): same VM, nginx and kernel. */
  containerStarted(backend: Backend): void {
    backend.boot(Boot.CONTAINER_RESTART);
  }

  /** A pod gets SIGTERM (Kubernetes rollout): the app stops accepting and refuses new WebSocket sessions. */
  podSigterm(backend: Backend): void {
    const delay = backend.app.config.shutdown_delay ?? 0;
    if (delay > 0 && (backend.app.lameDuck || this.lameDuck(backend, delay, true, () => this.podSigtermActs(backend))))
      return;
    this.podSigtermActs(backend);
  }

  private podSigtermActs(backend: Backend): void {
    this.appSigterm(backend);
    this.ws.sigterm(backend);
  }

  /**
   * The app takes SIGTERM and closes its listener: the connections in its accept queue then are
   * reset, their requests unread (AppServer.listenerClosed), as a kill resets them (jobLost). A
   * gunicorn gthread worker keeps its listener to its exit (app-process.ts keepsListenerDraining):
   * nothing is reset now, the kill or exit resets what it parked (killApp → AppServer.drop). A
   * second SIGTERM closes nothing more.
   */
  private appSigterm(backend: Backend): void {
    const before = backend.app.sigterms;
    backend.app.sigterm();
    if (backend.app.sigterms === before) return;
    for (const job of this.path.app.listenerClosed(backend)) this.jobLost(backend, job, true);
    // gunicorn-23's gthread worker: with no event first, its poller's 1-s timeout ends the loop (gthread23Exit).
    if (backend.app.waitsForWakeUp) {
      const epoch = backend.app.epoch;
      this.w.engine.schedule(
        GTHREAD_POLL_TIMEOUT,
        (bk: Backend) => bk.app.up && bk.app.epoch === epoch && this.gthreadLeavesLoop(bk),
        backend,
      );
    }
  }

  /** The app exited by itself after SIGTERM, nothing left in flight. */
  appExited(backend: Backend): void {
    backend.app.exit();
  }

  /** A rolling update's replacement pod's app listens (not Ready yet: its probes decide). */
  podStarted(b: number): void {
    this.w.backends[b].boot(Boot.POD_REPLACED);
  }

  /** A rolling update's replacement pod is Ready: its endpoint is bound. */
  podReady(b: number): void {
    this.w.lb.setPoolState(b, PoolState.BOUND);
  }

  /** A rebuilt VM comes up empty: new processes, no connections, fresh kernel tables. */
  private freshStart(backend: Backend): void {
    // A vanished host's new kernel answers the held streams' next retransmissions with RSTs (core/held-streams.ts).
    if (!backend.hostUp) this.w.held.serverRebooted(backend.index);
    backend.boot(Boot.NEW_VM);
    this.w.trace.emit({ kind: 'deploy.new_version', backend: backend.name });
  }
}
