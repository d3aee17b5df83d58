import type { Rng } from '../../engine/random.js';
import type { Histogram } from '../../metrics/histogram.js';
import { type AppJob, Status } from '../core/app-job.js';
import type { RequestDownstream, RequestUpstream } from '../core/hop.js';
import type { Population } from '../core/populations.js';
import { HOLD_BALANCER, HOLD_CLIENT, type Req, ReqPool } from '../core/request.js';
import { ErrorKind } from '../core/series.js';
import type { World } from '../core/world.js';
import { type Arrivals, PacedArrivals, PoissonArrivals } from './arrivals.js';
import { backoffDelay } from './backoff.js';
import { ConnectionPool } from './connection-pool.js';
import { resendsOnReusedConnection } from './http-library.js';

/** A request before the balancer has taken it (the balancer sets the real handler). */
const notSent = (_job: AppJob): void => {};

/** An attempt's record is held by the client population and by the balancer path (ReqPool). */
const HOLDERS = HOLD_CLIENT | HOLD_BALANCER;

/**
 * Open-loop request traffic (the request-level model of issue 4): requests keep arriving at
 * `rate` however slowly they are answered; each attempt has a client timeout after which the
 * client retries (with backoff) while the abandoned attempt may still wait in a server queue.
 * These are the ingredients of a metastable failure (shared/reference §8). The balancer in front
 * of the backends is lb/l7-dispatch.ts, reached through hop.ts.
 *
 * The client is `clients.rtt` away from the balancer, and the model runs on the balancer's clock
 * with no event of its own for the way there and back: an arrival (or a retry's send) is the
 * instant the attempt reaches the balancer, the client having sent it `toBalancer` earlier, and
 * what the balancer sends back reaches the client half a round trip after the balancer's call
 * (`learnDelay`). `toBalancer` is half a round trip on a kept-alive connection
 * (`reused_connections`, `pool`); on a new connection — every other request — the handshake comes
 * first: the SYN-ACK is back at the client one round trip after its connect(), which then writes
 * the request with its final ACK, and the balancer accept()s and reads it half a round trip later
 * (HAProxy: session_accept_fd → stream_new, src/stream.c; http_wait_for_request, src/http_ana.c;
 * in `mode tcp` the stream connects to its server at that accept, CF_AUTO_CONNECT), 1.5 round
 * trips in, as lb/l4-connect.ts proxyCloses counts it for keep-alive clients. Behind a NAT the
 * server's own handshake takes the same time (the model's SYN and request at one instant, the
 * request's). So a request's latency is its service plus one round trip, plus one more for a new
 * connection, as a keep-alive client's (clients/http-keepalive.ts).
 */
export class RequestClients implements RequestDownstream, Population {
  private readonly arrivals: Arrivals;
  private readonly retryRng: Rng;
  private readonly userRng: Rng;
  /** The source address of each anonymous request (see `arrive`). */
  private readonly addressRng: Rng;
  /** `clients.source_ips`: the addresses anonymous requests come from. */
  private readonly sourceIps: number;
  private readonly latency: Histogram;
  private readonly users: number;
  /** `reused_connections`: every attempt goes on a connection that carried one before. */
  private readonly reusedConnections: boolean;
  /**
   * Attempt records, recycled: each is held by this population until it is through with the
   * attempt (answer, failed connect or timeout) and by the balancer until it is through with it
   * (lb/l7-dispatch.ts `letGo`); see core/request.ts ReqPool.
   */
  private readonly reqs = new ReqPool(notSent);
  /** `pool`: user u is connection u, one request at a time (connection-pool.ts); null: none. */
  private readonly pool: ConnectionPool | null;
  /** Half of `clients.rtt`: what the balancer sends back reaches the client this much later. */
  private readonly halfRtt: number;
  /** From the client's send (its connect() on a new connection) to the balancer's receipt. */
  private readonly toBalancer: number;
  /** The client timer's delay on the balancer's clock (see send). */
  private readonly timerDelay: number;
  /** lb.mode nat: the client's own SYN meets the refusal or the silence (learnDelay). */
  private readonly behindNat: boolean;
  /**
   * What a kept-alive connection's next use pays once a failure closed it (EOF, a reset, the
   * client's own give-up, a refused or unanswered connect): the client opens a new connection
   * first, as the calibration client does (worker.mjs lost(): socket.destroy(), openConn(slot)) —
   * one round trip more than `toBalancer` there; 0 where every request opens its own (review34 #4).
   */
  private readonly reconnect: number;
  /** When the client learns of its own give-up, from the timer's firing (clientTimeout). */
  private readonly timeoutLearn: number;
  /** `library`: the client library resends a request its reused connection was closed under (resendByLibrary). */
  private readonly resendsReused: boolean;
  /** The client's round trip (`clients.rtt`). */
  private readonly rtt: number;

