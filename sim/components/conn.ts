import { TcpState } from '../net/tcp.js';
import type { Rng } from '../engine/random.js';
import type { AppJob, Status } from './app-job.js';

/** An upstream connection nginx → app (one per request without keepalive, pooled with it). */
export interface UpstreamConn {
  /** nginx's local ephemeral port towards the app. */
  port: number;
  requests: number;
  idleSince: number;
}

export const ConnKind = { HTTP: 0, WS: 1 } as const;
export type ConnKind = (typeof ConnKind)[keyof typeof ConnKind];

/** Where an HTTP request on a connection is right now. */
export const ReqPhase = { NONE: 0, QUEUED: 1, SERVING: 2, CONNECTING: 3 } as const;
export type ReqPhase = (typeof ReqPhase)[keyof typeof ReqPhase];

/**
 * One client connection through the L4 balancer to a backend's nginx, with the TCP state of
 * both ends and the LB flow between them. For an HTTP keepalive connection it also carries the
 * request in flight (HTTP/1.1 has at most one); for a WebSocket, the session and its upstream
 * tunnel. Fields are plain and preallocated so per-request events allocate nothing.
 */
export class Conn implements AppJob, Rng {
  /**
   * The client's own random state (mulberry32), seeded when the client arrives. Its think
   * times, request counts and source address come from here, so a policy that changes which
   * requests fail or when clients reconnect does not change what each client does (common random
   * numbers per client, not just per stream).
   */
  private rngState = 0;

  /** Bumped whenever the connection ends, so events scheduled for an earlier life are ignored. */
  gen = 0;
  clientState: TcpState = TcpState.CLOSED;
  serverState: TcpState = TcpState.CLOSED;
  /** LB flow: 0 none, 1 tracked, 2 forgotten by a hard removal (answered with RST). */
  flow = 0;
  backend = -1;
  /** Client address index and source port: the 4-tuple the VM sees. */
  tupleKey = 0;
  openedAt = 0;
  /** True while this connection counts as new/active on its backend (for gauges). */
  counted = false;

  // HTTP keepalive state
  requestsLeft = 0;
  requestsServed = 0;
  phase: ReqPhase = ReqPhase.NONE;
  requestStartedAt = 0;
  /** Attempt number of the current logical request (0 = first try). */
  attempt = 0;
  /** SYNs sent so far for the current upstream connect (accept-queue drops). */
  synAttempt = 0;
  /** The previous retry delay (decorrelated jitter grows from it). */
  lastBackoff = 0;
  upstream: UpstreamConn | null = null;
  /** Pending timer of this connection (next request, idle close, service end), if any. */
  timer = -1;
  serviceEnd = 0;
  status: Status = 200;
  readonly deep = true;
  readonly fixedService = -1;
  readonly depTimeout = Infinity;
  readonly depTimeoutStatus: Status = 503;
  onDone: (job: AppJob) => void = () => {};
  /** When the client next wants to send (HTTP), or the last reconnect delay (WS). */
  lastActivity = 0;
  /** When the client started waiting to send a request it had to open a connection for (-1: none). */
  waitingSince = -1;
  /** When the current connect() began (for connect latency). */
  connectStartedAt = 0;

  // WebSocket state
  sessionEndsAt = Infinity;
  sessionId = 0;

  constructor(
    readonly id: number,
    readonly kind: ConnKind,
  ) {}

  seed(seed: number): void {
    this.rngState = seed >>> 0;
  }

  /** Uniform in [0, 1) from this client's own sequence. */
  next(): number {
    let t = (this.rngState = (this.rngState + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
