import type { LaneId } from '../../engine/engine.js';
import type { Rng } from '../../engine/random.js';
import type { Histogram } from '../../metrics/histogram.js';
import { silentPeerGiveUpAt } from '../../net/dead-peer.js';
import type { Distribution } from '../../scenario/distribution.js';
import { ReqPhase, Status } from '../core/app-job.js';
import { type Conn, ConnKind, NOT_WAITING } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { FlowDownstream, FlowUpstream, HttpDownstream, HttpUpstream } from '../core/hop.js';
import type { Population } from '../core/populations.js';
import { ErrorKind } from '../core/series.js';
import { EndKind, type World } from '../core/world.js';
import { type Arrivals, PacedArrivals, PoissonArrivals } from './arrivals.js';
import { backoffDelay } from './backoff.js';
import { closesIdleAtNextUse, resendsOnReusedConnection, resendsTimedOutOnReusedConnection } from './http-library.js';

/**
 * The HTTP keepalive population. Each client opens a connection (Poisson or paced arrivals), sends a
 * number of requests with think time between them, and closes. nginx closes an idle connection
 * first when the think time exceeds keepalive_timeout, or after keepalive_requests; the client
 * then continues on a new connection. Failed requests are retried with backoff.
 *
 * Every request sent has the client's own timer, `request_timeout`, as real clients have one per
 * request whatever delays the answer (a vanished host, a hung or paused app, a full queue): Go's
 * http.Client.Timeout cancels the round trip and closes the connection (net/http transport.go:
 * the request's canceler is persistConn.cancelRequest(), whose closeLocked() calls
 * pc.conn.Close()), Node's `AbortSignal.timeout()` / `socket.setTimeout()` + `socket.destroy()`
 * likewise (lib/net.js Socket._destroy closes the handle; the calibration client:
 * calibration/haproxy/worker.mjs, a timer from the request's write, then `socket.destroy()`). A
 * closed socket with nothing unread sends FIN (Linux net/ipv4/tcp.c __tcp_close(): RST only when
 * received data is unread), so the client closes first and keeps the TIME_WAIT; the request
 * fails with the client's own timeout (ErrorKind.CLIENT_TIMEOUT: Go's "Client.Timeout exceeded
 * while awaiting headers", Node's TimeoutError — no errno; ETIMEDOUT is the kernel's, kernelGaveUp),
 * retried per `retries` on a new connection.
 *
 * The connector and path are the L4 balancer and nginx (the connection reaches a backend), or an
 * L7 balancer's frontend (lb/l7-http-front.ts: the connection ends at the LB, each request is
 * balanced on its own); `endFlow` ends the connection where it ends.
 */
export class HttpClients implements FlowDownstream, HttpDownstream, Population {
  private readonly arrivals: Arrivals;
  /** One seed per arriving client; each client then draws from its own sequence. */
  private readonly clientSeeds: Rng;
  private readonly retryRng: Rng;
  /** What each think is drawn from: clients.http.think_time, or a timeline `load`'s http_think_time since it. */
  private thinkTime: Distribution;
  private readonly requestsPerConn: Distribution;
  private readonly rtt: number;
  /** The client's own keep-alive idle timeout (∞: none): `idle_timeout`, unset = its library's (schema httpLibraryIdleTimeout). */
  private readonly idleTimeout: number;
  /** clients.http.library curl: a connection idle past idleTimeout is closed at the next request, not on a timer (closesIdleAtNextUse). */
  private readonly idleCloseAtNextUse: boolean;
  private readonly latency: Histogram;
  /** The request timers (request_timeout after each write): one fixed delay, so an engine lane
   *  rather than a heap entry each (engine.ts scheduleFixed; same firing order), each given up by
   *  a store into the record (conn.requestTimer = −1). */
  private readonly requestTimers: LaneId;
  /** `request_timeout`: the delay of requestTimers. */
  private readonly requestTimeout: number;
  /** The request timers of requests on an open connection, armed at their arrival, rtt/2 after the write (send). */
  private readonly arrivedTimers: LaneId;
  /** When the request being handed to the server end (handling) was written: noAnswer's clock. */
  private wroteAt = 0;
  private handling: Conn | null = null;
  /** Ends the client's connection where it ends (null: World.end, a flow that reaches a backend). */
  private readonly endVia: ((conn: Conn, how: EndKind) => void) | null;
  /**
   * clients.http.reconnect eager: a connection the server closed while the client thought is
   * replaced at once and the new one waits for the request (reopen); on_demand: when it is due.
   */
  private readonly eager: boolean;
  /** clients.http.after_failure next_request: a request that failed for good is followed by the next (nextAfterGivingUp). */
  private readonly nextAfterFailure: boolean;
  /** clients.http.library: the library resends a request its reused connection failed under (resentByLibrary). */
  private readonly resendsReused: boolean;
  /** clients.http.library: the library also resends after its kernel's ETIMEDOUT on a reused connection (kernelGaveUp). */
  private readonly resendsTimedOut: boolean;
  /**
   * The first write (the client's clock) of a request being retried (retryOrGiveUp; conn.attempt >
   * 0): its latency counts from there, as the user waits through the program's retry loop — as
   * open-loop's firstSentAt and the library's resend (resentByLibrary) do. Only a retried
   * request's record has an entry (dropped at its answer or when it is given up), so a request
   * never retried pays no lookup.
   */
  private readonly firstWrites = new Map<Conn, number>();
  // What the engine calls back: the prototype methods below, bound to this population. Not
  // arrow-function fields: those are new closures in every run, whose compiled code a sweep
  // worker drops and compiles again run after run (README Benchmarks, session 14); a prototype
  // method is one function for the whole process.
  private readonly sendCb = this.send.bind(this);
  private readonly timedOutCb = this.timedOut.bind(this);
  private readonly idleCloseCb = this.idleClose.bind(this);
  private readonly kernelGaveUpCb = this.kernelGaveUp.bind(this);
  private readonly lastCloseCb = this.lastClose.bind(this);
  private readonly reopenCb = this.reopen.bind(this);

