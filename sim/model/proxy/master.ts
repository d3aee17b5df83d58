import type { NginxConfig } from '../../scenario/schema.js';
import { ReqPhase } from '../core/app-job.js';
import { type Conn, ConnKind, NO_SESSION } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { HttpDownstream } from '../core/hop.js';
import type { VmView as Backend } from '../core/vm-view.js';
import { EndKind, type World } from '../core/world.js';
import { type NginxGeneration, RELOAD_QUIT_DELAY, requestCrossesFin } from './nginx.js';
import type { RequestPath } from './upstream.js';
import type { TlsCpu } from './worker-cpu.js';

/** The server end of the WebSocket tunnels nginx holds (app/ws-endpoint.ts). */
export interface TunnelEnds {
  serverGone(conn: Conn, how: EndKind): void;
}

interface PendingQuit {
  backend: Backend;
  /** Every generation older than this one gets QUIT. */
  newest: number;
}

/** Connections reset at the last close of nginx's listening sockets, as they were when queued. */
interface QueueReset {
  backend: Backend;
  quitAt: number;
  /** Only the reuseport sockets a reload dropped closed (closeDropped), not every listener. */
  reload: boolean;
  conns: { conn: Conn; connectedAt: number }[];
}

/** A VM's stop of nginx.service: systemd's SIGTERM to come, unless the VM is rebuilt first. */
interface PendingStop {
  backend: Backend;
  incarnation: number;
  after: number;
}

interface ShutdownTimer {
  backend: Backend;
  gen: NginxGeneration;
}

/**
 * What nginx's master does to open connections when it is signalled (src/os/unix/ngx_process_cycle.c,
 * calibration/nginx/NOTES.md §2–§5): `reload` forks a new worker generation and QUITs the older
 * ones 100 ms later; `quit` QUITs them all and closes the listeners. A QUITted generation
 * (ngx_worker_process_cycle) closes its idle keep-alive connections at once
 * (ngx_close_idle_connections → FIN), closes the upstream connections it cached, answers requests in
 * flight with `Connection: close` (nginx.ts closesAfterResponse), keeps WebSocket tunnels until they
 * end, and exits with its last connection — or at QUIT + worker_shutdown_timeout, when
 * ngx_shutdown_timer_handler closes everything left (FIN both ways).
 */
export class NginxMaster {
  /** nginx's workers as CPU queues when TLS ends in nginx somewhere (worker-cpu.ts; null: none). */
  listenQueues: TlsCpu | null = null;

  constructor(
    private readonly w: World,
    private readonly http: HttpDownstream,
    private readonly tunnels: TunnelEnds,
    private readonly path: RequestPath,
  ) {
    for (const backend of w.backends)
      backend.nginx.onGenerationExit = (g) => {
        this.exited(backend, g);
        this.tellIfGone(backend);
      };
  }

  /** Told when a backend's nginx has exited: its last worker generation gone, the master with it. */
  private readonly exitListeners: ((backend: Backend) => void)[] = [];

  /**
   * `listener` is told each time a backend's nginx process exits — a graceful quit's last
   * connection ended (ngx_master_process_exit once ngx_reap_children finds no worker), or a fast
   * stop (stop) — after the exit's own log lines. A Kubernetes pod's nginx container is one such
   * process: its exit ends that container (control/k8s-rollout.ts waits for it).
   */
  onExit(listener: (backend: Backend) => void): void {
    this.exitListeners.push(listener);
  }

  private tellIfGone(backend: Backend): void {
    if (backend.nginx.running) return;
    for (const listener of this.exitListeners) listener(backend);
  }

  /**
   * `nginx -s reload` with `settings` changed (none: the same configuration re-read). A master
   * that is quitting or gone ignores it (its signal handler only sets ngx_reconfigure when running).
   */
  reload(backend: Backend, settings: Partial<NginxConfig>, logged: boolean): void {
    const w = this.w;
    const nginx = backend.nginx;
    if (!backend.hostUp || !nginx.listening) return;
    const before = nginx.shuttingDown;
    // Every open connection stays with the worker that accepted it (upstream.ts workerOf).
    const g = nginx.reload({ ...nginx.config, ...settings });
    if (logged)
      w.trace.emit({ kind: 'nginx.reload', backend: backend.name, generation: g.id, shuttingDown: before, settings });
    const pending: PendingQuit = { backend, newest: g.id };
    w.engine.schedule(RELOAD_QUIT_DELAY, this.quitOld, pending);
  }

