import type { Histogram } from '../../metrics/histogram.js';
import { TcpState } from '../../net/tcp.js';
import { type AppJob, Status } from '../core/app-job.js';
import type { Conn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import { closeFlow, EndKind, openFlow } from '../core/flow-tcp.js';
import type { FlowDownstream, FlowUpstream, HttpDownstream, HttpUpstream, RequestDownstream } from '../core/hop.js';
import { Req } from '../core/request.js';
import type { ErrorKind } from '../core/series.js';
import type { World } from '../core/world.js';
import { requestCrossesFin } from '../proxy/nginx.js';
import { clientConnects } from './client-port.js';
import type { FrontendListener, FrontendUser } from './frontend-listener.js';
import type { RequestBalancer } from './l7-dispatch.js';

/**
 * How long HAProxy keeps an idle client connection between two requests (src/mux_h1.c, v2.6.0):
 * the connection's timeout task exists only with `timeout client` (h1_init(): `if
 * (tick_isset(h1c->timeout)) t = task_new_here()`, h1c->timeout = timeout.client), so without it
 * an idle connection never expires (h1_set_idle_expiration() sets no idle_exp without a task).
 * With it, h1_refresh_timeout() arms an idle front connection at `timeout client` and then takes
 * `tick_first()` of that and idle_exp, which h1_set_idle_expiration() sets from `timeout
 * http-keep-alive` (after a first request), else `timeout http-request`: the smaller of `timeout
 * client` and the first of those set (review32 #2; before session 24 the keep-alive timeout
 * replaced `timeout client`, even when longer or alone). drainsim's clients send a request at once,
 * so `timeout http-request` (its 408) matters only as this fallback. Infinity: never.
 */
export function keepAliveTimeout(w: World): number {
  const lb = w.scenario.lb;
  const client = lb.timeout_client ?? Infinity;
  if (client === Infinity) return Infinity;
  const idle =
    lb.http_keep_alive_timeout !== Infinity ? lb.http_keep_alive_timeout : (lb.http_request_timeout ?? Infinity);
  return Math.min(client, idle);
}

/** A stream before the balancer has taken it (the balancer sets the real handler). */
const notSent = (_job: AppJob): void => {};

/** One HTTP transaction of a keep-alive client: HAProxy creates a stream per request in http mode. */
class L7Stream extends Req {
  constructor(readonly conn: Conn) {
    super(notSent);
  }
}

/**
 * HAProxy's frontend in `mode http` for keep-alive clients: the client's TCP connection ends at
 * the balancer (its handshake, FIN, RST and TIME_WAIT are with the LB, never with a backend),
 * and each request on it is a stream of its own, balanced by the per-request dispatch
 * (l7-dispatch.ts: retries, redispatch, 503 when no server is left) over the balancer's server
 * connections. A dead, refused or vanished server therefore reaches the client as an HTTP status,
 * never as an RST; a drained server only finishes the requests it holds (its `scur`).
 *
 * - After an error it generated itself (503: no server, or the connect failed after its retries)
 *   HAProxy closes the client connection: `http_reply_and_close()` ends with
 *   `channel_auto_close()` (src/http_ana.c; `http_return_srv_error()` chooses 503 for
 *   STRM_ET_CONN_ERR / CONN_TO). A server's own 5xx (nginx's 502 when its app dies under the
 *   request) is forwarded on the kept-alive connection.
 * - An idle client connection is closed after `timeout http-keep-alive` (h1_set_idle_expiration(),
 *   src/mux_h1.c: `timeout.httpka`, else `timeout.httpreq`); a request sent as that FIN is on its
 *   way meets a closed socket: the keep-alive race, now between the client and the LB.
 * - The server side's `Connection: close` or keep-alive does not end the client's connection:
 *   both sides are separate connections (HTX, `http-reuse safe`, src/backend.c connect_server()).
 *
 * - `timeout server` (l7-dispatch.ts) ends a stream whose server does not answer in time with
 *   HAProxy's 504; unset, the client's own request timeout ends it.
 *
 * - A reload's soft stop (softStop) closes the old process's idle client connections at once and
 *   a busy one after its answer ("Connection: close"); the new process's are its own.
 *
 * Server connections, pooled or private by `http-reuse`, are lb/l7-server-conns.ts. Not modelled
 * here: the LB host's kernel (its ports towards the servers, its TIME_WAIT) and `shutdown
 * sessions` of in-flight streams.
 */
export class L7HttpFront implements FlowUpstream, HttpUpstream, RequestDownstream, FrontendUser {
  sink!: HttpDownstream;
  /** The frontend's `maxconn` (lb.frontend_maxconn); null: every connection accepted at once. */
  frontend: FrontendListener | null = null;
  /** Who opened connections (the HTTP client population): told when the LB accepted one. */
  private opener: FlowDownstream | null = null;
  private readonly connectLatency: Histogram;
  private readonly rtt: number;
  private readonly keepAliveTimeout: number;
  /** Client connections this process holds (accepted, not yet ended). */
  private readonly open = new Set<Conn>();
  /** Those with a request in flight: a stream waiting for its answer. */
  private readonly busy = new Set<Conn>();
  /** Busy connections of a soft-stopped process: closed after their answer. */
  private readonly closing = new Set<Conn>();
  /** Connections in the full frontend's accept queue whose request is written and not yet read. */
  private readonly unread = new Set<Conn>();

  constructor(
    private readonly w: World,
    private readonly balancer: RequestBalancer,
  ) {
    this.connectLatency = w.metrics.histogram('connect_latency');
    this.rtt = w.scenario.clients.rtt;
    this.keepAliveTimeout = keepAliveTimeout(w);
  }

  /** The client connects to the LB's frontend, which accepts it whatever the servers' state. */
  connect(conn: Conn, downstream: FlowDownstream): void {
    const w = this.w;
    this.opener = downstream;
    if (!clientConnects(w, conn, downstream)) return;
    if (this.frontend !== null) this.frontend.syn(conn, downstream, this);
    else w.engine.schedule(this.rtt, this.accepted, conn);
  }

  /** HAProxy accept()ed the connection: at its SYN (its handshake a round trip on), or from the accept queue. */
  frontAccepted(conn: Conn, _downstream: FlowDownstream, waited: boolean): void {
    if (!waited) {
      this.w.engine.schedule(this.rtt, this.accepted, conn);
      return;
    }
    // Still in its handshake: `accepted` adds it when the round trip ends.
    if (conn.lbFlow !== LbFlow.TRACKED) return;
    this.open.add(conn);
    // The request it wrote while queued is read now.
    if (this.unread.delete(conn)) this.handle(conn);
  }

  /** The handshake completes into the full frontend's accept queue: the client's connect() succeeds a round trip on all the same. */
  frontQueued(conn: Conn): void {
    this.w.engine.schedule(this.rtt, this.accepted, conn);
  }

  private readonly accepted = (conn: Conn): void => {
    openFlow(conn);
    conn.lbFlow = LbFlow.TRACKED;
    conn.stream = null;
    if (this.frontend === null || this.frontend.holds(conn)) this.open.add(conn);
    this.connectLatency.record(this.w.now - conn.connectStartedAt);
    this.opener!.connected(conn);
  };

  /** The LB never forgets a connection it terminates: `remove` only stops new streams to a server. */
  forwardsClientPacket(_conn: Conn): boolean {
    return true;
  }

  /** A request arrives on the client's connection: a new stream, balanced on its own. */
  handle(conn: Conn): void {
    const w = this.w;
    // In the full frontend's accept queue: HAProxy reads the request when it accept()s the connection.
    if (this.frontend !== null && !this.frontend.holds(conn)) {
      this.unread.add(conn);
      return;
    }
    const s = new L7Stream(conn);
    s.clientAddress = w.clientIp(conn);
    s.session = conn;
    s.notFirst = conn.stream !== null;
    conn.stream = s;
    this.busy.add(conn);
    this.balancer.send(s);
  }

  /**
   * The client's request timeout (clients/http-keepalive.ts) fired on the stream: it closes its
   * connection (FIN). Without `option abortonclose` HAProxy does not read it and the stream goes on
   * — queued, connecting, waiting for the server — counting on its server until its answer, which
   * goes nowhere (`CD` termination: client-side disconnect in the data phase); with the option the
   * stream ends now and the server keeps working on a request it holds (l7-dispatch.ts abandon).
   * Under lb.frontend_maxconn a stream that goes on keeps its session's slot until it ends
   * (frontend-listener.ts keptByStream), not only until the client's close.
   */
  abandon(conn: Conn): boolean {
    const s = conn.stream;
    if (s === null) return true;
    this.balancer.abandon(s);
    if (this.frontend !== null && this.busy.has(conn) && this.w.scenario.lb.abortonclose !== true)
      this.frontend.keptByStream(conn, s);
    return true;
  }

  /** The stream's answer: from a server, or HAProxy's own error reply. */
  answered(req: Req, status: Status, _b: number): void {
    const s = req as L7Stream;
    const conn = s.conn;
    if (conn.stream !== s || s.abandoned) return;
    const w = this.w;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    this.busy.delete(conn);
    // A server's status (the 502 nginx on the VM writes when its app dies under the request
    // included) is forwarded on the kept-alive connection; HAProxy's own error reply closes it.
    if (s.lbReply) this.endClient(conn, EndKind.SERVER_FIN);
    this.sink.respond(conn, status);
  }

  /**
   * abort_keep_alive (l7-dispatch.ts serverAborted): the stream's server connection failed before
   * any response and it was not the first request of this connection. HAProxy closes the client
   * connection with nothing sent (http_reply_and_close() with no message): the client reads a FIN
   * under its request.
   */
  closedSilently(req: Req, _b: number): void {
    const s = req as L7Stream;
    const conn = s.conn;
    if (conn.stream !== s || s.abandoned) return;
    if (conn.timer >= 0) this.w.engine.cancel(conn.timer);
    conn.timer = -1;
    this.endClient(conn, EndKind.SERVER_FIN);
    this.sink.closedUnanswered(conn);
  }

  /** Only reached through an L4 balancer; an L7 one turns a failed connect into a 503. */
  connectFailed(req: Req, _kind: ErrorKind, b: number): void {
    req.lbReply = true;
    this.answered(req, Status.UNAVAILABLE, b);
  }

  /**
   * HAProxy keeps the client's connection whatever the server side does, unless its process is
   * stopping: the answer then says "Connection: close" (h1_set_cli_conn_mode(), src/mux_h1.c).
   */
  keepsAlive(conn: Conn): boolean {
    return !this.closing.has(conn);
  }

  /**
   * The reload's soft stop of the old process (`do_soft_stop_now()`, src/proxy.c: the frontend
   * gets PR_FL_STOPPED): run_poll_loop() (src/haproxy.c) wakes mux_stopping_process()
   * (src/connection.c), which wakes every front connection on the stopping list, and h1_process()
   * (src/mux_h1.c) releases each one idle between two requests (H1C_F_WAIT_NEXT_REQ): a FIN to its
   * client, which sends its next request on a new connection, to the new process. A busy one gets
   * "Connection: close" on its answer (h1_set_cli_conn_mode() switches it to close mode) and ends
   * after it. Both unless `close-spread-time` or `option idle-close-on-response` (neither is a
   * default, nor modelled). Connections accepted afterwards are the new process's.
   */
  softStop(): void {
    const w = this.w;
    let idle = 0;
    for (const conn of [...this.open]) {
      if (this.busy.has(conn)) {
        this.closing.add(conn);
        continue;
      }
      // The client's next send (or the LB's own idle timer) is superseded by the close.
      if (conn.timer >= 0) w.engine.cancel(conn.timer);
      conn.timer = -1;
      idle++;
      this.closeIdleConn(conn, false);
    }
    w.trace.emit({ kind: 'lb.soft_stop_clients', idleClosed: idle, busy: this.closing.size });
  }

  /** `timeout http-keep-alive` (or its fallbacks): the idle client connection is closed when the next request comes too late. */
  idleCloseAfter(_conn: Conn, think: number): number {
    const ka = this.keepAliveTimeout;
    return ka !== Infinity && think >= ka - this.rtt ? ka : -1;
  }

  closeIdle(conn: Conn, delay: number): void {
    conn.timer = this.w.engine.schedule(delay, this.idleClose, conn);
  }

  /** `timeout http-keep-alive` (or a "Connection: close" answer) closes an idle client connection. */
  private readonly idleClose = (conn: Conn): void => {
    conn.timer = -1;
    this.closeIdleConn(conn, true);
  };

  /**
   * The LB closes an idle client connection now (FIN); its client sends its next request on a new
   * one — unless that request is already on its way: the LB's closed socket answers it with RST
   * (the keep-alive race, now between the client and the LB; traced when `timeout
   * http-keep-alive` closed it).
   */
  private closeIdleConn(conn: Conn, byKeepAliveTimeout: boolean): void {
    const w = this.w;
    if (conn.requestsLeft > 0 && requestCrossesFin(conn.lastActivity, w.now, this.rtt)) {
      w.metrics.inc(w.c.resetOut, -1);
      if (byKeepAliveTimeout)
        w.trace.emitLimited('lb-ka-race', {
          kind: 'lb.keepalive_race',
          httpKeepAliveTimeout: this.keepAliveTimeout,
          rtt: this.rtt,
        });
      this.sink.crossedFin(conn);
      return;
    }
    this.endClient(conn, EndKind.SERVER_FIN);
    this.sink.closedByServer(conn);
  }

  /**
   * The client's connection with the LB ends. The LB is always up, so a client that gives up on
   * a request closes with a FIN (SILENT is a dead peer's case); TIME_WAIT stays with whoever
   * closed first: the client's machine, or the LB's host (lb-host.ts, gauge lb_time_wait).
   */
  readonly endClient = (conn: Conn, how: EndKind): void => {
    const w = this.w;
    if (conn.lbFlow === LbFlow.NONE) return;
    conn.lbFlow = LbFlow.NONE;
    this.open.delete(conn);
    this.busy.delete(conn);
    this.closing.delete(conn);
    this.unread.delete(conn);
    this.balancer.sessionEnded(conn);
    const kind = how === EndKind.SILENT ? EndKind.CLIENT_FIN : how;
    closeFlow(conn, kind);
    w.releaseClientEnd(conn, conn.clientTcp === TcpState.TIME_WAIT);
    if (conn.serverTcp === TcpState.TIME_WAIT) w.lbHost?.clientTimeWait(w.now);
    if (kind !== EndKind.RESET) w.metrics.inc(w.c.closedFin, -1);
  };
}