  constructor(
    private readonly w: World,
    private readonly connector: FlowUpstream,
    private readonly path: HttpUpstream,
    /** Ends the client's connection (World.end for a flow that reaches a backend). */
    endFlow?: (conn: Conn, how: EndKind) => void,
  ) {
    this.endVia = endFlow ?? null;
    const cfg = w.scenario.clients.http;
    const arrive = (): void => this.arrive();
    // paced: the first new connection at the start or the rate change, as the bare-app recorder's
    // slot 0 (calibration/haproxy/bare-l4-worker.mjs clients(); arrivals.ts PacedArrivals).
    this.arrivals =
      cfg.arrivals === 'paced'
        ? new PacedArrivals(w.engine, cfg.arrival_rate, arrive, true)
        : new PoissonArrivals(w.engine, w.streams.stream('clients.http.arrivals'), cfg.arrival_rate, arrive);
    this.clientSeeds = w.streams.stream('clients.http.clients');
    this.retryRng = w.streams.stream('clients.http.retry');
    this.thinkTime = cfg.think_time;
    this.requestsPerConn = cfg.requests_per_connection;
    this.rtt = w.scenario.clients.rtt;
    this.idleTimeout = cfg.idle_timeout > 0 ? cfg.idle_timeout : Infinity;
    this.idleCloseAtNextUse = closesIdleAtNextUse(cfg);
    this.latency = w.metrics.histogram('request_latency');
    this.requestTimers = w.engine.fixedDelay(cfg.request_timeout);
    this.requestTimeout = cfg.request_timeout;
    this.arrivedTimers = w.engine.fixedDelay(Math.max(0, cfg.request_timeout - this.rtt / 2));
    this.eager = cfg.reconnect === 'eager';
    this.nextAfterFailure = cfg.after_failure === 'next_request';
    this.resendsReused = resendsOnReusedConnection(cfg);
    this.resendsTimedOut = resendsTimedOutOnReusedConnection(cfg);
  }

  start(): void {
    this.arrivals.start();
  }

  /** Change the arrival rate (a `load` action). */
  setRate(rate: number): void {
    this.arrivals.setRate(rate);
  }

  /** Change the think time drawn from now on (a `load` action's http_think_time); a think already drawn stands. */
  setThinkTime(think: Distribution): void {
    this.thinkTime = think;
  }

  private arrive(): void {
    const conn = this.w.newConn(ConnKind.HTTP);
    conn.rng.seed(Math.floor(this.clientSeeds.next() * 4294967296));
    conn.requestsLeft = Math.max(1, Math.round(this.requestsPerConn.sample(conn.rng)));
    this.send(conn);
  }

  connected(conn: Conn): void {
    if (this.eager && conn.lastActivity > this.w.now) {
      // Opened ahead of its request (reopen): it waits there; the server end may accept it now.
      this.path.waiting?.(conn);
      // Closed at once (no connection free in nginx's worker): serverGone has planned what follows.
      if (conn.backend < 0 || conn.timer >= 0) return;
      this.sendWhenDue(conn);
      return;
    }
    // The request goes with the handshake's last ACK, which the connector times already (it
    // called this one round trip after it took the SYN at the client's connect).
    this.request(conn, false);
  }