  constructor(
    private readonly w: World,
    private readonly upstream: RequestUpstream,
  ) {
    const cfg = w.scenario.clients.requests;
    const arrive = (): void => this.arrive();
    this.arrivals =
      cfg.arrivals === 'paced'
        ? new PacedArrivals(w.engine, cfg.rate, arrive)
        : new PoissonArrivals(w.engine, w.streams.stream('clients.requests.arrivals'), cfg.rate, arrive);
    this.retryRng = w.streams.stream('clients.requests.retry');
    this.userRng = w.streams.stream('clients.requests.user');
    this.addressRng = w.streams.stream('clients.requests.address');
    this.sourceIps = w.scenario.clients.source_ips;
    this.latency = w.metrics.histogram('open_loop_latency');
    this.users = cfg.users;
    this.reusedConnections = cfg.reused_connections === true;
    this.pool = cfg.pool === undefined ? null : new ConnectionPool(cfg.users, cfg.pool.when_busy);
    const rtt = w.scenario.clients.rtt;
    this.halfRtt = rtt / 2;
    this.toBalancer = this.reusedConnections || this.pool !== null ? rtt / 2 : 1.5 * rtt;
    this.timerDelay = Math.max(0, cfg.timeout - rtt);
    // The give-up is at write + timeout: half a round trip after the timer when timeout ≥ rtt,
    // earlier (even before the balancer's receipt) for a timeout shorter than the round trip.
    this.timeoutLearn = cfg.timeout - this.halfRtt - this.timerDelay;
    this.behindNat = w.scenario.lb.mode === 'nat';
    this.reconnect = this.reusedConnections || this.pool !== null ? rtt : 0;
    this.rtt = rtt;
    // The open-loop requests are GETs (Go resends only a replayable request).
    this.resendsReused = resendsOnReusedConnection({ ...w.scenario.clients.http, library: cfg.library, method: 'GET' });
  }

  start(): void {
    this.arrivals.start();
  }

  setRate(rate: number): void {
    this.arrivals.setRate(rate);
  }

  private arrive(): void {
    const w = this.w;
    const req = this.reqs.take(HOLDERS);
    // The arrival is the balancer's receipt: its client asked `toBalancer` earlier.
    req.firstSentAt = w.now - this.toBalancer;
    w.metrics.inc(w.c.offered, -1);
    if (this.pool !== null) {
      // A pooled client: the request's connection (its user) is the next idle one.
      if (this.onIdleConnection(req)) this.send(req);
      return;
    }
    // A user sends from its own address (lb/l7-dispatch.ts: user u from u mod source_ips).
    // Anonymous traffic is many clients with a request each: each request comes from its own
    // client, so from an address drawn uniformly over clients.source_ips (its own stream: the
    // other draws do not move), and `balance source` (get_server_sh(), src/backend.c) spreads it
    // as it spreads those clients instead of hashing every request from one address.
    if (this.users > 0) req.user = Math.floor(this.userRng.next() * this.users);
    else req.clientAddress = Math.floor(this.addressRng.next() * this.sourceIps);
    this.send(req);
  }

  /**
   * A pooled client's request takes the next idle connection (its user); with none idle it is
   * skipped or waits until one frees (connection-pool.ts). False: not to be sent now.
   */
  private onIdleConnection(req: Req): boolean {
    const pool = this.pool!;
    const w = this.w;
    const c = pool.take(w.now);
    if (c >= 0) {
      req.user = c;
      return true;
    }
    if (pool.whenBusy === 'wait') {
      // A connection the client has not yet learned is free (its answer still on the way) takes
      // this request when it learns: sent then, at the balancer as the connection is idle there.
      const released = pool.soonestReleased();
      if (released < 0) pool.park(req);
      else {
        req.user = released;
        w.engine.schedule(pool.claim(released) - w.now, this.resend, req);
      }
    } else {
      this.w.trace.emitLimited('pool-skipped', { kind: 'client.pool_skipped', connections: pool.connections });
      req.letGo(HOLDERS);
    }
    return false;
  }