  private readonly quitOld = (p: PendingQuit): void => {
    const gens = p.backend.nginx.quitOlderThan(p.newest, this.w.now);
    this.shutDown(p.backend, gens);
    for (const g of gens) if (g.droppedWorkers.length > 0 && p.backend.hostUp) this.closeDropped(p.backend, g);
  };

  /**
   * A reload's old generation `g` got QUIT and its workers hold the only copies of the `reuseport`
   * sockets the new cycle did not inherit (fewer worker_processes, or reuseport turned off:
   * ngx_init_cycle matches new entries with old ones by address, in order, and its "close the
   * unnecessary listening sockets" loop closed the master's copy of each old entry left with
   * `remain == 0`, src/core/ngx_cycle.c). Each old worker closes every fd of its cycle after its
   * current event-loop pass (ngx_worker_process_cycle → ngx_close_listening_sockets,
   * src/os/unix/ngx_process_cycle.c), so at the busiest one's, Linux resets the connections still
   * in those sockets' accept queues (inet_csk_listen_stop → inet_child_forget: RST; no other
   * group member takes them with net.ipv4.tcp_migrate_req 0, reuseport_migrate_sock,
   * net/core/sock_reuseport.c). Those are the connections queued on the workers whose own socket it
   * was, beyond what each holds (TlsCpu.listenerClosed). The inherited sockets keep their queues
   * (the new worker of the same index accepts them). Before session 22 the QUITted workers served
   * those queues.
   */
  private closeDropped(backend: Backend, g: NginxGeneration): void {
    if (this.listenQueues === null) return;
    const { conns, at } = this.listenQueues.listenerClosed(backend.index, g);
    this.scheduleReset(backend, conns, at, true);
  }

  /** `nginx -s quit` (and the nginx part of a VM's SIGTERM): the listeners close, every generation drains. */
  quit(backend: Backend, logged: boolean): void {
    const nginx = backend.nginx;
    if (logged) {
      const timeout = nginx.config.worker_shutdown_timeout;
      this.w.trace.emit({
        kind: 'nginx.quit',
        backend: backend.name,
        open: backend.conns.size,
        workerShutdownTimeout: timeout,
      });
    }
    const wasListening = nginx.listening;
    this.shutDown(backend, nginx.quit(this.w.now));
    if (wasListening && backend.hostUp) this.closeListeners(backend);
  }

  /**
   * Every generation got QUIT: the master closes its copies of the listening sockets at once and
   * each worker its own after its current event-loop pass (ngx_master_process_cycle and
   * ngx_worker_process_cycle → ngx_close_listening_sockets, src/os/unix/ngx_process_cycle.c), so
   * the socket closes when the busiest worker ends the handshake it is computing, and the kernel
   * resets the connections still in its accept queue then (inet_csk_listen_stop →
   * inet_child_forget → tcp_disconnect: RST, net/ipv4/inet_connection_sock.c;
   * net.ipv4.tcp_migrate_req 0). Which: TlsCpu.listenerClosed (a TLS storm queued on busy
   * workers). A reload keeps the sockets the new cycle inherits (ngx_init_cycle hands their fds on):
   * nothing is reset there; the reuseport sockets it drops close at the old workers' QUIT
   * (closeDropped). Before session 21 the QUITted workers went on to serve them all.
   */
  private closeListeners(backend: Backend): void {
    if (this.listenQueues === null) return;
    const { conns, at } = this.listenQueues.listenerClosed(backend.index);
    this.scheduleReset(backend, conns, at, false);
  }

  /** The kernel resets `conns` at `at`, when the last copy of their listening socket closes. */
  private scheduleReset(backend: Backend, conns: Conn[], at: number, reload: boolean): void {
    if (conns.length === 0) return;
    const reset: QueueReset = {
      backend,
      quitAt: this.w.now,
      reload,
      conns: conns.map((conn) => ({ conn, connectedAt: conn.connectStartedAt })),
    };
    this.w.engine.at(at, this.resetQueued, reset);
  }