  /**
   * The server closed `conn` while the client waited to send (clients.http.reconnect eager). A
   * connection that carried a request is replaced at once, and the new one waits for the request
   * planned at lastActivity (connected); one closed before it carried any (refused at the accept,
   * or drained while it waited) is replaced after retry_backoff, so that a worker with no
   * connection to spare is not met with a tight loop (the round-4 harness client's dropBackoffMs,
   * calibration/nginx/client.mjs), and waits again for the planned request — or sends at once if
   * its time has come by then. (The harness's replacement sent at once whatever its think time
   * left: README, the KNOWN GAP of nginx-holdout4-wc64-burst.)
   */
  private reconnectEagerly(conn: Conn): void {
    const w = this.w;
    if (conn.requestsServed > 0) {
      conn.timer = w.engine.schedule(0, this.reopenCb, conn);
      return;
    }
    const cfg = w.scenario.clients.http;
    const delay = backoffDelay(cfg.retry_backoff, conn.attempt, this.retryRng, conn.lastBackoff);
    if (w.now + delay < conn.lastActivity) conn.timer = w.engine.schedule(delay, this.reopenCb, conn);
    else {
      conn.lastActivity = w.now + delay;
      conn.timer = w.engine.schedule(delay, this.sendCb, conn);
    }
  }

  /** Open the replacement connection now; it waits for the planned request (connected). */
  private reopen(conn: Conn): void {
    conn.timer = -1;
    if (conn.lbFlow !== LbFlow.NONE) return;
    this.connector.connect(conn, this);
  }

  connectFailed(conn: Conn, kind: ErrorKind, backend: number): void {
    // The request was to go with the handshake: written at the connect (send: waitingSince); a
    // connection opened ahead of it (reconnect eager) had none written yet: due at lastActivity.
    const wroteAt = conn.waitingSince !== NOT_WAITING ? conn.waitingSince : conn.lastActivity;
    conn.waitingSince = NOT_WAITING;
    this.w.error(kind, backend);
    this.retryOrGiveUp(conn, backend, false, wroteAt);
  }

  /**
   * The client's next request is due at conn.lastActivity (its write): on an open connection the
   * event is its arrival at the server end, rtt/2 later (send); on none, the connect at the write.
   */
  private sendWhenDue(conn: Conn): void {
    const arrival = conn.lbFlow === LbFlow.NONE ? conn.lastActivity : conn.lastActivity + this.rtt / 2;
    conn.timer = this.w.engine.at(arrival, this.sendCb, conn);
  }

  /**
   * The client's next request: with no connection it opens one now (the request goes with its
   * handshake); on its open connection — kept alive, or opened ahead of it — the request it wrote
   * at conn.lastActivity reaches the server end now, rtt/2 later (sendWhenDue). Until then the
   * server end still sees the connection idle, so a close it makes meanwhile — a QUIT's or
   * reload's ngx_close_idle_connections (src/core/ngx_connection.c), `nginx -s stop`,
   * worker_connections' reuse (ngx_drain_connections), client_header_timeout, the L7
   * balancer's soft stop, a bare app's SIGTERM — finds the request on its way: it reaches a closed
   * socket and gets RST (net/ipv4/tcp.c __tcp_close: unread data → RST; tcp_input.c
   * tcp_rcv_state_process: data to a closed socket → RST), as one sent after the close before its
   * FIN arrived (proxy/nginx.ts requestCrossesFin: sendAt < closeAt + rtt/2 covers both; crossedFin,
   * serverGone).
   */
  private send(conn: Conn): void {
    const w = this.w;
    conn.timer = -1;
    if (conn.lbFlow === LbFlow.NONE) {
      // No connection: open one first; the request's latency includes the handshake.
      if (conn.waitingSince === NOT_WAITING) conn.waitingSince = w.now;
      this.connector.connect(conn, this);
      return;
    }
    this.request(conn, true);
  }

