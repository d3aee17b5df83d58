import { type SynOutcome, synTaken } from '../../net/host-sockets.js';
import { LB_ADDRESS } from '../core/kernel-hosts.js';
import type { Req } from '../core/request.js';
import type { World } from '../core/world.js';
import type { NginxGeneration } from '../proxy/nginx.js';
import { IdleConnTask } from './idle-conn-task.js';
import { VmEnds } from './l7-vm-ends.js';
import { PoolState } from './pool.js';

/** HAProxy `http-reuse` (PR_O_REUSE_NEVR / SAFE / AGGR / ALWS, include/haproxy/proxy-t.h). */
export type HttpReuse = 'never' | 'safe' | 'aggressive' | 'always';

/** `http-reuse` when unset: "safe", "the default and the recommended strategy" (doc/configuration.txt). */
export const DEFAULT_HTTP_REUSE: HttpReuse = 'safe';
/** `pool-purge-delay` when unset: "The default is 5s." (doc/configuration.txt). */
export const DEFAULT_POOL_PURGE_DELAY = 5;
/** A session keeps at most this many idle private connections (`max-session-srv-conns`, MAX_SRV_LIST 5). */
export const MAX_SESSION_SRV_CONNS = 5;

/** The server connection a stream holds (Req.srvConn). */
export const SrvConn = {
  /** None: not connected yet, or the connection is gone. */
  NONE: 0,
  /** A connection opened for this stream: its first request (H1S_F_NOT_FIRST clear). */
  NEW: 1,
  /** A connection taken from a pool: it has served a request before. */
  REUSED: 2,
  /**
   * A connection taken from the pool as its server closes it (`lb.server_rtt`): the server's FIN
   * had not reached HAProxy, or the request reaches the server after its close. The server's
   * kernel resets it; no response will come (l7-dispatch.ts serverClosedFirst).
   */
  CROSSED: 3,
} as const;
export type SrvConn = (typeof SrvConn)[keyof typeof SrvConn];

/** 1 ns: a request reaching the server exactly at its close is not decided by float rounding. */
const TIE = 1e-9;

/** Idle connection kinds of a server's pool (CO_FL_IDLE_LIST / CO_FL_SAFE_LIST). */
const IDLE = 0;
const SAFE = 1;

/** One server's connection pool and the counters its purge task reads (struct server, src/server.c). */
class ServerPool {
  /** Idle connections oldest first (`idle_conn_list`, sorted by usage): IDLE or SAFE each. */
  readonly idle: number[] = [];
  /** When each idle connection went idle, and the requests nginx has served on it. */
  readonly since: number[] = [];
  readonly served: number[] = [];
  /** When each idle connection was connected: nginx's keepalive_time counts from there. */
  readonly opened: number[] = [];
  /** The balancer host's local port of each idle connection (lb-host.ts). */
  readonly ports: number[] = [];
  /**
   * The sessions' private idle connections to this server (`http-reuse never`), oldest first,
   * for nginx's keepalive_timeout to end (dead entries are skipped): from privHead on.
   */
  readonly privates: PrivateConn[] = [];
  privHead = 0;
  safeNb = 0;
  idleNb = 0;
  /** `curr_used_conns`, `max_used_conns`, `est_need_conns`. */
  used = 0;
  maxUsed = 0;
  estNeed = 0;
  /**
   * The VM's end of each open connection, by the balancer's local port: nginx's accepted socket
   * on the kernel that took the SYN (a rebuilt VM boots a new one) and its accepting pair there.
   */
  readonly vmEnds = new VmEnds();
  /** When the keepalive_timeout timer of this pool fires (Infinity: not armed). */
  expiryAt = Infinity;
  /** The server process and nginx generation that accept connections now, and their serial. */
  life = -1;
  epoch = -1;
  /** The app's SIGTERMs this pool has seen (each closes the idle connections once: refresh). */
  sigterms = 0;
  generation = -1;
  /** The accepting generation itself: its quitAt is when nginx closed the pool's idle connections. */
  gen: NginxGeneration | null = null;
  key = 0;

  constructor(readonly b: number) {}
}

/** Who closes a server connection first (the VM's kernel keeps a TIME_WAIT only for NGINX). */
const HAPROXY = false;
const NGINX = true;

/** Drop a session's private connections that are no longer live (in place). */
function prune(own: PrivateConn[]): void {
  let k = 0;
  for (const c of own) if (c.live) own[k++] = c;
  own.length = k;
}