  /**
   * The client is through with a request, `learnDelay` from now (its answer on the way): its
   * pooled connection is free for the requests that reach the balancer a way there later, or
   * takes a parked one, sent when the client learns.
   */
  private connectionFree(req: Req, learnDelay: number, closed = false): void {
    if (this.pool === null) return;
    const delay = Math.max(0, learnDelay + this.toBalancer + (closed ? this.reconnect : 0));
    const next = this.pool.release(req.user, this.w.now + delay);
    if (next === null) return;
    next.user = req.user;
    // Sent from its own event, not from inside the answer being delivered.
    this.w.engine.schedule(delay, this.resend, next);
  }

  /**
   * The attempt reaches the balancer now. The client's timer runs from its write (half a round
   * trip ago: on a new connection the handshake came before it) to write + timeout, and an answer
   * counts if it reaches the client by then: if the balancer sends it before the timer's instant
   * here, half a round trip before the client's deadline. So the timer fires `timeout - rtt` from
   * now, standing for the client's give-up half a round trip later (clientTimeout).
   */
  private send(req: Req, fresh = false): void {
    const w = this.w;
    // On a kept-alive connection of the client's pool: not its first request (TX_NOT_FIRST);
    // a library's resend (`fresh`) is the first of the new connection it opened.
    req.notFirst = this.reusedConnections && !fresh;
    req.clientTimer = w.engine.schedule(this.timerDelay, this.clientTimeout, req);
    this.upstream.send(req);
  }

  /** No proxy answered for the failed connection: the client sees `kind` (hop.ts RequestDownstream). */
  connectFailed(req: Req, kind: ErrorKind, b: number): void {
    const w = this.w;
    w.engine.cancel(req.clientTimer);
    w.error(kind, b);
    this.retryOrFail(req, b, this.learnDelay(kind), true);
  }

  /**
   * When the client learns of a failed connection, from the balancer's call: what the balancer
   * sends (HAProxy mode tcp's FIN, a reset) half a round trip later. Behind a NAT the client's own
   * SYN met it: a refusal (the VM's RST, kube-proxy's REJECT) is back one round trip after the SYN
   * (lb/l4-connect.ts synAnswered), the SYN having left with the client's connect(), `toBalancer`
   * before the model's; its own kernel's give-up (ETIMEDOUT) comes on the SYN schedule the model
   * counts from its connect, and its own connect timer (CLIENT_TIMEOUT) from that connect too,
   * so `toBalancer` before the call. Negative: the client learned before
   * the balancer's instant (its retry still leaves after it: retryOrFail).
   */
  private learnDelay(kind: ErrorKind): number {
    if (!this.behindNat) return this.halfRtt;
    if (kind === ErrorKind.ECONNREFUSED) return 2 * this.halfRtt - this.toBalancer;
    if (kind === ErrorKind.ETIMEDOUT || kind === ErrorKind.CLIENT_TIMEOUT) return -this.toBalancer;
    return this.halfRtt;
  }

  /**
   * The L7 balancer closed the attempt's kept-alive connection with no response (hop.ts): EOF,
   * "socket hang up" (ECONNRESET) to the client, retried per `retries`.
   */
  closedSilently(req: Req, b: number): void {
    if (this.resendsReused && req.notFirst) this.resendByLibrary(req, b);
    else this.connectFailed(req, ErrorKind.ECONNRESET, b);
  }

