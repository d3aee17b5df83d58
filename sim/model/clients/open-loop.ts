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
    req.firstSentAt = w.now;
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
   * skipped or parked until one frees (connection-pool.ts). False: not to be sent now.
   */
  private onIdleConnection(req: Req): boolean {
    const pool = this.pool!;
    const c = pool.take();
    if (c >= 0) {
      req.user = c;
      return true;
    }
    if (pool.whenBusy === 'wait') pool.park(req);
    else {
      this.w.trace.emitLimited('pool-skipped', { kind: 'client.pool_skipped', connections: pool.connections });
      req.letGo(HOLDERS);
    }
    return false;
  }

  /** The client is through with a request: its pooled connection is free, or takes a parked one. */
  private connectionFree(req: Req): void {
    if (this.pool === null) return;
    const next = this.pool.release(req.user);
    if (next === null) return;
    next.user = req.user;
    // Sent from its own event, not from inside the answer being delivered.
    this.w.engine.schedule(0, this.resend, next);
  }

  private send(req: Req): void {
    const w = this.w;
    // On a kept-alive connection of the client's pool: not its first request (TX_NOT_FIRST).
    req.notFirst = this.reusedConnections;
    req.clientTimer = w.engine.schedule(w.scenario.clients.requests.timeout, this.clientTimeout, req);
    this.upstream.send(req);
  }

  /** No proxy answered for the failed connection: the client sees `kind` (hop.ts RequestDownstream). */
  connectFailed(req: Req, kind: ErrorKind, b: number): void {
    const w = this.w;
    w.engine.cancel(req.clientTimer);
    w.error(kind, b);
    this.retryOrFail(req, b);
  }

  /**
   * The L7 balancer closed the attempt's kept-alive connection with no response (hop.ts): EOF,
   * "socket hang up" (ECONNRESET) to the client, retried per `retries`.
   */
  closedSilently(req: Req, b: number): void {
    this.connectFailed(req, ErrorKind.ECONNRESET, b);
  }

  /** The client receives an answer for its attempt. */
  answered(req: Req, status: Status, b: number): void {
    const w = this.w;
    w.engine.cancel(req.clientTimer);
    if (status === Status.OK) {
      w.metrics.inc(w.c.goodput, b);
      this.latency.record(w.now - req.firstSentAt);
      this.connectionFree(req);
      req.letGo(HOLD_CLIENT);
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
      this.connectionFree(req);
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
    w.engine.schedule(next.lastBackoff, this.resend, next);
    // Only now, every field of the old attempt read: its record may become `next` of a later retry.
    req.letGo(HOLD_CLIENT);
  }

  private readonly resend = (req: Req): void => this.send(req);
}