/** A client session's private idle connection (`sess->priv_conns`): its server and the server's key. */
interface PrivateConn {
  b: number;
  key: number;
  since: number;
  served: number;
  opened: number;
  port: number;
  /** Still open and idle in its session (not taken, closed, or ended with its session). */
  live: boolean;
}

/**
 * The L7 balancer's connections to its servers (HAProxy `mode http`): which stream connects and
 * which reuses an idle connection, after the server is chosen (connect_server() calls
 * be_reuse_connection(), src/backend.c). drainsim's balancer has one thread and plenty of file
 * descriptors (ha_used_fds below pool-low-count), and no `pool-max-conn` or `pool-low-conn`.
 *
 * - A stream first looks in its own session's private connections to that server
 *   (session_get_conn(), src/session.c) — the only reuse under `http-reuse never`, whose
 *   connections are private to their client connection (conn_set_private()).
 * - Otherwise, by be_reuse_connection()'s table: a stream that is not the first of its client
 *   connection (TX_NOT_FIRST) takes an idle connection, else a safe one; a first stream takes
 *   none under `safe`, a safe one under `aggressive`, a safe then an idle one under `always`.
 *   Open-loop requests are each the first and only request of their client connection.
 * - After the server's answer the connection goes back to the server's pool (h1_detach(),
 *   src/mux_h1.c): a SAFE one if the request was not its first (H1S_F_NOT_FIRST), else IDLE, if
 *   srv_add_to_idle_list() (src/server.c) takes it: pool-purge-delay > 0, the server not in maint,
 *   reuse not `never`, and either no safe connection yet (and no idle one for an unsafe
 *   connection) or used + idle ≤ max(used, est_need). Otherwise it is closed.
 * - At each visit of `idle_conn_task` (idle-conn-task.ts: every `pool-purge-delay` from the
 *   server's first idle connection while it has some), srv_cleanup_idle_conns() closes the oldest ⌈exceed / 2⌉ + 1 of them, exceed = used + idle − max(max_used, est_need),
 *   then est_need = max((est_need + max_used) / 2, max_used) and max_used = used. `srv_use_conn()`
 *   raises max_used and est_need to each new peak of used connections.
 * - nginx on the server ends a connection after keepalive_requests or an idle keepalive_timeout
 *   (closesAfterResponse(), ngx_http_set_keepalive()), a bare app server (proxy: none) after its
 *   own keep-alive idle timeout (app.keepalive_timeout); HAProxy drops it from the pool when the
 *   FIN arrives, `lb.server_rtt` / 2 after the close (at once when unset). A request sent on it in
 *   that window, or reaching the server after the close, is reset (SrvConn.CROSSED).
 * - A server process that dies or quits closes its connections; HAProxy sees each idle one close
 *   (the idle connection is subscribed for reads, h1_io_cb()) and drops it. A vanished host sends
 *   nothing: its idle connections stay pooled and a request sent on one is never answered.
 * - Each server connection holds a local port of the balancer's own host (lb-host.ts) from its
 *   connect() to its close, in use or idle (the `lb_ports_busy` gauge), and a connect() that
 *   finds none fails with EADDRNOTAVAIL. Its close leaves no TIME_WAIT on the balancer, whichever
 *   side closes first (closePort()).
 * - nginx's end of each connection is a socket on the VM's kernel (LB_ADDRESS:port → vm:443),
 *   from the accepted SYN (which reopens a TIME_WAIT the VM holds for that 4-tuple) to the
 *   close. When nginx closes first (keepalive_timeout, keepalive_requests, Connection: close,
 *   its process quitting or dying) the VM holds the TIME_WAIT (the `time_wait` gauge); when
 *   HAProxy closes first it resets the connection and neither host keeps one (closePort()).
 *   nginx's keepalive_timeout closes an idle connection on time (one timer per server, armed
 *   at its oldest idle connection's deadline), not when the pool is next used.
 */
export class L7ServerConns {
  private readonly pools: ServerPool[];
  private readonly sessions = new Map<object, PrivateConn[]>();
  /**
   * Half of `lb.server_rtt`: a server's FIN reaches HAProxy this long after the server closed,
   * and a request this long after HAProxy sent it (0: both at once, no race).
   */
  private readonly oneWay: number;