  /**
   * The request reaches the server end: counted, its latency measured from here (respond adds the
   * full rtt, the way in and the way back; a new connection's from the wait for it, whose SYN the
   * connector took at the client's connect), the client's timer on it running from its write
   * (`arrived`: rtt/2 ago).
   */
  private request(conn: Conn, arrived: boolean): void {
    const w = this.w;
    const b = conn.backend;
    w.metrics.inc(w.c.requests, b);
    conn.requestStartedAt = conn.waitingSince !== NOT_WAITING ? conn.waitingSince : w.now;
    conn.waitingSince = NOT_WAITING;
    if (!this.connector.forwardsClientPacket(conn)) {
      // The LB forgot this flow (hard removal) and answered with RST: on a connection open before
      // the request (`arrived`) a reset the library may resend.
      if (this.resentByLibrary(conn, arrived, w.now - this.rtt / 2, b)) return;
      w.error(ErrorKind.ECONNRESET, b);
      this.retryOrGiveUp(conn, b);
      return;
    }
    // The client's timer on this request runs from its write (see the class comment). No timer of
    // the record's is armed here (every way a request ends clears requestTimer: checked with a throw
    // over every built-in and 179 of test/model's, test/scenarios' and test/hostile's files in
    // session 30), so re-arming its cell gives up nothing.
    const timers = arrived ? this.arrivedTimers : this.requestTimers;
    conn.armRequestTimer(w.engine, timers, this.timedOutCb);
    this.wroteAt = arrived ? w.now - this.rtt / 2 : w.now;
    this.handling = conn;
    this.path.handle(conn);
    this.handling = null;
  }

  /**
   * A request written on `conn`, open, is on its way to the server end: due (conn.lastActivity)
   * and not yet arrived (send, its timer).
   */
  private onItsWay(conn: Conn): boolean {
    return (
      conn.requestsLeft > 0 &&
      conn.phase === ReqPhase.NONE &&
      conn.lbFlow !== LbFlow.NONE &&
      conn.timer >= 0 &&
      conn.lastActivity <= this.w.now
    );
  }

  /**
   * No answer will come (a vanished host, a response the LB reset): the request's own timer is
   * already running. Where the request itself was written towards a host that vanished, nothing
   * acknowledges it, and behind an L4 NAT the socket retransmitting it is the client machine's own:
   * its kernel gives up after clients.kernel.tcp_retries2 (retransmits_timed_out() checked at each
   * tcp_retransmit_timer firing, net/ipv4/tcp_timer.c; net/dead-peer.ts silentPeerGiveUpAt) and
   * tcp_write_err() fails the socket with ETIMEDOUT — before request_timeout when tcp_retries2 is
   * lowered (never at the default 15: ~15 min). Behind a proxy the client's peer is the balancer,
   * which acknowledges the request; a response reset by the NAT leaves nothing of the client's
   * outstanding: both wait for request_timeout.
   */
  noAnswer(conn: Conn): void {
    const w = this.w;
    if (w.lbHost !== null || conn.phase !== ReqPhase.CONNECTING || w.backends[conn.backend].hostUp) return;
    // The request's timer runs from this same write (request, then path.handle, then here).
    const wroteAt = this.handling === conn ? this.wroteAt : w.now;
    const wheel = w.clientHosts.wheelOf(w.clientIp(conn), wroteAt);
    const giveUpAt = silentPeerGiveUpAt(wroteAt, this.rtt, w.scenario.clients.kernel.tcp_retries2, wheel);
    if (giveUpAt >= wroteAt + this.requestTimeout) return;
    conn.timer = w.engine.at(giveUpAt, this.kernelGaveUpCb, conn);
  }

  /** The client's kernel gave up on the request it retransmitted (noAnswer): ETIMEDOUT, retried on a new connection. */
  private kernelGaveUp(conn: Conn): void {
    conn.timer = -1;
    if (conn.requestTimer < 0) return;
    this.stopRequestTimer(conn);
    const b = conn.backend;
    // tcp_done(): the socket is gone without a FIN or a TIME_WAIT; the VM has vanished.
    this.endFlow(conn, EndKind.SILENT);
    // Go (a GET) and curl resend it by themselves on a new connection when this one was reused
    // (http-library.ts resendsTimedOutOnReusedConnection); the client's own kernel told it now.
    if (
      this.resendsTimedOut &&
      this.resentByLibrary(conn, this.reusedFor(conn), this.requestWroteAt(conn), b, 0, 'etimedout')
    )
      return;
    this.w.error(ErrorKind.ETIMEDOUT, b);
    this.retryOrGiveUp(conn, b);
  }

  /**
   * The client gives up waiting for an answer (request_timeout): it closes the connection and
   * retries. Where the server end still holds the request (a hung or paused app, a queue) it
   * hears the client's FIN (nginx: 499; its app keeps the work); where nothing does (a vanished
   * host, a flow the LB forgot) the close meets nobody, as before. The error is the client's own
   * timer's, not an errno: no socket failed (CLIENT_TIMEOUT, not the kernel's ETIMEDOUT).
   */
  private timedOut(conn: Conn): void {
    conn.requestTimer = -1;
    const b = conn.backend;
    if (this.path.abandon(conn)) this.clientClose(conn);
    else this.endFlow(conn, EndKind.SILENT);
    this.w.error(ErrorKind.CLIENT_TIMEOUT, b);
    this.retryOrGiveUp(conn, b);
  }