  /**
   * The last copy of the listening socket closed: the connections left in its accept queue get
   * RST, their requests unanswered (ECONNRESET at the client, which retries per its `retries`).
   * A WebSocket client whose upgrade waited for the handshake meets the RST instead of its 101
   * and reconnects by its policy, as when the listener resets it before admission
   * (clients/websocket.ts resetBeforeAdmission). One whose client gave up, or that a worker read
   * after all (an upgrade done), is left alone.
   */
  private readonly resetQueued = (r: QueueReset): void => {
    const { backend } = r;
    let n = 0;
    for (const { conn, connectedAt } of r.conns) {
      if (!backend.conns.has(conn) || conn.connectStartedAt !== connectedAt || conn.requestsServed > 0) continue;
      if (conn.kind === ConnKind.WS) {
        if (conn.sessionStartedAt !== NO_SESSION) continue;
        this.w.metrics.inc(this.w.c.resetOut, backend.index);
        this.tunnels.serverGone(conn, EndKind.RESET);
        n++;
        continue;
      }
      if (conn.phase !== ReqPhase.NONE && conn.phase !== ReqPhase.CONNECTING) continue;
      this.http.serverGone(conn, EndKind.RESET, true);
      n++;
    }
    if (n > 0)
      this.w.trace.emit({
        kind: 'nginx.accept_queue_reset',
        backend: backend.name,
        reset: n,
        afterQuit: this.w.now - r.quitAt,
        reloadDropped: r.reload,
      });
  };

  /**
   * `nginx -s stop` (SIGTERM to the master, NOTES §5): the workers exit without closing anything
   * gracefully and the kernel closes their sockets (`__tcp_close`: FIN, as nginx has read every
   * request it holds): an idle keep-alive client reads EOF, a request in flight gets EOF with no
   * response (its work in the app is abandoned), a tunnel ends both ways (WebSocket 1006). The
   * master's listeners close too: new connects are refused (recorded: tunnel EOF and refusals
   * 0.03 s after the signal, calibration/data/nginx-stop-tunnel.json). `podKilled`: a pod's nginx
   * container still running when its pod's sandbox goes (the kubelet's SIGKILL at the grace
   * period's end): the kernel closes its sockets alike, only the log names the signal.
   */
  stop(backend: Backend, afterQuit?: number, podKilled = false): void {
    const w = this.w;
    const nginx = backend.nginx;
    if (!backend.hostUp || !nginx.running) return;
    w.trace.emit({
      kind: 'nginx.stop',
      backend: backend.name,
      open: backend.conns.size,
      ...(afterQuit !== undefined ? { afterQuit } : {}),
      ...(podKilled ? { podKilled } : {}),
    });
    const gens = nginx.terminate();
    for (const conn of [...backend.conns]) {
      if (
        conn.lbFlow === LbFlow.TRACKED &&
        conn.kind === ConnKind.HTTP &&
        conn.phase === ReqPhase.NONE &&
        conn.requestsLeft > 0 &&
        requestCrossesFin(conn.lastActivity, w.now, w.scenario.clients.rtt)
      )
        this.http.crossedFin(conn);
      else this.serverEnds(backend, conn, EndKind.SERVER_FIN);
    }
    this.path.closeCached(backend, true);
    for (const g of gens) {
      // A generation never QUIT (the stop came first) exits with the stop: no "after its QUIT" (review40 #3).
      const neverQuit = g.quitAt < 0;
      if (neverQuit) g.quitAt = w.now;
      this.exited(backend, g, neverQuit);
    }
    this.tellIfGone(backend);
  }

  /**
   * The nginx part of a VM's graceful stop: systemd stops nginx.service (Debian 12, nginx 1.22.1:
   * /lib/systemd/system/nginx.service) with `ExecStop=-/sbin/start-stop-daemon --quiet --stop
   * --retry QUIT/5`: QUIT, then a wait of 5 s, and the schedule ends there (start-stop-daemon(8):
   * only a bare timeout grows a KILL step), so start-stop-daemon gives up (exit 2, ignored: `-`),
   * as the ExecStop's own TimeoutStopSec=5 runs out. systemd then sends SIGTERM to the main
   * process (KillMode=mixed, systemd.kill(5)): nginx's fast shutdown (`nginx -s stop`, stop()),
   * whose workers exit at once; the SIGKILL TimeoutStopSec later finds nothing left. So a tunnel or
   * a slow request still open `nginx.stop_timeout` after the QUIT is cut by the kernel. A nginx
   * that exited by itself meanwhile, or a VM rebuilt since, is left alone.
   */
  unitStop(backend: Backend): void {
    this.quit(backend, false);
    const after = backend.nginx.config.stop_timeout;
    if (after === Infinity || !backend.nginx.running) return;
    const pending: PendingStop = { backend, incarnation: backend.incarnation, after };
    this.w.engine.schedule(after, this.unitStopTimedOut, pending);
  }

  private readonly unitStopTimedOut = (p: PendingStop): void => {
    if (p.backend.incarnation !== p.incarnation || p.backend.nginx.listening) return;
    this.stop(p.backend, p.after);
  };

