import type { Rng } from '../../engine/random.js';
import type { Histogram } from '../../metrics/histogram.js';
import { connectDeadlinePassed, synRetransmitSchedule } from '../../net/tcp.js';
import { Status, type AppJob } from '../core/app-job.js';
import type { AppServer } from '../app/app-server.js';
import { backoffDelay } from './backoff.js';
import { PoissonArrivals } from './arrivals.js';
import { Req } from '../core/request.js';
import { ErrorKind } from '../core/series.js';
import type { World } from '../core/world.js';

/**
 * Open-loop request traffic (the request-level model of issue 4): requests keep arriving at
 * `rate` however slowly they are answered; each attempt has a client timeout after which the
 * client retries (with backoff) while the abandoned attempt may still wait in a server queue.
 * These are the ingredients of a metastable failure (shared/reference §8).
 *
 * The balancer picks a backend per request. In L7 mode it sees status codes and, with
 * `retry_on_5xx`, retries a 5xx; in L4 mode it only sees connection failures (refused, timeout)
 * and passes everything else through. Its retries go to the same server, except the last one
 * with `redispatch`, as in HAProxy. Sticky sessions keep a user on the backend named by its
 * cookie (or source address) while that backend is in service.
 */
export class RequestClients {
  private readonly arrivals: PoissonArrivals;
  private readonly retryRng: Rng;
  private readonly userRng: Rng;
  private readonly pickRng: Rng;
  /** SYN retransmission times of the balancer host's kernel (seconds after the first SYN). */
  private readonly synRetransmits: number[];
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
    this.synRetransmits = synRetransmitSchedule(w.scenario.kernel.tcp_syn_retries, w.scenario.kernel.tcp_syn_linear_timeouts).retransmits;
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
    const req = new Req(this.done);
    req.firstSentAt = w.now;
    const users = this.sessionBackend.length;
    if (users > 0) req.user = Math.floor(this.userRng.next() * users);
    w.metrics.inc(w.c.offered, -1);
    this.send(req);
  }

  private send(req: Req): void {
    const w = this.w;
    req.tried = 0;
    req.clientTimer = w.engine.schedule(w.scenario.clients.requests.timeout, this.clientTimeout, req);
    this.dispatch(req, w.scenario.lb.retries);
  }

  /**
   * The balancer places one attempt on `server`, or on a backend it picks; `lbRetries` are its
   * own retries of connection failures (and, with `retry_on_5xx`, of 5xx answers).
   */
  private dispatch(req: Req, lbRetries: number, server = -1): void {
    const w = this.w;
    if (req.abandoned) return;
    const b = server >= 0 ? server : this.pick(req);
    if (b < 0) {
      // HAProxy answers 503 when the backend has no server available.
      w.trace.emitLimited('lb-no-server-req', { kind: 'lb.no_server_503', pool: 'be' });
      this.answer(req, Status.UNAVAILABLE, -1);
      return;
    }
    req.tried |= 1 << b;
    req.backend = b;
    req.lbRetriesLeft = lbRetries;
    const backend = w.backends[b];
    w.metrics.inc(w.c.attempts, b);
    if (!backend.hostUp) {
      // No RST from a vanished host: the SYNs go unanswered until `timeout connect`.
      w.engine.schedule(w.scenario.lb.connect_timeout, this.connectTimedOut, req);
      return;
    }
    if (!backend.nginx.running || !backend.app.accepting) {
      // Refused at once; HAProxy waits min(timeout connect, 1 s) before retrying the same server.
      w.metrics.inc(w.c.resetIn, b);
      w.engine.schedule(w.scenario.lb.retry_interval, this.connectRefused, req);
      return;
    }
    req.connectStartedAt = w.now;
    req.synAttempt = 0;
    this.sendSyn(req);
  }

  /**
   * One SYN to the attempt's backend. A full accept queue drops it and the balancer's kernel
   * retransmits it on Linux's schedule to the same server, until `timeout connect` ends the
   * attempt (HAProxy then counts a connection retry).
   */
  private sendSyn(req: Req): void {
    const w = this.w;
    const b = req.backend;
    const backend = w.backends[b];
    if (!this.app.acceptsConnection(backend)) {
      w.metrics.inc(w.c.synDrops, b);
      const deadline = req.connectStartedAt + w.scenario.lb.connect_timeout;
      const retransmitAt = req.connectStartedAt + (this.synRetransmits[req.synAttempt++] ?? Infinity);
      w.engine.at(Math.min(retransmitAt, deadline), this.synTimer, req);
      return;
    }
    this.touchSession(req, b);
    this.app.submit(backend, req);
  }

  private readonly synTimer = (req: Req): void => {
    if (req.abandoned) return;
    if (connectDeadlinePassed(this.w.now, req.connectStartedAt, this.w.scenario.lb.connect_timeout)) this.connectTimedOut(req);
    else this.sendSyn(req);
  };

  private readonly connectTimedOut = (req: Req): void => this.retryConnection(req, true);
  private readonly connectRefused = (req: Req): void => this.retryConnection(req, false);

  /** A connection attempt failed: retry it while the balancer has retries, else give up. */
  private retryConnection(req: Req, timedOut: boolean): void {
    if (req.abandoned) return;
    if (req.lbRetriesLeft > 0) this.lbRetry(req);
    else this.connectFailed(req, timedOut, req.backend);
  }

  /**
   * HAProxy retries on the same server; with `option redispatch` its last retry goes to another
   * one (reference: configuration.txt "retries", "option redispatch").
   */
  private lbRetry(req: Req): void {
    const left = req.lbRetriesLeft - 1;
    this.dispatch(req, left, this.w.scenario.lb.redispatch && left === 0 ? -1 : req.backend);
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
    const epoch = w.backends[b].app.epoch;
    if (w.scenario.clients.requests.session_store === 'memory' && home >= 0) {
      const lost = home !== b || this.sessionEpoch[req.user] !== epoch;
      if (lost) {
        w.metrics.inc(w.c.sessionsLost, home);
        w.trace.emitLimited('session-lost', { kind: 'app.session_lost', backend: w.backends[b].name, user: req.user, home: w.backends[home].name });
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
      // The L7 balancer saw the 5xx and retries it (retry-on 5xx); the client does not see it.
      w.metrics.inc(w.c.req5xx, req.backend);
      this.lbRetry(req);
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
    const next = new Req(this.done);
    next.attempt = req.attempt + 1;
    next.firstSentAt = req.firstSentAt;
    next.user = req.user;
    next.lastBackoff = backoffDelay(cfg.backoff, req.attempt, this.retryRng, req.lastBackoff);
    w.metrics.inc(w.c.retries, b);
    w.engine.schedule(next.lastBackoff, this.resend, next);
  }

  private readonly resend = (req: Req): void => this.send(req);
}