  /** `idle_conn_task`: visits each server's pool every pool-purge-delay while it has idle connections. */
  readonly idleTask: IdleConnTask;

  constructor(private readonly w: World) {
    this.pools = w.backends.map((_, b) => new ServerPool(b));
    this.oneWay = (w.scenario.lb.server_rtt ?? 0) / 2;
    this.idleTask = new IdleConnTask(w.engine, w.backends.length, this.purgeDelay(), (b) => this.purgeVisit(b));
  }

  private mode(): HttpReuse {
    return this.w.scenario.lb.http_reuse ?? DEFAULT_HTTP_REUSE;
  }

  private purgeDelay(): number {
    return this.w.scenario.lb.pool_purge_delay ?? DEFAULT_POOL_PURGE_DELAY;
  }

  /**
   * Idle connections of server b in its pool (not counting sessions' private ones), after the
   * pool is brought up to date: the idle connections the server closed, or a server process that
   * quit or died since closed (their ports free on the balancer, their TIME_WAIT on the VM).
   */
  idleCount(b: number): number {
    const pool = this.pools[b];
    this.refresh(pool, b);
    return pool.idle.length;
  }

  /**
   * Arm server b's keepalive_timeout timer at its oldest idle connection's deadline (pooled or a
   * session's private one), unless armed. Later idle connections have later deadlines, so one
   * timer serves them all: it fires, closes what is due and re-arms.
   */
  private arm(pool: ServerPool, b: number): void {
    if (pool.expiryAt !== Infinity || !this.w.backends[b].hostUp) return;
    let oldest = pool.idle.length > 0 ? pool.since[0] : Infinity;
    for (let i = pool.privHead; i < pool.privates.length; i++) {
      const c = pool.privates[i];
      if (!c.live) continue;
      if (c.since < oldest) oldest = c.since;
      break;
    }
    const keepAlive = this.serverKeepAlive(b);
    if (oldest === Infinity || keepAlive === Infinity) return;
    // HAProxy drops the connection when the server's FIN arrives.
    pool.expiryAt = oldest + keepAlive + this.oneWay;
    this.w.engine.at(pool.expiryAt, this.expiryFired, pool);
  }

  private readonly expiryFired = (pool: ServerPool): void => {
    pool.expiryAt = Infinity;
    this.catchUp(pool, pool.b);
    this.arm(pool, pool.b);
  };

  /**
   * The stream is sent to server b: true if it reuses an idle connection (no connect), false if
   * it must connect. Idle connections the server's process closed since are dropped first.
   */
  take(req: Req, b: number): boolean {
    const pool = this.pools[b];
    this.refresh(pool, b);
    const own = req.session === null ? undefined : this.sessions.get(req.session);
    if (own !== undefined) {
      prune(own);
      const at = own.findIndex((c) => c.b === b);
      if (at >= 0) {
        const c = own[at];
        own.splice(at, 1);
        c.live = false;
        if (c.key === pool.key && c.since + this.serverKeepAlive(b) > this.w.now - this.oneWay)
          return this.reuse(req, pool, c.served, c.port, c.since, c.opened);
        this.closePort(b, c.port, NGINX);
      }
    }
    const mode = this.mode();
    if (mode === 'never' || pool.idle.length === 0) return false;
    let kind = -1;
    if (req.notFirst) kind = pool.idleNb > 0 ? IDLE : SAFE;
    else if (mode === 'aggressive' && pool.safeNb > 0) kind = SAFE;
    else if (mode === 'always') kind = pool.safeNb > 0 ? SAFE : IDLE;
    if (kind < 0) return false;
    const at = pool.idle.indexOf(kind);
    if (at < 0) return false;
    const served = pool.served[at];
    const port = pool.ports[at];
    const since = pool.since[at];
    const opened = pool.opened[at];
    // Taken, not closed: its port goes with the stream.
    pool.ports[at] = -1;
    this.remove(pool, at, 1, HAPROXY);
    return this.reuse(req, pool, served, port, since, opened);
  }

