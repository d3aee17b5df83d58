import type { Rng } from '../engine/random.js';
import type { Histogram } from '../metrics/histogram.js';
import { Status, type AppJob } from './app-job.js';
import type { AppServer } from './app-server.js';
import { backoffDelay } from './backoff.js';
import { PoissonArrivals } from './poisson-arrivals.js';
import { Req, ReqKind } from './request.js';
import { ErrorKind } from './series.js';
import type { World } from './world.js';

/**
 * Open-loop request traffic (the request-level model of issue 4): requests keep arriving at
 * `rate` however slowly they are answered; each attempt has a client timeout after which the
 * client retries (with backoff) while the abandoned attempt may still wait in a server queue.
 * These are the ingredients of a metastable failure (shared/reference §8).
 *
 * The balancer picks a backend per request. In L7 mode it sees status codes and, with
 * `retry_on_5xx`, retries a 5xx on another backend; in L4 mode it only sees connection failures
 * (refused, timeout) and passes everything else through. Sticky sessions keep a user on the
 * backend named by its cookie (or source address) while that backend is in service.
 */
export class RequestClients {
  private readonly arrivals: PoissonArrivals;
  private readonly retryRng: Rng;
  private readonly userRng: Rng;
  private readonly pickRng: Rng;
  private readonly latency: Histogram;
  /** Backend holding each user's session, and that backend's process epoch then. */
  private readonly sessionBackend: Int32Array;
  private readonly sessionEpoch: Float64Array;

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {
    const cfg = w.scenario.clients.requests;
    this.arrivals = new PoissonArrivals(w.engine, w.streams.stream('clients.requests.arrivals'), cfg.rate, () => this.arrive());
    this.retryRng = w.streams.stream('clients.requests.retry');
    this.userRng = w.streams.stream('clients.requests.user');
    this.pickRng = w.streams.stream('lb.pick.requests');
    this.latency = w.metrics.histogram('open_loop_latency');
    this.sessionBackend = new Int32Array(cfg.users).fill(-1);
    this.sessionEpoch = new Float64Array(cfg.users);
  }

  start(): void {
    this.arrivals.start();
  }

  setRate(rate: number): void {
    this.arrivals.setRate(rate);
  }

  private arrive(): void {
    const w = this.w;
    const req = new Req(ReqKind.REQUEST, this.done);
    req.firstSentAt = w.now;
    const users = this.sessionBackend.length;
    if (users > 0) req.user = Math.floor(this.userRng.next() * users);
    w.metrics.inc(w.c.offered, -1);
    this.send(req);
  }

  private send(req: Req): void {
    const w = this.w;
    req.sentAt = w.now;
    req.tried = 0;
    req.clientTimer = w.engine.schedule(w.scenario.clients.requests.timeout, this.clientTimeout, req);
    this.dispatch(req, w.scenario.lb.retries);
  }

  /** The balancer places one attempt; `lbRetries` are its own retries of connection failures. */
  private dispatch(req: Req, lbRetries: number): void {
    const w = this.w;
    if (req.abandoned) return;
    const b = this.pick(req);
    if (b < 0) {
      // HAProxy answers 503 when the backend has no server available.
      w.log.logLimited('lb-no-server-req', 'lb', `backend 'be' has no server available: 503 Service Unavailable`);
      this.answer(req, Status.UNAVAILABLE, -1);
      return;
    }
    req.tried |= 1 << b;
    const backend = w.backends[b];
    w.metrics.inc(w.c.attempts, b);
    if (!backend.hostUp || !backend.nginxUp || !backend.appUp || !backend.appAccepting) {
      const vanished = !backend.hostUp;
      if (!vanished) w.metrics.inc(w.c.resetIn, b);
      const retry = (r: Req) => {
        if (r.abandoned) return;
        if (lbRetries > 0) this.dispatch(r, lbRetries - 1);
        else this.connectFailed(r, vanished, b);
      };
      w.engine.schedule(vanished ? w.scenario.lb.connect_timeout : w.scenario.lb.retry_interval, retry, req);
      return;
    }
    if (!this.app.acceptsConnection(backend)) {
      // SYN dropped by the app's full accept queue: the kernel retransmits it after 1 s (HAProxy
      // counts it as a connection retry and may redispatch).
      w.metrics.inc(w.c.synDrops, b);
      const retry = (r: Req) => {
        if (r.abandoned) return;
        if (lbRetries > 0) this.dispatch(r, lbRetries - 1);
        else this.answer(r, Status.UNAVAILABLE, b);
      };
      w.engine.schedule(1, retry, req);
      return;
    }
    this.touchSession(req, b);
    req.lbRetriesLeft = lbRetries;
    this.app.submit(backend, req);
  }

