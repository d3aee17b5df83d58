import { preferDoubleFields } from '../../engine/double-fields.js';
import type { AppJob } from './app-job.js';
import { NO_FIXED_SERVICE, ReqPhase, Status } from './app-job.js';
import { hasBackend, NO_BACKENDS, type PackedBackends, withBackend } from './backend-set.js';

const notServed = (): void => {};

/** Holders of a pooled request (ReqPool): the client population that sent it ... */
export const HOLD_CLIENT = 1;
/** ... and the balancer, until it is through with the attempt (lb/l7-dispatch.ts `letGo`: the server's answer, its own 503, a failed connect, or an abandoned attempt it meets). */
export const HOLD_BALANCER = 2;

/** One independent request (request-level model) or one health-check request. */
export class Req implements AppJob {
  phase: ReqPhase = ReqPhase.NONE;
  backend = -1;
  timer = -1;
  serviceEnd = 0;
  status: Status = Status.OK;
  deep = true;
  fixedService = NO_FIXED_SERVICE;
  depTimeout = Infinity;
  depTimeoutStatus: Status = Status.UNAVAILABLE;
  /** Attempt number of the logical request (0 = first try). */
  attempt = 0;
  /** When the user first asked (latency and goodput are measured from here). */
  firstSentAt = 0;
  /** The client stopped waiting for this attempt (timeout); a late answer is wasted work. */
  abandoned = false;
  /** Backends already tried by the LB for this attempt, for redispatch: one field (backend-set.ts). */
  tried: PackedBackends = NO_BACKENDS;
  /** The client's previous backoff delay (decorrelated jitter grows from it). */
  lastBackoff = 0;
  /** Connection retries the balancer still has for this attempt. */
  lbRetriesLeft = 0;
  /** The balancer sent this attempt to its server through persistence (cookie: HAProxy SF_DIRECT). */
  persistent = false;
  /** The balancer's next retry is load-balanced again (a redispatch) instead of kept on `backend`. */
  redispatchNext = false;
  /**
   * The balancer itself ended this stream (`timeout server`, shutdown-sessions: `abandoned` set
   * there), as against a stream whose client gave up (`abandoned` set by the client: abandon(),
   * clients/open-loop.ts clientTimeout). Only the latter may go on connecting (lb/l7-dispatch.ts
   * connectGoesOn). A flag rather than a set of records: no hash per request, nothing kept
   * after release.
   */
  lbEnded = false;
  /** Its place in the balancer's queue while it waits for a server slot (lb/queue.ts QueueEntry), null: none. */
  queueEntry: object | null = null;
  /** The stream waits out the balancer's turn-around pause, counted in LoadBalancer.turnAround (lb/l7-dispatch.ts). */
  lbPausing = false;
  /** When the balancer's current connect() to the backend began, and the SYNs sent since. */
  connectStartedAt = 0;
  synAttempt = 0;
  user = -1;
  /** The client address the balancer hashes (`balance source`) when the request has no user. */
  clientAddress = 0;
  /** The server whose stream count (`srv->served`) holds this attempt now, -1: none (lb/l7-dispatch.ts). */
  streamServer = -1;
  /** The balancer answered this attempt itself (503 with no server or a failed connect), not a server. */
  lbReply = false;
  /** Client-side timeout timer. */
  clientTimer = -1;
  /** The L7 balancer's `timeout server` while it waits for the server's answer (lb/l7-dispatch.ts). */
  serverTimer = -1;
  /** Behind an L7 balancer: the server connection this attempt holds (lb/l7-server-conns.ts SrvConn). */
  srvConn = 0;
  /** Which process / nginx generation of the server accepted that connection (lb/l7-server-conns.ts). */
  srvConnKey = 0;
  /** Requests that connection had served before this one. */
  srvConnServed = 0;
  /** When that connection was connected (nginx's c->start_time, within a round trip), and its age when this request was sent on it (nginx keepalive_time). */
  srvConnOpenedAt = 0;
  srvConnAge = 0;
  /** The balancer host's local port of that connection (or of its connect() under way); -1: none. */
  srvConnPort = -1;
  /** The client connection (HAProxy session) this request came on; null: its own, one-request connection. */
  session: object | null = null;
  /** Not the first request on its client connection (HAProxy TX_NOT_FIRST). */
  notFirst = false;
  /** The app's jobs in service (job-list.ts) while this request is in one. */
  inList: object | null = null;
  indexInList = -1;
  /** The pool that recycles this record (null: not pooled) and the parties still holding it (HOLD_*). */
  pool: ReqPool | null = null;
  holds = 0;
  constructor(public onDone: (job: AppJob) => void) {}

  // Times and timer ids become fractions or exceed 2^31: double fields from the start (engine/double-fields.ts).
  static {
    preferDoubleFields(new Req(notServed), [
      'timer',
      'serviceEnd',
      'firstSentAt',
      'lastBackoff',
      'connectStartedAt',
      'clientTimer',
      'serverTimer',
    ]);
  }