  /**
   * The stream takes an idle connection that went idle at `since`. Its server closes it at
   * since + keep-alive idle timeout; HAProxy still has it until that FIN arrives (oneWay later),
   * and a request sent now reaches the server oneWay from now: after the close, it meets the
   * closed socket (CROSSED). With `lb.server_rtt` unset both are instant and no request crosses.
   * The connection was connected at `opened`: its age now is nginx's for keepalive_time (done()).
   */
  private reuse(req: Req, pool: ServerPool, served: number, port: number, since: number, opened: number): boolean {
    const closeAt = since + this.serverKeepAlive(req.backend);
    req.srvConn = this.oneWay > 0 && this.w.now + this.oneWay > closeAt + TIE ? SrvConn.CROSSED : SrvConn.REUSED;
    req.srvConnKey = pool.key;
    req.srvConnServed = served;
    req.srvConnOpenedAt = opened;
    req.srvConnAge = this.w.now - opened;
    req.srvConnPort = port;
    this.use(pool);
    this.w.metrics.inc(this.w.c.lbConnsReused, req.backend);
    return true;
  }

  /**
   * HAProxy's connect() towards server b from the balancer's own host (tcp_connect_server(),
   * src/proto_tcp.c: socket(), then connect() without a bound source port): the local port comes
   * from that host's walk towards vm(b):443 (lb-host.ts), as in lb.mode l4. Out of ports the
   * connect() fails with EADDRNOTAVAIL: false (SF_ERR_RESOURCE). The port is held from here to
   * the connection's close, pooled or not. Call after take(), which brought the pool up to date
   * (the ports of the idle connections closed by now are free).
   */
  open(req: Req, b: number): boolean {
    const host = this.w.lbHost;
    if (host === null) return true;
    const port = host.connect(b, this.w.now);
    if (port < 0) return false;
    req.srvConnPort = port;
    return true;
  }

  /** The stream's connect() failed (refused, timed out) or was given up: its socket closes. */
  connectEnded(req: Req): void {
    if (req.srvConn !== SrvConn.NONE) return;
    this.closePort(req.backend, req.srvConnPort, HAPROXY);
    req.srvConnPort = -1;
  }

  /**
   * A server connection of the balancer closes: its port on the balancer's host is free at once,
   * whoever closed first. HAProxy marks every server connection FD_LINGER_RISK
   * (tcp_connect_server(), src/proto_tcp.c: "close hard if needed"); closing one itself — an idle
   * one it purges or does not pool (h1_detach() sets H1C_F_SILENT_SHUT on an idle backend
   * connection, "we want it to die cleanly (i.e. only an RST)", src/mux_h1.c), one under
   * `timeout server` — its fd_delete() sets SO_LINGER 0 before close() (_fd_delete_orphan(),
   * src/fd.c), so the kernel sends RST and keeps no TIME_WAIT (tcp_close() → tcp_disconnect(),
   * net/ipv4/tcp.c). When nginx closes first (keepalive_timeout, keepalive_requests, its process
   * quitting), HAProxy reads the FIN, which clears FD_LINGER_RISK (conn_sock_read0(),
   * include/haproxy/connection.h), and closes as the passive side: no TIME_WAIT on the balancer
   * either; the TIME_WAIT is on nginx's host: nginx closed with close() after its
   * keepalive_timeout (ngx_http_set_keepalive() → ngx_http_close_connection(), no SO_LINGER
   * unless reset_timedout_connection, which keep-alive closes do not use), a FIN, so its socket
   * goes FIN_WAIT → TIME_WAIT once HAProxy's close answers (tcp_time_wait(),
   * net/ipv4/tcp_minisocks.c). HAProxy's RST closes nginx's socket with no TIME_WAIT
   * (tcp_reset(), net/ipv4/tcp_input.c) and is counted in `reset_in` (an RST between the
   * balancer and the backend). `nginxFirst` says which; `at` is when (≤ now).
   * A VM end on a kernel that vanished or was replaced is dropped without TIME_WAIT (or RST).
   */
  private closePort(b: number, port: number, nginxFirst: boolean, at = this.w.now): void {
    if (port < 0) return;
    const host = this.w.lbHost!;
    host.host.close(host.backendPair(b), port, this.w.now, false);
    const ends = this.pools[b].vmEnds;
    const slot = ends.find(port);
    if (slot < 0) return;
    const vm = ends.hostAt(slot);
    const pair = ends.pairAt(slot);
    ends.deleteAt(slot);
    const backend = this.w.backends[b];
    const live = backend.hostUp && vm === backend.host;
    const overflows = vm.timeWaitOverflows;
    vm.close(pair, port, at, nginxFirst && live);
    if (live && vm.timeWaitOverflows !== overflows) this.w.timeWaitOverflow(backend);
    if (live && !nginxFirst) this.w.metrics.inc(this.w.c.resetIn, b);
  }