  /** The generations in `gens` just got QUIT. */
  private shutDown(backend: Backend, gens: NginxGeneration[]): void {
    if (gens.length === 0) return;
    const w = this.w;
    const quitted = new Set(gens.map((g) => g.id));
    // Their idle client connections: FIN now (a request the client sends before it arrives is lost: the keepalive race).
    // Not one accepted ahead of its first request (clients.http.reconnect eager): it is not
    // c->idle (only ngx_http_set_keepalive sets that), so ngx_close_idle_connections leaves it,
    // and its client_header_timeout timer (not cancelable) keeps its worker until its request
    // comes (answered with `Connection: close`: nginx.ts closesAfterResponse) or the timer closes it.
    const awaiting = this.path.awaiting;
    for (const conn of [...backend.conns]) {
      if (
        quitted.has(conn.nginxGen) &&
        conn.kind === ConnKind.HTTP &&
        conn.phase === ReqPhase.NONE &&
        conn.lbFlow === LbFlow.TRACKED &&
        !awaiting.has(conn)
      ) {
        if (conn.requestsLeft > 0 && requestCrossesFin(conn.lastActivity, w.now, w.scenario.clients.rtt))
          this.http.crossedFin(conn);
        else this.http.serverGone(conn, EndKind.SERVER_FIN, false);
      }
    }
    // The upstream connections their workers cached are c->idle too: closed by nginx (FIN, TIME_WAIT on the VM).
    this.path.closeCached(backend, true, (gen) => quitted.has(gen));
    for (const g of gens) {
      const timeout = g.config.worker_shutdown_timeout;
      if (timeout > 0 && timeout !== Infinity && backend.nginx.generationOf(g.id) === g) {
        w.engine.schedule(timeout, this.shutdownTimer, { backend, gen: g } satisfies ShutdownTimer);
      }
    }
  }

  /** worker_shutdown_timeout (ngx_shutdown_timer_handler): whatever the generation still holds is closed. */
  private readonly shutdownTimer = (t: ShutdownTimer): void => {
    const { backend, gen } = t;
    if (backend.nginx.generationOf(gen.id) !== gen) return;
    const left = [...backend.conns].filter((c) => c.nginxGen === gen.id);
    this.forced = gen;
    if (left.length > 0)
      this.w.trace.emit({
        kind: 'nginx.shutdown_timeout',
        backend: backend.name,
        open: left.length,
        workerShutdownTimeout: gen.config.worker_shutdown_timeout,
      });
    for (const conn of left) this.serverEnds(backend, conn, EndKind.SERVER_FIN);
    this.forced = null;
  };

  /** The generation whose worker_shutdown_timeout is closing connections right now. */
  private forced: NginxGeneration | null = null;

  private exited(backend: Backend, g: NginxGeneration, stopped = false): void {
    this.w.trace.emit({
      kind: 'nginx.generation_exit',
      backend: backend.name,
      generation: g.id,
      after: this.w.now - g.quitAt,
      forced: this.forced === g,
      stillShuttingDown: backend.nginx.shuttingDown,
      ...(stopped ? { stopped } : {}),
    });
  }

  /**
   * The server end closes the idle HTTP connection `conn` now with a FIN, as nginx's own closes do
   * (stop, quit): a request its client wrote before that FIN arrived — still on its way, or written
   * in the rtt/2 after the close — meets the closed socket and gets RST (requestCrossesFin:
   * ECONNRESET, crossedFin); otherwise the client reads the FIN (serverEnds).
   */
  closesIdle(backend: Backend, conn: Conn): void {
    if (conn.requestsLeft > 0 && requestCrossesFin(conn.lastActivity, this.w.now, this.w.scenario.clients.rtt))
      this.http.crossedFin(conn);
    else this.serverEnds(backend, conn, EndKind.SERVER_FIN);
  }

  /** nginx ends a client connection; a request it still had inside the app is abandoned there. */
  serverEnds(backend: Backend, conn: Conn, how: EndKind): void {
    if (conn.kind === ConnKind.WS) return this.tunnels.serverGone(conn, how);
    const inFlight = conn.phase !== ReqPhase.NONE;
    if (conn.phase === ReqPhase.SERVING || conn.phase === ReqPhase.QUEUED) {
      this.path.app.withdraw(backend, conn);
      this.path.cancelReadTimeout(conn);
    }
    if (conn.upstream) {
      this.path.closeUpstream(backend, conn.upstream, true);
      conn.upstream = null;
    }
    this.http.serverGone(conn, how, inFlight);
  }
}