  /** The request in flight got its answer (or failed otherwise): its timer stops (a deadline
   *  cell, engine.ts scheduleFixed: the store is the cancel). */
  private stopRequestTimer(conn: Conn): void {
    conn.requestTimer = -1;
  }

  /** nginx answered (or failed) the request on `conn`. */
  respond(conn: Conn, status: Status): void {
    const w = this.w;
    const b = servedBy(conn);
    this.stopRequestTimer(conn);
    if (status !== Status.OK) {
      this.failedWith5xx(conn, b, true);
      return;
    }
    w.metrics.inc(w.c.responses2xx, b);
    // A retried request's latency runs from its first attempt's write (firstWrites): this
    // attempt's own, plus the time from that write to this attempt's.
    let sinceFirst = 0;
    if (conn.attempt > 0) {
      const first = this.firstWrites.get(conn);
      this.firstWrites.delete(conn);
      if (first !== undefined) sinceFirst = Math.max(0, this.requestWroteAt(conn) - first);
    }
    this.latency.record(w.now - conn.requestStartedAt + this.rtt + sinceFirst);
    conn.attempt = 0;
    conn.lastBackoff = 0;
    conn.requestsLeft--;
    conn.requestsServed++;
    this.afterAnswer(conn, this.thinkBeforeNext(conn));
  }

  /** The user's think time before the next request on `conn`, none after its last one. */
  private thinkBeforeNext(conn: Conn): number {
    return conn.requestsLeft > 0 ? this.thinkTime.sample(conn.rng) : 0;
  }

  /**
   * The server end answered the request on `conn` (done with it: requestsLeft and requestsServed
   * counted) and the client goes on: its next request `think` s after the answer reached it —
   * its think time, or a retry's backoff — on this connection unless either side closes it
   * first, or its last close.
   */
  private afterAnswer(conn: Conn, think: number): void {
    const w = this.w;
    // nginx may answer with `Connection: close`: it closes first and holds the TIME_WAIT.
    const keepsAlive = this.path.keepsAlive(conn);
    if (!keepsAlive) {
      conn.lastActivity = w.now + this.rtt / 2 + think;
      this.path.closeIdle(conn, 0);
      return;
    }
    if (conn.requestsLeft <= 0) {
      // Done: the client closes; its TIME_WAIT is on the client host.
      conn.timer = w.engine.schedule(this.rtt / 2, this.lastCloseCb, conn);
      return;
    }
    const idleClose = this.path.idleCloseAfter(conn, think);
    const clientIdle = this.idleTimeout;
    // When the client closes a connection idle past its timeout: on its pool's timer, or (curl)
    // as its next request looks for a connection.
    const closeAfter = this.idleCloseAtNextUse ? think : clientIdle;
    if (think >= clientIdle && (idleClose < 0 || this.rtt / 2 + closeAfter < idleClose)) {
      // The client's pool closes the idle connection first (its TIME_WAIT stays on the client
      // host) and sends the next request on a new one: it never races nginx's keepalive close.
      conn.lastActivity = w.now + this.rtt / 2 + think;
      conn.timer = w.engine.schedule(this.rtt / 2 + closeAfter, this.idleCloseCb, conn);
      return;
    }
    if (idleClose >= 0) {
      // The connection idles past keepalive_timeout: nginx closes it first, TIME_WAIT lands on
      // the VM, and the client needs a new connection for its next request.
      conn.lastActivity = w.now + this.rtt / 2 + think;
      this.path.closeIdle(conn, idleClose);
      return;
    }
    conn.lastActivity = w.now + this.rtt / 2 + think;
    this.sendWhenDue(conn);
  }

  /**
   * nginx answered with an error of its own that ends keep-alive and closed the connection behind
   * it (proxy/client-conns.ts respondClosing): nginx's FIN, its TIME_WAIT on the VM; the retry
   * (retryOrGiveUp, as any 5xx's) goes on a new connection.
   */
  respondThenClosed(conn: Conn, _status: Status): void {
    const b = servedBy(conn);
    this.stopRequestTimer(conn);
    this.w.end(conn, EndKind.SERVER_FIN);
    this.failedWith5xx(conn, b, false);
  }