  /** A connect to server b succeeded: the stream's own new connection (conn_new(), srv_use_conn()). */
  connected(req: Req, b: number): void {
    const pool = this.pools[b];
    this.refresh(pool, b);
    req.srvConn = SrvConn.NEW;
    req.srvConnKey = pool.key;
    req.srvConnServed = 0;
    req.srvConnOpenedAt = this.w.now;
    req.srvConnAge = 0;
    this.use(pool);
    this.w.metrics.inc(this.w.c.lbConnsOpened, b);
  }

  /**
   * The VM's kernel takes the balancer's SYN from LB_ADDRESS:port (nginx's listener on :443):
   * a 4-tuple the VM holds in TIME_WAIT from an earlier connection nginx closed is reopened
   * (tcp_timewait_state_process() TCP_TW_SYN, net/ipv4/tcp_minisocks.c: the balancer closed
   * passively and its kernel kept no TIME_WAIT, so its port walk may hand the port out again at
   * once). What the SYN met (HostSockets.acceptSyn). This pool's own VM ends close with their
   * balancer ends, so a 4-tuple the VM still holds open ('challenged') is another's — a flow's, or
   * one no flow owns: the balancer kernel's RST, its answer to the challenge ACK, resets it
   * (World.resetStaleVmEnd) and the SYN goes again TCP_TIMEOUT_MIN later (l7-dispatch.ts sendSyn).
   * Not taken otherwise (a TIME_WAIT it may not reopen): lost as a dropped SYN is and retransmitted.
   */
  vmAccepts(req: Req, b: number): SynOutcome {
    const port = req.srvConnPort;
    if (port < 0) return 'new';
    const backend = this.w.backends[b];
    const host = backend.host;
    const reopened = host.timeWaitReopened;
    const syn = backend.acceptFrom(LB_ADDRESS, port, this.w.now);
    const pair = backend.sourcePair(LB_ADDRESS);
    if (syn === 'challenged') this.w.resetStaleVmEnd(backend, pair, port);
    if (!synTaken(syn)) return syn;
    if (host.timeWaitReopened !== reopened) this.w.metrics.inc(this.w.c.twReopened, b);
    this.pools[b].vmEnds.set(port, host, pair);
    return syn;
  }

  private use(pool: ServerPool): void {
    pool.used++;
    if (pool.maxUsed < pool.used) pool.maxUsed = pool.used;
    if (pool.estNeed < pool.used) pool.estNeed = pool.used;
  }

  /** The server answered the stream: its connection goes idle or is closed (h1_detach()). */
  release(req: Req): void {
    if (req.srvConn === SrvConn.NONE) return;
    if (req.srvConn === SrvConn.CROSSED) return this.crossedClosed(req);
    const b = req.backend;
    const pool = this.pools[b];
    this.refresh(pool, b);
    const safe = req.srvConn === SrvConn.REUSED;
    req.srvConn = SrvConn.NONE;
    const port = req.srvConnPort;
    req.srvConnPort = -1;
    pool.used--;
    const backend = this.w.backends[b];
    // A connection of a process or nginx generation that is gone or closing is closed by the
    // server after this response; so is one that reached keepalive_requests, or any with
    // keep-alive off: nginx answers `Connection: close` (ngx_http_header_filter; nginx.ts) and
    // closes first (ngx_http_finalize_connection() → ngx_http_close_connection()).
    const served = req.srvConnServed + 1;
    // A bare app server (node: maxRequestsPerSocket 0) has no keepalive_requests; one that closes
    // after every response (app.keepalive: close, a gunicorn sync worker: `resp.force_close()`), or
    // after its response once draining (app-process.ts keepsAliveAfterResponse: gunicorn's force_close
    // once not alive) answers `Connection: close` and closes: HAProxy does not reuse the connection
    // (mux_h1.c h1_set_srv_conn_mode: the response's explicit close, H1_MF_CONN_CLO, sets H1S_F_WANT_CLO).
    // nginx also closes one accepted more than keepalive_time before it read this request
    // (nginx.ts closesAfterResponse; the age as HAProxy sent it, within a round trip of nginx's).
    const closesAfter = backend.bare
      ? !backend.app.keepsAliveAfterResponse
      : backend.nginx.closesAfterResponse(served, backend.nginx.generation, req.srvConnAge);
    if (req.srvConnKey !== pool.key || !backend.hostUp || this.closing(b) || closesAfter)
      return this.closePort(b, port, NGINX);
    // Not kept idle: HAProxy closes it (h1_detach() → h1_release(): RST, H1C_F_SILENT_SHUT).
    if (!this.pooled(req, pool, b, safe, port, served, req.srvConnOpenedAt)) return this.closePort(b, port, HAPROXY);
    this.arm(pool, b);
  }

