import { preferDoubleFields } from '../../engine/double-fields.js';
import type { AppJob } from './app-job.js';
import { NO_FIXED_SERVICE, ReqPhase, Status } from './app-job.js';
import { hasBackend, NO_BACKENDS, type PackedBackends, withBackend } from './backend-set.js';

const notServed = (): void => {};

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
  /** The balancer host's local port of that connection (or of its connect() under way); -1: none. */
  srvConnPort = -1;
  /** The client connection (HAProxy session) this request came on; null: its own, one-request connection. */
  session: object | null = null;
  /** Not the first request on its client connection (HAProxy TX_NOT_FIRST). */
  notFirst = false;
  /** The app's jobs in service (job-list.ts) while this request is in one. */
  inList: object | null = null;
  indexInList = -1;
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