  /** A 5xx answer; `keptAlive`: on a connection the server end keeps (respond), else closed behind it. */
  private failedWith5xx(conn: Conn, b: number, keptAlive: boolean): void {
    const w = this.w;
    w.metrics.inc(w.c.responses5xx, b);
    w.error(ErrorKind.HTTP_5XX, b);
    this.retryOrGiveUp(conn, b, keptAlive);
  }

  /** The client's idle timeout closed the connection; the next request goes on a new one. */
  private idleClose(conn: Conn): void {
    this.clientClose(conn);
    conn.timer = this.w.engine.at(conn.lastActivity, this.sendCb, conn);
  }

  /** The client closes after its last request: its end of life, the record retired (core/client-records.ts). */
  private lastClose(conn: Conn): void {
    this.clientClose(conn);
    this.w.retire(conn);
  }

  private clientClose(conn: Conn): void {
    conn.timer = -1;
    if (conn.lbFlow === LbFlow.FORGOTTEN) {
      // The client's FIN meets the forgotten flow: RST.
      this.w.metrics.inc(this.w.c.resetOut, conn.backend);
      this.w.end(conn, EndKind.RESET);
      return;
    }
    this.endFlow(conn, EndKind.CLIENT_FIN);
  }

  /** End the client's connection where it ends (see the constructor's `endFlow`). */
  private endFlow(conn: Conn, how: EndKind): void {
    if (this.endVia === null) this.w.end(conn, how);
    else this.endVia(conn, how);
  }

  /** nginx closed the keepalive connection; the client comes back on a new one when it is ready (eager: at once). */
  closedByServer(conn: Conn): void {
    if (conn.requestsLeft <= 0) {
      this.w.retire(conn);
      return;
    }
    if (this.eager && conn.lastActivity > this.w.now) this.reconnectEagerly(conn);
    else this.sendWhenDue(conn);
  }

  /**
   * The server end (nginx, or the L7 balancer's frontend, which logs its own record) closed the
   * connection as this client sent its next request on it — still on its way (send), or written
   * before the FIN arrived: the request gets RST, ECONNRESET at the client, so it fails and is
   * retried. Counted now (it never reached the server end), which is at most one round trip from
   * when the RST arrives.
   */
  crossedFin(conn: Conn): void {
    const w = this.w;
    const b = conn.backend;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    conn.phase = ReqPhase.NONE;
    conn.upstream = null;
    if (b >= 0)
      w.trace.emitLimited(`ka-race-${b}`, {
        kind: 'client.keepalive_race',
        backend: w.backends[b].name,
        // The server end's idle timeout: nginx's, or a bare app server's own (proxy: none).
        keepaliveTimeout: w.backends[b].bare
          ? w.backends[b].app.config.keepalive_timeout
          : w.backends[b].nginx.config.keepalive_timeout,
        rtt: this.rtt,
        l7: false,
      });
    this.endFlow(conn, EndKind.RESET);
    w.metrics.inc(w.c.requests, b);
    if (this.resentByLibrary(conn, this.writtenOnOpen(conn), conn.lastActivity, b)) return;
    w.error(ErrorKind.ECONNRESET, b);
    // Written at lastActivity; it never reached the server end (request() did not stamp it).
    this.retryOrGiveUp(conn, b, false, conn.lastActivity);
  }

  /** The server side ended the connection under an idle or waiting client (lifecycle events). */
  serverGone(conn: Conn, how: EndKind, inFlight: boolean): void {
    const w = this.w;
    const b = conn.backend;
    // A request on its way (send) meets the closed socket: RST, as one in flight; counted now.
    const onItsWay = !inFlight && this.onItsWay(conn);
    if (onItsWay) w.metrics.inc(w.c.requests, b);
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    this.stopRequestTimer(conn);
    conn.phase = ReqPhase.NONE;
    conn.upstream = null;
    w.end(conn, how);
    if (inFlight || onItsWay) {
      // EOF or RST instead of a response ("socket hang up").
      if (how === EndKind.RESET) w.metrics.inc(w.c.resetOut, b);
      const resent = onItsWay
        ? this.resentByLibrary(conn, this.writtenOnOpen(conn), conn.lastActivity, b)
        : this.resentByLibrary(conn, this.reusedFor(conn), conn.requestStartedAt - this.rtt / 2, b);
      if (resent) return;
      w.error(ErrorKind.ECONNRESET, b);
      this.retryOrGiveUp(conn, b, false, onItsWay ? conn.lastActivity : this.requestWroteAt(conn));
    } else if (conn.requestsLeft > 0) {
      // Idle keepalive connection closed by the server: the client reconnects when it next
      // sends, at the time it had planned (eager: at once, reconnectEagerly).
      if (this.eager && (conn.lastActivity > w.now || conn.requestsServed === 0)) this.reconnectEagerly(conn);
      else conn.timer = w.engine.at(Math.max(w.now, conn.lastActivity), this.sendCb, conn);
    } else w.retire(conn);
  }