  /** Whether HAProxy keeps the answered stream's connection idle (true) or closes it (false). */
  private pooled(
    req: Req,
    pool: ServerPool,
    b: number,
    safe: boolean,
    port: number,
    served: number,
    opened: number,
  ): boolean {
    if (this.mode() === 'never') return this.keepPrivate(req, pool, served, port, opened);
    if (!this.admits(pool, b, safe)) return false;
    pool.idle.push(safe ? SAFE : IDLE);
    pool.since.push(this.w.now);
    pool.served.push(served);
    pool.opened.push(opened);
    pool.ports.push(port);
    if (safe) pool.safeNb++;
    else pool.idleNb++;
    this.idleTask.added(b);
    return true;
  }

  /**
   * The request that crossed its server's close met the closed socket: the server's kernel
   * answered its data with RST (tcp_rcv_state_process(), net/ipv4/tcp_input.c: data after the
   * socket was closed), which ends the server's FIN_WAIT socket without a TIME_WAIT; HAProxy's end
   * goes too. Counted in `reset_in`, as an RST between the balancer and the backend.
   */
  private crossedClosed(req: Req): void {
    const pool = this.pools[req.backend];
    req.srvConn = SrvConn.NONE;
    pool.used--;
    this.closePort(req.backend, req.srvConnPort, HAPROXY);
    req.srvConnPort = -1;
  }

  /** The stream's connection is closed without going idle (`timeout server`, a request never answered). */
  kill(req: Req): void {
    if (req.srvConn === SrvConn.NONE) return;
    req.srvConn = SrvConn.NONE;
    const pool = this.pools[req.backend];
    this.catchUp(pool, req.backend);
    pool.used--;
    this.closePort(req.backend, req.srvConnPort, HAPROXY);
    req.srvConnPort = -1;
  }

  /** The client connection ended: its private server connections close with it (session_free()). */
  sessionEnded(session: object): void {
    const own = this.sessions.get(session);
    if (own === undefined) return;
    // Idle, so silently shut (h1_detach() set H1C_F_SILENT_SHUT): an RST to nginx.
    for (const c of own) this.closePrivate(c, HAPROXY);
    this.sessions.delete(session);
  }

  /** `http-reuse never`: the connection stays with its session (session_check_idle_conn()). */
  private keepPrivate(req: Req, pool: ServerPool, served: number, port: number, opened: number): boolean {
    if (req.session === null || this.w.lb.state[req.backend] === PoolState.DETACHED) return false;
    let own = this.sessions.get(req.session);
    if (own === undefined) {
      own = [];
      this.sessions.set(req.session, own);
    }
    prune(own);
    if (own.length >= MAX_SESSION_SRV_CONNS) return false;
    const c: PrivateConn = { b: req.backend, key: pool.key, since: this.w.now, served, opened, port, live: true };
    own.push(c);
    pool.privates.push(c);
    return true;
  }

  /** A private idle connection closes (its session ended, nginx or its process closed it). */
  private closePrivate(c: PrivateConn, nginxFirst: boolean, at = this.w.now): void {
    if (!c.live) return;
    c.live = false;
    this.closePort(c.b, c.port, nginxFirst, at);
  }

  /** srv_add_to_idle_list(): whether the server's pool takes the connection (`used` without it). */
  private admits(pool: ServerPool, b: number, safe: boolean): boolean {
    if (this.purgeDelay() <= 0 || this.w.lb.state[b] === PoolState.DETACHED) return false;
    if (pool.safeNb === 0 && (safe || pool.idleNb === 0)) return true;
    const used = pool.used + 1;
    return used + pool.idle.length <= Math.max(used, pool.estNeed);
  }