  /**
   * `library` go, browser or curl: the EOF on the reused connection is not the program's — the
   * library sends the request again by itself, at once, on a new connection (http-library.ts
   * resendsOnReusedConnection; keep-alive clients: http-keepalive.ts resentByLibrary). Not an
   * error, nor a retry (the attempt count stands); the client learns of the close half a round
   * trip from now and its new connection's request reaches the balancer 1.5 round trips after its
   * connect(), the first of that connection (so not resent again); latency from the first write.
   */
  private resendByLibrary(req: Req, b: number): void {
    const w = this.w;
    w.engine.cancel(req.clientTimer);
    if (b >= 0)
      w.trace.emitLimited(`resend-${b}`, {
        kind: 'client.resend',
        backend: w.backends[b].name,
        library: w.scenario.clients.requests.library ?? 'node',
        rtt: this.rtt,
        cause: 'closed',
      });
    const next = this.reqs.take(HOLDERS);
    next.attempt = req.attempt;
    next.firstSentAt = req.firstSentAt;
    next.user = req.user;
    next.clientAddress = req.clientAddress;
    next.lastBackoff = req.lastBackoff;
    w.engine.schedule(this.halfRtt + 1.5 * this.rtt, this.resendFresh, next);
    // Only now, every field of the old attempt read: its record may be reused.
    req.letGo(HOLD_CLIENT);
  }

  private readonly resendFresh = (req: Req): void => this.send(req, true);

  /** The client receives an answer for its attempt. */
  answered(req: Req, status: Status, b: number): void {
    const w = this.w;
    w.engine.cancel(req.clientTimer);
    if (status === Status.OK) {
      w.metrics.inc(w.c.goodput, b);
      // It reaches the client half a round trip from now.
      this.latency.record(w.now + this.halfRtt - req.firstSentAt);
      this.connectionFree(req, this.halfRtt);
      req.letGo(HOLD_CLIENT);
      return;
    }
    w.metrics.inc(w.c.req5xx, b);
    w.metrics.inc(w.c.errors, b);
    // HAProxy's own error reply closes the client connection (http_reply_and_close(), src/http_ana.c:
    // channel_abort + channel_shutr_now; lb/l7-http-front.ts does the same for keep-alive clients),
    // so the retry opens a new one; a server's 5xx passed through leaves it open (review35 #1).
    this.retryOrFail(req, b, this.halfRtt, req.lbReply);
  }

  /**
   * The client's deadline is half a round trip from now (send; earlier for a timeout shorter than
   * the round trip, timeoutLearn): no answer sent since can make it. The client's own timer, not
   * an errno (curl exit 28, Go's Client.Timeout, axios ECONNABORTED): err_client_timeout, with
   * `errors`, as every other error kind is counted (world.ts error()).
   */
  private readonly clientTimeout = (req: Req): void => {
    const w = this.w;
    req.abandoned = true;
    // Its close reaches the balancer, which may end the stream there (`option abortonclose`).
    this.upstream.abandon(req);
    w.metrics.inc(w.c.reqTimeouts, req.backend);
    w.error(ErrorKind.CLIENT_TIMEOUT, req.backend);
    // It closes its connection: the retry (or the pooled connection's next request) opens a new one.
    this.retryOrFail(req, req.backend, this.timeoutLearn, true);
  };

  /**
   * The attempt failed; the client learns it `learnDelay` from now. It retries after its backoff
   * from then: the retry reaches the balancer its way there later, a new connection's round trip
   * more when the failure `closed` a kept-alive one (reconnect).
   */
  private retryOrFail(req: Req, b: number, learnDelay: number, closed = false): void {
    const w = this.w;
    const cfg = w.scenario.clients.requests;
    if (req.attempt >= cfg.retries) {
      w.metrics.inc(w.c.reqFailed, b);
      this.connectionFree(req, learnDelay, closed);
      req.letGo(HOLD_CLIENT);
      return;
    }
    const next = this.reqs.take(HOLDERS);
    next.attempt = req.attempt + 1;
    next.firstSentAt = req.firstSentAt;
    next.user = req.user;
    // The retry is the same client's: from the same address.
    next.clientAddress = req.clientAddress;
    next.lastBackoff = backoffDelay(cfg.backoff, req.attempt, this.retryRng, req.lastBackoff);
    w.metrics.inc(w.c.retries, b);
    const connect = closed ? this.reconnect : 0;
    w.engine.schedule(Math.max(0, learnDelay + next.lastBackoff + this.toBalancer + connect), this.resend, next);
    // Only now, every field of the old attempt read: its record may become `next` of a later retry.
    req.letGo(HOLD_CLIENT);
  }

  private readonly resend = (req: Req): void => this.send(req);
}