  /**
   * One holder is through with this attempt (ReqPool): the last one hands the record back. Any
   * further use of it is a use-after-release (a frozen record under `ReqPool.debug`).
   */
  letGo(holder: number): void {
    if (this.pool === null) return;
    if ((this.holds & holder) === 0) throw new Error(`Req.letGo: holder ${holder} let go of this request already`);
    this.holds &= ~holder;
    if (this.holds === 0) this.pool.release(this);
  }

  /** Back to the state of a new record (every field as its initializer above sets it). */
  reset(onDone: (job: AppJob) => void): void {
    this.phase = ReqPhase.NONE;
    this.backend = -1;
    this.timer = -1;
    this.serviceEnd = 0;
    this.status = Status.OK;
    this.deep = true;
    this.fixedService = NO_FIXED_SERVICE;
    this.depTimeout = Infinity;
    this.depTimeoutStatus = Status.UNAVAILABLE;
    this.attempt = 0;
    this.firstSentAt = 0;
    this.abandoned = false;
    this.tried = NO_BACKENDS;
    this.lastBackoff = 0;
    this.lbRetriesLeft = 0;
    this.persistent = false;
    this.redispatchNext = false;
    this.lbEnded = false;
    this.queueEntry = null;
    this.lbPausing = false;
    this.connectStartedAt = 0;
    this.synAttempt = 0;
    this.user = -1;
    this.clientAddress = 0;
    this.streamServer = -1;
    this.lbReply = false;
    this.clientTimer = -1;
    this.serverTimer = -1;
    this.srvConn = 0;
    this.srvConnKey = 0;
    this.srvConnServed = 0;
    this.srvConnOpenedAt = 0;
    this.srvConnAge = 0;
    this.srvConnPort = -1;
    this.session = null;
    this.notFirst = false;
    // inList / indexInList are JobList's: ReqPool.release found them clear already.
    this.onDone = onDone;
  }

  /** Forget the backends tried (a new attempt). */
  clearTried(): void {
    this.tried = NO_BACKENDS;
  }

  addTried(b: number): void {
    this.tried = withBackend(this.tried, b);
  }

  /** A redispatch of this attempt must not go to a backend it already tried. */
  excludes(b: number): boolean {
    return hasBackend(this.tried, b);
  }
}

/**
 * Recycled request records of one population (issue 14): an open-loop run creates a Req per
 * arrival and per retry, about a million in a long built-in, each promoted and then collected by
 * the old-generation GC under drainsim's small young generation (util/heap-growth.ts). A record
 * is taken with its holders (the client, and the balancer path that answers it) and comes
 * back when the last of them lets go (Req.letGo); a holder that never lets go (a request lost with
 * a vanished host) only leaves its record to the GC, as before.
 *
 * `ReqPool.debug` (tests): released records are frozen and never reused, so any later write to
 * one (a timer, queue or balancer structure still holding it) throws a TypeError in strict mode,
 * and the run's figures stay those of a run without the pool. Freezing traps writes only, so
 * first every number of the record is poisoned (POISON): a later read (say `streamServer`, a
 * server index) then sees a wrong value instead of the -1 a release happens to leave, and
 * changes the figures the recycled-vs-frozen test compares.
 */
export class ReqPool {
  static debug = false;
  private readonly free: Req[] = [];

  constructor(private readonly onDoneBeforeSend: (job: AppJob) => void) {}

  /** A record as new, held by `holds` (HOLD_* bits). */
  take(holds: number): Req {
    const req = this.free.pop() ?? new Req(this.onDoneBeforeSend);
    req.pool = this;
    req.holds = holds;
    return req;
  }

  /** Called by Req.letGo only. */
  release(req: Req): void {
    // Still queued for or served by an app: a later finish() or dequeue would act on whichever
    // request the record had become (app-server.ts). Cheap enough to check on every release.
    if (req.inList !== null || req.phase !== ReqPhase.NONE)
      throw new Error('ReqPool.release: the request is still in an app (queued or in service)');
    if (ReqPool.debug) {
      poisonNumbers(req);
      Object.freeze(req);
      return;
    }
    req.reset(this.onDoneBeforeSend);
    this.free.push(req);
  }

  /** Records waiting to be reused (tests). */
  get idle(): number {
    return this.free.length;
  }
}

/** What a released record's numbers read under ReqPool.debug: a valid backend index, so a stale read acts on a real server. */
export const POISON = 1;

/**
 * Numbers a released record keeps: the pool's and the app's bookkeeping (`holds`, `phase`,
 * `indexInList`: release checked them itself), and `serverTimer`, compared with the token of a dead `timeout
 * server` entry after release (lb/l7-dispatch.ts serverTimerFired), which is safe because tokens
 * are unique and only increase; a poisoned value could equal a live token and fake a timeout.
 */
const READ_AFTER_RELEASE_BY_DESIGN = new Set(['serverTimer', 'holds', 'phase', 'indexInList']);

function poisonNumbers(req: Req): void {
  const r = req as unknown as Record<string, unknown>;
  for (const k of Object.keys(r)) if (typeof r[k] === 'number' && !READ_AFTER_RELEASE_BY_DESIGN.has(k)) r[k] = POISON;
}