  /** Drop the idle connections whose server closed them by now (their FIN arrived). */
  private catchUp(pool: ServerPool, b: number): void {
    // A vanished host's nginx sends no FIN: its idle connections do not expire.
    const keepAlive = this.w.backends[b].hostUp ? this.serverKeepAlive(b) : Infinity;
    // HAProxy drops what the server closed once the FIN has arrived (oneWay after the close).
    this.expire(pool, this.w.now - this.oneWay, keepAlive);
  }

  /**
   * nginx closes a keep-alive connection idle for its keepalive_timeout (ngx_http_set_keepalive());
   * HAProxy sees the FIN on the idle connection and drops it. The oldest go first.
   */
  private expire(pool: ServerPool, at: number, keepAlive: number): void {
    let n = 0;
    // Deadlines as sums, as arm() sets the timer (a difference could round below keepAlive).
    while (n < pool.idle.length && pool.since[n] + keepAlive <= at) n++;
    if (n > 0) this.remove(pool, 0, n, NGINX, keepAlive);
    // The sessions' private ones too: h1_detach() subscribes a session's idle connection for reads
    // as well (SUB_RETRY_RECV before session_check_idle_conn(), src/mux_h1.c), so HAProxy sees
    // nginx's FIN and releases it.
    const privates = pool.privates;
    while (pool.privHead < privates.length) {
      const c = privates[pool.privHead];
      if (c.live && c.since + keepAlive > at) break;
      this.closePrivate(c, NGINX, c.since + keepAlive);
      pool.privHead++;
    }
    if (pool.privHead > 1024 && pool.privHead * 2 > privates.length) {
      privates.splice(0, pool.privHead);
      pool.privHead = 0;
    }
  }

  /**
   * How long the server keeps an idle connection: nginx's keepalive_timeout (0: keep-alive off),
   * or on a bare app server (proxy: none) the app's own idle timeout, `app.keepalive_timeout`
   * (node ≥ 20: keepAliveTimeout + 1 s; 0: never, Infinity here).
   */
  private serverKeepAlive(b: number): number {
    const backend = this.w.backends[b];
    if (!backend.bare) return backend.nginx.config.keepalive_timeout;
    const own = backend.app.config.keepalive_timeout;
    return own > 0 ? own : Infinity;
  }

  /**
   * Idle connections at..at+n leave the pool, closed (a taken one's port was set to −1 first):
   * by HAProxy, or by nginx `keepAlive` s after each went idle.
   */
  private remove(pool: ServerPool, at: number, n: number, nginxFirst: boolean, keepAlive = 0): void {
    for (let i = at; i < at + n; i++) {
      if (pool.idle[i] === SAFE) pool.safeNb--;
      else pool.idleNb--;
      this.closePort(pool.b, pool.ports[i], nginxFirst, nginxFirst ? pool.since[i] + keepAlive : this.w.now);
    }
    pool.idle.splice(at, n);
    pool.since.splice(at, n);
    pool.served.splice(at, n);
    pool.opened.splice(at, n);
    pool.ports.splice(at, n);
  }

  /**
   * Server b enters maintenance while running (`set server … state maint`, an l7 `remove`):
   * srv_update_status() (HAProxy 2.6 src/server.c, the "server was still running" branch of
   * entering maint) calls srv_cleanup_connections(), which — `pool-max-conn` not 0, its default
   * -1 — moves every connection of the server's idle and safe trees to `toremove_conns`
   * (srv_migrate_conns_to_remove(…, -1)) and wakes the cleanup task, srv_cleanup_toremove_conns(),
   * which destroys each at once: the same close as the purge's (purge() below), HAProxy's RST.
   * The sessions' private connections (`http-reuse never`) are in no server tree and stay until
   * their session ends or nginx closes them. A server entering maint already DOWN keeps its pool
   * (that branch calls no cleanup). Returns how many it closed.
   */
  cleanupConnections(b: number): number {
    const pool = this.pools[b];
    this.refresh(pool, b);
    const n = pool.idle.length;
    if (n > 0) this.remove(pool, 0, n, HAPROXY);
    return n;
  }

  /**
   * idle_conn_task's visit to server b (srv_cleanup_idle_conns(), idle-conn-task.ts), the pool
   * brought up to date first: how many idle connections it had (`curr_idle_conns`, before the purge).
   */
  private purgeVisit(b: number): number {
    const pool = this.pools[b];
    this.refresh(pool, b);
    const idle = pool.idle.length;
    this.purge(pool);
    return idle;
  }