  private pick(req: Req): number {
    const w = this.w;
    const lb = w.lb;
    const sticky = w.scenario.lb.sticky;
    if (req.user >= 0 && sticky === 'cookie') {
      const home = this.sessionBackend[req.user];
      if (home >= 0 && lb.eligible(home) && !(req.tried & (1 << home))) return home;
    }
    const clientIp = sticky === 'source' && req.user >= 0 ? req.user : 0;
    // Redispatch: a backend this attempt has not tried yet, if any is left.
    const fresh = lb.pick(this.pickRng, clientIp, req.tried);
    return fresh >= 0 ? fresh : lb.pick(this.pickRng, clientIp, 0);
  }

  /** Sessions in backend memory survive only on the same backend process that created them. */
  private touchSession(req: Req, b: number): void {
    if (req.user < 0) return;
    const w = this.w;
    const home = this.sessionBackend[req.user];
    const epoch = w.backends[b].epoch;
    if (w.scenario.clients.requests.session_store === 'memory' && home >= 0) {
      const lost = home !== b || this.sessionEpoch[req.user] !== epoch;
      if (lost) {
        w.metrics.inc(w.c.sessionsLost, home);
        w.log.logLimited('session-lost', 'app', `${w.backends[b].name}: session of user ${req.user} not found (was on ${w.backends[home].name}): user logged out`);
      }
    }
    this.sessionBackend[req.user] = b;
    this.sessionEpoch[req.user] = epoch;
  }

  private readonly done = (job: AppJob): void => {
    const req = job as Req;
    const w = this.w;
    if (req.abandoned) {
      w.metrics.inc(w.c.wasted, req.backend);
      return;
    }
    if (req.status !== Status.OK && w.scenario.lb.mode === 'l7' && w.scenario.lb.retry_on_5xx && req.lbRetriesLeft > 0) {
      // The L7 balancer saw the 5xx and retries it elsewhere; the client never sees it.
      w.metrics.inc(w.c.req5xx, req.backend);
      this.dispatch(req, req.lbRetriesLeft - 1);
      return;
    }
    this.answer(req, req.status, req.backend);
  };

  /**
   * The balancer could not connect. An L7 proxy answers the client 502/504; through an L4
   * balancer (kube-proxy, NAT) the client sees the refusal or the timeout itself.
   */
  private connectFailed(req: Req, vanished: boolean, b: number): void {
    const w = this.w;
    if (w.scenario.lb.mode === 'l7') return this.answer(req, vanished ? Status.GATEWAY_TIMEOUT : Status.BAD_GATEWAY, b);
    w.engine.cancel(req.clientTimer);
    w.error(vanished ? ErrorKind.ETIMEDOUT : ErrorKind.ECONNREFUSED, b);
    this.retryOrFail(req, b);
  }

  /** The client receives an answer for its attempt. */
  private answer(req: Req, status: Status, b: number): void {
    const w = this.w;
    w.engine.cancel(req.clientTimer);
    if (status === Status.OK) {
      w.metrics.inc(w.c.goodput, b);
      this.latency.record(w.now - req.firstSentAt);
      return;
    }
    w.metrics.inc(w.c.req5xx, b);
    w.metrics.inc(w.c.errors, b);
    this.retryOrFail(req, b);
  }

  private readonly clientTimeout = (req: Req): void => {
    const w = this.w;
    req.abandoned = true;
    w.metrics.inc(w.c.reqTimeouts, req.backend);
    w.metrics.inc(w.c.errors, req.backend);
    this.retryOrFail(req, req.backend);
  };

  private retryOrFail(req: Req, b: number): void {
    const w = this.w;
    const cfg = w.scenario.clients.requests;
    if (req.attempt >= cfg.retries) {
      w.metrics.inc(w.c.reqFailed, b);
      return;
    }
    const next = new Req(ReqKind.REQUEST, this.done);
    next.attempt = req.attempt + 1;
    next.firstSentAt = req.firstSentAt;
    next.user = req.user;
    next.lastBackoff = backoffDelay(cfg.backoff, req.attempt, this.retryRng, req.lastBackoff);
    w.metrics.inc(w.c.retries, b);
    w.engine.schedule(next.lastBackoff, this.resend, next);
  }

  private readonly resend = (req: Req): void => this.send(req);
}
