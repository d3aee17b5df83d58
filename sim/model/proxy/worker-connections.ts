import { ReqPhase } from '../core/app-job.js';
import { type Conn, ConnKind, NOT_IDLE, type UpstreamConn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { HttpDownstream } from '../core/hop.js';
import type { VmView as Backend } from '../core/vm-view.js';
import { EndKind, type World } from '../core/world.js';
import type { AwaitingFirstRequest } from './awaiting-request.js';
import { requestCrossesFin } from './nginx.js';
import { WorkerConnCount } from './worker-conn-count.js';

/**
 * A worker's own connections besides its clients' and upstreams': the listening socket
 * (ngx_event_process_init takes one ngx_connection_t per listening socket, one `listen` here) and
 * the channel to the master (ngx_add_channel_event, src/os/unix/ngx_channel.c).
 */
export const WORKER_OWN_CONNECTIONS = 2;

/** The most idle connections one ngx_drain_connections call closes (src/core/ngx_connection.c). */
const DRAIN_MAX = 32;

/** How a worker process is told apart: its generation and its index in it. */
export type WorkerOf = (backend: Backend, conn: Conn) => number;

/**
 * Told, at each new connection a limited worker asks for, every worker's kept count on every VM
 * (`kept`) and a walk's (`walked`), and whether it is the asking worker (tests: checkCountsWith).
 */
export type CountCheck = (kept: number, walked: number, asking: boolean) => void;
let countCheck: CountCheck | null = null;

/**
 * Tests only: compare the kept counts of the workers' connections (worker-conn-count.ts) with a
 * walk over each VM's connections at every new connection asked for (null: stop). The walk is what
 * the counts replace, so the two must agree at every accept and upstream connect.
 */
export function checkCountsWith(check: CountCheck | null): void {
  countCheck = check;
}

/**
 * nginx's per-worker connection array, `worker_connections` (nginx.worker_connections; 0 = not
 * modelled). Every ngx_get_connection() — an accepted client (ngx_event_accept,
 * src/event/ngx_event_accept.c) or an upstream connect (ngx_event_connect_peer,
 * src/event/ngx_event_connect.c) — first calls ngx_drain_connections(): when the worker has at
 * most connection_n / 16 free and some connections are reusable (idle keep-alive clients:
 * ngx_http_set_keepalive → ngx_reusable_connection(c, 1), src/http/ngx_http_request.c), it closes
 * max(min(32, reusable / 8), 1) of them from the tail of the reusable queue, the longest idle
 * (ngx_reusable_connection inserts at the head). With no free connection after that,
 * ngx_get_connection returns NULL ("worker_connections are not enough"): ngx_event_accept closes the
 * accepted socket, ngx_event_connect_peer fails (NGX_ERROR: ngx_http_upstream_connect answers 500,
 * and nginx closes the client connection behind it: client-conns.ts respondClosing).
 *
 * A worker's count — the clients it accepted (a WebSocket tunnel holds two, client and upstream),
 * their upstream connections in flight, its cached upstream connections, and
 * WORKER_OWN_CONNECTIONS — is kept as they come and go (worker-conn-count.ts; only in a run that
 * sets the limit). A connection counts from its accept (ngx_event_accept takes its
 * ngx_connection_t after accept(); one still in the kernel's accept queue holds none), which is
 * decided when the connection's first request reaches nginx (on loopback and on a LAN the
 * client writes it right behind its handshake ACK) — or, for a client that opens its connection
 * ahead of the request (clients.http.reconnect eager), when it is established (acceptWaiting:
 * reusable while it waits). How nginx's close of a refused connection reaches the client is
 * refusedClose: RST if the client's first bytes were in the socket, else FIN (and the bytes
 * then meet RST). A WebSocket upgrade is decided the same way when it reaches nginx
 * (acceptUpgrade, upstreamSlot, called from app/ws-endpoint.ts): its accept, then its upstream
 * connect.
 */
export class WorkerConnections {
  /** Some nginx of the run has worker_connections set (in its configuration or a later reload's). */
  readonly used: boolean;
  /** Each VM's count of its workers' connections, by backend index (empty when not used). */
  private readonly counts: WorkerConnCount[] = [];

  constructor(
    private readonly w: World,
    private readonly workerOf: WorkerOf,
    private readonly http: () => HttpDownstream,
    private readonly awaiting: AwaitingFirstRequest,
  ) {
    this.used =
      w.backends.some((b) => b.nginx.config.worker_connections > 0) ||
      w.scenario.timeline.some((a) => 'nginx' in a && (a.nginx?.worker_connections ?? 0) > 0);
    if (!this.used) return;
    for (const b of w.backends) {
      const count = new WorkerConnCount((c) => workerOf(b, c));
      this.counts.push(count);
      // The VM's tally of its client connections (proxy/memory.ts) tells it of each one.
      b.nginxConns.workers = count;
    }
  }

  /** Hook (nginx18): worker `worker` of generation `gen`'s free connections for ngx_accept_disabled (Nginx.freeConnections). */
  free(backend: Backend, gen: number, worker: number): number {
    const limit = (backend.nginx.generationOf(gen)?.config ?? backend.nginx.config).worker_connections;
    if (!this.used || limit <= 0) return Number.POSITIVE_INFINITY;
    return limit - WORKER_OWN_CONNECTIONS - this.counts[backend.index].of(gen, worker);
  }

  /**
   * Hook (nginx18b): worker `worker` of generation `gen` would refuse an accept now — no free
   * connection, and ngx_drain_connections would find none reusable to close (take, drain) — so
   * ngx_event_accept returns before ngx_reorder_accept_events (Nginx.refusesAccept).
   */
  refuses(backend: Backend, gen: number, worker: number): boolean {
    if (this.free(backend, gen, worker) > 0) return false;
    for (const c of backend.conns) if (c.nginxGen === gen && this.reusable(backend, c, worker)) return false;
    return true;
  }

  /** `up` went into its worker's keep-alive cache (upstream.ts). */
  cached(backend: Backend, up: UpstreamConn): void {
    if (this.used) this.counts[backend.index].cached(up);
  }

  /** `up` left its worker's keep-alive cache: reused, or closed. */
  uncached(backend: Backend, up: UpstreamConn): void {
    if (this.used) this.counts[backend.index].uncached(up);
  }

  /**
   * Worker `worker` takes `conn`'s TLS handshake (worker-cpu.ts admit): the connection is that
   * worker's from now (RequestPath.workerOf reads conn.nginxWorker), and so is its count.
   */
  assignWorker(backend: Backend, conn: Conn, worker: number): void {
    if (!this.used || !backend.conns.has(conn)) {
      conn.nginxWorker = worker;
      return;
    }
    const from = this.workerOf(backend, conn);
    conn.nginxWorker = worker;
    this.counts[backend.index].moved(conn, from);
  }

  /**
   * nginx reloaded: which worker a connection is counted in follows the newest worker_processes
   * (RequestPath.workerOf), so a change of it recounts them all (once per reload).
   */
  reloaded(backend: Backend): void {
    if (this.used) this.counts[backend.index].recount(backend.conns, backend.upstreamPool);
  }

  /** worker_connections is set on this VM's nginx (the generation's own configuration). */
  limited(backend: Backend, conn: Conn): boolean {
    return this.used && this.limitOf(backend, conn) > 0;
  }

  /** nginx answered on `conn`: it becomes reusable (idle) from now, at the queue's head. */
  answered(backend: Backend, conn: Conn): void {
    if (this.limited(backend, conn)) conn.nginxIdleSince = this.w.now;
  }

  /**
   * The connection's first request reached nginx: the accept takes a connection of its worker.
   * False: none was free — nginx closed the socket at once (refusedClose: FIN, or RST with the
   * request already in it), and the client's request fails: EOF or RST before any response,
   * which Node's http client reports alike ("socket hang up", ECONNRESET: http-keepalive.ts
   * serverGone).
   */
  admit(backend: Backend, conn: Conn): boolean {
    if (this.take(backend, conn, false)) {
      this.counts[backend.index].accept(conn);
      return true;
    }
    const how = this.refusedClose(backend, conn);
    this.notEnough(backend, conn, false, how === EndKind.RESET);
    conn.nginxIdleSince = NOT_IDLE;
    this.http().serverGone(conn, how, true);
    return false;
  }

  /**
   * How ngx_event_accept's close of a connection it could not take (ngx_get_connection NULL:
   * ngx_close_socket at once, src/event/ngx_event_accept.c) reaches a client that writes its first
   * bytes (a request, an upgrade, a ClientHello) as soon as its handshake completes. Linux's
   * close() sends RST only when data sits unread in the receive queue (net/ipv4/tcp.c
   * __tcp_close(): data_was_unread → tcp_send_active_reset()), else a FIN (tcp_close_state(),
   * tcp_send_fin()). The client's final ACK and its first bytes reach nginx together, a half
   * round trip after its connect, so the order is decided at nginx's end, not by the round trip:
   * a worker idle in epoll_wait is woken by the ACK (the connection enters the accept queue) and
   * accepts and closes at once, before the client's own turn-around (its connect event, then
   * write()) puts the bytes in the socket — FIN, and the bytes arriving at the orphaned socket
   * are answered with RST (EndKind.SERVER_FIN_THEN_RST: the client reads EOF first, no
   * TIME_WAIT). A worker busy on its CPU (TLS handshakes queued: worker-queues.ts idleAt) reaches
   * the listener's event only after that work, when the bytes are in: RST (EndKind.RESET). The
   * recordings saw mostly EOF on loopback: 3 EOF and 1 RST of 4 refused upgrades
   * (calibration/data/nginx-holdout22-ws-wc10-reset-rt.json), 21 EOF and 2 RST of 23 refused
   * first requests (nginx-holdout4 wc64-lazy). The RSTs of a burst, several connections queued at
   * once that an idle worker accepts one per wake-up (multi_accept off), are not modelled
   * (README, Known limitations).
   */
  refusedClose(backend: Backend, conn: Conn): EndKind {
    const gen = backend.nginx.generationOf(conn.nginxGen);
    const busyUntil = gen === undefined ? Number.NEGATIVE_INFINITY : gen.cpu.idleAt(this.workerOf(backend, conn));
    return busyUntil > this.w.now ? EndKind.RESET : EndKind.SERVER_FIN_THEN_RST;
  }

  /**
   * nginx accepts `conn` before its first request (clients.http.reconnect eager): the accept takes
   * a connection of its worker, and the connection is reusable from now
   * (ngx_http_init_connection → ngx_reusable_connection(c, 1): at the reusable queue's head).
   * False: none was free — ngx_event_accept closes the socket, nothing unread: FIN (the caller
   * ends the connection).
   */
  acceptWaiting(backend: Backend, conn: Conn): boolean {
    if (!this.take(backend, conn, false)) {
      this.notEnough(backend, conn, false, false);
      return false;
    }
    this.counts[backend.index].accept(conn);
    conn.nginxIdleSince = this.w.now;
    return true;
  }

  /**
   * A WebSocket upgrade reached nginx on `conn` (app/ws-endpoint.ts handshake): its accept
   * (ngx_event_accept), as an HTTP request's (admit); its upstream connect comes next
   * (upstreamSlot), unless the worker's keep-alive cache hands it a connection, which takes none
   * (ngx_event_connect_peer returns at `pc->get`'s NGX_DONE, before ngx_get_connection). False:
   * no connection was free, nginx closed the socket at once (the caller ends it: refusedClose).
   */
  acceptUpgrade(backend: Backend, conn: Conn): boolean {
    if (!this.take(backend, conn, false)) {
      this.notEnough(backend, conn, false, this.refusedClose(backend, conn) === EndKind.RESET);
      return false;
    }
    this.counts[backend.index].accept(conn);
    return true;
  }

  /** nginx connects to the app for `conn`'s request. False: no connection free (500). */
  upstreamSlot(backend: Backend, conn: Conn): boolean {
    if (this.take(backend, conn, true)) return true;
    this.notEnough(backend, conn, true, false);
    return false;
  }

  /**
   * ngx_get_connection for one more connection of `conn`'s worker: for its accept (ngx_event_accept;
   * until then the kernel holds it and the worker counts it not), or for its upstream connect
   * (`upstream`: conn is accepted, its request in nginx).
   */
  private take(backend: Backend, conn: Conn, upstream: boolean): boolean {
    const limit = this.limitOf(backend, conn);
    if (limit <= 0) return true;
    const gen = conn.nginxGen;
    const worker = this.workerOf(backend, conn);
    const inUse = WORKER_OWN_CONNECTIONS + this.counts[backend.index].of(gen, worker);
    if (countCheck !== null) this.crossCheck(countCheck, backend, gen, worker, upstream ? conn : null);
    let free = limit - inUse;
    if (free <= limit / 16) free += this.drain(backend, conn, worker, limit);
    return free > 0;
  }

  private limitOf(backend: Backend, conn: Conn): number {
    return (backend.nginx.generationOf(conn.nginxGen)?.config ?? backend.nginx.config).worker_connections;
  }

  /**
   * Every VM's every worker: its kept count against a walk's (checkCountsWith). `connecting`: the
   * accepted connection whose request asks for an upstream connection now (its state shows the
   * request in nginx only once the connect is decided).
   */
  private crossCheck(check: CountCheck, asking: Backend, gen: number, worker: number, connecting: Conn | null): void {
    for (const b of this.w.backends) {
      const keys = new Set<string>();
      for (const [g, k] of this.counts[b.index].entries()) keys.add(`${g}/${k}`);
      for (const c of b.conns) if (this.acceptedByState(b, c)) keys.add(`${c.nginxGen}/${this.workerOf(b, c)}`);
      for (const up of b.upstreamPool) keys.add(`${up.nginxGen}/${up.worker}`);
      for (const key of keys) {
        const [g, k] = key.split('/').map(Number);
        const kept = WORKER_OWN_CONNECTIONS + this.counts[b.index].of(g, k);
        check(kept, this.walk(b, g, k, connecting), b === asking && g === gen && k === worker);
      }
    }
  }

  /**
   * Connections the worker holds now, by a walk of the VM's (what the kept count replaces; tests:
   * checkCountsWith). Which connections nginx has accepted is read from their state
   * (acceptedByState), not from the kept count's own record: a missed accept() or delete() shows.
   */
  private walk(backend: Backend, gen: number, worker: number, connecting: Conn | null): number {
    let n = WORKER_OWN_CONNECTIONS;
    for (const c of backend.conns) {
      if (c.nginxGen !== gen || this.workerOf(backend, c) !== worker) continue;
      if (c !== connecting && !this.acceptedByState(backend, c)) continue;
      // A WebSocket tunnel holds its upstream connection too; before its upgrade it is a client.
      n += c.upstream !== null ? 2 : 1;
    }
    for (const up of backend.upstreamPool) if (up.nginxGen === gen && up.worker === worker) n++;
    return n;
  }

  /**
   * Whether nginx has accepted `conn` (ngx_event_accept took its ngx_connection_t), told from the
   * connection's own state (tests: walk): it was answered (requestsServed), waits for its first
   * request as an accepted connection (acceptWaiting: the awaiting tracker), holds an upstream
   * connection (a request at the app, a WebSocket tunnel), or has a request in nginx (phase: its
   * first request reached nginx, admit, and is queued, connecting, at the app, or waiting for its
   * worker). A connection whose first request has not reached nginx yet (in the kernel's accept
   * queue, phase NONE, nothing answered) holds none; so does a request on a host that vanished
   * (ClientConns.handle: nobody reads it).
   */
  private acceptedByState(backend: Backend, conn: Conn): boolean {
    if (conn.requestsServed > 0 || conn.upstream !== null || this.awaiting.has(conn)) return true;
    return conn.kind === ConnKind.HTTP && conn.phase !== ReqPhase.NONE && backend.hostUp;
  }

  /** ngx_drain_connections: closes the longest-idle keep-alive clients; returns how many. */
  private drain(backend: Backend, asking: Conn, worker: number, limit: number): number {
    const idle: Conn[] = [];
    for (const c of backend.conns) {
      if (c !== asking && c.nginxGen === asking.nginxGen && this.reusable(backend, c, worker)) idle.push(c);
    }
    if (idle.length === 0) return 0;
    idle.sort((a, b) => a.nginxIdleSince - b.nginxIdleSince);
    const n = Math.max(Math.min(DRAIN_MAX, Math.floor(idle.length / 8)), 1);
    const w = this.w;
    w.trace.emitLimited(`worker-conns-reuse-${backend.index}`, {
      kind: 'nginx.worker_connections_reuse',
      backend: backend.name,
      worker,
      closed: n,
      idle: idle.length,
      workerConnections: limit,
    });
    const http = this.http();
    for (const c of idle.slice(0, n)) {
      c.nginxIdleSince = NOT_IDLE;
      this.awaiting.delete(c);
      // c->close = 1 and its read handler: ngx_http_keepalive_handler closes it (FIN), as a QUIT's
      // ngx_close_idle_connections does (master.ts shutDown) — with the same race for a client
      // sending just then.
      if (c.requestsLeft > 0 && requestCrossesFin(c.lastActivity, w.now, w.scenario.clients.rtt)) http.crossedFin(c);
      else http.serverGone(c, EndKind.SERVER_FIN, false);
    }
    return n;
  }

  /**
   * `c` is in `worker`'s reusable queue: an idle keep-alive client, answered at least once (nginx
   * has accepted it, admit, and it waits for its next request), or accepted ahead of its first
   * request and waiting for it (acceptWaiting: reusable too, ngx_http_init_connection). One still
   * in its TCP handshake, or whose first request (sent as it connected) has not reached nginx yet,
   * is not in nginx's reusable queue in this model (its accept is decided at that request).
   */
  private reusable(backend: Backend, c: Conn, worker: number): boolean {
    return (
      c.kind === ConnKind.HTTP &&
      c.phase === ReqPhase.NONE &&
      (c.requestsServed > 0 || this.awaiting.has(c)) &&
      c.lbFlow === LbFlow.TRACKED &&
      this.workerOf(backend, c) === worker
    );
  }

  /** `reset`: the accept's close sent RST (the client's first bytes unread: refusedClose), not FIN. */
  private notEnough(backend: Backend, conn: Conn, upstream: boolean, reset: boolean): void {
    this.w.trace.emitLimited(`worker-conns-${upstream ? 'up' : 'accept'}-${backend.index}`, {
      kind: 'nginx.worker_connections_not_enough',
      backend: backend.name,
      worker: this.workerOf(backend, conn),
      upstream,
      reset,
      workerConnections: this.limitOf(backend, conn),
      l7: this.w.scenario.lb.mode === 'l7',
    });
  }
}