  /** srv_cleanup_idle_conns() for one server: closes about half of what exceeds its estimated need. */
  private purge(pool: ServerPool): void {
    const idle = pool.idle.length;
    if (idle === 0) return;
    let exceed = pool.used + idle - Math.max(pool.maxUsed, pool.estNeed);
    exceed = (exceed >> 1) + (exceed & 1);
    pool.estNeed = Math.max((pool.estNeed + pool.maxUsed) >> 1, pool.maxUsed);
    pool.maxUsed = pool.used;
    if (exceed <= 0) return;
    // One thread: max_conn = exceed * curr_idle_thr / curr_idle + 1 = exceed + 1, oldest first.
    this.remove(pool, 0, Math.min(exceed + 1, idle), HAPROXY);
  }

  /**
   * Bring the pool up to date: drop the idle connections the server closed (keep-alive timeout);
   * a new process or nginx generation means the old one's connections are gone (it died, or its
   * nginx quit: nginx closes idle keep-alive connections, ngx_close_idle_connections()), and a
   * closing one closes its idle ones now. A vanished host closes nothing: its idle connections
   * stay open on the balancer's side until its successor is seen.
   */
  private refresh(pool: ServerPool, b: number): void {
    this.catchUp(pool, b);
    const backend = this.w.backends[b];
    if (!backend.hostUp) return;
    const nginx = backend.nginx;
    if (pool.life !== backend.incarnation || pool.epoch !== backend.app.epoch || pool.generation !== nginx.generation) {
      // A new nginx generation: the old one closed its idle connections when it got QUIT (a
      // reload's, or a stop's), not when the balancer next looks (the VM's TIME_WAITs start then).
      const quitAt = pool.generation !== nginx.generation ? (pool.gen?.quitAt ?? -1) : -1;
      this.flushSince(pool, quitAt);
      pool.life = backend.incarnation;
      pool.epoch = backend.app.epoch;
      pool.generation = nginx.generation;
      const gens = nginx.generations;
      pool.gen = gens.length > 0 ? gens[gens.length - 1] : null;
      pool.key++;
    }
    // A bare node app's SIGTERM closes the connections idle then, once (closeIdleConnections(),
    // lib/_http_server.js httpServerPreClose()); the busy ones stay kept-alive (closing() below).
    // A gunicorn app's closes none (app-process.ts closesIdleAtSigterm): they end at its idle timeout.
    const sigterm = pool.sigterms !== backend.app.sigterms && (!backend.bare || backend.app.closesIdleAtSigterm);
    pool.sigterms = backend.app.sigterms;
    if (this.closing(b) || sigterm) {
      // A quitting nginx (`nginx -s quit`: every generation QUIT, listeners closed) closed them at its QUIT.
      const quitAt = !nginx.listening ? (pool.gen?.quitAt ?? -1) : -1;
      this.flushSince(pool, quitAt);
    }
  }

  /** Flush as of the QUIT that closed them (a reload's or a stop's), or now when none is known. */
  private flushSince(pool: ServerPool, quitAt: number): void {
    this.flush(pool, quitAt >= 0 ? Math.min(quitAt, this.w.now) : this.w.now);
  }

  /**
   * The server's process is shutting down: no new connection accepted, idle ones closed — except a
   * draining bare app that still reads its kept connections (app-process.ts servesKeptConnsDraining:
   * node's kept alive after SIGTERM, gunicorn's idle at it), whose connections end at its idle
   * timeout or its kill.
   */
  private closing(b: number): boolean {
    const backend = this.w.backends[b];
    const app = backend.app;
    return !backend.nginx.listening || (!app.accepting && !(backend.bare && app.servesKeptConnsDraining));
  }

  /** The server closed every idle connection (nginx quit or restarted, its process died). */
  private flush(pool: ServerPool, at: number): void {
    for (let i = pool.privHead; i < pool.privates.length; i++) this.closePrivate(pool.privates[i], NGINX, at);
    pool.privates.length = 0;
    pool.privHead = 0;
    for (const port of pool.ports) this.closePort(pool.b, port, NGINX, at);
    pool.ports.length = 0;
    pool.idle.length = 0;
    pool.since.length = 0;
    pool.served.length = 0;
    pool.opened.length = 0;
    pool.safeNb = 0;
    pool.idleNb = 0;
  }
}