  /**
   * The L7 balancer closed the connection under the request in flight with no response (HAProxy
   * abort_keep_alive, src/http_ana.c: a later request of the connection whose server connection
   * failed before any response; lb/l7-http-front.ts closedSilently). An EOF on a reused
   * connection: Node's http client fails the request with "socket hang up" (ECONNRESET), as the
   * calibration client counts it (calibration/haproxy/worker.mjs: outcome EOF); the request is
   * retried per `retries` on a new connection, as after the keep-alive race (crossedFin) — unless
   * the library resends it itself (resentByLibrary: Go's shouldRetryRequest, a reused
   * connection, nothing read).
   */
  closedUnanswered(conn: Conn): void {
    const w = this.w;
    const b = servedBy(conn);
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    conn.phase = ReqPhase.NONE;
    if (this.resentByLibrary(conn, this.reusedFor(conn), conn.requestStartedAt - this.rtt / 2, b)) return;
    w.error(ErrorKind.ECONNRESET, b);
    this.retryOrGiveUp(conn, b);
  }

  /**
   * The request in flight on `conn` went on a connection open before it: it reached the server end
   * after the connection's connect (request: an open connection's request is stamped at its
   * arrival), where a request sent with its connection's handshake is stamped with the wait for
   * it, at or before the connect (send: waitingSince, then the connector's clientConnects stamps
   * connectStartedAt; a resend's is its first write, earlier still).
   */
  private reusedFor(conn: Conn): boolean {
    return conn.requestStartedAt > conn.connectStartedAt;
  }

  /**
   * The request not yet at the server end (on its way, or crossing its FIN) was written on a
   * connection open before it, at conn.lastActivity: a kept-alive one, or one opened ahead of it
   * (reconnect eager). A request that opens its connection is due when the connect starts
   * (send: lastActivity ≤ connectStartedAt) and goes with the handshake — a first request a server
   * end closing at once (a kill, a stop) may cross too.
   */
  private writtenOnOpen(conn: Conn): boolean {
    return conn.lastActivity > conn.connectStartedAt;
  }

  /**
   * When the client wrote the request that reached the server end on `conn` (request() stamped
   * it): on a connection open before it, half a round trip before its arrival; one sent with its
   * connection's handshake (or a library resend), at the wait for the connection — the same
   * clock resentByLibrary's `wroteAt` uses.
   */
  private requestWroteAt(conn: Conn): number {
    return this.reusedFor(conn) ? conn.requestStartedAt - this.rtt / 2 : conn.requestStartedAt;
  }

  /**
   * clients.http.library: a request failed before any byte of its answer on a connection the client
   * `reused` (open before the request), and the library sends it again by itself (http-library.ts
   * resendsOnReusedConnection: Go's shouldRetryRequest, Chromium's ShouldResendRequest, curl's
   * Curl_retry_request) — at once, on a new connection, when the close reaches it (half a round
   * trip after the server end's close or reset, which is now). The program sees no error: none is
   * counted, nor a retry, and the attempt count stands. The resend is the new connection's first
   * request (waitingSince), its latency counted from the first write `wroteAt` (the client's
   * clock); a connection opened for it is not reused, so its own failure is the program's.
   * False: not resent (the caller counts the error and retries per `retries`).
   */
  private resentByLibrary(
    conn: Conn,
    reused: boolean,
    wroteAt: number,
    b: number,
    learnDelay = this.rtt / 2,
    cause: 'closed' | 'etimedout' = 'closed',
  ): boolean {
    if (!this.resendsReused || !reused) return false;
    const w = this.w;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    this.stopRequestTimer(conn);
    if (b >= 0)
      w.trace.emitLimited(`resend-${b}`, {
        kind: 'client.resend',
        backend: w.backends[b].name,
        library: w.scenario.clients.http.library ?? 'node',
        rtt: this.rtt,
        cause,
      });
    // The connection is gone (its end was the caller's): send() opens the new one, and connected()
    // sends the request with its handshake (lastActivity ≤ now: not an eager connection's wait).
    const learnAt = w.now + learnDelay;
    conn.waitingSince = Math.min(wroteAt, learnAt);
    conn.lastActivity = Math.min(conn.lastActivity, learnAt);
    conn.timer = w.engine.at(learnAt, this.sendCb, conn);
    return true;
  }

