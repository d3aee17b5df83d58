import { ReqPhase, type Status } from '../core/app-job.js';
import type { Conn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { HttpDownstream, HttpUpstream } from '../core/hop.js';
import { EndKind, type World } from '../core/world.js';
import { requestCrossesFin } from './nginx.js';
import {
  type AnsweredThenClosed,
  type NginxResponseSink,
  type PacketWatch,
  serverClosesIdle,
  writeResponse,
} from './server-end.js';
import type { RequestPath } from './upstream.js';
import { WorkerConnections } from './worker-connections.js';
import { type TlsCpu, Where } from './worker-cpu.js';

export type { PacketWatch } from './server-end.js';

const NO_NAT: PacketWatch = { expired: () => false, seen: () => {} };

/** A waiting connection's client_header_timeout: the connection and its wait's mark. */
interface HeaderWait {
  readonly conn: Conn;
  readonly mark: number;
}

/**
 * nginx's side of the client keep-alive connections: a request arriving (on a host that is gone,
 * nothing answers), the response going out (a flow the LB forgot resets nginx's write), and
 * nginx's keep-alive decisions after a response (nginx.ts) with the close it then makes: at once
 * (`Connection: close`) or after keepalive_timeout of idleness. The request's way to the app is
 * upstream.ts.
 */
export class NginxClientConns implements HttpUpstream, NginxResponseSink {
  sink!: HttpDownstream & AnsweredThenClosed;
  /** The L4 NAT's connection table nginx's packets cross (lb.mode nat; a no-op otherwise). */
  nat: PacketWatch = NO_NAT;
  /** nginx's workers (or the balancer's threads) as CPU queues when TLS ends there on some VM (null: no CPU model). */
  cpu: TlsCpu | null = null;
  /** nginx's per-worker connection arrays (worker_connections; off at 0). */
  private readonly limits: WorkerConnections;

  constructor(
    private readonly w: World,
    private readonly path: RequestPath,
  ) {
    this.limits = new WorkerConnections(
      w,
      (b, c) => path.workerOf(b, c),
      () => this.sink,
      path.awaiting,
    );
    path.workerConns = this.limits;
    // Which worker accepts next depends on how full each one is (Nginx.acceptingWorker).
    if (this.limits.used)
      for (const b of w.backends) {
        b.nginx.freeConnections = (gen, k) => this.limits.free(b, gen, k);
        b.nginx.refusesAccept = (gen, k) => this.limits.refuses(b, gen, k);
      }
  }

  /** A request arrives on an established client connection. */
  handle(conn: Conn): void {
    const w = this.w;
    if (!w.backends[conn.backend].hostUp) {
      // Nobody answers: the request retransmits until the client's timeout.
      conn.phase = ReqPhase.CONNECTING;
      this.sink.noAnswer(conn);
      return;
    }
    if (conn.requestsServed === 0) {
      const awaiting = this.path.awaiting;
      // Accepted before it (waiting): ngx_http_wait_request_handler takes it off the reusable
      // queue (ngx_reusable_connection(c, 0)) and reads the request.
      if (awaiting.has(conn)) awaiting.delete(conn);
      else if (this.limits.used) {
        // The connection's first request: the accept took a connection of its worker (ngx_event_accept).
        const backend = w.backends[conn.backend];
        if (this.limits.limited(backend, conn) && !this.limits.admit(backend, conn)) return;
      }
    }
    if (this.cpu !== null && this.cpu.awaitingAdmission(conn) !== 0) {
      // Its final ACK was dropped on nginx's full accept queue (lb/l4-connect.ts ackArrives): the
      // request is in the sender's retransmission queue, read once a copy gets the connection in.
      conn.phase = ReqPhase.CONNECTING;
      this.cpu.whenAdmitted(conn, this.admitted, this.resetBeforeAdmission);
      return;
    }
    if (this.cpu !== null) {
      const wait = this.cpu.wait(conn);
      if (wait > 0) {
        this.waitForWorker(conn, wait, this.cpu.lastWorkerWait);
        return;
      }
    }
    this.path.handle(conn);
  }

  /**
   * The connection's nginx worker (or, TLS ending at the balancer, its balancer thread) is busy
   * with TLS handshakes (worker-cpu.ts: in nginx its own and the one in progress; at the
   * balancer all those queued before this request), and a new connection's first request in
   * nginx comes only a round trip after its own handshake (the client's Finished, worker-cpu.ts
   * roundTripAfter): the request is read once they are done, so it reaches the app `wait` s
   * later, or never, if the client's request_timeout comes first (the client gives up; the worker
   * later reads only its close). The worker's own part of it (`backlog`, TlsCpu.lastWorkerWait:
   * its handshakes, not the round trip) is traced when longer than a round trip.
   */
  private waitForWorker(conn: Conn, wait: number, backlog: number): void {
    const w = this.w;
    const cpu = this.cpu!;
    const timeout = w.scenario.clients.http.request_timeout;
    const giveUp = conn.requestStartedAt + timeout;
    const timesOut = w.now + wait >= giveUp;
    if (timesOut || backlog > w.scenario.clients.rtt) {
      const backend = w.backends[conn.backend];
      const atLb = cpu.whereOf(conn) === Where.LB;
      w.trace.emitLimited(atLb ? 'lb-thread-cpu' : `worker-cpu-${conn.backend}`, {
        kind: atLb ? 'lb.thread_tls_backlog' : 'nginx.worker_tls_backlog',
        backend: backend.name,
        worker: atLb ? conn.lbThread : conn.nginxWorker,
        workers: atLb ? cpu.lb!.count : backend.nginx.config.worker_processes,
        wait: backlog,
        handshakes: cpu.queued(conn, backlog),
        handshakeCpu: backend.app.config.tls.handshake_cpu,
        timedOut: timesOut,
        requestTimeout: timeout,
      });
    }
    // In nginx, not yet sent upstream: what a vanishing host or a stop does to a request nginx holds.
    // When the client's request_timeout (armed at its write, clients/http-keepalive.ts) comes
    // first, the client closes and abandon() below cancels this timer: nginx reads only the close.
    conn.phase = ReqPhase.CONNECTING;
    conn.timer = w.engine.schedule(wait, this.workerFree, conn);
  }

  /**
   * The client's connection is established and its request comes later (clients.http.reconnect
   * eager). nginx accepts it now (ngx_event_accept → ngx_get_connection; with none free it closes
   * the socket, nothing unread: the client reads EOF) and ngx_http_init_connection arms
   * client_header_timeout on its read event and makes it reusable (worker-connections.ts
   * acceptWaiting; awaiting-request.ts).
   */
  waiting(conn: Conn): void {
    const w = this.w;
    const backend = w.backends[conn.backend];
    if (this.limits.used && this.limits.limited(backend, conn) && !this.limits.acceptWaiting(backend, conn)) {
      this.sink.serverGone(conn, EndKind.SERVER_FIN, false);
      return;
    }
    const mark = this.path.awaiting.add(conn);
    const timeout = (backend.nginx.generationOf(conn.nginxGen)?.config ?? backend.nginx.config).client_header_timeout;
    if (timeout > 0 && timeout !== Infinity)
      w.engine.schedule(timeout, this.headerTimedOut, { conn, mark } satisfies HeaderWait);
  }

  /**
   * client_header_timeout with no request yet: ngx_http_wait_request_handler sees rev->timedout,
   * "client timed out", ngx_http_close_connection — FIN, nginx closes first (its TIME_WAIT); a
   * request the client sends just then meets the closed socket (the keep-alive race).
   */
  private readonly headerTimedOut = (t: HeaderWait): void => {
    const { conn, mark } = t;
    const w = this.w;
    if (!this.path.awaiting.has(conn, mark)) return;
    this.path.awaiting.delete(conn);
    if (conn.requestsLeft > 0 && requestCrossesFin(conn.lastActivity, w.now, w.scenario.clients.rtt))
      this.sink.crossedFin(conn);
    else this.sink.serverGone(conn, EndKind.SERVER_FIN, false);
  };

  /** The connection got into nginx's accept queue: its request goes on, unless the client gave up (abandon). */
  private readonly admitted = (conn: Conn): void => {
    if (conn.phase !== ReqPhase.CONNECTING || conn.timer >= 0) return;
    conn.phase = ReqPhase.NONE;
    this.handle(conn);
  };

  /**
   * The listener reset the connection before admitting it (its request sock expired: lb/l4-connect.ts
   * expiredReset): the request waiting in the client's retransmission queue fails with RST,
   * ECONNRESET, unless the client gave up on it already (abandon).
   */
  private readonly resetBeforeAdmission = (conn: Conn): void => {
    if (conn.phase !== ReqPhase.CONNECTING || conn.timer >= 0) return;
    this.sink.serverGone(conn, EndKind.RESET, true);
  };

  private readonly workerFree = (conn: Conn): void => {
    conn.timer = -1;
    conn.phase = ReqPhase.NONE;
    this.path.handle(conn);
  };

  /** nginx writes the response (or its error page) for `conn`'s request (a forgotten flow resets nginx's write). */
  respond(conn: Conn, status: Status): void {
    if (this.limits.used) this.limits.answered(this.w.backends[conn.backend], conn);
    writeResponse(this.w, this.sink, this.nat, conn, status, this.resetWriting);
  }

  /**
   * nginx answers `conn`'s request with an error of its own that ends keep-alive — the 500 of an
   * upstream connect with no connection free in its worker (upstream.ts; ngx_http_upstream_connect:
   * ngx_event_connect_peer NGX_ERROR → ngx_http_upstream_finalize_request(…, 500)). nginx 1.22.1
   * src/http/ngx_http_special_response.c ngx_http_special_response_handler clears r->keepalive for
   * 400/413/414/497/495/496/500/501 (not 502/504), so the header filter writes `Connection:
   * close` and ngx_http_finalize_connection (src/http/ngx_http_request.c), keepalive 0 and no
   * lingering close (a request with no body left unread), calls ngx_http_close_request: FIN right
   * behind the response, nginx closes first (the VM's TIME_WAIT). The client reads the response
   * and the close: its retry opens a new connection (and is accepted again). A flow the balancer
   * forgot resets nginx's write as any response's (writeResponse).
   */
  respondClosing(conn: Conn, status: Status): void {
    if (this.nat.expired(conn) || conn.lbFlow === LbFlow.FORGOTTEN) {
      writeResponse(this.w, this.sink, this.nat, conn, status, this.resetWriting);
      return;
    }
    this.nat.seen(conn);
    this.sink.respondThenClosed(conn, status);
  }

  private readonly resetWriting = (b: number): void => {
    const w = this.w;
    w.trace.emitLimited(`lb-rst-${b}`, {
      kind: 'nginx.reset_writing_response',
      backend: w.backends[b].name,
      requestTimeout: w.scenario.clients.http.request_timeout,
    });
  };

  /**
   * The client gave up on its request (clients.http.request_timeout) and closed the connection:
   * its FIN reaches nginx while nginx waits for the app. nginx's read handler sees the EOF
   * (ngx_http_upstream_check_broken_connection(), src/http/ngx_http_upstream.c: "client prematurely
   * closed connection, so upstream connection is closed too", proxy_ignore_client_abort off by
   * default) and finalizes the request with NGX_HTTP_CLIENT_CLOSED_REQUEST: 499 in the access
   * log, the upstream connection closed, never cached (its response was not read): FIN, nginx's end
   * in FIN_WAIT2 (upstream.ts closeBeforeAnswer). The app is not told: its worker goes on with the
   * request, or takes it from the queue later, and its answer meets the half-closed connection
   * (RST; app-server.ts orphan: wasted work). A connect() nginx was still
   * retrying to the app is given up. False when nothing on the VM holds the request (its host
   * vanished, or the response already went into a flow the LB forgot).
   */
  abandon(conn: Conn): boolean {
    const w = this.w;
    const b = conn.backend;
    if (b < 0 || !w.backends[b].hostUp) return false;
    const backend = w.backends[b];
    const phase = conn.phase;
    if (phase === ReqPhase.NONE) return false;
    if (phase === ReqPhase.SERVING || phase === ReqPhase.QUEUED) {
      this.path.cancelReadTimeout(conn);
      // ngx_http_upstream_finalize_request → ngx_close_connection: close() with nothing unread
      // sends FIN. nginx's end waits in FIN_WAIT2, the app's in CLOSE_WAIT, until the app's late
      // write draws an RST (no TIME_WAIT) or tcp_fin_timeout — as at proxy_read_timeout's 504.
      this.path.closeBeforeAnswer(backend, conn);
    } else if (conn.timer >= 0) {
      // CONNECTING: nginx's SYN retransmission towards the app (upstream.ts retryConnect) stops.
      w.engine.cancel(conn.timer);
      conn.timer = -1;
    }
    conn.phase = ReqPhase.NONE;
    if (conn.upstream) {
      // No other phase holds an upstream connection; one left here is reset (no answer to wait for).
      this.path.abortUpstream(backend, conn.upstream);
      conn.upstream = null;
    }
    w.trace.emitLimited(`client-closed-${b}`, {
      kind: 'nginx.client_closed_request',
      backend: backend.name,
      requestTimeout: w.scenario.clients.http.request_timeout,
      inApp: phase === ReqPhase.SERVING || phase === ReqPhase.QUEUED,
    });
    return true;
  }

  /**
   * nginx keeps the connection after this response (nginx.ts closesAfterResponse). Its age for
   * keepalive_time is the client's: from its connect() (connectStartedAt) to its sending of this
   * request (requestStartedAt; one that waited for this connection counts from before it: never
   * too old). nginx counts from its accept to its reading of the request: each end is later by about
   * the same one-way trip (SYN and ACK, the request), so the two differ by a round trip or a SYN
   * retransmission. No time field of its own: the record's row is packed (core/conn.ts
   * TIME_ROW_WIDTH) and these two are already in it.
   */
  keepsAlive(conn: Conn): boolean {
    const age = conn.requestStartedAt - conn.connectStartedAt;
    return !this.w.backends[conn.backend].nginx.closesAfterResponse(conn.requestsServed, conn.nginxGen, age);
  }

  /** When the client's next request comes after `think` s: nginx closes the idle connection after this many seconds, or -1. */
  idleCloseAfter(conn: Conn, think: number): number {
    const nginx = this.w.backends[conn.backend].nginx;
    return nginx.closesIdle(think, this.w.scenario.clients.rtt) ? nginx.config.keepalive_timeout : -1;
  }

  /** nginx closes the connection `delay` s from now; it closes first and holds the TIME_WAIT. */
  closeIdle(conn: Conn, delay: number): void {
    conn.timer = this.w.engine.schedule(delay, this.idleClose, conn);
  }

  private readonly idleClose = (conn: Conn): void => {
    conn.timer = -1;
    serverClosesIdle(this.w, this.sink, this.nat, conn);
  };
}