  /**
   * Retry the failed request after backoff, or give up; `b` is the backend it failed on;
   * `answered`: the failure was an answer on a connection the server end keeps alive (a 5xx
   * without `Connection: close`); `wroteAt`: when the client wrote the failed attempt (by default
   * the one request() stamped), kept as the request's first write at its first failure
   * (firstWrites): the program's retry loop is inside the user's wait.
   */
  private retryOrGiveUp(conn: Conn, b: number, answered = false, wroteAt = this.requestWroteAt(conn)): void {
    const w = this.w;
    const cfg = w.scenario.clients.http;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    this.stopRequestTimer(conn);
    if (conn.attempt < cfg.retries) {
      if (conn.attempt === 0) this.firstWrites.set(conn, wroteAt);
      conn.lastBackoff = backoffDelay(cfg.retry_backoff, conn.attempt, this.retryRng, conn.lastBackoff);
      conn.attempt++;
      w.metrics.inc(w.c.retries, b);
      if (answered && conn.lbFlow !== LbFlow.NONE) {
        // A 5xx on a connection the server end keeps: the retry is the connection's next request,
        // sent after the backoff from the answer's arrival, as any next request after its think
        // time (afterAnswer): the failed request counted towards keepalive_requests — nginx
        // counts every request it reads on the connection whatever its answer (c->requests++ in
        // ngx_http_create_request, src/http/ngx_http_request.c; ngx_http_update_location_config,
        // src/http/ngx_http_core_module.c: `r->connection->requests >= clcf->keepalive_requests`
        // → r->keepalive = 0) — so the answer that reached it, or keepalive_time, says
        // `Connection: close` and the retry goes on a new connection; a backoff past
        // keepalive_timeout (or the client's idle close) finds the connection closed likewise.
        conn.requestsServed++;
        this.afterAnswer(conn, conn.lastBackoff);
        return;
      }
      // The planned send: a server close before it is seen in time (no keepalive race).
      conn.lastActivity = w.now + conn.lastBackoff;
      this.sendWhenDue(conn);
      return;
    }
    conn.lastBackoff = 0;
    w.metrics.inc(w.c.requestsFailed, b);
    conn.attempt = 0;
    this.firstWrites.delete(conn);
    if (this.nextAfterFailure) {
      this.nextAfterGivingUp(conn, answered);
      return;
    }
    // after_failure leave: a user who gives up closes the connection and is gone.
    if (conn.lbFlow !== LbFlow.NONE) this.endFlow(conn, EndKind.CLIENT_FIN);
    w.retire(conn);
  }

  /**
   * clients.http.after_failure next_request: the request failed for good and the calling program
   * goes on with its next one after its think time, as it would after a success. An HTTP client
   * treats a 5xx like any answer: Node's http client returns the socket to its Agent once the
   * response ends whatever its status (lib/_http_client.js responseOnEnd → responseKeepAlive →
   * the socket's 'free'), and nginx keeps the connection after its 502/503/504
   * (src/http/ngx_http_special_response.c ngx_http_special_response_handler ends keep-alive only
   * for its own 400/413/414/497/495/496/500/501: the model's one, worker_connections' 500, comes
   * through respondThenClosed; a status it forwards from the app keeps it too) — so after
   * an answer kept alive the next request goes on the same connection (afterAnswer: the server's
   * keepalive_timeout and keepalive_requests, the client's idle close, as after a 200). After a
   * reset, a timeout, a connect error or a close with no answer the connection is gone (the
   * client's error path destroys the socket) and the next request opens a new one when it is due.
   */
  private nextAfterGivingUp(conn: Conn, answered: boolean): void {
    const w = this.w;
    conn.requestsLeft--;
    if (answered && conn.lbFlow !== LbFlow.NONE) {
      // nginx counts every request on the connection towards keepalive_requests (r->connection->requests).
      conn.requestsServed++;
      this.afterAnswer(conn, this.thinkBeforeNext(conn));
      return;
    }
    if (conn.lbFlow !== LbFlow.NONE) this.endFlow(conn, EndKind.CLIENT_FIN);
    if (conn.requestsLeft <= 0) {
      w.retire(conn);
      return;
    }
    conn.lastActivity = w.now + this.thinkTime.sample(conn.rng);
    this.sendWhenDue(conn);
  }
}

/** The backend that served the request just answered on `conn` (behind an L7 balancer, its stream's), or -1. */
function servedBy(conn: Conn): number {
  if (conn.backend >= 0) return conn.backend;
  return conn.stream !== null ? conn.stream.backend : -1;
}
